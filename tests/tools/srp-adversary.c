// SPDX-License-Identifier: GPL-2.0-only
/*
 * srp-adversary: an SRP initiator over RDMA/CM that sends what a correct
 * initiator never would, and checks every answer of the target byte by
 * byte (tests/vm/adversary.sh).
 *
 * It logs in with any SRP_LOGIN_REQ private data and sends information
 * units of any content and length. Data buffers it offers the target are
 * slices of one registered arena, separated by guard gaps that no
 * descriptor names; before each step the whole arena gets fresh random
 * bytes, and afterwards every byte outside what the target reported as
 * transferred (descriptor length minus the data-in residual) must be
 * unchanged, as must a canary region registered with remote write access
 * whose key is never sent.
 *
 * Each case is a function of cases[] (with its argument); every case then
 * logs in afresh and writes 64 KiB to a case-specific LBA of LUN 0 and
 * reads it back (fresh_login_verify()). Each runs in a child process of
 * bounded life; --list prints the names, --all runs them all in turn.
 * Output, one line per sub-check:
 *   ok - CASE: WHAT
 *   not ok - CASE: WHAT: got X, want Y
 * plus "# " lines of detail (the first 64 bytes of an unexpected IU).
 *
 * Usage: srp-adversary -d IP[:PORT] -s SRC_IP -i IPORT -t TPORT
 *                      [-L SLOW_LUN] [-W SCALE] --case NAME | --list | --all
 *   -d, -s   target and own address ([IPv6]:PORT works; default port 5555)
 *   -i, -t   initiator and target port IDs, 32 hex digits each
 *   -L       the LUN whose backstore holds every I/O for 1-2 s (default 1);
 *            LUN 0 must be a disk of at least 16 MiB with 512-byte blocks
 *   -W       multiply every timeout by SCALE (default 1)
 *
 * Exit status: 0 every sub-check passed, 1 one failed, 2 the case could
 * not run (e.g. a login that must succeed failed), 3 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#define DEF_IU_LEN	8260		/* SRP_LOGIN_REQ IU length of the cases */
#define RECV_SIZE	4096		/* receive buffer; target IUs are smaller */
#define SLOT_SIZE	8448		/* one send slot */
#define ARENA_SIZE	(4u << 20)	/* data buffers offered to the target */
#define GUARD		4096		/* never-offered gap before each buffer */
#define CANARY_SIZE	65536
#define MAX_BUFS	80
#define MAX_CHANS	16		/* channels pumped together */
#define BATCH		12		/* channels of one bad-IU batch */
#define IMM_OFFSET	80		/* immediate data offset the cases ask for */
#define CASE_BLOCKS	128		/* blocks of each LUN a case may use */
#define VERIFY_LBA	16384		/* LUN 0 area of the final verification */
#define CASE_SECONDS	300
#define UNUSED		__attribute__((unused))

enum {	/* SRP opcodes (SRP r16a) */
	OP_LOGIN_REQ = 0x00, OP_TSK_MGMT = 0x01, OP_CMD = 0x02, OP_I_LOGOUT = 0x03,
	OP_CRED_RSP = 0x41, OP_AER_RSP = 0x42,
	OP_LOGIN_RSP = 0xc0, OP_RSP = 0xc1, OP_LOGIN_REJ = 0xc2,
	OP_T_LOGOUT = 0x80, OP_CRED_REQ = 0x81, OP_AER_REQ = 0x82,
};
enum {	/* SRP_RSP flags */
	RSPVALID = 0x01, SNSVALID = 0x02, DOOVER = 0x04, DOUNDER = 0x08,
	DIOVER = 0x10, DIUNDER = 0x20,
};
enum { FMT_NONE, FMT_DIRECT, FMT_INDIRECT, FMT_IMM };	/* buffer formats */
enum {	/* SRP_LOGIN_REJ and SRP_T_LOGOUT reasons */
	REJ_UNABLE = 0x00010000, REJ_IU_TOO_LARGE = 0x00010002,
	REJ_ASSOCIATE = 0x00010003, REJ_FORMAT = 0x00010004,
	TLO_INVALID_IU_TYPE = 2, TLO_UNSOLICITED_RSP = 3, TLO_INVALID_LENGTH = 8,
};
enum { GOOD = 0x00, CHECK = 0x02, BUSY = 0x08, TASK_SET_FULL = 0x28 };
enum { TMF_ABORT_TASK = 0x01, TMF_LUN_RESET = 0x08 };

static struct {
	struct sockaddr_storage dst, src;
	uint8_t iport[16], tport[16];
	unsigned int slow_lun;
	double scale;
} cfg = { .slow_lun = 1, .scale = 1 };

static const char *case_name = "setup";
static unsigned int case_idx;
static int nfail;
static int bail_status = 2;	/* 1 once the case itself has run */
static uint64_t salt;

/* ------------------------------------------------------------------ */
/* Output */

/* A formatted string that lives until 24 more have been made. */
static const char *str(const char *fmt, ...)
{
	static char ring[24][400];
	static unsigned int next;
	char *s = ring[next++ % 24];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(ring[0]), fmt, ap);
	va_end(ap);
	return s;
}

/* One sub-check: prints its line and counts a failure; returns @good. */
static int check(int good, const char *what, const char *got, const char *want)
{
	if (good)
		printf("ok - %s: %s\n", case_name, what);
	else
		printf("not ok - %s: %s: got %s, want %s\n", case_name, what, got, want);
	nfail += !good;
	return good;
}

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* The first 64 bytes of @p in hex, as a note. */
static void note_hex(const char *label, const uint8_t *p, uint32_t len)
{
	char line[3 * 64 + 1] = "";
	uint32_t i, n = len < 64 ? len : 64;

	for (i = 0; i < n; i++)
		snprintf(line + 3 * i, sizeof(line) - 3 * i, " %02x", p[i]);
	note("%s, %u bytes:%s", label, len, line);
}

/* The case cannot go on: a "not ok" line, exit status 2 (1 in the final
 * verification, which is a sub-check of the case). */
static void bail(const char *what, const char *why)
{
	printf("not ok - %s: %s: %s (the case cannot go on)\n", case_name, what, why);
	fflush(stdout);
	exit(bail_status);
}

/* ------------------------------------------------------------------ */
/* Small helpers */

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = v & 0xff;
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double scaled(double s)
{
	return s * cfg.scale;
}

static void nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

/* Milliseconds left until @end, at most @cap. */
static int ms_left(double end, int cap)
{
	double ms = (end - now()) * 1000;

	return ms <= 0 ? 0 : ms > cap ? cap : (int)ms + 1;
}

