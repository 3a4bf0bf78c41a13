// SPDX-License-Identifier: GPL-2.0-only
/*
 * srp-login: a minimal SRP initiator over RDMA/CM for the VM scenarios.
 *
 * It logs in with an SRP_LOGIN_REQ built from the command line (so that
 * scenarios can do what ib_srp never does, such as two logins of one
 * initiator port), optionally sends one SCSI command, and then waits,
 * reporting what the target does. Every event is one line on stdout:
 *
 *   LOGIN_RSP req_lim_delta=N max_it_iu_len=N max_ti_iu_len=N rsp_flags=0xNN
 *   LOGIN_REJ reason=0xNNNNNNNN
 *   SENT tag=N            the command was posted
 *   RSP tag=N status=0xNN flags=0xNN data_in_res=N sense_len=N
 *   DISCONNECTED          the target closed the connection
 *   TIMEOUT               nothing more happened while waiting
 *
 * Usage: srp-login -d IP[:PORT] [-s IP] -i IPORT -t TPORT [-f FLAGS]
 *                  [-l IU_LEN] [-c tur|read] [-n BLOCKS] [-w SECONDS]
 *   -i, -t   initiator and target port IDs, 32 hex digits each
 *   -f       SRP_LOGIN_REQ REQ FLAGS (0: MULTICHAN single, 1: multi)
 *   -c       command after the login: TEST UNIT READY or READ(10) of
 *            BLOCKS 512-byte blocks from LBA 0 into a registered buffer
 *   -w       after the login (and the response, if a command was sent),
 *            keep the channel for this many seconds or until the target
 *            disconnects
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
#define CMD_TAG		0x5352504c4f47494eULL	/* any 64 bits */

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
	char host[128], *colon;
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *ai;
	char serv[16];

	snprintf(host, sizeof(host), "%s", s);
	colon = strrchr(host, ':');
	if (colon && !strchr(colon + 1, ']') && strchr(host, ':') == colon) {
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
};

static int conn_setup(struct conn *c, struct sockaddr *src, struct sockaddr *dst)
{
	struct ibv_qp_init_attr qpa = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4,
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
	c->cq = c->pd ? ibv_create_cq(c->id->verbs, 16, NULL, NULL, 0) : NULL;
	if (!c->cq)
		return fail("ibv_create_cq");
	qpa.send_cq = qpa.recv_cq = c->cq;
	if (rdma_create_qp(c->id, c->pd, &qpa))
		return fail("rdma_create_qp");
	c->recv_buf = calloc(1, IU_SIZE);
	c->send_buf = calloc(1, IU_SIZE);
	c->data = calloc(1, c->data_len ? c->data_len : 1);
	if (!c->recv_buf || !c->send_buf || !c->data)
		return fail("calloc");
	c->recv_mr = ibv_reg_mr(c->pd, c->recv_buf, IU_SIZE, acc);
	c->send_mr = ibv_reg_mr(c->pd, c->send_buf, IU_SIZE, acc);
	c->data_mr = ibv_reg_mr(c->pd, c->data, c->data_len ? c->data_len : 1, acc);
	if (!c->recv_mr || !c->send_mr || !c->data_mr)
		return fail("ibv_reg_mr");
	return 0;
}

static int post_recv(struct conn *c)
{
	struct ibv_sge sge = { (uintptr_t)c->recv_buf, IU_SIZE, c->recv_mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = 1, .sg_list = &sge, .num_sge = 1 };
	struct ibv_recv_wr *bad;

	return ibv_post_recv(c->id->qp, &wr, &bad);
}

/* SRP_CMD (SRP r16a 6.8): 48 bytes, then one direct descriptor. */
static int post_cmd(struct conn *c, const char *cmd, uint32_t blocks)
{
	uint8_t *b = c->send_buf;
	uint32_t len = 48;
	struct ibv_sge sge = { (uintptr_t)b, 0, c->send_mr->lkey };
	struct ibv_send_wr wr = { .wr_id = 2, .sg_list = &sge, .num_sge = 1,
				  .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_SIGNALED };
	struct ibv_send_wr *bad;

	memset(b, 0, 64);
	b[0] = 0x02;				/* SRP_CMD */
	put_be64(b + 8, CMD_TAG);
	/* LUN 0 at 16..23; SIMPLE task attribute (0) at 25. */
	if (strcmp(cmd, "read") == 0) {
		b[5] = 0x01;			/* data-in: direct descriptor */
		b[32] = 0x28;			/* READ(10), LBA 0 */
		put_be16(b + 32 + 7, blocks);
		put_be64(b + 48, (uintptr_t)c->data);
		put_be32(b + 56, c->data_mr->rkey);
		put_be32(b + 60, blocks * 512);
		len = 64;
	}					/* else TEST UNIT READY: CDB zero */
	sge.length = len;
	return ibv_post_send(c->id->qp, &wr, &bad);
}

