// SPDX-License-Identifier: GPL-2.0-only
/*
 * srp-login: a minimal SRP initiator over RDMA/CM for the VM scenarios.
 *
 * It logs in with an SRP_LOGIN_REQ built from the command line (so that
 * scenarios can do what ib_srp never does, such as two logins of one
 * initiator port or an ABORT TASK at a chosen moment), optionally sends
 * SCSI commands, and reports what the target does. Every event is one
 * line on stdout:
 *
 *   LOGIN_RSP req_lim_delta=N max_it_iu_len=N max_ti_iu_len=N rsp_flags=0xNN
 *   LOGIN_REJ reason=0xNNNNNNNN
 *   SENT tag=N            the command was posted
 *   RSP tag=N status=0xNN flags=0xNN data_in_res=N sense_len=N [key=0xN
 *       asc=0xNN ascq=0xNN]
 *   TMF_RSP tag=N code=0xNN   response to a task management request
 *   TMF fn=0xNN code=0xNN     what a request of -T got back
 *   ROUND N cmd_rsp=N status=0xNN tmf_rsp=N code=0xNN
 *                         what one command (and its abort) got back
 *   CREDITS login=N now=N request limit granted at login and now
 *   VERIFY ok|bad         a pattern written and read back (-V)
 *   DISCONNECTED          the target closed the connection
 *   TIMEOUT               nothing more happened while waiting
 *
 * Usage: srp-login -d IP[:PORT] [-s IP] -i IPORT -t TPORT [-f FLAGS]
 *                  [-l IU_LEN] [-T FN[,FN...]] [-c tur|read|write] [-L LUN]
 *                  [-n BLOCKS] [-a MS [-g MS] [-A FN]] [-r ROUNDS] [-m] [-V]
 *                  [-w SECONDS] [-I]
 *   -d, -s   target and source address; IPv6 as [ADDR]:PORT or ADDR
 *   -i, -t   initiator and target port IDs, 32 hex digits each
 *   -f       SRP_LOGIN_REQ REQ FLAGS (0: MULTICHAN single, 1: multi)
 *   -T       right after the login, a task management request for
 *            LUN per function code FN, one at a time, up to 16 (SRP
 *            r16a: 01h ABORT TASK, 02h ABORT TASK SET, 04h CLEAR TASK
 *            SET, 08h LUN RESET, 40h CLEAR ACA; any other byte is sent
 *            as it is); an ABORT TASK names a tag never used
 *   -c       command after the login: TEST UNIT READY, or READ(10) or
 *            WRITE(10) of BLOCKS 512-byte blocks at LBA 0 of LUN (0..255)
 *            through a registered buffer (one direct descriptor)
 *   -a       send ABORT TASK for the command MS milliseconds after it
 *            (0: right behind it), then wait for its response and MS of
 *            -g (default 1000) more for a late command response;
 *            -A sends task management function FN instead (for example
 *            08h, LUN RESET)
 *   -r       send the command (and its abort) ROUNDS times, one at a
 *            time; then a TEST UNIT READY collects the credits of
 *            aborted commands and CREDITS is printed
 *   -m       mark each round in the kernel's trace buffer
 *            (trace_marker: "srp-login round N cmd" and "... abort")
 *   -V       at the end, write a pattern to LBA 0 and read it back
 *   -w       after all that, keep the channel for this many seconds or
 *            until the target disconnects
 *   -I       log in to the target's IB/CM listener instead of its RDMA/CM
 *            one (see ibcm_login_pdata())
 *
 * Exit status: 0 logged in, 2 rejected, 1 any other failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <rdma/rdma_cma.h>

#define IU_SIZE		8192
#define NR_RECV		4
#define MAX_BLOCKS	16384			/* 8 MiB */
#define CMD_TAG		0x5352504c4f47494eULL	/* any 64 bits */
#define TMF_TAG		0x41424f5254000000ULL
#define UNUSED_TAG	0x4e4f5355434854ULL	/* never sent in an SRP_CMD */
#define SRP_TSK_ABORT_TASK 0x01
#define SRP_RSP_OP	0xc1
#define RSPVALID	0x01
#define SNSVALID	0x02