static void *zalloc(size_t n)
{
	void *p = aligned_alloc(4096, (n + 4095) & ~(size_t)4095);

	if (!p)
		bail("memory", "out of memory");
	memset(p, 0, n);
	return p;
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static void fill_random(uint8_t *p, size_t len, uint64_t seed)
{
	uint64_t s = seed | 1, v;
	size_t i;

	for (i = 0; i < len; i += 8) {
		v = rng_next(&s);
		memcpy(p + i, &v, len - i < 8 ? len - i : 8);
	}
}

/* Known disk contents: blocks @lba.. of @lun, generation @gen (0 or 1). */
static void disk_data(uint8_t *p, unsigned int lun, uint32_t lba, uint32_t nblk, int gen)
{
	uint32_t i;

	for (i = 0; i < nblk; i++)
		fill_random(p + 512 * i, 512, salt ^ (uint64_t)lun << 48 ^ (uint64_t)gen << 40 ^
			    (lba + i) * 0x9e3779b97f4a7c15ULL);
}

/* LBA of the area of the running case (on LUN 0 and the slow LUN). */
static uint32_t case_lba(void)
{
	return case_idx * CASE_BLOCKS;
}

/* ------------------------------------------------------------------ */
/* Memory offered to the target */

struct buf {
	uint32_t off;	/* in the arena */
	uint32_t len;
	uint32_t done;	/* bytes the target reported as transferred into it */
};

static struct ibv_pd *pd;
static struct ibv_mr *arena_mr, *canary_mr;
static uint8_t *arena, *arena_copy, *canary, *canary_copy;
static struct buf bufs[MAX_BUFS];
static unsigned int nbufs;
static uint32_t arena_top;
static uint64_t arm_count;

/* The protection domain, the arena and the canary, on the first device. */
static void memory_setup(struct ibv_context *verbs)
{
	int acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;

	pd = ibv_alloc_pd(verbs);
	if (!pd)
		bail("ibv_alloc_pd", strerror(errno));
	arena = zalloc(ARENA_SIZE);
	arena_copy = zalloc(ARENA_SIZE);
	canary = zalloc(CANARY_SIZE);
	canary_copy = zalloc(CANARY_SIZE);
	arena_mr = ibv_reg_mr(pd, arena, ARENA_SIZE, acc);
	canary_mr = ibv_reg_mr(pd, canary, CANARY_SIZE, acc);
	if (!arena_mr || !canary_mr)
		bail("ibv_reg_mr", strerror(errno));
	fill_random(canary, CANARY_SIZE, salt ^ 0xca);
	memcpy(canary_copy, canary, CANARY_SIZE);
	fill_random(arena, ARENA_SIZE, salt ^ 0xa7);
	memcpy(arena_copy, arena, ARENA_SIZE);
}

/* Forget the buffers of the last step. */
static void arena_reset(void)
{
	nbufs = 0;
	arena_top = 0;
}

/* A new buffer of @len bytes, behind a guard gap. */
static struct buf *buf_new(uint32_t len)
{
	uint32_t off = arena_top + GUARD;
	struct buf *b;

	if (nbufs == MAX_BUFS || (uint64_t)off + len + GUARD > ARENA_SIZE)
		bail("arena", "out of buffer space");
	b = &bufs[nbufs++];
	b->off = off;
	b->len = len;
	b->done = 0;
	arena_top = (off + len + 63) & ~63u;
	return b;
}

static uint8_t *bp(const struct buf *b)
{
	return arena + b->off;
}

static uint64_t bva(const struct buf *b)
{
	return (uintptr_t)(arena + b->off);
}

/*
 * Fresh random bytes in the used part of the arena, and the whole arena as
 * it is now taken as the reference (what an earlier step changed was
 * reported then); nothing transferred yet.
 */
static void arena_arm(void)
{
	uint32_t end = arena_top + GUARD < ARENA_SIZE ? arena_top + GUARD : ARENA_SIZE;
	unsigned int i;

	fill_random(arena, end, salt ^ ++arm_count << 8);
	memcpy(arena_copy, arena, ARENA_SIZE);
	for (i = 0; i < nbufs; i++)
		bufs[i].done = 0;
}

/* Put @data into buffer @b (what the target may read). */
static void buf_set(struct buf *b, const uint8_t *data)
{
	memcpy(bp(b), data, b->len);
	memcpy(arena_copy + b->off, data, b->len);
}

/* Arena bytes of [from, to) that changed; the first one in *first. */
static uint32_t count_changed(uint32_t from, uint32_t to, uint32_t *first)
{
	uint32_t n = 0, i;

	if (from >= to || !memcmp(arena + from, arena_copy + from, to - from))
		return 0;
	for (i = from; i < to; i++) {
		if (arena[i] == arena_copy[i])
			continue;
		if (*first == UINT32_MAX)
			*first = i;
		n++;
	}
	return n;
}

/* Where arena offset @off is, for messages. */
static const char *where(uint32_t off)
{
	unsigned int i;

	for (i = 0; i < nbufs; i++) {
		if (off < bufs[i].off)
			return str("the guard %u bytes before buffer %u", bufs[i].off - off, i);
		if (off < bufs[i].off + bufs[i].len)
			return str("byte %u of buffer %u (%u reported transferred)",
				   off - bufs[i].off, i, bufs[i].done);
	}
	return str("arena offset %u, past every buffer", off);
}

/*
 * Sub-check: since arena_arm(), the target changed nothing but the bytes
 * it reported as transferred, and nothing of the canary.
 */
static void check_mem(const char *what)
{
	uint32_t pos = 0, n = 0, first = UINT32_MAX, i, c = 0;
	const char *got = "";

	for (i = 0; i < nbufs; i++) {
		n += count_changed(pos, bufs[i].off, &first);
		pos = bufs[i].off + (bufs[i].done < bufs[i].len ? bufs[i].done : bufs[i].len);
	}
	n += count_changed(pos, ARENA_SIZE, &first);
	if (memcmp(canary, canary_copy, CANARY_SIZE))
		for (i = 0; i < CANARY_SIZE; i++)
			c += canary[i] != canary_copy[i];
	if (n)
		got = str("%u bytes changed, the first at %s: 0x%02x -> 0x%02x", n, where(first),
			  arena_copy[first], arena[first]);
	else if (c)
		got = str("%u bytes of the never-offered canary changed", c);
	check(!n && !c, str("%s: no byte changed beyond the reported transfer", what), got,
	      "none changed");
}

/* ------------------------------------------------------------------ */
/* Channels */

enum ch_state { CH_NEW, CH_UP, CH_REJECTED, CH_FAILED };

struct iu {
	uint32_t len;
	int taken;
	uint8_t b[RECV_SIZE];
};

struct chan {
	struct rdma_event_channel *ec;
	struct rdma_cm_id *id;
	struct ibv_comp_channel *cc;
	struct ibv_cq *cq;
	struct ibv_mr *recv_mr, *send_mr;
	uint8_t *recv_buf, *send_buf;
	unsigned int nrecv, nslots, next_slot;
	unsigned long posted, completed;
	struct iu *q;			/* every IU received, in order */
	unsigned int qlen, qcap;
	enum ch_state state;
	char why[160];			/* CH_FAILED: what went wrong */
	uint8_t login_rsp[52];
	uint32_t rej_reason;
	int rej_status;
	int disconnected, qp_gone;
	double disc_at;
	long lim0;			/* REQUEST LIMIT DELTA of the LOGIN_RSP */
	long deltas;			/* sum of those of every SRP_RSP */
	unsigned long nreq;		/* SRP_CMDs and SRP_TSK_MGMTs sent */
};

/* SRP_LOGIN_REQ private data (struct srp_login_req_rdma). */
struct login {
	uint8_t b[56];
	uint8_t len;
};

/* The usual login: MULTICHAN 1, IU length 8260, direct and indirect. */
static struct login login_default(void)
{
	struct login l = { .len = sizeof(l.b) };

	put_be(l.b, 0x4144564c4f47494eULL + case_idx, 8);	/* tag */
	put_be(l.b + 8, 0x0006, 2);				/* REQUIRED BUFFER FORMATS */
	l.b[10] = 1;						/* MULTI-CHANNEL ACTION */
	l.b[11] = OP_LOGIN_REQ;
	put_be(l.b + 12, DEF_IU_LEN, 4);
	memcpy(l.b + 16, cfg.iport, 16);
	memcpy(l.b + 32, cfg.tport, 16);
	return l;
}

/* The usual login, asking for immediate data at @offset. */
static struct login login_imm(uint16_t offset)
{
	struct login l = login_default();

	l.b[10] |= 0x80;
	put_be(l.b + 48, offset, 2);
	return l;
}

static struct chan *chan_new(unsigned int nrecv, unsigned int nslots)
{
	struct chan *c = calloc(1, sizeof(*c));

	if (!c)
		bail("memory", "out of memory");
	c->nrecv = nrecv;
	c->nslots = nslots;
	return c;
}

static int chan_fail(struct chan *c, const char *what)
{
	snprintf(c->why, sizeof(c->why), "%s: %s", what, strerror(errno));
	c->state = CH_FAILED;
	return -1;
}

/* The next CM event of @c within @s seconds, or NULL. */
static struct rdma_cm_event *cm_next(struct chan *c, double s)
{
	struct pollfd pfd = { .fd = c->ec->fd, .events = POLLIN };
	struct rdma_cm_event *ev;
	double end = now() + s;

	for (;;) {
		if (rdma_get_cm_event(c->ec, &ev) == 0)
			return ev;
		if (errno != EAGAIN || now() >= end)
			return NULL;
		poll(&pfd, 1, ms_left(end, 1000));
	}
}

/* The next CM event must be @type; 0, or -1 with c->why set. */
static int cm_expect(struct chan *c, enum rdma_cm_event_type type)
{
	struct rdma_cm_event *ev = cm_next(c, scaled(10));
	int ok = ev && ev->event == type;

	if (!ok) {
		snprintf(c->why, sizeof(c->why), "%s instead of %s",
			 ev ? rdma_event_str(ev->event) : "nothing", rdma_event_str(type));
		c->state = CH_FAILED;
	}
	if (ev)
		rdma_ack_cm_event(ev);
	return ok ? 0 : -1;
}

/* Create the CM ID and resolve the address and route to the target. */
static int chan_route(struct chan *c)
{
	c->ec = rdma_create_event_channel();
	if (!c->ec || rdma_create_id(c->ec, &c->id, c, RDMA_PS_TCP))
		return chan_fail(c, "rdma_create_id");
	fcntl(c->ec->fd, F_SETFL, fcntl(c->ec->fd, F_GETFL) | O_NONBLOCK);
	if (rdma_resolve_addr(c->id, (struct sockaddr *)&cfg.src,
			      (struct sockaddr *)&cfg.dst, 5000))
		return chan_fail(c, "rdma_resolve_addr");
	if (cm_expect(c, RDMA_CM_EVENT_ADDR_RESOLVED))
		return -1;
	if (rdma_resolve_route(c->id, 5000))
		return chan_fail(c, "rdma_resolve_route");
	return cm_expect(c, RDMA_CM_EVENT_ROUTE_RESOLVED);
}

static int post_recv(struct chan *c, unsigned int i)
{
	struct ibv_sge sge = { (uintptr_t)(c->recv_buf + (size_t)i * RECV_SIZE), RECV_SIZE,
			       c->recv_mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = i, .sg_list = &sge, .num_sge = 1 }, *bad;

	if (c->qp_gone)
		return -1;
	return ibv_post_recv(c->id->qp, &wr, &bad);
}

/* Completion channel, CQ, QP, send and receive buffers, receives posted. */
static int chan_qp(struct chan *c)
{
	struct ibv_qp_init_attr qa = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = c->nslots, .max_recv_wr = c->nrecv,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	unsigned int i;

	if (!pd)
		memory_setup(c->id->verbs);
	else if (pd->context != c->id->verbs)
		bail("channel", "the route leads to a second RDMA device");
	c->cc = ibv_create_comp_channel(c->id->verbs);
	c->cq = c->cc ? ibv_create_cq(c->id->verbs, c->nrecv + c->nslots, NULL, c->cc, 0) : NULL;
	if (!c->cq || ibv_req_notify_cq(c->cq, 0))
		return chan_fail(c, "ibv_create_cq");
	fcntl(c->cc->fd, F_SETFL, fcntl(c->cc->fd, F_GETFL) | O_NONBLOCK);
	qa.send_cq = qa.recv_cq = c->cq;
	if (rdma_create_qp(c->id, pd, &qa))
		return chan_fail(c, "rdma_create_qp");
	c->recv_buf = zalloc((size_t)c->nrecv * RECV_SIZE);
	c->send_buf = zalloc((size_t)c->nslots * SLOT_SIZE);
	c->recv_mr = ibv_reg_mr(pd, c->recv_buf, (size_t)c->nrecv * RECV_SIZE,
				IBV_ACCESS_LOCAL_WRITE);
	c->send_mr = ibv_reg_mr(pd, c->send_buf, (size_t)c->nslots * SLOT_SIZE, 0);
	if (!c->recv_mr || !c->send_mr)
		return chan_fail(c, "ibv_reg_mr");
	for (i = 0; i < c->nrecv; i++)
		if (post_recv(c, i))
			return chan_fail(c, "ibv_post_recv");
	return 0;
}

static void login_accepted(struct chan *c, const struct rdma_cm_event *ev)
{
	const uint8_t *p = ev->param.conn.private_data;

	if (!p || ev->param.conn.private_data_len < sizeof(c->login_rsp) || p[0] != OP_LOGIN_RSP) {
		snprintf(c->why, sizeof(c->why), "ESTABLISHED without an SRP_LOGIN_RSP");
		c->state = CH_FAILED;
		return;
	}
	memcpy(c->login_rsp, p, sizeof(c->login_rsp));
	c->lim0 = (int32_t)get_be(p + 4, 4);
	c->state = CH_UP;
}

static void login_rejected(struct chan *c, const struct rdma_cm_event *ev)
{
	const uint8_t *p = ev->param.conn.private_data;

	c->state = CH_REJECTED;
	c->rej_status = ev->status;
	if (p && ev->param.conn.private_data_len >= 8 && p[0] == OP_LOGIN_REJ)
		c->rej_reason = get_be(p + 4, 4);
}

/* Log in with @l; c->state says how it went. */
static void chan_login(struct chan *c, const struct login *l)
{
	struct rdma_conn_param cp = {
		.private_data = l->b, .private_data_len = l->len,
		.responder_resources = 4, .initiator_depth = 4,
		/*
		 * The transport retries of the target's QP: IBA allows 7, but
		 * rxe takes 7 for "retry for ever", and a target sending to a
		 * QP that is gone (teardown-no-dreq) would never see it fail.
		 */
		.retry_count = 6, .rnr_retry_count = 7,
	};
	struct rdma_cm_event *ev;

	if (chan_route(c) || chan_qp(c))
		return;
	if (rdma_connect(c->id, &cp)) {
		chan_fail(c, "rdma_connect");
		return;
	}
	ev = cm_next(c, scaled(15));
	if (!ev) {
		snprintf(c->why, sizeof(c->why), "no answer within %.0f s", scaled(15));
		c->state = CH_FAILED;
		return;
	}
	if (ev->event == RDMA_CM_EVENT_ESTABLISHED) {
		login_accepted(c, ev);
	} else if (ev->event == RDMA_CM_EVENT_REJECTED) {
		login_rejected(c, ev);
	} else {
		snprintf(c->why, sizeof(c->why), "%s", rdma_event_str(ev->event));
		c->state = CH_FAILED;
	}
	rdma_ack_cm_event(ev);
}

/* What the target answered a login, for messages. */
static const char *login_answer(const struct chan *c)
{
	const uint8_t *p = c->login_rsp;

	switch (c->state) {
	case CH_UP:
		return str("LOGIN_RSP (req_lim_delta %u, max_it_iu_len %u, rsp_flags 0x%02x)",
			   (uint32_t)get_be(p + 4, 4), (uint32_t)get_be(p + 16, 4), p[26]);
	case CH_REJECTED:
		if (c->rej_reason)
			return str("LOGIN_REJ reason 0x%08x", c->rej_reason);
		return str("a reject without an SRP_LOGIN_REJ (status %d)", c->rej_status);
	default:
		return str("no login: %s", c->why);
	}
}

/* The CQ, its completion channel and the IU buffers' registrations. */
static void chan_free_verbs(struct chan *c)
{
	struct ibv_mr *mrs[] = { c->recv_mr, c->send_mr };
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (mrs[i])
			ibv_dereg_mr(mrs[i]);
	if (c->cq)
		ibv_destroy_cq(c->cq);
	if (c->cc)
		ibv_destroy_comp_channel(c->cc);
}

/* Disconnect (a DREQ unless the target disconnected) and free everything. */
static void chan_close(struct chan *c)
{
	if (c->state == CH_UP && !c->disconnected)
		rdma_disconnect(c->id);
	if (c->id && c->id->qp && !c->qp_gone)
		rdma_destroy_qp(c->id);
	chan_free_verbs(c);
	if (c->id)
		rdma_destroy_id(c->id);
	if (c->ec)
		rdma_destroy_event_channel(c->ec);
	free(c->recv_buf);
	free(c->send_buf);
	free(c->q);
	free(c);
}

/* Keep a received IU; an SRP_RSP's credits are counted. */
static void store_iu(struct chan *c, const uint8_t *p, uint32_t len)
{
	struct iu *u;

	if (c->qlen == c->qcap) {
		c->qcap = c->qcap ? 2 * c->qcap : 32;
		c->q = realloc(c->q, c->qcap * sizeof(*c->q));
		if (!c->q)
			bail("memory", "out of memory");
	}
	u = &c->q[c->qlen++];
	u->len = len;
	u->taken = 0;
	memcpy(u->b, p, len < RECV_SIZE ? len : RECV_SIZE);
	if (len >= 36 && p[0] == OP_RSP)
		c->deltas += (int32_t)get_be(p + 4, 4);
}

static void on_completion(struct chan *c, const struct ibv_wc *wc)
{
	int send = wc->wr_id >> 32;

	c->completed += send;
	if (wc->status != IBV_WC_SUCCESS) {
		if (wc->status != IBV_WC_WR_FLUSH_ERR)
			note("%s completion: %s", send ? "send" : "receive",
			     ibv_wc_status_str(wc->status));
		return;
	}
	if (send)
		return;
	store_iu(c, c->recv_buf + wc->wr_id * RECV_SIZE, wc->byte_len);
	if (post_recv(c, wc->wr_id))
		note("cannot repost a receive");
}

static void chan_completions(struct chan *c)
{
	struct ibv_wc wc[16];
	struct ibv_cq *cq;
	void *ctx;
	int n, i;

	if (!c->cq)
		return;
	while (ibv_get_cq_event(c->cc, &cq, &ctx) == 0)
		ibv_ack_cq_events(cq, 1);
	ibv_req_notify_cq(c->cq, 0);
	while ((n = ibv_poll_cq(c->cq, 16, wc)) > 0)
		for (i = 0; i < n; i++)
			on_completion(c, &wc[i]);
}

static void chan_cm_events(struct chan *c)
{
	struct rdma_cm_event *ev;

	while (rdma_get_cm_event(c->ec, &ev) == 0) {
		if (ev->event == RDMA_CM_EVENT_DISCONNECTED && !c->disconnected) {
			c->disconnected = 1;
			c->disc_at = now();
		} else if (ev->event != RDMA_CM_EVENT_DISCONNECTED &&
			   ev->event != RDMA_CM_EVENT_TIMEWAIT_EXIT) {
			note("CM event %s", rdma_event_str(ev->event));
		}
		rdma_ack_cm_event(ev);
	}
}

/* Wait up to @ms for anything on the channels, then take it all in. */
static void pump(struct chan **cs, unsigned int n, int ms)
{
	struct pollfd pfd[2 * MAX_CHANS];
	unsigned int i, k = 0;

	for (i = 0; i < n && i < MAX_CHANS; i++) {
		pfd[k++] = (struct pollfd){ .fd = cs[i]->ec->fd, .events = POLLIN };
		if (cs[i]->cc)
			pfd[k++] = (struct pollfd){ .fd = cs[i]->cc->fd, .events = POLLIN };
	}
	if (ms > 0)
		poll(pfd, k, ms);
	for (i = 0; i < n; i++) {
		chan_cm_events(cs[i]);
		chan_completions(cs[i]);
	}
}

/* Pump @c until @done(c, arg), a disconnect or @s seconds; @done's value. */
static int wait_until(struct chan *c, int (*done)(struct chan *, const void *),
		      const void *arg, double s)
{
	double end = now() + s;

	for (;;) {
		pump(&c, 1, 0);
		if (done(c, arg))
			return 1;
		if (c->disconnected || now() >= end)
			return 0;
		pump(&c, 1, ms_left(end, 100));
	}
}

/* Take in everything that arrives on @c for @s seconds. */
static void pump_for(struct chan *c, double s)
{
	double end = now() + s;

	do
		pump(&c, 1, ms_left(end, 100));
	while (now() < end);
}

static int is_disconnected(struct chan *c, const void *arg)
{
	(void)arg;
	return c->disconnected;
}

static int wait_disconnect(struct chan *c, double s)
{
	return wait_until(c, is_disconnected, NULL, s);
}

/* Index of the first IU with opcode @op (untaken ones only if @fresh), or -1. */
static int find_op(const struct chan *c, uint8_t op, int fresh)
{
	unsigned int i;

	for (i = 0; i < c->qlen; i++)
		if (c->q[i].len && c->q[i].b[0] == op && !(fresh && c->q[i].taken))
			return i;
	return -1;
}

/* Index of the first untaken SRP_RSP of @tag, or -1. */
static int find_rsp(const struct chan *c, uint64_t tag)
{
	unsigned int i;

	for (i = 0; i < c->qlen; i++)
		if (!c->q[i].taken && c->q[i].len >= 36 && c->q[i].b[0] == OP_RSP &&
		    get_be(c->q[i].b + 8, 8) == tag)
			return i;
	return -1;
}

/* SRP_RSPs received for @tag so far, taken or not. */
static unsigned int count_rsps(const struct chan *c, uint64_t tag)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->qlen; i++)
		n += c->q[i].len >= 36 && c->q[i].b[0] == OP_RSP && get_be(c->q[i].b + 8, 8) == tag;
	return n;
}