static void report_rsp(const uint8_t *r, uint32_t len)
{
	if (len < 36 || r[0] != 0xc1) {
		printf("IU opcode=0x%02x len=%u\n", r[0], len);
		return;
	}
	printf("RSP tag=%llu status=0x%02x flags=0x%02x data_in_res=%u sense_len=%u\n",
	       (unsigned long long)CMD_TAG, r[23], r[22], get_be32(r + 28),
	       get_be32(r + 32));
}

/*
 * Until @deadline: report received IUs and stop at a disconnect, or after
 * the first IU when @until_iu.
 */
static void wait_events(struct conn *c, double deadline, int until_iu)
{
	struct rdma_cm_event *ev;
	struct ibv_wc wc;
	int n;

	while (now() < deadline) {
		while ((n = ibv_poll_cq(c->cq, 1, &wc)) > 0) {
			if (wc.status != IBV_WC_SUCCESS) {
				if (wc.status != IBV_WC_WR_FLUSH_ERR)
					printf("WC_ERROR %s\n",
					       ibv_wc_status_str(wc.status));
				continue;
			}
			if (wc.opcode & IBV_WC_RECV) {
				report_rsp(c->recv_buf, wc.byte_len);
				if (until_iu)
					return;
			}
		}
		if (next_event(c->ec, 20, &ev) == 0) {
			if (ev->event == RDMA_CM_EVENT_DISCONNECTED) {
				printf("DISCONNECTED\n");
				c->disconnected = 1;
				rdma_ack_cm_event(ev);
				return;
			}
			printf("EVENT %s\n", rdma_event_str(ev->event));
			rdma_ack_cm_event(ev);
		}
	}
	printf("TIMEOUT\n");
}

int main(int argc, char **argv)
{
	const char *dst_s = NULL, *src_s = NULL, *cmd = NULL;
	uint8_t iport[16], tport[16], login[56] = {};
	struct sockaddr_storage src, dst;
	struct rdma_conn_param cp = {};
	struct rdma_cm_event *ev;
	struct conn c = {};
	int opt, flags = 0, have_i = 0, have_t = 0, rc;
	uint32_t iu_len = 8260, blocks = 8;
	double wait_s = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "d:s:i:t:f:l:c:n:w:")) != -1) {
		switch (opt) {
		case 'd': dst_s = optarg; break;
		case 's': src_s = optarg; break;
		case 'i': have_i = !parse_id(optarg, iport); break;
		case 't': have_t = !parse_id(optarg, tport); break;
		case 'f': flags = strtol(optarg, NULL, 0); break;
		case 'l': iu_len = strtoul(optarg, NULL, 0); break;
		case 'c': cmd = optarg; break;
		case 'n': blocks = strtoul(optarg, NULL, 0); break;
		case 'w': wait_s = atof(optarg); break;
		default: goto usage;
		}
	}
	if (!dst_s || !have_i || !have_t || parse_addr(dst_s, 5555, &dst) ||
	    (src_s && parse_addr(src_s, 0, &src)) ||
	    (cmd && strcmp(cmd, "tur") && strcmp(cmd, "read")) || blocks > 128)
		goto usage;
	c.data_len = blocks * 512;
	if (conn_setup(&c, src_s ? (struct sockaddr *)&src : NULL,
		       (struct sockaddr *)&dst) || post_recv(&c))
		return 1;

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

		printf("LOGIN_RSP req_lim_delta=%u max_it_iu_len=%u max_ti_iu_len=%u rsp_flags=0x%02x\n",
		       get_be32(p + 4), get_be32(p + 16), get_be32(p + 20),
		       p[26]);
		rdma_ack_cm_event(ev);
	}
	rc = 0;
	if (cmd) {
		if (post_cmd(&c, cmd, blocks))
			return fail("ibv_post_send");
		printf("SENT tag=%llu\n", (unsigned long long)CMD_TAG);
		wait_events(&c, now() + (wait_s > 30 ? wait_s : 30), 1);
	}
	if (!c.disconnected && wait_s > 0)
		wait_events(&c, now() + wait_s, 0);
	if (!c.disconnected)
		rdma_disconnect(c.id);
	return rc;
usage:
	fprintf(stderr, "usage: srp-login -d IP[:PORT] [-s IP] -i IPORT -t TPORT [-f FLAGS] [-l IU_LEN] [-c tur|read] [-n BLOCKS] [-w SECONDS]\n");
	return 1;
}