static int fail(const char *what)
{
	fprintf(stderr, "srp-login: %s: %s\n", what, strerror(errno));
	return 1;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, v >> 32);
	put_be32(p + 4, v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static int parse_id(const char *s, uint8_t id[16])
{
	unsigned int i, b;

	if (strncmp(s, "0x", 2) == 0)
		s += 2;
	if (strlen(s) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		id[i] = b;
	}
	return 0;
}

static int parse_addr(const char *s, int port, struct sockaddr_storage *ss)
{
	char buf[128], *host = buf, *colon;
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *ai;
	char serv[16];

	snprintf(buf, sizeof(buf), "%s", s);
	colon = strrchr(buf, ':');
	if (buf[0] == '[' && colon && colon[-1] == ']') {
		colon[-1] = 0;
		port = atoi(colon + 1);
		host = buf + 1;
	} else if (colon && strchr(buf, ':') == colon) {
		*colon = 0;
		port = atoi(colon + 1);
	}
	snprintf(serv, sizeof(serv), "%d", port);
	if (getaddrinfo(host, serv, &hints, &ai))
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * -I: an SRP_LOGIN_REQ in the IB/CM layout (struct srp_login_req), sent
 * through RDMA/CM to the target's IB/CM listener: RDMA/CM asks for
 * service ID 0x0000000001060000 + port (RDMA_PS_TCP), so the target
 * must be loaded with srpt_service_guid set to that value. RDMA/CM
 * puts its own 36-byte header before our private data, and the target
 * reads the login from the start: opcode = the header's version (0),
 * tag = bytes 4..11 of the source address, IU length = its last four
 * bytes, buffer formats = bytes 4..5 of the destination address, flags
 * its byte 6, immediate data offset its bytes 8..9, and the first four
 * bytes of the initiator port ID its last four. The rest of the port
 * ID and the target port ID are ours: @out gets them. IPv6 only.
 */
static int ibcm_login_pdata(struct rdma_conn_param *cp,
			    const struct sockaddr_storage *src,
			    const struct sockaddr_storage *dst,
			    const uint8_t iport[16], const uint8_t tport[16],
			    uint8_t *out)
{
	const uint8_t *d = ((const struct sockaddr_in6 *)dst)->sin6_addr.s6_addr;

	if (src->ss_family != AF_INET6 || dst->ss_family != AF_INET6 ||
	    memcmp(iport, d + 12, 4)) {
		fprintf(stderr, "srp-login: -I needs IPv6 -s and -d, and an initiator port ID starting with the last 4 bytes of the -d address\n");
		return -1;
	}
	memcpy(out, iport + 4, 12);
	memcpy(out + 12, tport, 16);
	cp->private_data_len = 28;
	return 0;
}

/* Wait up to @ms for a CM event; 0 and *ev set, or -1 on timeout. */
static int next_event(struct rdma_event_channel *ec, int ms,
		      struct rdma_cm_event **ev)
{
	struct pollfd pfd = { .fd = ec->fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	return rdma_get_cm_event(ec, ev) ? -1 : 0;
}

static int expect_event(struct rdma_event_channel *ec,
			enum rdma_cm_event_type type)
{
	struct rdma_cm_event *ev;
	int ok;

	if (next_event(ec, 10000, &ev)) {
		fprintf(stderr, "srp-login: no %s\n", rdma_event_str(type));
		return -1;
	}
	ok = ev->event == type;
	if (!ok)
		fprintf(stderr, "srp-login: %s instead of %s\n",
			rdma_event_str(ev->event), rdma_event_str(type));
	rdma_ack_cm_event(ev);
	return ok ? 0 : -1;
}

struct conn {
	struct rdma_event_channel *ec;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_mr *recv_mr, *send_mr, *data_mr;
	uint8_t *recv_buf, *send_buf, *data;
	size_t data_len;
	int disconnected;
	int marker_fd;
	long req_lim;		/* what the target lets us send now */
};

/* What came back for the command and the abort of the current round. */
struct round {
	uint64_t cmd_tag, tmf_tag;
	int cmd_rsp, tmf_rsp;
	uint8_t status, code;
	double tmf_at;
};

static int conn_setup(struct conn *c, struct sockaddr *src, struct sockaddr *dst)
{
	struct ibv_qp_init_attr qpa = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 8, .max_recv_wr = NR_RECV,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	int acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
		  IBV_ACCESS_REMOTE_READ;

	c->ec = rdma_create_event_channel();
	if (!c->ec || rdma_create_id(c->ec, &c->id, NULL, RDMA_PS_TCP))
		return fail("rdma_create_id");
	if (rdma_resolve_addr(c->id, src, dst, 5000) ||
	    expect_event(c->ec, RDMA_CM_EVENT_ADDR_RESOLVED))
		return fail("rdma_resolve_addr");
	if (rdma_resolve_route(c->id, 5000) ||
	    expect_event(c->ec, RDMA_CM_EVENT_ROUTE_RESOLVED))
		return fail("rdma_resolve_route");
	c->pd = ibv_alloc_pd(c->id->verbs);
	c->cq = c->pd ? ibv_create_cq(c->id->verbs, 32, NULL, NULL, 0) : NULL;
	if (!c->cq)
		return fail("ibv_create_cq");
	qpa.send_cq = qpa.recv_cq = c->cq;
	if (rdma_create_qp(c->id, c->pd, &qpa))
		return fail("rdma_create_qp");
	c->recv_buf = calloc(NR_RECV, IU_SIZE);
	c->send_buf = calloc(2, IU_SIZE);
	c->data = calloc(1, c->data_len ? c->data_len : 1);
	if (!c->recv_buf || !c->send_buf || !c->data)
		return fail("calloc");
	c->recv_mr = ibv_reg_mr(c->pd, c->recv_buf, NR_RECV * IU_SIZE, acc);
	c->send_mr = ibv_reg_mr(c->pd, c->send_buf, 2 * IU_SIZE, acc);
	c->data_mr = ibv_reg_mr(c->pd, c->data, c->data_len ? c->data_len : 1, acc);
	if (!c->recv_mr || !c->send_mr || !c->data_mr)
		return fail("ibv_reg_mr");
	return 0;
}

static int post_recv(struct conn *c, unsigned int i)
{
	struct ibv_sge sge = { (uintptr_t)(c->recv_buf + i * IU_SIZE), IU_SIZE,
			       c->recv_mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = i, .sg_list = &sge, .num_sge = 1 };
	struct ibv_recv_wr *bad;

	return ibv_post_recv(c->id->qp, &wr, &bad);
}

/* Post @len bytes of send slot @slot (0: commands, 1: task management). */
static int post_iu(struct conn *c, unsigned int slot, uint32_t len)
{
	struct ibv_sge sge = { (uintptr_t)(c->send_buf + slot * IU_SIZE), len,
			       c->send_mr->lkey };
	struct ibv_send_wr wr = { .wr_id = 100 + slot, .sg_list = &sge,
				  .num_sge = 1, .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_SIGNALED };
	struct ibv_send_wr *bad;

	if (ibv_post_send(c->id->qp, &wr, &bad))
		return -1;
	c->req_lim--;
	return 0;
}

/* SRP_CMD (SRP r16a 6.8): 48 bytes, then one direct descriptor. */
static int post_cmd(struct conn *c, const char *cmd, uint64_t tag,
		    unsigned int lun, uint32_t blocks)
{
	uint8_t *b = c->send_buf;
	uint32_t len = 48;
	int rd = strcmp(cmd, "read") == 0, wr = strcmp(cmd, "write") == 0;

	memset(b, 0, 64);
	b[0] = 0x02;				/* SRP_CMD */
	put_be64(b + 8, tag);
	b[21] = lun;				/* LUN at 20..27, peripheral */
	/* SIMPLE task attribute (0) at 29; CDB at 32. */
	if (rd || wr) {
		b[5] = wr ? 0x10 : 0x01;	/* data-out / data-in: direct */
		b[32] = wr ? 0x2a : 0x28;	/* WRITE(10) / READ(10), LBA 0 */
		put_be16(b + 32 + 7, blocks);
		put_be64(b + 48, (uintptr_t)c->data);
		put_be32(b + 56, c->data_mr->rkey);
		put_be32(b + 60, blocks * 512);
		len = 64;
	}					/* else TEST UNIT READY: CDB zero */
	return post_iu(c, 0, len);
}

/* SRP_TSK_MGMT (SRP r16a 6.7): function @fn, for task @ref if it names one. */
static int post_tmf(struct conn *c, uint64_t tag, uint8_t fn, uint64_t ref,
		    unsigned int lun)
{
	uint8_t *b = c->send_buf + IU_SIZE;

	memset(b, 0, 48);
	b[0] = 0x01;				/* SRP_TSK_MGMT */
	put_be64(b + 8, tag);
	b[21] = lun;				/* LUN at 20..27 */
	b[30] = fn;				/* TASK MANAGEMENT FUNCTION */
	put_be64(b + 32, ref);			/* task tag */
	return post_iu(c, 1, 48);
}

static void mark(struct conn *c, const char *fmt, int n)
{
	char buf[64];
	int len;

	if (c->marker_fd < 0)
		return;
	len = snprintf(buf, sizeof(buf), fmt, n);
	if (write(c->marker_fd, buf, len) != len)
		perror("srp-login: trace_marker");
}

/*
 * Account for and report one received IU; note it in @r if it is ours.
 * SRP_RSP (SRP r16a 6.9): flags at 18, status at 19, data-in residual
 * at 24, sense and response data lengths at 28 and 32, data from 36.
 */
static void handle_iu(struct conn *c, const uint8_t *p, uint32_t len,
		      struct round *r)
{
	uint64_t tag;
	uint32_t sense;

	if (len < 36 || p[0] != SRP_RSP_OP) {
		printf("IU opcode=0x%02x len=%u\n", p[0], len);
		return;
	}
	tag = get_be64(p + 8);
	c->req_lim += (int32_t)get_be32(p + 4);
	if ((p[18] & RSPVALID) && get_be32(p + 32) >= 4 && len >= 40) {
		printf("TMF_RSP tag=%llu code=0x%02x\n",
		       (unsigned long long)tag, p[36 + 3]);
		if (r && tag == r->tmf_tag) {
			r->tmf_rsp++;
			r->code = p[36 + 3];
			r->tmf_at = now();
		}
		return;
	}
	printf("RSP tag=%llu status=0x%02x flags=0x%02x data_in_res=%u sense_len=%u",
	       (unsigned long long)tag, p[19], p[18], get_be32(p + 24),
	       get_be32(p + 28));
	/* Fixed-format sense data follows any response data. */
	sense = 36 + ((p[18] & RSPVALID) ? get_be32(p + 32) : 0);
	if ((p[18] & SNSVALID) && get_be32(p + 28) >= 14 && sense + 14 <= len)
		printf(" key=0x%x asc=0x%02x ascq=0x%02x", p[sense + 2] & 0xf,
		       p[sense + 12], p[sense + 13]);
	printf("\n");
	if (r && tag == r->cmd_tag) {
		r->cmd_rsp++;
		r->status = p[19];
	}
}

/*
 * Reap completions and CM events for up to @ms; return 1 after a
 * disconnect, else 0.
 */
static int poll_once(struct conn *c, int ms, struct round *r)
{
	struct rdma_cm_event *ev;
	struct ibv_wc wc;

	while (ibv_poll_cq(c->cq, 1, &wc) > 0) {
		if (wc.status != IBV_WC_SUCCESS) {
			if (wc.status != IBV_WC_WR_FLUSH_ERR)
				printf("WC_ERROR %s\n",
				       ibv_wc_status_str(wc.status));
			continue;
		}
		if (!(wc.opcode & IBV_WC_RECV))
			continue;
		handle_iu(c, c->recv_buf + wc.wr_id * IU_SIZE, wc.byte_len, r);
		if (post_recv(c, wc.wr_id))
			printf("WC_ERROR cannot repost a receive\n");
	}
	if (next_event(c->ec, ms, &ev))
		return 0;
	if (ev->event == RDMA_CM_EVENT_DISCONNECTED) {
		printf("DISCONNECTED\n");
		c->disconnected = 1;
		rdma_ack_cm_event(ev);
		return 1;
	}
	printf("EVENT %s\n", rdma_event_str(ev->event));
	rdma_ack_cm_event(ev);
	return 0;
}

/* Until @deadline, or until @done(@r) is true; 0, or -1 on a timeout. */
static int wait_until(struct conn *c, double deadline, struct round *r,
		      int (*done)(const struct round *r))
{
	while (!(r && done(r))) {
		if (c->disconnected || poll_once(c, 20, r))
			return -1;
		if (now() >= deadline) {
			printf("TIMEOUT\n");
			return -1;
		}
	}
	return 0;
}

static int cmd_done(const struct round *r)
{
	return r->cmd_rsp > 0;
}

static double grace_s;
static uint8_t abort_fn = SRP_TSK_ABORT_TASK;

static int tmf_done(const struct round *r)
{
	return r->tmf_rsp > 0;
}

static int abort_done(const struct round *r)
{
	return r->tmf_rsp > 0 && now() >= r->tmf_at + grace_s;
}

/*
 * One command, and its abort after @abort_ms when that is not negative;
 * prints a ROUND line. Return 0, or -1 when the channel failed.
 */
static int run_round(struct conn *c, int n, const char *cmd, unsigned int lun,
		     uint32_t blocks, int abort_ms, double wait_s)
{
	struct round r = { .cmd_tag = CMD_TAG + n, .tmf_tag = TMF_TAG + n };
	double deadline;

	mark(c, "srp-login round %d cmd", n);
	if (post_cmd(c, cmd, r.cmd_tag, lun, blocks))
		return fail("ibv_post_send");
	printf("SENT tag=%llu\n", (unsigned long long)r.cmd_tag);
	if (abort_ms >= 0) {
		if (abort_ms > 0)
			usleep(abort_ms * 1000);
		mark(c, "srp-login round %d abort", n);
		if (post_tmf(c, r.tmf_tag, abort_fn, r.cmd_tag, lun))
			return fail("ibv_post_send");
	}
	/* 30 s (or -w) for the responses, and -g after an abort's. */
	deadline = now() + (wait_s > 30 ? wait_s : 30) +
		   (abort_ms >= 0 ? grace_s : 0);
	if (wait_until(c, deadline, &r, abort_ms >= 0 ? abort_done : cmd_done))
		return -1;
	printf("ROUND %d cmd_rsp=%d status=0x%02x tmf_rsp=%d code=0x%02x\n",
	       n, r.cmd_rsp, r.status, r.tmf_rsp, r.code);
	return 0;
}

#define MAX_TMFS	16

/* Parse -T, comma-separated function codes; 0, or -1 when malformed. */
static int parse_tmfs(const char *p, uint8_t *fns, int *n)
{
	char *end;

	for (*n = 0; *n < MAX_TMFS; p = end + 1) {
		unsigned long fn = strtoul(p, &end, 0);

		if (end == p || fn > 0xff || (*end && *end != ','))
			return -1;
		fns[(*n)++] = fn;
		if (!*end)
			return 0;
	}
	return -1;
}

/*
 * The task management requests of -T, one at a time; a TMF line each.
 * Return 0, or -1 when one got no answer.
 */
static int run_tmfs(struct conn *c, const uint8_t *fns, int n,
		    unsigned int lun)
{
	int i;

	for (i = 0; i < n; i++) {
		struct round r = { .tmf_tag = TMF_TAG + 0x10000 + i };

		if (post_tmf(c, r.tmf_tag, fns[i], UNUSED_TAG, lun))
			return fail("ibv_post_send");
		if (wait_until(c, now() + 30, &r, tmf_done))
			return -1;
		printf("TMF fn=0x%02x code=0x%02x\n", fns[i], r.code);
	}
	return 0;
}

/* Write a pattern to LBA 0 of @lun and read it back; print VERIFY. */
static int verify(struct conn *c, unsigned int lun, uint32_t blocks, int n)
{
	size_t i, len = (size_t)blocks * 512;
	int bad = 0;

	for (i = 0; i < len; i++)
		c->data[i] = (uint8_t)(i * 7 + i / 512 + 0x5a);
	if (run_round(c, n, "write", lun, blocks, -1, 0))
		return -1;
	memset(c->data, 0, len);
	if (run_round(c, n + 1, "read", lun, blocks, -1, 0))
		return -1;
	for (i = 0; i < len && !bad; i++)
		bad = c->data[i] != (uint8_t)(i * 7 + i / 512 + 0x5a);
	printf("VERIFY %s\n", bad ? "bad" : "ok");
	return 0;
}

int main(int argc, char **argv)
{
	const char *dst_s = NULL, *src_s = NULL, *cmd = NULL;
	uint8_t iport[16], tport[16], login[56] = {}, tmfs[MAX_TMFS];
	int ibcm = 0;
	struct sockaddr_storage src = {}, dst = {};
	struct rdma_conn_param cp = {};
	struct rdma_cm_event *ev;
	struct conn c = { .marker_fd = -1 };
	int opt, flags = 0, have_i = 0, have_t = 0, abort_ms = -1, rounds = 1;
	int markers = 0, do_verify = 0, nr_tmfs = 0, i;
	uint32_t iu_len = 8260, blocks = 8, lun = 0;
	long login_lim;
	double wait_s = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	grace_s = 1;
	while ((opt = getopt(argc, argv, "d:s:i:t:f:l:T:c:L:n:a:g:A:r:mVw:I")) != -1) {
		switch (opt) {
		case 'd': dst_s = optarg; break;
		case 's': src_s = optarg; break;
		case 'i': have_i = !parse_id(optarg, iport); break;
		case 't': have_t = !parse_id(optarg, tport); break;
		case 'f': flags = strtol(optarg, NULL, 0); break;
		case 'l': iu_len = strtoul(optarg, NULL, 0); break;
		case 'T':
			if (parse_tmfs(optarg, tmfs, &nr_tmfs))
				goto usage;
			break;
		case 'c': cmd = optarg; break;
		case 'L': lun = strtoul(optarg, NULL, 0); break;
		case 'n': blocks = strtoul(optarg, NULL, 0); break;
		case 'a': abort_ms = atoi(optarg); break;
		case 'g': grace_s = atoi(optarg) / 1000.0; break;
		case 'A': abort_fn = strtoul(optarg, NULL, 0); break;
		case 'r': rounds = atoi(optarg); break;
		case 'm': markers = 1; break;
		case 'V': do_verify = 1; break;
		case 'w': wait_s = atof(optarg); break;
		case 'I': ibcm = 1; break;
		default: goto usage;
		}
	}
	if (!dst_s || !have_i || !have_t || parse_addr(dst_s, 5555, &dst) ||
	    (src_s && parse_addr(src_s, 0, &src)) ||
	    (cmd && strcmp(cmd, "tur") && strcmp(cmd, "read") &&
	     strcmp(cmd, "write")) || blocks < 1 || blocks > MAX_BLOCKS ||
	    lun > 255 || rounds < 1 || (abort_ms >= 0 && !cmd))
		goto usage;
	if (markers) {
		c.marker_fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY);
		if (c.marker_fd < 0)
			return fail("/sys/kernel/tracing/trace_marker");
	}
	c.data_len = blocks * 512;
	if (conn_setup(&c, src_s ? (struct sockaddr *)&src : NULL,
		       (struct sockaddr *)&dst))
		return 1;
	for (i = 0; i < NR_RECV; i++)
		if (post_recv(&c, i))
			return fail("ibv_post_recv");

	/* SRP_LOGIN_REQ, RDMA/CM layout (include/scsi/srp.h). */
	put_be64(login, 0x4c4f47494e524551ULL);
	put_be16(login + 8, 0x0006);		/* direct and indirect */
	login[10] = flags;
	login[11] = 0x00;			/* SRP_LOGIN_REQ */
	put_be32(login + 12, iu_len);
	memcpy(login + 16, iport, 16);
	memcpy(login + 32, tport, 16);
	cp.private_data = login;
	cp.private_data_len = sizeof(login);
	if (ibcm && ibcm_login_pdata(&cp, &src, &dst, iport, tport, login))
		return 1;
	cp.responder_resources = 4;
	cp.initiator_depth = 4;
	cp.retry_count = 7;
	cp.rnr_retry_count = 7;
	if (rdma_connect(c.id, &cp))
		return fail("rdma_connect");
	if (next_event(c.ec, 15000, &ev)) {
		printf("TIMEOUT\n");
		return 1;
	}
	if (ev->event == RDMA_CM_EVENT_REJECTED) {
		const uint8_t *p = ev->param.conn.private_data;

		if (p && ev->param.conn.private_data_len >= 8 && p[0] == 0xc2)
			printf("LOGIN_REJ reason=0x%08x\n", get_be32(p + 4));
		else
			printf("REJECTED status=%d\n", ev->status);
		rdma_ack_cm_event(ev);
		return 2;
	}
	if (ev->event != RDMA_CM_EVENT_ESTABLISHED ||
	    ev->param.conn.private_data_len < 52) {
		printf("EVENT %s\n", rdma_event_str(ev->event));
		rdma_ack_cm_event(ev);
		return 1;
	} else {
		const uint8_t *p = ev->param.conn.private_data;

		login_lim = get_be32(p + 4);
		c.req_lim = login_lim;
		printf("LOGIN_RSP req_lim_delta=%u max_it_iu_len=%u max_ti_iu_len=%u rsp_flags=0x%02x\n",
		       get_be32(p + 4), get_be32(p + 16), get_be32(p + 20),
		       p[26]);
		rdma_ack_cm_event(ev);
	}
	if (run_tmfs(&c, tmfs, nr_tmfs, lun))
		goto out;
	if (cmd && strcmp(cmd, "write") == 0)
		memset(c.data, 0xa5, c.data_len);
	for (i = 0; cmd && i < rounds; i++)
		if (run_round(&c, i, cmd, lun, blocks, abort_ms, wait_s))
			goto out;
	if (cmd && (rounds > 1 || abort_ms >= 0)) {
		/* Credits of aborted commands ride on the next response. */
		if (run_round(&c, rounds, "tur", lun, 1, -1, 0))
			goto out;
		printf("CREDITS login=%ld now=%ld\n", login_lim, c.req_lim);
	}
	if (do_verify && verify(&c, lun, blocks, rounds + 1))
		goto out;
	if (wait_s > 0)
		wait_until(&c, now() + wait_s, NULL, NULL);
out:
	if (!c.disconnected)
		rdma_disconnect(c.id);
	return 0;
usage:
	fprintf(stderr, "usage: srp-login -d IP[:PORT] [-s IP] -i IPORT -t TPORT [-f FLAGS] [-l IU_LEN] [-T FN[,FN...]] [-c tur|read|write] [-L LUN] [-n BLOCKS] [-a MS [-g MS] [-A FN]] [-r ROUNDS] [-m] [-V] [-w SECONDS] [-I]\n");
	return 1;
}