static int rsp_arrived(struct chan *c, const void *tag)
{
	return find_rsp(c, *(const uint64_t *)tag) >= 0;
}

/* ------------------------------------------------------------------ */
/* Responses */

struct rsp {
	int valid;
	uint32_t len;
	uint64_t tag;
	uint8_t status, flags;
	uint32_t delta, do_res, di_res, sense_len, resp_len;
	int code, key, asc, ascq;	/* -1 when absent */
	uint8_t raw[128];
};

static void sense_parse(const uint8_t *s, struct rsp *r)
{
	int desc = (s[0] & 0x7f) >= 0x72;

	r->key = s[desc ? 1 : 2] & 0xf;
	r->asc = s[desc ? 2 : 12];
	r->ascq = s[desc ? 3 : 13];
}

/* SRP_RSP (SRP r16a 6.9) fields, the sense key and the response code. */
static void parse_rsp(const struct iu *u, struct rsp *r)
{
	const uint8_t *p = u->b;
	uint64_t sense;

	memset(r, 0, sizeof(*r));
	r->valid = 1;
	r->len = u->len;
	memcpy(r->raw, p, u->len < sizeof(r->raw) ? u->len : sizeof(r->raw));
	r->delta = get_be(p + 4, 4);
	r->tag = get_be(p + 8, 8);
	r->flags = p[18];
	r->status = p[19];
	r->do_res = get_be(p + 20, 4);
	r->di_res = get_be(p + 24, 4);
	r->sense_len = get_be(p + 28, 4);
	r->resp_len = get_be(p + 32, 4);
	r->code = r->key = r->asc = r->ascq = -1;
	if ((r->flags & RSPVALID) && r->resp_len >= 4 && u->len >= 40)
		r->code = p[39];
	sense = 36 + (uint64_t)((r->flags & RSPVALID) ? r->resp_len : 0);
	if ((r->flags & SNSVALID) && r->sense_len >= 14 && sense + 14 <= u->len)
		sense_parse(p + sense, r);
}

/* Wait up to @s seconds for the SRP_RSP of @tag; r->valid says whether. */
static int wait_rsp(struct chan *c, uint64_t tag, double s, struct rsp *r)
{
	int i;

	memset(r, 0, sizeof(*r));
	if (!wait_until(c, rsp_arrived, &tag, s))
		return 0;
	i = find_rsp(c, tag);
	c->q[i].taken = 1;
	parse_rsp(&c->q[i], r);
	return 1;
}

/* Bytes of a data-in buffer of @dlen the target reported as transferred. */
static uint32_t reported_in(const struct rsp *r, uint32_t dlen)
{
	if (!r->valid)
		return 0;
	if (r->flags & DIUNDER)
		return r->di_res < dlen ? dlen - r->di_res : 0;
	return r->status == GOOD ? dlen : 0;
}

struct want {
	int status;		/* -1: any */
	int flags, mask;	/* (flags & mask) == (want.flags & mask) */
	long do_res, di_res;	/* -1: any */
	int key, asc, ascq;	/* key -1: sense not checked */
};

static struct want want_good(int flags)
{
	struct want w = { GOOD, flags, 0xff, -1, -1, -1, -1, -1 };

	return w;
}

/* CHECK CONDITION with sense @key/@asc/@ascq. */
static struct want want_sense(int key, int asc, int ascq)
{
	struct want w = { CHECK, SNSVALID, SNSVALID | RSPVALID, -1, -1, key, asc, ascq };

	return w;
}

/* ILLEGAL REQUEST, INVALID FIELD IN COMMAND INFORMATION UNIT (05/0E/03). */
static struct want want_invalid_iu(void)
{
	return want_sense(0x5, 0x0e, 0x03);
}

static const char *rsp_text(const struct rsp *r)
{
	if (!r->valid)
		return "no SRP_RSP";
	return str("status 0x%02x, flags 0x%02x, data_out_res %u, data_in_res %u, sense %s, req_lim_delta %u",
		   r->status, r->flags, r->do_res, r->di_res,
		   r->key < 0 ? "none" : str("%x/%02x/%02x", r->key, r->asc, r->ascq), r->delta);
}

static const char *want_text(const struct want *w)
{
	char b[300];
	int n = 0;

	b[0] = 0;
	if (w->status >= 0)
		n += snprintf(b + n, sizeof(b) - n, "status 0x%02x, ", w->status);
	if (w->mask == 0xff)
		n += snprintf(b + n, sizeof(b) - n, "flags 0x%02x, ", w->flags);
	else if (w->mask)
		n += snprintf(b + n, sizeof(b) - n, "flags & 0x%02x = 0x%02x, ", w->mask,
			      w->flags & w->mask);
	if (w->do_res >= 0)
		n += snprintf(b + n, sizeof(b) - n, "data_out_res %ld, ", w->do_res);
	if (w->di_res >= 0)
		n += snprintf(b + n, sizeof(b) - n, "data_in_res %ld, ", w->di_res);
	if (w->key >= 0)
		n += snprintf(b + n, sizeof(b) - n, "sense %x/%02x/%02x, ", w->key, w->asc,
			      w->ascq);
	snprintf(b + n, sizeof(b) - n, "req_lim_delta >= 1");
	return str("%s", b);
}

static int rsp_matches(const struct rsp *r, const struct want *w)
{
	return r->valid && (w->status < 0 || r->status == w->status) &&
	       (r->flags & w->mask) == (w->flags & w->mask) &&
	       (w->do_res < 0 || r->do_res == w->do_res) &&
	       (w->di_res < 0 || r->di_res == w->di_res) &&
	       (w->key < 0 || (r->key == w->key && r->asc == w->asc && r->ascq == w->ascq)) &&
	       r->delta >= 1;
}

/* Sub-check: the SRP_RSP for @what is as wanted. */
static int expect_rsp(const char *what, const struct rsp *r, struct want w)
{
	int good = rsp_matches(r, &w);

	if (good)
		return check(1, str("%s: SRP_RSP %s", what, want_text(&w)), "", "");
	check(0, str("%s: SRP_RSP", what), rsp_text(r), want_text(&w));
	if (r->valid)
		note_hex("the SRP_RSP", r->raw, r->len);
	return 0;
}

/* Sub-check: a task management response with response code @code. */
static int expect_code(const char *what, const struct rsp *r, int code)
{
	int good = r->valid && (r->flags & RSPVALID) && r->resp_len >= 4 && r->code == code &&
		   r->delta >= 1;
	const char *got = !r->valid ? "no SRP_RSP" :
		str("flags 0x%02x, response data length %u, response code %d, req_lim_delta %u",
		    r->flags, r->resp_len, r->code, r->delta);

	check(good, str("%s: response code 0x%02x", what, code), got,
	      str("RSPVALID, response code 0x%02x, req_lim_delta >= 1", code));
	if (!good && r->valid)
		note_hex("the SRP_RSP", r->raw, r->len);
	return good;
}

/* ------------------------------------------------------------------ */
/* Requests */

static uint64_t new_tag(void)
{
	static uint32_t seq;

	return (uint64_t)(case_idx + 1) << 32 | ++seq;
}

/* Post @len bytes of @iu as one SEND; 0, or -1 if it cannot be posted. */
static int post_iu(struct chan *c, const void *iu, uint32_t len)
{
	struct ibv_send_wr wr = { .num_sge = 1, .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_SIGNALED }, *bad;
	double end = now() + scaled(10);
	struct ibv_sge sge;
	uint8_t *slot;

	if (len > SLOT_SIZE || c->qp_gone)
		return -1;
	while (c->posted - c->completed >= c->nslots) {
		if (c->disconnected || now() > end)
			return -1;
		pump(&c, 1, 50);
	}
	slot = c->send_buf + (size_t)c->next_slot * SLOT_SIZE;
	memcpy(slot, iu, len);
	sge = (struct ibv_sge){ (uintptr_t)slot, len, c->send_mr->lkey };
	wr.sg_list = &sge;
	wr.wr_id = 1ULL << 32 | c->next_slot;
	c->next_slot = (c->next_slot + 1) % c->nslots;
	if (ibv_post_send(c->id->qp, &wr, &bad))
		return -1;
	c->posted++;
	return 0;
}

/* Post a request that counts against the request limit. */
static void send_req(struct chan *c, const uint8_t *iu, uint32_t len)
{
	if (post_iu(c, iu, len))
		bail("post a request", c->disconnected ? "the channel is disconnected" :
		     "the send queue does not drain");
	c->nreq++;
}

/* SRP_CMD header (48 bytes) without data descriptors; its length. */
static uint32_t build_cmd(uint8_t *iu, uint64_t tag, unsigned int lun, const uint8_t cdb[16])
{
	memset(iu, 0, 48);
	iu[0] = OP_CMD;
	put_be(iu + 8, tag, 8);
	iu[21] = lun;		/* LUN at 20..27, peripheral device addressing */
	memcpy(iu + 32, cdb, 16);
	return 48;
}

/* A memory descriptor (va, key, length) at @p; its length. */
static uint32_t put_desc(uint8_t *p, uint64_t va, uint32_t key, uint32_t len)
{
	put_be(p, va, 8);
	put_be(p + 8, key, 4);
	put_be(p + 12, len, 4);
	return 16;
}

/* Append a direct data-in (@in) or data-out descriptor; the new length. */
static uint32_t add_direct(uint8_t *iu, uint32_t len, int in, uint64_t va, uint32_t key,
			   uint32_t dlen)
{
	iu[5] |= in ? FMT_DIRECT : FMT_DIRECT << 4;
	iu[in ? 7 : 6] = 1;
	return len + put_desc(iu + len, va, key, dlen);
}

static void cdb_rw10(uint8_t *cdb, int write, uint32_t lba, uint16_t nblk)
{
	memset(cdb, 0, 16);
	cdb[0] = write ? 0x2a : 0x28;
	put_be(cdb + 2, lba, 4);
	put_be(cdb + 7, nblk, 2);
}

static void cdb_inquiry(uint8_t *cdb, int evpd, uint8_t page, uint16_t alloc)
{
	memset(cdb, 0, 16);
	cdb[0] = 0x12;
	cdb[1] = evpd;
	cdb[2] = page;
	put_be(cdb + 3, alloc, 2);
}

static const uint8_t cdb_tur[16];	/* TEST UNIT READY */

/*
 * READ(10) or WRITE(10) of @nblk blocks at @lba of @lun through one direct
 * descriptor of @dlen bytes at @b, remote key @key; returns the tag.
 */
static uint64_t send_rw(struct chan *c, int write, unsigned int lun, uint32_t lba,
			uint16_t nblk, const struct buf *b, uint32_t dlen, uint32_t key)
{
	uint64_t tag = new_tag();
	uint8_t iu[64], cdb[16];
	uint32_t len;

	cdb_rw10(cdb, write, lba, nblk);
	len = build_cmd(iu, tag, lun, cdb);
	len = add_direct(iu, len, !write, bva(b), key, dlen);
	send_req(c, iu, len);
	return tag;
}

static uint64_t send_tur(struct chan *c, unsigned int lun)
{
	uint64_t tag = new_tag();
	uint8_t iu[48];

	send_req(c, iu, build_cmd(iu, tag, lun, cdb_tur));
	return tag;
}

/* SRP_TSK_MGMT (SRP r16a 6.7) of function @fn naming task @task. */
static uint64_t send_tmf(struct chan *c, unsigned int lun, uint8_t fn, uint64_t task)
{
	uint64_t tag = new_tag();
	uint8_t iu[48] = { OP_TSK_MGMT };

	put_be(iu + 8, tag, 8);
	iu[21] = lun;
	iu[30] = fn;
	put_be(iu + 32, task, 8);
	send_req(c, iu, sizeof(iu));
	return tag;
}

/* Send the SRP_CMD @iu and wait @s seconds for its SRP_RSP. */
static void run_cmd(struct chan *c, const uint8_t *iu, uint32_t len, double s, struct rsp *r)
{
	send_req(c, iu, len);
	wait_rsp(c, get_be(iu + 8, 8), s, r);
}

/* ------------------------------------------------------------------ */
/* Sessions that must work */

/* A login that must be accepted (@l, or the usual one). */
static struct chan *must_login(const struct login *l, unsigned int nrecv, unsigned int nslots)
{
	struct login d = login_default();
	struct chan *c = chan_new(nrecv, nslots);

	chan_login(c, l ? l : &d);
	if (c->state != CH_UP)
		bail("login", login_answer(c));
	return c;
}

/* Take the unit attentions pending on @lun: TEST UNIT READY until GOOD. */
static void drain_ua(struct chan *c, unsigned int lun)
{
	struct rsp r;
	int i;

	for (i = 0; i < 8; i++) {
		wait_rsp(c, send_tur(c, lun), scaled(30), &r);
		if (r.valid && r.status == GOOD)
			return;
		if (!r.valid || r.status != CHECK || r.key != 6)
			bail(str("TEST UNIT READY on LUN %u", lun), rsp_text(&r));
		note("unit attention %x/%02x/%02x taken on LUN %u", r.key, r.asc, r.ascq, lun);
	}
	bail(str("TEST UNIT READY on LUN %u", lun), "unit attentions without end");
}

/* The usual channel of a case: the usual login, LUN 0 ready. */
static struct chan *case_chan(void)
{
	struct chan *c = must_login(NULL, 64, 64);

	drain_ua(c, 0);
	return c;
}

/* Write generation @gen of the known data to @nblk blocks at @lba of @lun. */
static void disk_write(struct chan *c, unsigned int lun, uint32_t lba, uint16_t nblk, int gen)
{
	struct buf *b;
	struct rsp r;

	arena_reset();
	b = buf_new(nblk * 512);
	arena_arm();
	disk_data(bp(b), lun, lba, nblk, gen);
	wait_rsp(c, send_rw(c, 1, lun, lba, nblk, b, nblk * 512, arena_mr->rkey), scaled(30), &r);
	if (!r.valid || r.status != GOOD)
		bail(str("WRITE(10) of %u blocks at LBA %u of LUN %u", nblk, lba, lun),
		     rsp_text(&r));
}

/* Whether @nblk blocks at @lba of @lun hold generation @gen. */
static int disk_holds(struct chan *c, unsigned int lun, uint32_t lba, uint16_t nblk, int gen)
{
	uint8_t *want = zalloc(nblk * 512);
	struct buf *b;
	struct rsp r;
	int same;

	arena_reset();
	b = buf_new(nblk * 512);
	arena_arm();
	wait_rsp(c, send_rw(c, 0, lun, lba, nblk, b, nblk * 512, arena_mr->rkey), scaled(30), &r);
	if (!r.valid || r.status != GOOD)
		bail(str("READ(10) of %u blocks at LBA %u of LUN %u", nblk, lba, lun),
		     rsp_text(&r));
	disk_data(want, lun, lba, nblk, gen);
	same = !memcmp(bp(b), want, nblk * 512);
	free(want);
	return same;
}

/* Sub-check: blocks @lba.. of @lun still (or now) hold generation @gen. */
static void check_disk(struct chan *c, unsigned int lun, uint32_t lba, uint16_t nblk, int gen,
		       const char *what)
{
	check(disk_holds(c, lun, lba, nblk, gen), what, "other data",
	      str("the data written before (generation %d)", gen));
}

/* Sub-checks: @nblk blocks written at @lba of @lun read back the same. */
static void rw_verify(struct chan *c, unsigned int lun, uint32_t lba, uint16_t nblk,
		      const char *who)
{
	uint32_t n = nblk * 512;
	uint8_t *data = zalloc(n);
	struct buf *w, *rd;
	struct rsp r;
	const char *what = str("%s: %u KiB at LBA %u of LUN %u", who, n / 1024, lba, lun);

	arena_reset();
	w = buf_new(n);
	rd = buf_new(n);
	arena_arm();
	disk_data(data, lun, lba, nblk, 1);
	buf_set(w, data);
	wait_rsp(c, send_rw(c, 1, lun, lba, nblk, w, n, arena_mr->rkey), scaled(30), &r);
	expect_rsp(str("%s: WRITE(10)", what), &r, want_good(0));
	wait_rsp(c, send_rw(c, 0, lun, lba, nblk, rd, n, arena_mr->rkey), scaled(30), &r);
	expect_rsp(str("%s: READ(10)", what), &r, want_good(0));
	rd->done = reported_in(&r, n);
	check(!memcmp(bp(rd), data, n), str("%s: read back as written", what), "other data",
	      "the data written");
	check_mem(what);
	free(data);
}

/* The end of every case: a new login serves verified I/O on LUN 0. */
static void fresh_login_verify(void)
{
	struct chan *c = chan_new(64, 64);
	struct login l = login_default();

	bail_status = 1;
	chan_login(c, &l);
	if (check(c->state == CH_UP, "afterwards a new login is accepted", login_answer(c),
		  "LOGIN_RSP")) {
		drain_ua(c, 0);
		rw_verify(c, 0, VERIFY_LBA + case_lba(), 128, "a new login");
	}
	chan_close(c);
}

/* ------------------------------------------------------------------ */
/* Login cases */

/* One login of a login case and the answer it must get. */
struct login_try {
	const char *what;
	uint8_t req_flags;	/* byte 10: multichannel action, immediate data */
	uint8_t off, size;	/* a field of the private data set to @value */
	uint64_t value;
	uint8_t len;		/* private data bytes sent */
	uint32_t reason;	/* SRP_LOGIN_REJ reason; 0: accepted, then */
	uint8_t mask, flags;	/* (rsp_flags & @mask) == @flags */
};

/* Sub-check: login @t is rejected with its reason, or accepted as it says. */
static void expect_login(const struct login_try *t)
{
	struct login l = login_default();
	struct chan *c = chan_new(8, 4);
	int good;

	l.b[10] = t->req_flags;
	put_be(l.b + t->off, t->value, t->size);
	l.len = t->len;
	chan_login(c, &l);
	if (t->reason)
		good = c->state == CH_REJECTED && c->rej_reason == t->reason;
	else
		good = c->state == CH_UP && (c->login_rsp[26] & t->mask) == t->flags;
	check(good, t->what, login_answer(c), t->reason ?
	      str("LOGIN_REJ reason 0x%08x", t->reason) :
	      str("LOGIN_RSP with rsp_flags & 0x%02x = 0x%02x", t->mask, t->flags));
	chan_close(c);
}

/* The logins of @arg, up to the one without a name. */
static void run_logins(const void *arg)
{
	const struct login_try *t;

	for (t = arg; t->what; t++)
		expect_login(t);
}

static const struct login_try try_iu_len[] = {
	{ "IU length 0", 1, 12, 4, 0, 56, REJ_UNABLE, 0, 0 },
	{ "IU length 63", 1, 12, 4, 63, 56, REJ_UNABLE, 0, 0 },
	{ "IU length 64", 1, 12, 4, 64, 56, 0, 0, 0 },
	{ "IU length 8277", 1, 12, 4, 8277, 56, REJ_IU_TOO_LARGE, 0, 0 },
	{ NULL },
};

static const struct login_try try_buf_fmt[] = {
	{ "REQUIRED BUFFER FORMATS 0x0000", 1, 8, 2, 0x0000, 56, REJ_FORMAT, 0, 0 },
	{ "REQUIRED BUFFER FORMATS 0xfff9", 1, 8, 2, 0xfff9, 56, REJ_FORMAT, 0, 0 },
	{ "REQUIRED BUFFER FORMATS 0xf002", 1, 8, 2, 0xf002, 56, 0, 0, 0 },
	{ NULL },
};

static const struct login_try try_tport[] = {
	{ "another target port ID", 1, 40, 8, 0x0123456789abcdefULL, 56, REJ_ASSOCIATE, 0, 0 },
	{ NULL },
};

static const struct login_try try_opcode[] = {
	{ "opcode 0x02 instead of SRP_LOGIN_REQ", 1, 11, 1, OP_CMD, 56, REJ_UNABLE, 0, 0 },
	{ NULL },
};

static const struct login_try try_short_pdata[] = {
	{ "12 bytes of private data (IU length 0)", 1, 0, 0, 0, 12, REJ_UNABLE, 0, 0 },
	{ "16 bytes of private data (port IDs zero)", 1, 0, 0, 0, 16, REJ_ASSOCIATE, 0, 0 },
	{ NULL },
};

static const struct login_try try_multichan_reserved[] = {
	{ "MULTI-CHANNEL ACTION 2 (reserved)", 2, 0, 0, 0, 56, REJ_UNABLE, 0, 0 },
	{ "MULTI-CHANNEL ACTION 3 (reserved)", 3, 0, 0, 0, 56, REJ_UNABLE, 0, 0 },
	{ NULL },
};

static const struct login_try try_imm[] = {
	{ "immediate data at offset 0: accepted without it", 0x81, 48, 2, 0, 56, 0, 0x80, 0 },
	{ "immediate data at offset 8261 (beyond the IU): accepted without it", 0x81, 48, 2,
	  DEF_IU_LEN + 1, 56, 0, 0x80, 0 },
	{ "immediate data at offset 80: granted", 0x81, 48, 2, IMM_OFFSET, 56, 0, 0x80, 0x80 },
	{ NULL },
};

static void case_login_multichan_single(const void *arg UNUSED)
{
	struct chan *old = must_login(NULL, 8, 4), *c = chan_new(8, 4);
	struct login l = login_default();

	l.b[10] = 0;
	chan_login(c, &l);
	check(c->state == CH_UP && (c->login_rsp[26] & 3) == 1,
	      "MULTICHAN 0 while a channel of the port is up: accepted, others terminated",
	      login_answer(c), "LOGIN_RSP with rsp_flags & 3 = 1");
	check(wait_disconnect(old, scaled(10)), "the older channel is DISCONNECTED within 10 s",
	      "no DISCONNECTED", "DISCONNECTED");
	chan_close(c);
	chan_close(old);
}

/* Sub-check: TEST UNIT READY on LUN 0 of @c gets GOOD. */
static void expect_tur_good(struct chan *c, const char *what)
{
	struct rsp r;

	wait_rsp(c, send_tur(c, 0), scaled(10), &r);
	expect_rsp(what, &r, want_good(0));
}

static void case_login_multichan_multi(const void *arg UNUSED)
{
	struct chan *old = case_chan(), *c = chan_new(64, 64);
	struct login l = login_default();

	chan_login(c, &l);
	check(c->state == CH_UP && (c->login_rsp[26] & 3) == 2,
	      "MULTICHAN 1 while a channel of the port is up: accepted, others maintained",
	      login_answer(c), "LOGIN_RSP with rsp_flags & 3 = 2");
	if (c->state == CH_UP)
		expect_tur_good(c, "TEST UNIT READY on the new channel");
	expect_tur_good(old, "TEST UNIT READY on the older channel");
	chan_close(c);
	chan_close(old);
}

/* ------------------------------------------------------------------ */
/* Information units that must close the channel */

struct bad_iu {
	uint8_t b[64];
	uint32_t len;
	char what[80];
};

/* Sub-checks: @c got an SRP_T_LOGOUT with @reason, no SRP_RSP, and was
 * disconnected within 10 s of @sent_at. */
static void expect_closed(struct chan *c, const char *what, uint32_t reason, double sent_at)
{
	int t = find_op(c, OP_T_LOGOUT, 0), r = find_op(c, OP_RSP, 0);
	uint32_t got = t >= 0 ? get_be(c->q[t].b + 4, 4) : 0;

	check(t >= 0 && got == reason, str("%s: SRP_T_LOGOUT", what),
	      t >= 0 ? str("reason 0x%08x", got) : c->qlen ?
	      str("no SRP_T_LOGOUT, first IU opcode 0x%02x", c->q[0].b[0]) : "no IU at all",
	      str("reason 0x%08x", reason));
	if (t < 0 && c->qlen)
		note_hex("the first IU", c->q[0].b, c->q[0].len);
	check(r < 0, str("%s: no SRP_RSP", what), "an SRP_RSP", "none");
	if (r >= 0)
		note_hex("the SRP_RSP", c->q[r].b, c->q[r].len);
	check(c->disconnected && c->disc_at - sent_at <= scaled(10),
	      str("%s: DISCONNECTED within 10 s", what),
	      c->disconnected ? str("after %.1f s", c->disc_at - sent_at) : "still connected",
	      "DISCONNECTED");
}

/* Up to BATCH bad IUs, each on its own new channel, all at once. */
static void bad_iu_run(struct bad_iu *v, unsigned int n, uint32_t reason)
{
	struct chan *cs[BATCH];
	double sent[BATCH], end;
	unsigned int i, open;

	for (i = 0; i < n; i++)
		cs[i] = must_login(NULL, 8, 4);
	for (i = 0; i < n; i++) {
		if (post_iu(cs[i], v[i].b, v[i].len))
			bail(v[i].what, "cannot post it");
		sent[i] = now();
	}
	end = now() + scaled(10);
	do {
		pump(cs, n, 100);
		for (open = 0, i = 0; i < n; i++)
			open += !cs[i]->disconnected;
	} while (open && now() < end);
	pump(cs, n, 0);
	for (i = 0; i < n; i++) {
		expect_closed(cs[i], v[i].what, reason, sent[i]);
		chan_close(cs[i]);
	}
}

static void bad_iu_batches(struct bad_iu *v, unsigned int n, uint32_t reason)
{
	unsigned int i;

	for (i = 0; i < n; i += BATCH)
		bad_iu_run(v + i, n - i < BATCH ? n - i : BATCH, reason);
}

static const char *op_name(uint8_t op)
{
	switch (op) {
	case OP_LOGIN_REQ: return "SRP_LOGIN_REQ";
	case OP_TSK_MGMT: return "SRP_TSK_MGMT";
	case OP_CMD: return "SRP_CMD";
	case OP_I_LOGOUT: return "SRP_I_LOGOUT";
	case OP_CRED_RSP: return "SRP_CRED_RSP";
	case OP_AER_RSP: return "SRP_AER_RSP";
	case OP_LOGIN_RSP: return "SRP_LOGIN_RSP";
	case OP_RSP: return "SRP_RSP";
	case OP_LOGIN_REJ: return "SRP_LOGIN_REJ";
	case OP_T_LOGOUT: return "SRP_T_LOGOUT";
	case OP_CRED_REQ: return "SRP_CRED_REQ";
	case OP_AER_REQ: return "SRP_AER_REQ";
	default: return "unknown";
	}
}

/* A bad IU: opcode @op, a new tag, @len bytes (a LOGIN_REQ looks like one,
 * a TSK_MGMT asks for ABORT TASK). */
static void bad_iu_set(struct bad_iu *v, uint8_t op, uint32_t len)
{
	memset(v->b, 0, sizeof(v->b));
	v->b[0] = op;
	put_be(v->b + 8, new_tag(), 8);
	if (op == OP_LOGIN_REQ) {
		put_be(v->b + 4, DEF_IU_LEN, 4);
		put_be(v->b + 22, 0x0006, 2);
	}
	if (op == OP_TSK_MGMT)
		v->b[30] = TMF_ABORT_TASK;
	v->len = len;
	snprintf(v->what, sizeof(v->what), "a %u-byte IU with opcode 0x%02x (%s)", len, op,
		 op_name(op));
}

static void case_iu_short_cmd(const void *arg UNUSED)
{
	struct bad_iu v[46];
	unsigned int i;

	for (i = 0; i < 46; i++)
		bad_iu_set(&v[i], OP_CMD, i + 2);
	bad_iu_batches(v, 46, TLO_INVALID_LENGTH);
}

/* IUs that must close the channel: one of @len bytes per opcode of @ops. */
struct bad_set {
	uint8_t ops[6];
	unsigned int n;
	uint32_t len, reason;
};

static const struct bad_set set_1_byte[] = { { { OP_CMD }, 1, 1, TLO_INVALID_LENGTH } };
static const struct bad_set set_short_tsk_mgmt[] = {
	{ { OP_TSK_MGMT }, 1, 47, TLO_INVALID_LENGTH },
};
static const struct bad_set set_short_i_logout[] = {
	{ { OP_I_LOGOUT }, 1, 15, TLO_INVALID_LENGTH },
};
static const struct bad_set set_unknown_opcode[] = {
	{ { 0x04, 0x40, 0x7f, 0xff }, 4, 64, TLO_INVALID_IU_TYPE },
};
static const struct bad_set set_target_opcode[] = {
	{ { OP_LOGIN_RSP, OP_RSP, OP_LOGIN_REJ, OP_T_LOGOUT, OP_CRED_REQ, OP_AER_REQ }, 6, 64,
	  TLO_INVALID_IU_TYPE },
};
static const struct bad_set set_login_req[] = {
	{ { OP_LOGIN_REQ }, 1, 64, TLO_INVALID_IU_TYPE },
};
static const struct bad_set set_unsolicited_rsp[] = {
	{ { OP_CRED_RSP, OP_AER_RSP }, 2, 16, TLO_UNSOLICITED_RSP },
};

static void run_bad_set(const void *arg)
{
	const struct bad_set *set = arg;
	struct bad_iu v[BATCH];
	unsigned int i;

	for (i = 0; i < set->n; i++)
		bad_iu_set(&v[i], set->ops[i], set->len);
	bad_iu_batches(v, set->n, set->reason);
}

static void case_iu_logout_then_cmd(const void *arg UNUSED)
{
	struct chan *c = case_chan();
	uint8_t iu[16] = { OP_I_LOGOUT };
	uint64_t tag;
	double t0;

	put_be(iu + 8, new_tag(), 8);
	if (post_iu(c, iu, sizeof(iu)))
		bail("SRP_I_LOGOUT", "cannot post it");
	t0 = now();
	tag = send_tur(c, 0);
	wait_disconnect(c, scaled(10));
	pump(&c, 1, 0);
	check(c->disconnected && c->disc_at - t0 <= scaled(10),
	      "SRP_I_LOGOUT, then a TEST UNIT READY: DISCONNECTED within 10 s",
	      c->disconnected ? str("after %.1f s", c->disc_at - t0) : "still connected",
	      "DISCONNECTED");
	check(!count_rsps(c, tag), "no SRP_RSP for the TEST UNIT READY behind the SRP_I_LOGOUT",
	      "an SRP_RSP", "none");
	chan_close(c);
}

/* ------------------------------------------------------------------ */
/* SRP_CMD cases */

/* A READ(10) or WRITE(10) of @nblk blocks at the case's LBA of LUN 0 through
 * one direct descriptor of @dlen bytes over a @blen-byte buffer. */
struct direct_try {
	const char *what;
	int write;
	uint16_t nblk;
	uint32_t blen, dlen;
	struct want w;
};

/*
 * The blocks hold known data first; then the command, its SRP_RSP, the
 * memory, and for a READ that the bytes reported transferred are the
 * blocks, for a WRITE (always refused here) that the blocks are unchanged.
 */
static void run_direct(const void *arg)
{
	const struct direct_try *t = arg;
	struct chan *c = case_chan();
	uint32_t n = t->nblk * 512;
	uint8_t *want = zalloc(n);
	struct buf *b;
	struct rsp r;

	disk_write(c, 0, case_lba(), t->nblk, 0);
	disk_data(want, 0, case_lba(), t->nblk, 0);
	arena_reset();
	b = buf_new(t->blen);
	arena_arm();
	wait_rsp(c, send_rw(c, t->write, 0, case_lba(), t->nblk, b, t->dlen, arena_mr->rkey),
		 scaled(10), &r);
	expect_rsp(t->what, &r, t->w);
	b->done = t->write ? 0 : reported_in(&r, t->dlen);
	check_mem(t->what);
	if (b->done)
		check(b->done <= n && !memcmp(bp(b), want, b->done),
		      str("the %u bytes transferred are the blocks on disk", b->done), "other data",
		      "the blocks");
	if (t->write)
		check_disk(c, 0, case_lba(), t->nblk, 0, "the blocks on disk are unchanged");
	free(want);
	chan_close(c);
}

static const struct direct_try try_read_desc_0[] = { {
	"READ(10) of 1 block, 0-byte data-in descriptor", 0, 1, 512, 0,
	{ GOOD, DIOVER, 0xff, -1, 512, -1, -1, -1 },
} };

static const struct direct_try try_write_desc_0[] = { {
	"WRITE(10) of 1 block, 0-byte data-out descriptor", 1, 1, 512, 0,
	{ CHECK, DOOVER | SNSVALID, 0xff, 512, -1, 0x5, 0x0e, 0x03 },
} };

static const struct direct_try try_desc_2gib[] = { {	/* no residual flags */
	"READ(10) of 1 block, 2 GiB descriptor", 0, 1, 512, 0x80000000u,
	{ CHECK, SNSVALID, 0xff, -1, -1, 0x5, 0x0e, 0x03 },
} };

static const struct direct_try try_read_desc_larger[] = { {
	"READ(10) of 8 blocks into an 8 KiB descriptor", 0, 8, 8192, 8192,
	{ GOOD, DIUNDER, 0xff, -1, 4096, -1, -1, -1 },
} };

/* In a fresh arena: the SRP_CMD of @cdb on LUN 0 with one data-in descriptor
 * over a new @dlen-byte buffer, and its SRP_RSP in @r; the buffer. */
static struct buf *data_in_step(struct chan *c, const uint8_t *cdb, uint32_t dlen,
				struct rsp *r)
{
	uint8_t iu[64];
	struct buf *b;
	uint32_t len;

	arena_reset();
	b = buf_new(dlen);
	arena_arm();
	len = build_cmd(iu, new_tag(), 0, cdb);
	len = add_direct(iu, len, 1, bva(b), arena_mr->rkey, dlen);
	run_cmd(c, iu, len, scaled(10), r);
	b->done = reported_in(r, dlen);
	return b;
}

static void case_tur_data_in(const void *arg UNUSED)
{
	const char *what = "TEST UNIT READY with a 1 MiB data-in descriptor";
	struct chan *c = case_chan();
	struct rsp r;

	data_in_step(c, cdb_tur, 1u << 20, &r);
	expect_rsp(what, &r, (struct want){ GOOD, DIUNDER, 0xff, -1, 1u << 20, -1, -1, -1 });
	check_mem(what);
	chan_close(c);
}

static void case_inquiry_36(const void *arg UNUSED)
{
	const char *what = "INQUIRY, allocation length 36, 1 MiB data-in descriptor";
	struct chan *c = case_chan();
	uint8_t cdb[16], *p;
	struct buf *b;
	struct rsp r;

	cdb_inquiry(cdb, 0, 0, 36);
	b = data_in_step(c, cdb, 1u << 20, &r);
	expect_rsp(what, &r, (struct want){ GOOD, DIUNDER, 0xff, -1, (1u << 20) - 36, -1, -1, -1 });
	p = bp(b);
	check(b->done == 36 && (p[0] & 0x1f) == 0 && p[4] >= 31,
	      "the 36 bytes are standard INQUIRY data of a disk",
	      str("%u bytes, device type %u, additional length %u", b->done, p[0] & 0x1f, p[4]),
	      "36 bytes, device type 0, additional length >= 31");
	check_mem(what);
	chan_close(c);
}

/* The page is 4 + p[3] bytes; what follows it up to 255 is underflow. */
static void case_inquiry_vpd80(const void *arg UNUSED)
{
	const char *what = "INQUIRY unit serial number page, allocation length 255";
	struct chan *c = case_chan();
	struct want w = want_good(DIUNDER);
	uint8_t cdb[16], *p;
	struct rsp r;

	cdb_inquiry(cdb, 1, 0x80, 255);
	p = bp(data_in_step(c, cdb, 255, &r));
	check(p[1] == 0x80 && p[3] <= 251, "page 0x80 came back",
	      str("page code 0x%02x, page length %u", p[1], p[3]), "page 0x80, length <= 251");
	if (p[3] == 251)
		w = want_good(0);
	else
		w.di_res = 251 - p[3];
	expect_rsp(what, &r, w);
	check_mem(what);
	chan_close(c);
}

/* How an indirect data-in buffer of a READ(10) of 8 blocks is described. */
struct ind_shape {
	const char *what;
	uint32_t table_len;	/* length in the table descriptor */
	uint8_t cnt;		/* DATA-IN DESCRIPTOR COUNT */
	uint32_t total;		/* TOTAL LENGTH */
	unsigned int in_iu;	/* descriptors copied into the IU */
	uint32_t pad;		/* zero bytes after them */
	uint32_t cut;		/* bytes cut off the end of the IU */
};

static const uint32_t piece_len[3] = { 1024, 2048, 1024 };

/* Buffers 0..2: the pieces; buffer 3: the descriptor table in memory. */
static void indirect_buffers(uint8_t table[48])
{
	struct buf *piece[3], *tb;
	unsigned int i;

	arena_reset();
	for (i = 0; i < 3; i++)
		piece[i] = buf_new(piece_len[i]);
	tb = buf_new(48);
	arena_arm();
	for (i = 0; i < 3; i++)
		put_desc(table + 16 * i, bva(piece[i]), arena_mr->rkey, piece_len[i]);
	buf_set(tb, table);
}

/* An indirect READ(10) of 8 blocks at the case's LBA shaped as @s. */
static void indirect_read(struct chan *c, const struct ind_shape *s, struct rsp *r)
{
	uint8_t iu[256] = { 0 }, cdb[16], table[48];
	uint32_t len, i;

	indirect_buffers(table);
	cdb_rw10(cdb, 0, case_lba(), 8);
	len = build_cmd(iu, new_tag(), 0, cdb);
	iu[5] = FMT_INDIRECT;
	iu[7] = s->cnt;
	len += put_desc(iu + len, bva(&bufs[3]), arena_mr->rkey, s->table_len);
	put_be(iu + len, s->total, 4);
	len += 4;
	memcpy(iu + len, table, 16 * s->in_iu);
	len += 16 * s->in_iu + s->pad - s->cut;
	run_cmd(c, iu, len, scaled(10), r);
	for (i = 0; i < 3; i++)
		bufs[i].done = r->valid && r->status == GOOD ? piece_len[i] : 0;
}

/* Malformed indirect READs: each CHECK CONDITION 05/0E/03, nothing written. */
static const struct ind_shape bad_shapes[] = {
	{ "descriptor count 2 for a 3-entry table", 48, 2, 4096, 3, 0, 0 },
	{ "table length 56 (not a multiple of 16)", 56, 3, 4096, 3, 8, 0 },
	{ "total length 2048 for descriptors of 4096", 48, 3, 2048, 3, 0, 0 },
	{ "the IU ends inside the table", 48, 3, 4096, 3, 0, 8 },
	{ "table length 0", 0, 0, 0, 0, 0, 0 },
	{ "external table (48 bytes, 1 descriptor in the IU)", 48, 1, 4096, 1, 0, 0 },
};

static void case_indirect_bad(const void *arg UNUSED)
{
	const char *what;
	struct chan *c;
	struct rsp r;
	unsigned int i;

	for (i = 0; i < sizeof(bad_shapes) / sizeof(bad_shapes[0]); i++) {
		what = str("indirect READ(10), %s", bad_shapes[i].what);
		c = case_chan();
		disk_write(c, 0, case_lba(), 8, 0);
		indirect_read(c, &bad_shapes[i], &r);
		expect_rsp(what, &r, want_invalid_iu());
		check_mem(what);
		chan_close(c);
	}
}

static void case_indirect_good(const void *arg UNUSED)
{
	struct ind_shape s = { "three descriptors of 1024+2048+1024 bytes", 48, 3, 4096, 3, 0, 0 };
	struct chan *c = case_chan();
	uint8_t got[4096], want[4096];
	struct rsp r;

	disk_write(c, 0, case_lba(), 8, 0);
	indirect_read(c, &s, &r);
	expect_rsp("indirect READ(10), three descriptors", &r, want_good(0));
	check_mem("indirect READ(10), three descriptors");
	memcpy(got, bp(&bufs[0]), 1024);
	memcpy(got + 1024, bp(&bufs[1]), 2048);
	memcpy(got + 3072, bp(&bufs[2]), 1024);
	disk_data(want, 0, case_lba(), 8, 0);
	check(!memcmp(got, want, 4096), "the three buffers hold the 8 blocks in order",
	      "other data", "the blocks on disk");
	check(disk_holds(c, 0, case_lba(), 8, 0) && !memcmp(bp(&bufs[0]), got, 4096),
	      "a direct READ(10) of the same blocks returns the same", "other data", "the same");
	chan_close(c);
}

static void case_add_cdb_beyond(const void *arg UNUSED)
{
	const char *what = "TEST UNIT READY, add_cdb_len 0xfc in a 64-byte IU";
	struct chan *c = case_chan();
	uint8_t iu[64] = { 0 };
	struct rsp r;

	build_cmd(iu, new_tag(), 0, cdb_tur);
	iu[31] = 0xfc;
	arena_reset();
	arena_arm();
	run_cmd(c, iu, sizeof(iu), scaled(10), &r);
	expect_rsp(what, &r, want_invalid_iu());
	check_mem(what);
	chan_close(c);
}

/* Block 0 of the case's area holds generation 0; in a fresh arena, @out
 * holds generation 1 for a WRITE and @in is offered for a READ. */
static void out_and_in(struct chan *c, struct buf **out, struct buf **in)
{
	uint8_t data[512];

	disk_write(c, 0, case_lba(), 1, 0);
	arena_reset();
	*out = buf_new(512);
	*in = buf_new(512);
	arena_arm();
	disk_data(data, 0, case_lba(), 1, 1);
	buf_set(*out, data);
}

static void case_bidi(const void *arg UNUSED)
{
	const char *what = "WRITE(10) of 1 block with data-out and data-in descriptors (0x11)";
	struct chan *c = case_chan();
	uint8_t iu[80], cdb[16];
	struct buf *out, *in;
	uint32_t len;
	struct rsp r;

	out_and_in(c, &out, &in);
	cdb_rw10(cdb, 1, case_lba(), 1);
	len = build_cmd(iu, new_tag(), 0, cdb);
	len = add_direct(iu, len, 0, bva(out), arena_mr->rkey, 512);
	len = add_direct(iu, len, 1, bva(in), arena_mr->rkey, 512);
	run_cmd(c, iu, len, scaled(10), &r);
	expect_rsp(what, &r, want_invalid_iu());
	check_mem(what);
	check_disk(c, 0, case_lba(), 1, 0, "the block on disk is unchanged");
	chan_close(c);
}

static void case_fmt_unknown(const void *arg UNUSED)
{
	struct chan *c = case_chan();
	uint8_t iu[64], cdb[16];
	struct buf *out, *in;
	unsigned int f, in_side;
	struct rsp r;

	out_and_in(c, &out, &in);
	for (in_side = 0; in_side < 2; in_side++) {
		for (f = 4; f < 16; f++) {
			cdb_rw10(cdb, !in_side, case_lba(), 1);
			build_cmd(iu, new_tag(), 0, cdb);
			iu[5] = in_side ? f : f << 4;
			iu[in_side ? 7 : 6] = 1;
			put_desc(iu + 48, bva(in_side ? in : out), arena_mr->rkey, 512);
			run_cmd(c, iu, 64, scaled(10), &r);
			expect_rsp(str("%s with data-%s format %u", in_side ? "READ(10)" : "WRITE(10)",
				       in_side ? "in" : "out", f), &r, want_invalid_iu());
		}
	}
	check_mem("24 commands with unknown data formats");
	check_disk(c, 0, case_lba(), 1, 0, "the block on disk is unchanged");
	chan_close(c);
}

/* ------------------------------------------------------------------ */
/* Immediate data */

/* A channel that logged in with immediate data at offset 80, granted. */
static struct chan *imm_chan(void)
{
	struct login l = login_imm(IMM_OFFSET);
	struct chan *c = must_login(&l, 64, 64);

	if (!(c->login_rsp[26] & 0x80))
		bail("login with immediate data at offset 80", login_answer(c));
	drain_ua(c, 0);
	return c;
}

/* SRP_CMD on LUN 0 with format byte @fmt, the 4-byte immediate length
 * @imm_len, and @data_len bytes of @data at offset 80; its length. */
static uint32_t build_imm(uint8_t *iu, const uint8_t *cdb, uint8_t fmt, uint32_t imm_len,
			  const uint8_t *data, uint32_t data_len)
{
	build_cmd(iu, new_tag(), 0, cdb);
	iu[5] = fmt;
	put_be(iu + 48, imm_len, 4);
	memset(iu + 52, 0, IMM_OFFSET - 52);
	if (data_len)
		memcpy(iu + IMM_OFFSET, data, data_len);
	return IMM_OFFSET + data_len;
}

/* A WRITE(10) of 1 block at the case's LBA of LUN 0 with immediate data. */
struct imm_try {
	const char *what;
	int granted;		/* on a login that was granted immediate data */
	uint32_t imm_len;	/* the 4-byte immediate length */
	uint32_t data_len;	/* data bytes in the IU */
	struct want w;
};

/* ILLEGAL REQUEST, INVALID FIELD IN COMMAND INFORMATION UNIT (05/0E/03) */
#define WANT_INVALID_IU { CHECK, SNSVALID, SNSVALID | RSPVALID, -1, -1, 0x5, 0x0e, 0x03 }

/* The block holds generation 0 first; a WRITE answered GOOD must leave
 * generation 1 there, a refused one generation 0. */
static void run_imm_write(const void *arg)
{
	const struct imm_try *t = arg;
	struct chan *c = t->granted ? imm_chan() : case_chan();
	uint8_t iu[IMM_OFFSET + 512], cdb[16], data[512];
	uint32_t len;
	struct rsp r;

	disk_write(c, 0, case_lba(), 1, 0);
	disk_data(data, 0, case_lba(), 1, 1);
	cdb_rw10(cdb, 1, case_lba(), 1);
	len = build_imm(iu, cdb, FMT_IMM << 4, t->imm_len, data, t->data_len);
	run_cmd(c, iu, len, scaled(10), &r);
	expect_rsp(t->what, &r, t->w);
	if (t->w.status == GOOD)
		check_disk(c, 0, case_lba(), 1, 1, "the block reads back as written");
	else
		check_disk(c, 0, case_lba(), 1, 0, "the block on disk is unchanged");
	chan_close(c);
}

static const struct imm_try try_imm_write[] = {
	{ "WRITE(10) of 1 block, 512 bytes of immediate data", 1, 512, 512,
	  { GOOD, 0, 0xff, -1, -1, -1, -1, -1 } },
};
static const struct imm_try try_imm_beyond_iu[] = {
	{ "WRITE(10), immediate length 512 but 256 bytes in the IU", 1, 512, 256, WANT_INVALID_IU },
};
static const struct imm_try try_imm_overflow[] = {
	{ "WRITE(10), immediate length 0xffffffff", 1, 0xffffffffu, 512, WANT_INVALID_IU },
};
static const struct imm_try try_imm_not_granted[] = {
	{ "WRITE(10) with immediate data on a login without it", 0, 512, 512, WANT_INVALID_IU },
};
static const struct imm_try try_imm_zero_write[] = {
	{ "WRITE(10) of 1 block, immediate length 0", 1, 0, 0,
	  { CHECK, DOOVER | SNSVALID, 0xff, 512, -1, 0x5, 0x0e, 0x03 } },
};

static void case_imm_zero_tur(const void *arg UNUSED)
{
	struct chan *c = imm_chan();
	uint8_t iu[IMM_OFFSET];
	struct rsp r;

	run_cmd(c, iu, build_imm(iu, cdb_tur, FMT_IMM << 4, 0, NULL, 0), scaled(10), &r);
	expect_rsp("TEST UNIT READY with 0 bytes of immediate data", &r, want_good(0));
	chan_close(c);
}

static void case_imm_data_in(const void *arg UNUSED)
{
	const char *what = "READ(10) with the immediate format as data-in format (0x03)";
	struct chan *c = imm_chan();
	uint8_t iu[IMM_OFFSET], cdb[16];
	struct rsp r;

	cdb_rw10(cdb, 0, case_lba(), 1);
	arena_reset();
	arena_arm();
	run_cmd(c, iu, build_imm(iu, cdb, FMT_IMM, 512, NULL, 0), scaled(10), &r);
	expect_rsp(what, &r, want_invalid_iu());
	check_mem(what);
	chan_close(c);
}

/* ------------------------------------------------------------------ */
/* Remote access errors, credits, duplicate tags */

/* A READ (*@arg 0) or WRITE of 1 block with a wrong remote key: the
 * channel closes. */
static void run_bad_rkey(const void *arg)
{
	int write = *(const int *)arg;
	const char *what = write ? "WRITE(10) with an invalid rkey" : "READ(10) with an invalid rkey";
	struct chan *c = case_chan(), *v;
	uint8_t data[512];
	struct buf *b;
	uint64_t tag;
	int r;

	disk_write(c, 0, case_lba(), 1, 0);
	arena_reset();
	b = buf_new(512);
	arena_arm();
	disk_data(data, 0, case_lba(), 1, 1);
	buf_set(b, data);
	tag = send_rw(c, write, 0, case_lba(), 1, b, 512, arena_mr->rkey ^ 0x80);
	check(wait_disconnect(c, scaled(15)), str("%s: DISCONNECTED within 15 s", what),
	      "still connected", "DISCONNECTED");
	r = find_rsp(c, tag);
	check(r < 0 || c->q[r].b[19] != GOOD, str("%s: no SRP_RSP with GOOD status", what),
	      "GOOD", "none");
	check_mem(what);
	chan_close(c);
	v = case_chan();
	check_disk(v, 0, case_lba(), 1, 0, "the block on disk is unchanged");
	chan_close(v);
}

/* SRP_RSPs received so far for the tags @tags[0..@n). */
static unsigned int answered(const struct chan *c, const uint64_t *tags, unsigned int n)
{
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		k += count_rsps(c, tags[i]);
	return k;
}

struct tag_set {
	const uint64_t *tags;
	unsigned int n;
};

static int all_answered(struct chan *c, const void *arg)
{
	const struct tag_set *t = arg;

	return answered(c, t->tags, t->n) >= t->n;
}

/* Sub-checks on the answers to the @n TEST UNIT READYs of @tags. */
static void tally_over_limit(struct chan *c, const uint64_t *tags, unsigned int n)
{
	unsigned int i, k, none = 0, many = 0, good = 0, busy = 0, other = 0, low = 0;

	for (i = 0; i < c->qlen; i++) {
		const uint8_t *p = c->q[i].b;

		if (c->q[i].taken || c->q[i].len < 36 || p[0] != OP_RSP)
			continue;
		good += p[19] == GOOD;
		busy += p[19] == BUSY || p[19] == TASK_SET_FULL;
		other += p[19] != GOOD && p[19] != BUSY && p[19] != TASK_SET_FULL;
		low += get_be(p + 4, 4) < 1;
	}
	note("%u GOOD, %u BUSY or TASK SET FULL, %u other", good, busy, other);
	for (i = 0; i < n; i++) {
		k = count_rsps(c, tags[i]);
		none += !k;
		many += k > 1;
	}
	check(!none && !many, str("%u TEST UNIT READYs: one SRP_RSP each within 30 s", n),
	      str("%u without, %u with several", none, many), "one each");
	check(!other, "every status GOOD, BUSY or TASK SET FULL",
	      str("%u GOOD, %u BUSY/TASK SET FULL, %u other", good, busy, other), "no other");
	check(!low, "every SRP_RSP returns at least one credit",
	      str("%u with req_lim_delta 0", low), "none");
}

static void case_over_req_lim(const void *arg UNUSED)
{
	struct chan *c = must_login(NULL, 160, 160);
	struct tag_set t;
	uint64_t *tags;
	unsigned int i, n;

	drain_ua(c, 0);
	if (c->lim0 < 1 || c->lim0 + 16 > 160)
		bail("login", str("request limit %ld is not in 1..144", c->lim0));
	n = c->lim0 + 8;
	tags = calloc(n, sizeof(*tags));
	if (!tags)
		bail("memory", "out of memory");
	for (i = 0; i < n; i++)
		tags[i] = send_tur(c, 0);
	t.tags = tags;
	t.n = n;
	wait_until(c, all_answered, &t, scaled(30));
	pump_for(c, 1);
	tally_over_limit(c, tags, n);
	check(c->deltas == (long)c->nreq, "the request limit is back at its login value",
	      str("req_lim_delta sum %ld for %lu requests", c->deltas, c->nreq),
	      str("%lu", c->nreq));
	for (i = 0; i < c->qlen; i++)
		c->q[i].taken = 1;
	expect_tur_good(c, "a TEST UNIT READY afterwards");
	free(tags);
	chan_close(c);
}

static int two_rsps(struct chan *c, const void *tag)
{
	return count_rsps(c, *(const uint64_t *)tag) >= 2;
}

static void case_same_tag(const void *arg UNUSED)
{
	unsigned int lun = cfg.slow_lun, i, n;
	struct chan *c = case_chan();
	uint8_t iu[2][64], cdb[16], want[4096];
	uint64_t tag = new_tag();
	struct buf *b[2];
	struct rsp r;

	drain_ua(c, lun);
	disk_write(c, lun, case_lba(), 8, 0);
	arena_reset();
	b[0] = buf_new(4096);
	b[1] = buf_new(4096);
	arena_arm();
	cdb_rw10(cdb, 0, case_lba(), 8);
	for (i = 0; i < 2; i++)
		add_direct(iu[i], build_cmd(iu[i], tag, lun, cdb), 1, bva(b[i]), arena_mr->rkey, 4096);
	for (i = 0; i < 2; i++)
		send_req(c, iu[i], 64);
	wait_until(c, two_rsps, &tag, scaled(30));
	pump_for(c, scaled(2));
	n = count_rsps(c, tag);
	check(n == 2, "two READ(10)s in flight with one tag: two SRP_RSPs with that tag",
	      str("%u", n), "2");
	disk_data(want, lun, case_lba(), 8, 0);
	for (i = 0; i < 2; i++) {
		wait_rsp(c, tag, 0, &r);
		expect_rsp(str("READ(10) %u of 2 with the tag", i + 1), &r, want_good(0));
		b[i]->done = reported_in(&r, 4096);
		check(!memcmp(bp(b[i]), want, 4096), str("buffer %u holds the blocks on disk", i + 1),
		      "other data", "the blocks");
	}
	check_mem("two READ(10)s with one tag");
	chan_close(c);
}

/* ------------------------------------------------------------------ */
/* Task management */

/* One task management request on LUN 0 and the response code it must get. */
struct tmf_try {
	const char *what;
	uint8_t fn;
	uint64_t task;
	int code;
};

static void run_tmf(const void *arg)
{
	const struct tmf_try *t = arg;
	struct chan *c = case_chan();
	struct rsp r;

	wait_rsp(c, send_tmf(c, 0, t->fn, t->task), scaled(10), &r);
	expect_code(t->what, &r, t->code);
	chan_close(c);
}

static const struct tmf_try try_tmf_unknown_fn[] = {
	{ "task management function 0x7f", 0x7f, 0, 0x04 },
};
static const struct tmf_try try_tmf_abort_unknown_tag[] = {
	{ "ABORT TASK of a tag never used", TMF_ABORT_TASK, 0x4e4f5441534b0000ULL, 0x00 },
};

static void case_tmf_abort_other_lun(const void *arg UNUSED)
{
	const char *what = "READ(10) on the slow LUN, ABORT TASK for it on LUN 0";
	unsigned int lun = cfg.slow_lun;
	struct chan *c = case_chan();
	uint64_t read_tag;
	uint8_t want[4096];
	struct buf *b;
	struct rsp r;

	drain_ua(c, lun);
	disk_write(c, lun, case_lba(), 8, 0);
	arena_reset();
	b = buf_new(4096);
	arena_arm();
	read_tag = send_rw(c, 0, lun, case_lba(), 8, b, 4096, arena_mr->rkey);
	nap(0.3);
	wait_rsp(c, send_tmf(c, 0, TMF_ABORT_TASK, read_tag), scaled(30), &r);
	expect_code(what, &r, 0x00);
	wait_rsp(c, read_tag, scaled(30), &r);
	expect_rsp(str("%s: the READ(10)", what), &r, want_good(0));
	b->done = reported_in(&r, 4096);
	disk_data(want, lun, case_lba(), 8, 0);
	check(!memcmp(bp(b), want, 4096), "the READ(10) data are the blocks on disk",
	      "other data", "the blocks");
	check_mem(what);
	chan_close(c);
}

/* Sub-check: each command of @tags got at most one SRP_RSP; a GOOD READ
 * (@write 0) marks its buffer transferred and must hold the blocks. */
static void check_reset_victims(struct chan *c, int write, const uint64_t *tags, unsigned int n)
{
	unsigned int i, many = 0, done = 0, bad = 0, lun = cfg.slow_lun;
	uint8_t want[4096];
	struct rsp r;

	for (i = 0; i < n; i++) {
		many += count_rsps(c, tags[i]) > 1;
		if (!wait_rsp(c, tags[i], 0, &r))
			continue;
		done++;
		if (write || r.status != GOOD)
			continue;
		bufs[i].done = reported_in(&r, 4096);
		disk_data(want, lun, case_lba() + 8 * i, 8, 0);
		bad += !!memcmp(bp(&bufs[i]), want, 4096);
	}
	note("%u of %u commands answered before or despite the reset", done, n);
	check(!many, "every command gets at most one SRP_RSP", str("%u with several", many), "none");
	if (!write)
		check(!bad, "the READs answered GOOD hold the blocks on disk", str("%u differ", bad),
		      "none");
}

/* LUN RESET on the slow LUN while 16 READ(10)s (*@arg 0) or WRITE(10)s wait
 * there. */
static void run_lun_reset(const void *arg)
{
	int write = *(const int *)arg;
	const char *what = write ? "LUN RESET with 16 WRITE(10)s outstanding" :
		"LUN RESET with 16 READ(10)s outstanding";
	unsigned int lun = cfg.slow_lun, i;
	struct chan *c = case_chan();
	uint8_t data[4096];
	uint64_t tags[16];
	struct rsp r;

	drain_ua(c, lun);
	if (!write)
		disk_write(c, lun, case_lba(), 128, 0);
	arena_reset();
	for (i = 0; i < 16; i++)
		buf_new(4096);
	arena_arm();
	for (i = 0; i < 16; i++) {
		disk_data(data, lun, case_lba() + 8 * i, 8, 1);
		if (write)
			buf_set(&bufs[i], data);
		tags[i] = send_rw(c, write, lun, case_lba() + 8 * i, 8, &bufs[i], 4096,
				  arena_mr->rkey);
	}
	nap(0.3);
	wait_rsp(c, send_tmf(c, lun, TMF_LUN_RESET, 0), scaled(30), &r);
	expect_code(what, &r, 0x00);
	pump_for(c, scaled(4));
	check_reset_victims(c, write, tags, 16);
	check_mem(what);
	wait_rsp(c, send_tur(c, lun), scaled(10), &r);
	expect_rsp("the TEST UNIT READY after the reset: unit attention", &r,
		   want_sense(0x6, 0x29, 0x03));
	rw_verify(c, lun, case_lba(), 128, "after the reset");
	check(c->deltas == (long)c->nreq, "every credit came back, those of aborted commands too",
	      str("req_lim_delta sum %ld for %lu requests", c->deltas, c->nreq),
	      str("%lu", c->nreq));
	chan_close(c);
}

/* ------------------------------------------------------------------ */
/* Teardown */

/* Every SEND posted on @c has completed: the target has the IUs. */
static int all_delivered(struct chan *c, const void *arg UNUSED)
{
	return c->completed >= c->posted;
}

static void case_teardown_no_dreq(const void *arg UNUSED)
{
	const char *what = "QP destroyed without a DREQ, 32 READ(10)s outstanding";
	unsigned int lun = cfg.slow_lun, i;
	struct chan *c = must_login(NULL, 64, 64);

	drain_ua(c, lun);
	arena_reset();
	for (i = 0; i < 32; i++)
		buf_new(4096);
	arena_arm();
	for (i = 0; i < 32; i++)
		send_rw(c, 0, lun, case_lba() + 4 * i, 8, &bufs[i], 4096, arena_mr->rkey);
	/* Destroyed any earlier, the QP would take undelivered READs along. */
	if (!wait_until(c, all_delivered, NULL, scaled(10)))
		bail(what, "the READ(10)s were not all delivered");
	if (find_op(c, OP_RSP, 1) >= 0)
		bail(what, "a READ(10) was answered before the QP went");
	rdma_destroy_qp(c->id);
	c->qp_gone = 1;
	check(wait_disconnect(c, scaled(30)), str("%s: DISCONNECTED within 30 s", what),
	      "still connected", "DISCONNECTED");
	check_mem(what);
	chan_close(c);
}

/* ------------------------------------------------------------------ */
/* The cases */

/*
 * The cases, in the order --all runs them: a name, a function and its
 * argument. What each checks is said at its function or argument, and in
 * README.md. The last two need a driver that handles immediate data of
 * length 0: the one they were written against crashed the kernel there.
 */
struct adv_case {
	const char *name;
	void (*run)(const void *arg);
	const void *arg;
};

static const int reads[] = { 0 }, writes[] = { 1 };

static const struct adv_case cases[] = {
	{ "login-iu-len", run_logins, try_iu_len },
	{ "login-buf-fmt", run_logins, try_buf_fmt },
	{ "login-tport", run_logins, try_tport },
	{ "login-opcode", run_logins, try_opcode },
	{ "login-short-pdata", run_logins, try_short_pdata },
	{ "login-multichan-single", case_login_multichan_single, NULL },
	{ "login-multichan-multi", case_login_multichan_multi, NULL },
	{ "login-multichan-reserved", run_logins, try_multichan_reserved },
	{ "login-imm", run_logins, try_imm },
	{ "iu-1-byte", run_bad_set, set_1_byte },
	{ "iu-short-cmd", case_iu_short_cmd, NULL },
	{ "iu-short-tsk-mgmt", run_bad_set, set_short_tsk_mgmt },
	{ "iu-short-i-logout", run_bad_set, set_short_i_logout },
	{ "iu-unknown-opcode", run_bad_set, set_unknown_opcode },
	{ "iu-target-opcode", run_bad_set, set_target_opcode },
	{ "iu-login-req", run_bad_set, set_login_req },
	{ "iu-unsolicited-rsp", run_bad_set, set_unsolicited_rsp },
	{ "iu-logout-then-cmd", case_iu_logout_then_cmd, NULL },
	{ "cmd-read-desc-0", run_direct, try_read_desc_0 },
	{ "cmd-write-desc-0", run_direct, try_write_desc_0 },
	{ "cmd-desc-2gib", run_direct, try_desc_2gib },
	{ "cmd-read-desc-larger", run_direct, try_read_desc_larger },
	{ "cmd-tur-data-in", case_tur_data_in, NULL },
	{ "cmd-inquiry-36", case_inquiry_36, NULL },
	{ "cmd-inquiry-vpd80", case_inquiry_vpd80, NULL },
	{ "cmd-indirect-bad", case_indirect_bad, NULL },
	{ "cmd-indirect-good", case_indirect_good, NULL },
	{ "cmd-add-cdb-beyond", case_add_cdb_beyond, NULL },
	{ "cmd-bidi", case_bidi, NULL },
	{ "cmd-fmt-unknown", case_fmt_unknown, NULL },
	{ "cmd-imm-write", run_imm_write, try_imm_write },
	{ "cmd-imm-beyond-iu", run_imm_write, try_imm_beyond_iu },
	{ "cmd-imm-overflow", run_imm_write, try_imm_overflow },
	{ "cmd-imm-data-in", case_imm_data_in, NULL },
	{ "cmd-imm-not-granted", run_imm_write, try_imm_not_granted },
	{ "cmd-bad-rkey-read", run_bad_rkey, reads },
	{ "cmd-bad-rkey-write", run_bad_rkey, writes },
	{ "cmd-over-req-lim", case_over_req_lim, NULL },
	{ "cmd-same-tag", case_same_tag, NULL },
	{ "tmf-unknown-fn", run_tmf, try_tmf_unknown_fn },
	{ "tmf-abort-unknown-tag", run_tmf, try_tmf_abort_unknown_tag },
	{ "tmf-abort-other-lun", case_tmf_abort_other_lun, NULL },
	{ "tmf-lun-reset-reads", run_lun_reset, reads },
	{ "tmf-lun-reset-writes", run_lun_reset, writes },
	{ "teardown-no-dreq", case_teardown_no_dreq, NULL },
	{ "cmd-imm-zero-tur", case_imm_zero_tur, NULL },
	{ "cmd-imm-zero-write", run_imm_write, try_imm_zero_write },
};

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

/* In the child: run case @i and the final verification; never returns. */
static void case_body(unsigned int i)
{
	case_name = cases[i].name;
	case_idx = i;
	cases[i].run(cases[i].arg);
	fresh_login_verify();
	fflush(stdout);
	exit(nfail ? 1 : 0);
}

/* Run case @i in a child process of bounded life; its exit status. */
static int run_case(unsigned int i)
{
	double end = now() + scaled(CASE_SECONDS);
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("srp-adversary: fork");
		return 2;
	}
	if (pid == 0)
		case_body(i);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			printf("not ok - %s: the case ends: got still running after %.0f s, want done\n",
			       cases[i].name, scaled(CASE_SECONDS));
			return 1;
		}
		nap(0.1);
	}
	if (WIFSIGNALED(status)) {
		printf("not ok - %s: the case ends: got signal %d, want exit\n", cases[i].name,
		       WTERMSIG(status));
		return 1;
	}
	return WEXITSTATUS(status);
}

static int hex_digit(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* 32 hex digits, optionally after "0x", into 16 bytes. */
static int parse_port_id(const char *s, uint8_t id[16])
{
	int i, hi, lo;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (strlen(s) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		hi = hex_digit(s[2 * i]);
		lo = hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		id[i] = hi << 4 | lo;
	}
	return 0;
}

/* "IPv4[:PORT]", "[IPv6]:PORT" or "IPv6"; @port when none is given. */
static int parse_sockaddr(const char *arg, const char *port, struct sockaddr_storage *ss)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }, *res;
	char host[80], *p;
	int rc;

	snprintf(host, sizeof(host), "%s", arg[0] == '[' ? arg + 1 : arg);
	p = strchr(host, arg[0] == '[' ? ']' : ':');
	if (p && (arg[0] == '[' || !strchr(p + 1, ':'))) {
		*p++ = 0;
		if (*p == ':')
			p++;
		if (*p)
			port = p;
	}
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc == 0) {
		memcpy(ss, res->ai_addr, res->ai_addrlen);
		freeaddrinfo(res);
	}
	return rc ? -1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: srp-adversary -d IP[:PORT] -s SRC_IP -i IPORT -t TPORT [-L SLOW_LUN] [-W SCALE] --case NAME | --list | --all\n");
	return 3;
}

static int find_case(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_CASES; i++)
		if (!strcmp(cases[i].name, name))
			return i;
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "case", required_argument, NULL, 'c' },
		{ "list", no_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, have = 0, all = 0, list = 0, one = -1, rc = 0, r;
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt_long(argc, argv, "d:s:i:t:L:W:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': have |= parse_sockaddr(optarg, "5555", &cfg.dst) ? 0x100 : 1; break;
		case 's': have |= parse_sockaddr(optarg, "0", &cfg.src) ? 0x100 : 2; break;
		case 'i': have |= parse_port_id(optarg, cfg.iport) ? 0x100 : 4; break;
		case 't': have |= parse_port_id(optarg, cfg.tport) ? 0x100 : 8; break;
		case 'L': cfg.slow_lun = strtoul(optarg, NULL, 0); break;
		case 'W': cfg.scale = atof(optarg); break;
		case 'c': one = find_case(optarg); have |= one < 0 ? 0x100 : 0; break;
		case 'l': list = 1; break;
		case 'a': all = 1; break;
		default: return usage();
		}
	}
	if (list) {
		for (i = 0; i < NR_CASES; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	if (have != 15 || (one < 0) == !all || cfg.slow_lun > 255 || cfg.scale <= 0 ||
	    optind != argc)
		return usage();
	salt = (uint64_t)time(NULL) << 24 ^ (uint64_t)getpid() << 8;
	for (i = 0; i < NR_CASES; i++) {
		if (!all && (int)i != one)
			continue;
		r = run_case(i);
		rc = r > rc ? r : rc;
	}
	return rc;
}
