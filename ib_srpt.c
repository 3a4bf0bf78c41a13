// SPDX-License-Identifier: GPL-2.0-only
/*
 * ib_srpt - SCSI RDMA Protocol (SRP) target driver for the Linux SCSI
 * target core (LIO).
 *
 * Each piece comes before its users: the wire formats (pure functions,
 * checked by the KUnit suite), HCAs, ports and device management MADs,
 * channel state, the I/O path, channels, logins and CM handlers, target
 * core callbacks, configfs, and the module glue. Documentation/ib_srpt.rst
 * describes the channel and command state machines, the locks and the
 * reference counts.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/err.h>
#include <linux/error-injection.h>
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/string.h>
#include <linux/inet.h>
#include <linux/in6.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <net/ipv6.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>
#include <scsi/scsi_tcq.h>
#include <kunit/visibility.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>
#include "ib_srpt.h"
#define CREATE_TRACE_POINTS
#include "ib_srpt_trace.h"

MODULE_AUTHOR("ib_srpt developers");
MODULE_DESCRIPTION("SCSI RDMA Protocol target driver");
MODULE_LICENSE("GPL");

#define SRPT_VERSION "2.0"

static u32 srp_max_req_size = SRPT_DEF_MAX_REQ_SIZE;
module_param(srp_max_req_size, uint, 0444);
MODULE_PARM_DESC(srp_max_req_size,
		 "Largest SRP request (initiator-to-target IU) in bytes a login may ask for.");

static u32 srpt_srq_size = SRPT_DEF_SRQ_SIZE;
module_param(srpt_srq_size, uint, 0444);
MODULE_PARM_DESC(srpt_srq_size,
		 "Receive buffers of the shared receive queue (SRQ) of each HCA.");

static u64 srpt_service_guid;

static int srpt_service_guid_set(const char *val, const struct kernel_param *kp)
{
	return kstrtou64(val, 16, kp->arg);
}

static int srpt_service_guid_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "0x%016llx\n", *(u64 *)kp->arg);
}

static const struct kernel_param_ops srpt_service_guid_ops = {
	.set = srpt_service_guid_set,
	.get = srpt_service_guid_get,
};
module_param_cb(srpt_service_guid, &srpt_service_guid_ops,
		&srpt_service_guid, 0444);
MODULE_PARM_DESC(srpt_service_guid,
		 "IOC GUID, ID extension and IB/CM service ID of this target; default: node GUID of the first HCA.");

/* srpt_dev_mutex protects srpt_dev_list. */
static DEFINE_MUTEX(srpt_dev_mutex);
static LIST_HEAD(srpt_dev_list);

/*
 * The RDMA/CM port to listen on from load; configfs
 * discovery_auth/rdma_cm_port changes the listener afterwards.
 */
static ushort srpt_rdma_cm_port_at_load;
module_param_named(rdma_cm_port, srpt_rdma_cm_port_at_load, ushort, 0444);
MODULE_PARM_DESC(rdma_cm_port,
		 "RDMA/CM port to listen on from load (0: none until discovery_auth/rdma_cm_port is written).");

/* srpt_rdma_cm_mutex protects srpt_rdma_cm_port and srpt_rdma_cm_id. */
static DEFINE_MUTEX(srpt_rdma_cm_mutex);
static u16 srpt_rdma_cm_port;
static struct rdma_cm_id *srpt_rdma_cm_id;

static struct workqueue_struct *srpt_wq;
static struct ib_client srpt_client;

/*
 * Log a problem caused by a remote initiator. Rate limited, because the
 * remote side decides how often it happens.
 */
#define srpt_ch_warn(ch, fmt, ...)					\
	do {								\
		const struct srpt_rdma_ch *_ch = (ch);			\
									\
		pr_warn_ratelimited("%s-%u: " fmt, _ch->sess_name,	\
				    _ch->qp_num,			\
				    ##__VA_ARGS__);			\
	} while (0)

/* ---------------------------------------------------------------------
 * Wire formats: logins, connection requests, names, information units and
 * device management MADs. Pure functions, checked by ib_srpt_test.c
 */

static const char *const srpt_rej_reason_names[] = {
	"no reason given", "insufficient resources",
	"requested IU length too large", "cannot associate with the I_T nexus",
	"unsupported descriptor format", "multichannel not supported",
	"channel limit reached",
};

static const char *srpt_rej_reason_name(u32 reason)
{
	u32 i = reason - SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;

	return i < ARRAY_SIZE(srpt_rej_reason_names) ?
		srpt_rej_reason_names[i] : "unknown";
}

/**
 * srpt_login_from_ib() - read an IB/CM SRP_LOGIN_REQ
 * @li: normalised login.
 * @req: request as carried in the IB/CM REQ private data.
 *
 * Context: any.
 */
VISIBLE_IF_KUNIT void srpt_login_from_ib(struct srpt_login *li,
					 const struct srp_login_req *req)
{
	li->tag = req->tag;
	li->req_it_iu_len = be32_to_cpu(req->req_it_iu_len);
	li->req_buf_fmt = be16_to_cpu(req->req_buf_fmt);
	li->req_flags = req->req_flags;
	li->imm_data_offset = be16_to_cpu(req->imm_data_offset);
	memcpy(li->i_port_id, req->initiator_port_id, 16);
	memcpy(li->t_port_id, req->target_port_id, 16);
}
EXPORT_SYMBOL_IF_KUNIT(srpt_login_from_ib);

/**
 * srpt_login_from_rdma() - read an RDMA/CM SRP_LOGIN_REQ
 * @li: normalised login.
 * @req: request as carried in the RDMA/CM connect private data.
 *
 * Context: any.
 */
VISIBLE_IF_KUNIT void srpt_login_from_rdma(struct srpt_login *li,
					   const struct srp_login_req_rdma *req)
{
	li->tag = req->tag;
	li->req_it_iu_len = be32_to_cpu(req->req_it_iu_len);
	li->req_buf_fmt = be16_to_cpu(req->req_buf_fmt);
	li->req_flags = req->req_flags;
	li->imm_data_offset = be16_to_cpu(req->imm_data_offset);
	memcpy(li->i_port_id, req->initiator_port_id, 16);
	memcpy(li->t_port_id, req->target_port_id, 16);
}
EXPORT_SYMBOL_IF_KUNIT(srpt_login_from_rdma);

/**
 * srpt_login_from_pdata() - read an SRP_LOGIN_REQ from CM private data
 * @li: normalised login.
 * @pdata: private data of the connection request.
 * @len: its length.
 * @rdma_cm: RDMA/CM layout (&struct srp_login_req_rdma) rather than the
 *	     IB/CM one (&struct srp_login_req).
 *
 * Context: any.
 * Return: 0, or -EINVAL if @pdata is too short or not an SRP_LOGIN_REQ.
 */
VISIBLE_IF_KUNIT int srpt_login_from_pdata(struct srpt_login *li,
					   const void *pdata, u32 len,
					   bool rdma_cm)
{
	const struct srp_login_req_rdma *rreq = pdata;
	const struct srp_login_req *ireq = pdata;

	if (!pdata)
		return -EINVAL;
	if (rdma_cm) {
		if (len < sizeof(*rreq) || rreq->opcode != SRP_LOGIN_REQ)
			return -EINVAL;
		srpt_login_from_rdma(li, rreq);
	} else {
		if (len < sizeof(*ireq) || ireq->opcode != SRP_LOGIN_REQ)
			return -EINVAL;
		srpt_login_from_ib(li, ireq);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_login_from_pdata);

/**
 * srpt_check_login() - validate an SRP_LOGIN_REQ and negotiate
 * @req: the login.
 * @max_req_size: largest initiator-to-target IU this target accepts.
 * @service_guid: the target port identifier is this GUID twice.
 * @params: negotiated parameters, valid when 0 is returned.
 *
 * Reject reasons (SRP r16a table 12, plus include/scsi/srp.h):
 * an IU length below %SRPT_MIN_IT_IU_LEN cannot carry an SRP_CMD with a
 * descriptor, and a reserved multi-channel action cannot be carried
 * out; no reason code describes those, so "unable to establish"
 * (0x00010000) is used. Too large: 0x00010002. Neither direct nor
 * indirect descriptors: 0x00010004. Another target port: 0x00010003.
 *
 * Context: any.
 * Return: 0 to accept, else an SRP_LOGIN_REJ reason.
 */
VISIBLE_IF_KUNIT u32 srpt_check_login(const struct srpt_login *req,
				      u32 max_req_size, u64 service_guid,
				      struct srpt_login_params *params)
{
	__be64 guid = cpu_to_be64(service_guid);
	u32 min_imm = sizeof(struct srp_cmd) + sizeof(struct srp_imm_buf);

	if (req->req_it_iu_len < SRPT_MIN_IT_IU_LEN)
		return SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
	if (req->req_it_iu_len > max_req_size)
		return SRP_LOGIN_REJ_REQ_IT_IU_LENGTH_TOO_LARGE;
	if (!(req->req_buf_fmt &
	      (SRP_BUF_FORMAT_DIRECT | SRP_BUF_FORMAT_INDIRECT)))
		return SRP_LOGIN_REJ_UNSUPPORTED_DESCRIPTOR_FMT;
	/* MULTI-CHANNEL ACTION codes 2 and 3 are reserved. */
	if ((req->req_flags & 3) > SRP_MULTICHAN_MULTI)
		return SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
	if (memcmp(req->t_port_id, &guid, 8) ||
	    memcmp(req->t_port_id + 8, &guid, 8))
		return SRP_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL;

	memset(params, 0, sizeof(*params));
	params->it_iu_len = req->req_it_iu_len;
	params->multichan_single =
		(req->req_flags & 3) != SRP_MULTICHAN_MULTI;
	if ((req->req_flags & SRP_IMMED_REQUESTED) &&
	    req->imm_data_offset >= min_imm &&
	    req->imm_data_offset <= req->req_it_iu_len) {
		params->use_imm_data = true;
		params->imm_data_offset = req->imm_data_offset;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_check_login);

/**
 * srpt_build_login_rsp() - fill in an SRP_LOGIN_RSP
 * @rsp: response.
 * @tag: tag of the request.
 * @params: negotiated parameters.
 * @credits: initial request limit.
 * @rsp_size: maximum target-to-initiator IU length.
 * @multichan: SRP_LOGIN_RSP_MULTICHAN_* result.
 *
 * Context: any.
 */
VISIBLE_IF_KUNIT void srpt_build_login_rsp(struct srp_login_rsp *rsp, u64 tag,
					   const struct srpt_login_params *params,
					   u32 credits, u32 rsp_size,
					   u8 multichan)
{
	memset(rsp, 0, sizeof(*rsp));
	rsp->opcode = SRP_LOGIN_RSP;
	rsp->req_lim_delta = cpu_to_be32(credits);
	rsp->tag = tag;
	rsp->max_it_iu_len = cpu_to_be32(params->it_iu_len);
	rsp->max_ti_iu_len = cpu_to_be32(rsp_size);
	rsp->buf_fmt = cpu_to_be16(SRP_BUF_FORMAT_DIRECT |
				   SRP_BUF_FORMAT_INDIRECT);
	rsp->rsp_flags = multichan;
	if (params->use_imm_data)
		rsp->rsp_flags |= SRP_LOGIN_RSP_IMMED_SUPP;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_build_login_rsp);

/**
 * srpt_build_login_rej() - fill in an SRP_LOGIN_REJ
 * @rej: reject.
 * @tag: tag of the request.
 * @reason: SRP_LOGIN_REJ_* reason.
 *
 * Context: any.
 */
VISIBLE_IF_KUNIT void srpt_build_login_rej(struct srp_login_rej *rej, u64 tag,
					   u32 reason)
{
	memset(rej, 0, sizeof(*rej));
	rej->opcode = SRP_LOGIN_REJ;
	rej->reason = cpu_to_be32(reason);
	rej->tag = tag;
	rej->buf_fmt = cpu_to_be16(SRP_BUF_FORMAT_DIRECT |
				   SRP_BUF_FORMAT_INDIRECT);
}
EXPORT_SYMBOL_IF_KUNIT(srpt_build_login_rej);

/**
 * srpt_multichan_decide() - apply the multichannel action of a login
 * @live: channels of the nexus that are not closing.
 * @single: the login asked for SRP_MULTICHAN_SINGLE.
 * @multichan: receives the SRP_LOGIN_RSP_MULTICHAN_* result.
 *
 * Context: any.
 * Return: 0 to accept (closing the others if @single), or
 * SRP_LOGIN_REJ_CHANNEL_LIMIT_REACHED.
 */
VISIBLE_IF_KUNIT u32 srpt_multichan_decide(u32 live, bool single,
					   u8 *multichan)
{
	*multichan = SRP_LOGIN_RSP_MULTICHAN_NO_CHAN;
	if (!live)
		return 0;
	if (single) {
		*multichan = SRP_LOGIN_RSP_MULTICHAN_TERMINATED;
		return 0;
	}
	if (live >= SRPT_MAX_NEXUS_CHANNELS)
		return SRP_LOGIN_REJ_CHANNEL_LIMIT_REACHED;
	*multichan = SRP_LOGIN_RSP_MULTICHAN_MAINTAINED;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_multichan_decide);

/**
 * srpt_req_port() - the port a connection request arrived on
 * @sdev: HCA of the request; NULL once it is being removed.
 * @port: port number reported by the CM (1-based).
 *
 * Context: any.
 * Return: the port, or NULL if there is no HCA or no such port.
 */
VISIBLE_IF_KUNIT struct srpt_port *srpt_req_port(struct srpt_device *sdev,
						 u32 port)
{
	if (!sdev || port < 1 || port > sdev->nports)
		return NULL;
	return &sdev->port[port - 1];
}
EXPORT_SYMBOL_IF_KUNIT(srpt_req_port);

/**
 * srpt_pkey_valid() - whether a channel may use a P_Key
 * @pkey: P_Key, host order.
 *
 * A P_Key whose low 15 bits are zero (0x0000, 0x8000) is invalid
 * (InfiniBand Architecture 10.9.1.2). Both full (bit 15 set) and limited
 * members may log in: the CM already found the key in the port's P_Key
 * table, and the QP is placed in that partition.
 *
 * Context: any.
 * Return: true if @pkey names a partition.
 */
VISIBLE_IF_KUNIT bool srpt_pkey_valid(u16 pkey)
{
	return (pkey & 0x7fff) != 0;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_pkey_valid);

/**
 * srpt_ib_req_parse() - check an IB/CM REQ and read its login
 * @sdev: HCA of the listener (its context); NULL once it is being removed.
 * @p: the REQ.
 * @pdata: its private data, %IB_CM_REQ_PRIVATE_DATA_SIZE bytes.
 * @req: filled in: @req->sport, @req->login (the tag as soon as the login
 *	 could be read) and the RDMA READ depths.
 *
 * Context: any.
 * Return: 0, or the SRP_LOGIN_REJ reason to answer with.
 */
VISIBLE_IF_KUNIT u32 srpt_ib_req_parse(struct srpt_device *sdev,
				       const struct ib_cm_req_event_param *p,
				       const void *pdata, struct srpt_req *req)
{
	u16 pkey;

	if (srpt_login_from_pdata(&req->login, pdata,
				  IB_CM_REQ_PRIVATE_DATA_SIZE, false)) {
		pr_warn_ratelimited("IB/CM REQ on port %u without an SRP_LOGIN_REQ\n",
				    p->port);
		return SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
	}
	req->sport = srpt_req_port(sdev, p->port);
	if (!req->sport) {
		pr_warn_ratelimited("IB/CM REQ on unknown port %u\n", p->port);
		return SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
	}
	pkey = p->primary_path ? be16_to_cpu(p->primary_path->pkey) : 0;
	if (!srpt_pkey_valid(pkey)) {
		pr_warn_ratelimited("IB/CM REQ on port %u with invalid P_Key 0x%04x\n",
				    p->port, pkey);
		return SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
	}
	req->peer_gid = p->primary_path->dgid;
	req->responder_resources = p->responder_resources;
	req->initiator_depth = p->initiator_depth;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_ib_req_parse);

/**
 * srpt_rdma_req_parse() - check an RDMA/CM connect request and read its login
 * @sdev: HCA the request arrived on; NULL if it is not (or no longer) ours.
 * @port: port number of the new connection.
 * @cp: connection parameters with the private data.
 * @req: filled in: @req->sport, @req->login and the RDMA READ depths.
 *
 * Context: any.
 * Return: 0, or the SRP_LOGIN_REJ reason to answer with.
 */
VISIBLE_IF_KUNIT u32 srpt_rdma_req_parse(struct srpt_device *sdev, u32 port,
					 const struct rdma_conn_param *cp,
					 struct srpt_req *req)
{
	if (srpt_login_from_pdata(&req->login, cp->private_data,
				  cp->private_data_len, true)) {
		pr_warn_ratelimited("RDMA/CM connect request without an SRP_LOGIN_REQ (%u bytes of private data)\n",
				    cp->private_data_len);
		return SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
	}
	req->sport = srpt_req_port(sdev, port);
	if (!req->sport) {
		pr_warn_ratelimited("RDMA/CM connect request on a device or port (%u) not served\n",
				    port);
		return SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
	}
	req->responder_resources = cp->responder_resources;
	req->initiator_depth = cp->initiator_depth;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_rdma_req_parse);

/**
 * srpt_format_addr() - name an RDMA/CM initiator by its address
 * @buf: output.
 * @len: size of @buf.
 * @sa: address; IPv4-mapped IPv6 is shown as IPv4, IPv6 fully expanded.
 *
 * Context: any.
 */
VISIBLE_IF_KUNIT void srpt_format_addr(char *buf, size_t len,
				       const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6 = (const void *)sa;

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		snprintf(buf, len, "family-%u", sa->sa_family);
	else if (sa->sa_family == AF_INET6 &&
		 ipv6_addr_v4mapped(&s6->sin6_addr))
		snprintf(buf, len, "%pI4", &s6->sin6_addr.s6_addr32[3]);
	else if (sa->sa_family == AF_INET6)
		snprintf(buf, len, "%pI6", &s6->sin6_addr);
	else
		snprintf(buf, len, "%pI4",
			 &((const struct sockaddr_in *)sa)->sin_addr);
}
EXPORT_SYMBOL_IF_KUNIT(srpt_format_addr);

/* Whether the address @addr of an ACL is the initiator address @sa. */
static bool srpt_addr_matches(const struct sockaddr_storage *addr,
			      const struct sockaddr *sa)
{
	const struct sockaddr_in6 *a6 = (const void *)addr;
	const struct sockaddr_in6 *s6 = (const void *)sa;
	__be32 v4;

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return false;
	if (sa->sa_family == AF_INET6 && !ipv6_addr_v4mapped(&s6->sin6_addr))
		return addr->ss_family == AF_INET6 &&
		       ipv6_addr_equal(&a6->sin6_addr, &s6->sin6_addr);
	if (sa->sa_family == AF_INET6)
		v4 = s6->sin6_addr.s6_addr32[3];
	else
		v4 = ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
	return addr->ss_family == AF_INET &&
	       ((const struct sockaddr_in *)addr)->sin_addr.s_addr == v4;
}

/*
 * Whether the 16 bytes of a port ID ACL, read as an IPv6 address, are
 * the initiator address @sa: an IPv4-mapped one (::ffff:a.b.c.d) for an
 * IPv4 initiator, else an IPv6 address. rtslib-fb only accepts ACL names
 * of 32 hex digits, so this is how targetcli names an RDMA/CM initiator
 * by its address.
 */
static bool srpt_id_is_addr(const u8 id[16], const struct sockaddr *sa)
{
	struct sockaddr_storage addr = {};
	struct sockaddr_in6 *a6 = (void *)&addr;
	struct sockaddr_in *a4 = (void *)&addr;

	memcpy(&a6->sin6_addr, id, 16);
	if (ipv6_addr_any(&a6->sin6_addr))
		return false;
	if (ipv6_addr_v4mapped(&a6->sin6_addr)) {
		a4->sin_family = AF_INET;
		a4->sin_addr.s_addr = a6->sin6_addr.s6_addr32[3];
	} else {
		a6->sin6_family = AF_INET6;
	}
	return srpt_addr_matches(&addr, sa);
}

/**
 * srpt_acl_matches() - whether a node ACL names the initiator of a login
 * @acl: parsed ACL.
 * @i_port_id: initiator port ID from the login.
 * @sa: initiator address of an RDMA/CM login, or NULL.
 *
 * A port ID ACL also names an RDMA/CM initiator whose address its 16
 * bytes spell as an IPv6 or IPv4-mapped IPv6 address. A real initiator
 * port ID (an extension and an EUI-64) of that form is not expected.
 *
 * Context: any.
 * Return: true on a match.
 */
VISIBLE_IF_KUNIT bool srpt_acl_matches(const struct srpt_node_acl *acl,
				       const u8 i_port_id[16],
				       const struct sockaddr *sa)
{
	switch (acl->kind) {
	case SRPT_ACL_PORT_ID:
		return !memcmp(acl->id, i_port_id, 16) ||
		       (sa && srpt_id_is_addr(acl->id, sa));
	case SRPT_ACL_GUID:
		return !memcmp(acl->id + 8, i_port_id + 8, 8);
	case SRPT_ACL_IP:
		return sa && srpt_addr_matches(&acl->addr, sa);
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_acl_matches);

/* Parse "xxxx:xxxx:xxxx:xxxx" (1 to 4 hex digits per group). */
static int srpt_parse_guid(const char *s, u8 guid[8])
{
	u32 i, n;

	for (i = 0; i < 4; i++) {
		u16 v = 0;

		for (n = 0; isxdigit(*s) && n < 4; n++, s++)
			v = v << 4 | hex_to_bin(*s);
		if (!n || *s != (i < 3 ? ':' : '\0'))
			return -EINVAL;
		s++;
		put_unaligned_be16(v, guid + 2 * i);
	}
	return 0;
}

/* Parse an optional "0x" and up to 32 hex digits, right-aligned. */
static int srpt_parse_hex_id(const char *s, u8 id[16], bool exact)
{
	size_t len;

	if (!strncasecmp(s, "0x", 2))
		s += 2;
	len = strlen(s);
	if (!len || len % 2 || len > 32 || (exact && len != 32))
		return -EINVAL;
	memset(id, 0, 16);
	return hex2bin(id + 16 - len / 2, s, len / 2);
}

/**
 * srpt_parse_acl_name() - parse a node ACL name
 * @name: GUID (xxxx:xxxx:xxxx:xxxx), initiator port ID (hex, optional
 *	  0x, left-padded with zeroes), or IPv4 / IPv6 address; an
 *	  IPv4-mapped IPv6 address is stored as IPv4.
 * @acl: receives the kind and value.
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
VISIBLE_IF_KUNIT int srpt_parse_acl_name(const char *name,
					 struct srpt_node_acl *acl)
{
	struct sockaddr_in6 *s6 = (void *)&acl->addr;
	struct sockaddr_in *s4 = (void *)&acl->addr;
	const char *end;

	memset(acl->id, 0, sizeof(acl->id));
	memset(&acl->addr, 0, sizeof(acl->addr));
	if (!srpt_parse_guid(name, acl->id + 8)) {
		acl->kind = SRPT_ACL_GUID;
		return 0;
	}
	if (!srpt_parse_hex_id(name, acl->id, false)) {
		acl->kind = SRPT_ACL_PORT_ID;
		return 0;
	}
	memset(acl->id, 0, sizeof(acl->id));
	acl->kind = SRPT_ACL_IP;
	if (in4_pton(name, -1, (u8 *)&s4->sin_addr, -1, &end) && !*end) {
		s4->sin_family = AF_INET;
		return 0;
	}
	if (in6_pton(name, -1, s6->sin6_addr.s6_addr, -1, &end) && !*end) {
		/* Store ::ffff:a.b.c.d as the IPv4 address it stands for. */
		if (ipv6_addr_v4mapped(&s6->sin6_addr)) {
			__be32 v4 = s6->sin6_addr.s6_addr32[3];

			memset(&acl->addr, 0, sizeof(acl->addr));
			s4->sin_family = AF_INET;
			s4->sin_addr.s_addr = v4;
			return 0;
		}
		s6->sin6_family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_parse_acl_name);

/**
 * srpt_parse_port_name() - parse a target port name
 * @name: port GUID (xxxx:xxxx:xxxx:xxxx) or GID (0x and 32 hex digits,
 *	  32 hex digits, or IPv6 notation).
 * @gid: receives the GID, or the GUID in bytes 8..15.
 * @is_guid: set if @name is a GUID.
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
VISIBLE_IF_KUNIT int srpt_parse_port_name(const char *name, u8 gid[16],
					  bool *is_guid)
{
	const char *end;

	memset(gid, 0, 16);
	*is_guid = !srpt_parse_guid(name, gid + 8);
	if (*is_guid)
		return 0;
	if (!srpt_parse_hex_id(name, gid, true))
		return 0;
	if (in6_pton(name, -1, gid, -1, &end) && !*end)
		return 0;
	return -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_parse_port_name);

/**
 * srpt_attr_parse() - parse a configfs attribute value within a range
 * @page: the written text.
 * @min: smallest valid value.
 * @max: largest valid value.
 * @val: the value.
 *
 * Context: any.
 * Return: 0, or -EINVAL for text that is no number or out of range.
 */
VISIBLE_IF_KUNIT int srpt_attr_parse(const char *page, u32 min, u32 max,
				     u32 *val)
{
	int ret = kstrtou32(page, 0, val);

	if (ret)
		return -EINVAL;
	return *val < min || *val > max ? -EINVAL : 0;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_attr_parse);

/**
 * srpt_iu_check() - whether an IU may be processed on a channel
 * @iu: the IU.
 * @len: its length; bytes of @iu past it are not read.
 *
 * An initiator sends SRP_CMD, SRP_TSK_MGMT and SRP_I_LOGOUT requests,
 * each at least as long as its fixed part, and answers only requests of
 * the target (SRP_CRED_REQ, SRP_AER_REQ), which this target never sends.
 * Anything else means the initiator and the target no longer agree on
 * the channel, and the channel is logged out.
 *
 * Context: any.
 * Return: 0, or the SRP_T_LOGOUT reason.
 */
VISIBLE_IF_KUNIT u32 srpt_iu_check(const u8 *iu, u32 len)
{
	u32 min;

	if (!len)
		return SRPT_T_LOGOUT_INVALID_IU_LEN;
	switch (iu[0]) {
	case SRP_CMD:
		min = sizeof(struct srp_cmd);
		break;
	case SRP_TSK_MGMT:
		min = sizeof(struct srp_tsk_mgmt);
		break;
	case SRP_I_LOGOUT:
		min = sizeof(struct srp_i_logout);
		break;
	case SRP_CRED_RSP:
	case SRP_AER_RSP:
		return SRPT_T_LOGOUT_UNEXPECTED_RSP;
	default:
		return SRPT_T_LOGOUT_INVALID_IU_TYPE;
	}
	return len < min ? SRPT_T_LOGOUT_INVALID_IU_LEN : 0;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_iu_check);

/**
 * srpt_parse_cmd() - validate an SRP_CMD and locate its data descriptors
 * @cmd: the request, inside a receive buffer.
 * @byte_len: bytes received.
 * @params: login parameters of the channel (immediate data).
 * @d: result.
 *
 * Every length read from the wire is checked against @byte_len with
 * overflow-checked arithmetic before it is used. Indirect tables must
 * be complete inside the IU; bidirectional commands are not supported.
 *
 * Context: any.
 * Return: 0, or the sense reason to answer the command with.
 */
VISIBLE_IF_KUNIT sense_reason_t srpt_parse_cmd(struct srp_cmd *cmd,
					       u32 byte_len,
					       const struct srpt_login_params *params,
					       struct srpt_cmd_desc *d)
{
	struct srp_indirect_buf *idb;
	struct srp_imm_buf *imm;
	u32 off, end, len = 0, cnt, i;
	u8 out_fmt, in_fmt, fmt;

	memset(d, 0, sizeof(*d));
	d->dir = DMA_NONE;
	if (byte_len < sizeof(*cmd))
		return TCM_INVALID_FIELD_IN_COMMAND_IU;
	out_fmt = cmd->buf_fmt >> 4;
	in_fmt = cmd->buf_fmt & 0xf;
	/* ADDITIONAL CDB LENGTH: bits 7..2, in 4-byte words. */
	off = sizeof(*cmd) + (cmd->add_cdb_len & 0xfc);
	if (off > byte_len)
		return TCM_INVALID_FIELD_IN_COMMAND_IU;
	d->cdb_len = sizeof(cmd->cdb) + (cmd->add_cdb_len & 0xfc);
	if (scsi_command_size(cmd->cdb) > d->cdb_len)
		return TCM_INVALID_CDB_FIELD;
	if (out_fmt && in_fmt)
		return TCM_INVALID_FIELD_IN_COMMAND_IU;
	fmt = out_fmt ? out_fmt : in_fmt;
	cnt = out_fmt ? cmd->data_out_desc_cnt : cmd->data_in_desc_cnt;

	switch (fmt) {
	case SRP_NO_DATA_DESC:
		return 0;
	case SRP_DATA_DESC_DIRECT:
		if (check_add_overflow(off, (u32)sizeof(*d->desc), &end) ||
		    end > byte_len)
			return TCM_INVALID_FIELD_IN_COMMAND_IU;
		d->desc = (void *)cmd + off;
		d->ndesc = 1;
		len = be32_to_cpu(d->desc->len);
		break;
	case SRP_DATA_DESC_INDIRECT:
		if (check_add_overflow(off, (u32)sizeof(*idb), &end) ||
		    end > byte_len)
			return TCM_INVALID_FIELD_IN_COMMAND_IU;
		idb = (void *)cmd + off;
		i = be32_to_cpu(idb->table_desc.len);
		if (!i || i % sizeof(*d->desc))
			return TCM_INVALID_FIELD_IN_COMMAND_IU;
		d->ndesc = i / sizeof(*d->desc);
		/* A table only partly inside the IU is not supported. */
		if (d->ndesc != cnt)
			return TCM_INVALID_FIELD_IN_COMMAND_IU;
		if (check_add_overflow(end, d->ndesc * (u32)sizeof(*d->desc),
				       &end) || end > byte_len)
			return TCM_INVALID_FIELD_IN_COMMAND_IU;
		d->desc = idb->desc_list;
		for (i = 0; i < d->ndesc; i++)
			if (check_add_overflow(len,
					       be32_to_cpu(d->desc[i].len),
					       &len))
				return TCM_INVALID_FIELD_IN_COMMAND_IU;
		if (len != be32_to_cpu(idb->len))
			return TCM_INVALID_FIELD_IN_COMMAND_IU;
		break;
	case SRP_DATA_DESC_IMM:
		if (in_fmt || !params->use_imm_data)
			return TCM_INVALID_FIELD_IN_COMMAND_IU;
		if (check_add_overflow(off, (u32)sizeof(*imm), &end) ||
		    end > params->imm_data_offset || end > byte_len)
			return TCM_INVALID_FIELD_IN_COMMAND_IU;
		imm = (void *)cmd + off;
		len = be32_to_cpu(imm->len);
		if (check_add_overflow((u32)params->imm_data_offset, len,
				       &end) || end > byte_len)
			return TCM_INVALID_FIELD_IN_COMMAND_IU;
		d->imm = (void *)cmd + params->imm_data_offset;
		break;
	default:
		return TCM_INVALID_FIELD_IN_COMMAND_IU;
	}
	if (len > SRPT_MAX_DATA_LEN) {
		d->ndesc = 0;
		return TCM_INVALID_FIELD_IN_COMMAND_IU;
	}
	d->data_len = len;
	/*
	 * An empty buffer keeps its direction, so that a command expecting
	 * data is answered with DIOVER or DOOVER, but offers nothing to map.
	 */
	d->dir = out_fmt ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	if (!len) {
		d->desc = NULL;
		d->ndesc = 0;
		d->imm = NULL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_parse_cmd);

/**
 * srpt_task_attr() - target core task attribute of an SRP_CMD
 * @attr: TASK ATTRIBUTE field.
 *
 * Context: any.
 * Return: TCM_*_TAG.
 */
VISIBLE_IF_KUNIT int srpt_task_attr(u8 attr)
{
	switch (attr & 7) {
	case 1:
		return TCM_HEAD_TAG;
	case 2:
		return TCM_ORDERED_TAG;
	case 4:
		return TCM_ACA_TAG;
	default:
		return TCM_SIMPLE_TAG;
	}
}
EXPORT_SYMBOL_IF_KUNIT(srpt_task_attr);

/**
 * srpt_build_rsp() - fill in an SRP_RSP
 * @buf: response buffer.
 * @size: size of @buf; at least %SRPT_MIN_RSP_SIZE.
 * @tag: tag of the request.
 * @status: SCSI status.
 * @sense: sense data, or NULL.
 * @sense_len: length of @sense; truncated to what fits in @size.
 * @flags: SRP_RSP_FLAG_DO* and SRP_RSP_FLAG_DI* residual flags.
 * @data_out_res: data-out residual count.
 * @data_in_res: data-in residual count.
 * @req_lim_delta: credits returned.
 *
 * Context: any.
 * Return: length of the response.
 */
VISIBLE_IF_KUNIT u32 srpt_build_rsp(void *buf, u32 size, u64 tag, u8 status,
				    const u8 *sense, u32 sense_len, u8 flags,
				    u32 data_out_res, u32 data_in_res,
				    u32 req_lim_delta)
{
	struct srp_rsp *rsp = buf;

	memset(rsp, 0, sizeof(*rsp));
	rsp->opcode = SRP_RSP;
	rsp->req_lim_delta = cpu_to_be32(req_lim_delta);
	rsp->tag = tag;
	rsp->status = status;
	rsp->flags = flags;
	rsp->data_out_res_cnt = cpu_to_be32(data_out_res);
	rsp->data_in_res_cnt = cpu_to_be32(data_in_res);
	if (!sense || !sense_len)
		return sizeof(*rsp);
	sense_len = min_t(u32, sense_len, size - sizeof(*rsp));
	rsp->flags |= SRP_RSP_FLAG_SNSVALID;
	rsp->sense_data_len = cpu_to_be32(sense_len);
	memcpy(rsp->data, sense, sense_len);
	return sizeof(*rsp) + sense_len;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_build_rsp);

/**
 * srpt_build_code_rsp() - fill in an SRP_RSP carrying a response code
 * @buf: response buffer of at least %SRPT_MIN_RSP_SIZE bytes.
 * @tag: tag of the request.
 * @code: SRP response code.
 * @req_lim_delta: credits returned.
 *
 * Context: any.
 * Return: length of the response.
 */
VISIBLE_IF_KUNIT u32 srpt_build_code_rsp(void *buf, u64 tag, u8 code,
					 u32 req_lim_delta)
{
	struct srp_rsp *rsp = buf;

	memset(rsp, 0, sizeof(*rsp) + 4);
	rsp->opcode = SRP_RSP;
	rsp->req_lim_delta = cpu_to_be32(req_lim_delta);
	rsp->tag = tag;
	rsp->flags = SRP_RSP_FLAG_RSPVALID;
	rsp->resp_data_len = cpu_to_be32(4);
	rsp->data[3] = code;
	return sizeof(*rsp) + 4;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_build_code_rsp);

/**
 * srpt_tmf_to_tcm() - map an SRP task management function
 * @srp_fn: SRP_TSK_* function code.
 *
 * Context: any.
 * Return: the TMR_* function, or -EINVAL for an unknown code.
 */
VISIBLE_IF_KUNIT int srpt_tmf_to_tcm(u8 srp_fn)
{
	switch (srp_fn) {
	case SRP_TSK_ABORT_TASK:
		return TMR_ABORT_TASK;
	case SRP_TSK_ABORT_TASK_SET:
		return TMR_ABORT_TASK_SET;
	case SRP_TSK_CLEAR_TASK_SET:
		return TMR_CLEAR_TASK_SET;
	case SRP_TSK_LUN_RESET:
		return TMR_LUN_RESET;
	case SRP_TSK_CLEAR_ACA:
		return TMR_CLEAR_ACA;
	default:
		return -EINVAL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(srpt_tmf_to_tcm);

/**
 * srpt_tmr_rsp_code() - SRP response code for a target core TMR result
 * @tmr_response: TMR_* response.
 *
 * Context: any.
 * Return: SRP response code.
 */
VISIBLE_IF_KUNIT u8 srpt_tmr_rsp_code(u8 tmr_response)
{
	switch (tmr_response) {
	case TMR_FUNCTION_COMPLETE:
	case TMR_TASK_DOES_NOT_EXIST:
		return SRPT_RSP_CODE_COMPLETE;
	case TMR_TASK_MGMT_FUNCTION_NOT_SUPPORTED:
		return SRPT_RSP_CODE_NOT_SUPPORTED;
	default:
		return SRPT_RSP_CODE_FAILED;
	}
}
EXPORT_SYMBOL_IF_KUNIT(srpt_tmr_rsp_code);

/**
 * srpt_sq_budget() - send work requests a channel's commands may reserve
 * @qp_send_wr: send queue depth the HCA gave the QP.
 * @cq_size: CQ entries taken for the channel.
 * @recv_wrs: receive work requests that can complete on the same CQ.
 *
 * An HCA may make the send queue deeper than asked (mlx5 rounds up),
 * but a QP that fails flushes every work request it holds into the CQ:
 * commands may only hold what the CQ can absorb besides the receives.
 * One more slot stays free for an SRP_T_LOGOUT (srpt_ch_logout()).
 *
 * Context: any.
 * Return: the budget; 0 if nothing fits.
 */
VISIBLE_IF_KUNIT u32 srpt_sq_budget(u32 qp_send_wr, u32 cq_size, u32 recv_wrs)
{
	u32 n = cq_size > recv_wrs ? min(qp_send_wr, cq_size - recv_wrs) : 0;

	return n ? n - 1 : 0;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_sq_budget);

/**
 * srpt_cmd_max_wrs() - send work requests of the largest command
 * @it_iu_len: negotiated maximum initiator-to-target IU length.
 * @sge: scatter/gather entries of one RDMA READ or WRITE work request.
 * @mr_pages: pages one memory registration covers; 0 when the device
 *	      reads and writes without registering memory.
 *
 * A command has at most 255 descriptors (the count is a byte) and no
 * more than its IU holds, together at most SRPT_MAX_DATA_LEN bytes.
 * Each descriptor gets fresh pages, one more per descriptor at most
 * than the bytes need, and takes ceil(pages / @sge) work requests, or
 * three (register, RDMA, invalidate) per registration.
 *
 * Context: any.
 * Return: an upper bound on the RDMA work requests of one command.
 */
VISIBLE_IF_KUNIT u32 srpt_cmd_max_wrs(u32 it_iu_len, u32 sge, u32 mr_pages)
{
	const u32 hdr = sizeof(struct srp_cmd) + sizeof(struct srp_indirect_buf);
	u32 desc = 1, pages, wrs;

	if (it_iu_len > hdr)
		desc = clamp_t(u32, (it_iu_len - hdr) /
			       sizeof(struct srp_direct_buf), 1, U8_MAX);
	pages = (SRPT_MAX_DATA_LEN >> PAGE_SHIFT) + desc;
	wrs = desc + DIV_ROUND_UP(pages, max(sge, 1U));
	if (mr_pages)
		wrs = max(wrs, 3 * (desc + DIV_ROUND_UP(pages, mr_pages)));
	return wrs;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_cmd_max_wrs);

/**
 * srpt_sq_need() - send queue depth a channel needs
 * @credits: commands the initiator may have outstanding.
 * @ctx_wrs: work requests of one RDMA context (1, or 3 with memory
 *	     registration).
 * @cmd_max_wrs: RDMA work requests of the largest command.
 *
 * Enough for every credit's response and one RDMA context each, and
 * for the largest command with its response on its own; a command that
 * finds the queue full waits for space (srpt_sq_reserve()), so the
 * queue need not hold the worst case of every credit at once. One more
 * entry is for an SRP_T_LOGOUT.
 *
 * Context: any.
 * Return: the depth.
 */
VISIBLE_IF_KUNIT u32 srpt_sq_need(u32 credits, u32 ctx_wrs, u32 cmd_max_wrs)
{
	return max(credits * (1 + ctx_wrs), cmd_max_wrs + 1) + 1;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_sq_need);

/**
 * srpt_recv_layout() - how receive buffers are packed into page runs
 * @size: bytes of one buffer.
 * @n: buffers.
 * @align: alignment of each buffer; a power of two.
 * @data_off: offset of immediate data in an IU, or 0 without it.
 * @l: result.
 *
 * Buffers start on @align (at least a cache line, so that no two share
 * one) and as many as fit go into one run of at most
 * PAGE_ALLOC_COSTLY_ORDER pages. With immediate data, each buffer starts
 * @data_off bytes before a %SRPT_IMM_ALIGN boundary instead, so that the
 * data can be handed to the backend where it is; a gap of at least a
 * cache line then separates neighbours.
 *
 * Context: any.
 */
VISIBLE_IF_KUNIT void srpt_recv_layout(u32 size, u32 n, u32 align,
				       u32 data_off,
				       struct srpt_recv_layout *l)
{
	const u32 run = PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER;
	const u32 line = max_t(u32, align, SMP_CACHE_BYTES);
	u32 a = max_t(u32, line, SRPT_IMM_ALIGN);

	if (data_off) {
		l->head = ALIGN(data_off, a) - data_off;
		l->stride = ALIGN(size + line, a);
	} else {
		l->head = 0;
		l->stride = ALIGN(size, line);
	}
	l->per_chunk = clamp_t(u32, (run - l->head) / l->stride, 1,
			       max(n, 1U));
}
EXPORT_SYMBOL_IF_KUNIT(srpt_recv_layout);

static u16 srpt_dm_class_port_info(struct srpt_dm_mad *out)
{
	struct ib_class_port_info *cpi = (void *)out->data;

	cpi->base_version = IB_MGMT_BASE_VERSION;
	cpi->class_version = 1;
	/* Response time value 20: 4.096 us << 20, about 4 s. */
	cpi->cap_mask2_resp_time = cpu_to_be32(20);
	return IB_MGMT_MAD_STATUS_SUCCESS;
}

static u16 srpt_dm_iou_info(struct srpt_dm_mad *out)
{
	struct srpt_dm_iou_info *iou = (void *)out->data;

	iou->change_id = cpu_to_be16(1);
	iou->max_controllers = SRPT_DM_IOC_SLOTS;
	/* Slot 1, the upper nibble of byte 0, holds our only IOC. */
	iou->controller_list[0] = 0x10;
	return IB_MGMT_MAD_STATUS_SUCCESS;
}

static u16 srpt_dm_check_slot(u32 slot)
{
	if (slot == 0 || slot > SRPT_DM_IOC_SLOTS)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	if (slot != 1)
		return SRPT_DM_STATUS_NO_IOC;
	return IB_MGMT_MAD_STATUS_SUCCESS;
}

static u16 srpt_dm_ioc_profile(struct srpt_dm_mad *out, u32 slot,
			       const struct ib_device_attr *attrs,
			       const char *ibdev_name, u64 service_guid,
			       u32 max_req_size, u32 rdma_size)
{
	struct srpt_dm_ioc_profile *p = (void *)out->data;
	u16 status = srpt_dm_check_slot(slot);

	if (status != IB_MGMT_MAD_STATUS_SUCCESS)
		return status;
	p->guid = cpu_to_be64(service_guid);
	p->vendor_id = cpu_to_be32((attrs->vendor_id & 0xffffff) << 8);
	p->device_id = cpu_to_be32(attrs->vendor_part_id);
	p->device_version = cpu_to_be16(attrs->hw_ver);
	p->subsys_vendor_id = p->vendor_id;
	p->subsys_device_id = p->device_id;
	p->io_class = cpu_to_be16(SRP_REV16A_IB_IO_CLASS);
	p->io_subclass = cpu_to_be16(SRPT_IO_SUBCLASS);
	p->protocol = cpu_to_be16(SRPT_IO_PROTOCOL);
	p->protocol_version = cpu_to_be16(SRPT_IO_PROTOCOL_VERSION);
	p->send_queue_depth = cpu_to_be16(SRPT_MAX_CREDITS);
	p->rdma_read_depth = 4;
	p->send_size = cpu_to_be32(max_req_size);
	p->rdma_size = cpu_to_be32(min_t(u32, rdma_size, SRPT_MAX_RDMA_SIZE));
	p->op_cap_mask = SRPT_IOC_CAP_MASK;
	p->num_svc_entries = 1;
	snprintf(p->id_string, sizeof(p->id_string), "SRP target %s",
		 ibdev_name);
	return IB_MGMT_MAD_STATUS_SUCCESS;
}

static u16 srpt_dm_svc_entries(struct srpt_dm_mad *out, u32 attr_mod,
			       u64 service_guid)
{
	struct srpt_dm_svc_entry *e = (void *)out->data;
	u32 slot = attr_mod >> 16, hi = (attr_mod >> 8) & 0xff;
	u32 lo = attr_mod & 0xff;
	u16 status = srpt_dm_check_slot(slot);

	if (status != IB_MGMT_MAD_STATUS_SUCCESS)
		return status;
	/* One service entry: index 0 only. */
	if (lo > hi || hi != 0)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	snprintf(e->name, sizeof(e->name), "SRP.T10:%016llx", service_guid);
	e->id = cpu_to_be64(service_guid);
	return IB_MGMT_MAD_STATUS_SUCCESS;
}

/**
 * srpt_dm_build() - answer a device management request
 * @in: the request.
 * @out: the response; its header is copied from @in and completed.
 * @attrs: HCA attributes, for the IOC profile.
 * @ibdev_name: HCA name, for the IOC ID string.
 * @service_guid: IOC GUID and service ID.
 * @max_req_size: largest SRP request, advertised as send size.
 * @rdma_size: advertised RDMA transfer size.
 *
 * Context: any.
 * Return: the MAD status placed in @out.
 */
VISIBLE_IF_KUNIT u16 srpt_dm_build(const struct srpt_dm_mad *in,
				   struct srpt_dm_mad *out,
				   const struct ib_device_attr *attrs,
				   const char *ibdev_name, u64 service_guid,
				   u32 max_req_size, u32 rdma_size)
{
	u32 attr_mod = be32_to_cpu(in->hdr.attr_mod);
	u16 status;

	memset(out, 0, sizeof(*out));
	out->hdr = in->hdr;
	out->hdr.method = IB_MGMT_METHOD_GET_RESP;
	if (in->hdr.method != IB_MGMT_METHOD_GET) {
		status = in->hdr.method == IB_MGMT_METHOD_SET ?
			IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB :
			IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD;
		goto out;
	}
	switch (be16_to_cpu(in->hdr.attr_id)) {
	case SRPT_DM_ATTR_CLASS_PORT_INFO:
		status = srpt_dm_class_port_info(out);
		break;
	case SRPT_DM_ATTR_IOU_INFO:
		status = srpt_dm_iou_info(out);
		break;
	case SRPT_DM_ATTR_IOC_PROFILE:
		status = srpt_dm_ioc_profile(out, attr_mod, attrs, ibdev_name,
					     service_guid, max_req_size,
					     rdma_size);
		break;
	case SRPT_DM_ATTR_SVC_ENTRIES:
		status = srpt_dm_svc_entries(out, attr_mod, service_guid);
		break;
	default:
		status = IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
		break;
	}
out:
	out->hdr.status = cpu_to_be16(status);
	return status;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_dm_build);

/* ---------------------------------------------------------------------
 * HCAs, ports and device management (InfiniBand Architecture, chapter 16.3)
 */

static struct srpt_device *srpt_sdev_get(struct srpt_device *sdev)
{
	kref_get(&sdev->kref);
	return sdev;
}

static void srpt_sdev_free(struct kref *kref)
{
	kfree(container_of(kref, struct srpt_device, kref));
}

static void srpt_sdev_put(struct srpt_device *sdev)
{
	kref_put(&sdev->kref, srpt_sdev_free);
}

/*
 * The device serving @device, with a reference, or NULL once its
 * removal started: the CM may still deliver requests then.
 */
static struct srpt_device *srpt_sdev_lookup(struct ib_device *device)
{
	struct srpt_device *sdev, *found = NULL;

	mutex_lock(&srpt_dev_mutex);
	list_for_each_entry(sdev, &srpt_dev_list, list)
		if (sdev->device == device) {
			found = srpt_sdev_get(sdev);
			break;
		}
	mutex_unlock(&srpt_dev_mutex);
	return found;
}

/**
 * srpt_buf_alloc() - allocate and DMA-map an information unit buffer
 * @sdev: device the buffer is mapped for.
 * @b: buffer descriptor to fill in.
 * @size: size in bytes.
 * @dir: DMA direction.
 *
 * Context: process context.
 * Return: 0 or -ENOMEM.
 */
static int srpt_buf_alloc(struct srpt_device *sdev, struct srpt_buf *b,
			  u32 size, enum dma_data_direction dir)
{
	b->buf = kmalloc(size, GFP_KERNEL);
	if (!b->buf)
		return -ENOMEM;
	b->dma = ib_dma_map_single(sdev->device, b->buf, size, dir);
	if (ib_dma_mapping_error(sdev->device, b->dma)) {
		kfree(b->buf);
		b->buf = NULL;
		return -ENOMEM;
	}
	b->size = size;
	return 0;
}

static void srpt_buf_free(struct srpt_device *sdev, struct srpt_buf *b,
			  enum dma_data_direction dir)
{
	if (!b->buf)
		return;
	ib_dma_unmap_single(sdev->device, b->dma, b->size, dir);
	kfree(b->buf);
	b->buf = NULL;
}

/**
 * srpt_post_recv() - post a receive buffer to a QP or to the device SRQ
 * @sdev: device.
 * @qp: QP, unused when @ioctx belongs to the SRQ.
 * @ioctx: receive buffer.
 *
 * Context: any.
 * Return: 0 or a negative errno from ib_post_recv()/ib_post_srq_recv().
 */
static int srpt_post_recv(struct srpt_device *sdev, struct ib_qp *qp,
			  struct srpt_recv_ioctx *ioctx)
{
	struct ib_sge sge = {
		.addr = ioctx->iu.dma,
		.length = ioctx->iu.size,
		.lkey = sdev->pd->local_dma_lkey,
	};
	struct ib_recv_wr wr = {
		.wr_cqe = &ioctx->iu.cqe,
		.sg_list = &sge,
		.num_sge = 1,
	};

	if (ioctx->srq)
		return ib_post_srq_recv(sdev->srq, &wr, NULL);
	return ib_post_recv(qp, &wr, NULL);
}

/**
 * srpt_port_refresh() - re-read a port's LID, SM LID and GID
 * @sport: port.
 *
 * Context: process context.
 */
static void srpt_port_refresh(struct srpt_port *sport)
{
	struct srpt_device *sdev = sport->sdev;
	struct ib_port_attr attr;
	union ib_gid gid;

	if (ib_query_port(sdev->device, sport->port, &attr) == 0) {
		WRITE_ONCE(sport->lid, attr.lid);
		sport->sm_lid = attr.sm_lid;
	}
	if (rdma_query_gid(sdev->device, sport->port, 0, &gid))
		return;
	mutex_lock(&sdev->mutex);
	if (sport->gid_id && memcmp(&sport->gid, &gid, sizeof(gid)))
		pr_warn("target port %s: HCA port %s/%u now has GID %pI6; the target port keeps serving it under its old name\n",
			sport->gid_id->name, dev_name(&sdev->device->dev),
			sport->port, gid.raw);
	sport->gid = gid;
	snprintf(sport->guid_name, sizeof(sport->guid_name),
		 "%04x:%04x:%04x:%04x", be16_to_cpup((__be16 *)&gid.raw[8]),
		 be16_to_cpup((__be16 *)&gid.raw[10]),
		 be16_to_cpup((__be16 *)&gid.raw[12]),
		 be16_to_cpup((__be16 *)&gid.raw[14]));
	snprintf(sport->gid_name, sizeof(sport->gid_name), "0x%016llx%016llx",
		 be64_to_cpu(gid.global.subnet_prefix),
		 be64_to_cpu(gid.global.interface_id));
	mutex_unlock(&sdev->mutex);
}

/*
 * A CM message sent through a port that is down fails, and soft-RoCE
 * then moves the device's QP1 to the error state for good: no IB/CM or
 * RDMA/CM connection works on the device afterwards. So nothing is sent
 * while the port is down: a channel closed then sends no disconnect
 * request, and its CM ID waits for the port (srpt_ch_park()).
 *
 * A RoCE port is down as soon as its network device stops: its QPs
 * fail at once, and their completions arrive before the port event
 * updates the cached port state.
 *
 * Context: process context.
 */
static bool srpt_port_is_down(struct srpt_port *sport)
{
	struct ib_device *dev = sport->sdev->device;
	struct net_device *ndev;
	enum ib_port_state state;
	bool down = false;

	if (rdma_protocol_roce(dev, sport->port)) {
		ndev = ib_device_get_netdev(dev, sport->port);
		if (ndev) {
			down = !netif_running(ndev) || !netif_carrier_ok(ndev);
			dev_put(ndev);
		}
	}
	if (down || ib_get_cached_port_state(dev, sport->port, &state))
		return down;
	return state != IB_PORT_ACTIVE && state != IB_PORT_ACTIVE_DEFER;
}

/**
 * srpt_event_handler() - asynchronous HCA event
 * @handler: registered handler.
 * @event: the event.
 *
 * Port changes are handled in process context by srpt_port_work().
 *
 * Context: any, including interrupt context.
 */
static void srpt_event_handler(struct ib_event_handler *handler,
			       struct ib_event *event)
{
	struct srpt_device *sdev =
		container_of(handler, struct srpt_device, event_handler);
	u32 port = event->element.port_num;

	switch (event->event) {
	case IB_EVENT_PORT_ACTIVE:
	case IB_EVENT_PORT_ERR:
	case IB_EVENT_LID_CHANGE:
	case IB_EVENT_PKEY_CHANGE:
	case IB_EVENT_SM_CHANGE:
	case IB_EVENT_CLIENT_REREGISTER:
	case IB_EVENT_GID_CHANGE:
		if (port >= 1 && port <= sdev->nports)
			queue_work(srpt_wq, &sdev->port[port - 1].work);
		break;
	default:
		break;
	}
}

static void srpt_mad_send_done(struct ib_mad_agent *agent,
			       struct ib_mad_send_wc *wc)
{
	rdma_destroy_ah(wc->send_buf->ah, RDMA_DESTROY_AH_SLEEPABLE);
	ib_free_send_mad(wc->send_buf);
}

/**
 * srpt_mad_recv_done() - answer a device management MAD
 * @agent: MAD agent of the port.
 * @send_buf: unused.
 * @wc: the received MAD.
 *
 * Context: process context (MAD workqueue).
 */
static void srpt_mad_recv_done(struct ib_mad_agent *agent,
			       struct ib_mad_send_buf *send_buf,
			       struct ib_mad_recv_wc *wc)
{
	struct srpt_port *sport = agent->context;
	struct srpt_device *sdev = sport->sdev;
	struct ib_mad_send_buf *rsp;
	struct ib_ah *ah;
	u32 rdma_size;

	if (!wc->wc || !wc->recv_buf.mad)
		goto free_wc;
	ah = ib_create_ah_from_wc(agent->qp->pd, wc->wc, wc->recv_buf.grh,
				  agent->port_num);
	if (IS_ERR(ah))
		goto free_wc;
	rsp = ib_create_send_mad(agent, wc->wc->src_qp, wc->wc->pkey_index, 0,
				 IB_MGMT_DEVICE_HDR, IB_MGMT_DEVICE_DATA,
				 GFP_KERNEL, IB_MGMT_BASE_VERSION);
	if (IS_ERR(rsp))
		goto destroy_ah;
	rsp->ah = ah;
	rdma_size = READ_ONCE(sport->attrib.srp_max_rdma_size);
	srpt_dm_build((const void *)wc->recv_buf.mad, rsp->mad,
		      &sdev->device->attrs, dev_name(&sdev->device->dev),
		      srpt_service_guid, srp_max_req_size, rdma_size);
	if (ib_post_send_mad(rsp, NULL))
		goto free_rsp;
	ib_free_recv_mad(wc);
	return;

free_rsp:
	ib_free_send_mad(rsp);
destroy_ah:
	rdma_destroy_ah(ah, RDMA_DESTROY_AH_SLEEPABLE);
free_wc:
	ib_free_recv_mad(wc);
}

/**
 * srpt_mad_register() - serve device management on an InfiniBand port
 * @sport: port.
 *
 * Soft-RoCE and other Ethernet link layers have no device management
 * class; only InfiniBand ports get an agent.
 *
 * Context: process context.
 */
static void srpt_mad_register(struct srpt_port *sport)
{
	struct ib_device *dev = sport->sdev->device;
	struct ib_port_modify mod = { .set_port_cap_mask =
				      IB_PORT_DEVICE_MGMT_SUP };
	struct ib_mad_reg_req req = {
		.mgmt_class = IB_MGMT_CLASS_DEVICE_MGMT,
		.mgmt_class_version = IB_MGMT_BASE_VERSION,
	};
	struct ib_mad_agent *agent;

	if (!rdma_protocol_ib(dev, sport->port))
		return;
	set_bit(IB_MGMT_METHOD_GET, req.method_mask);
	set_bit(IB_MGMT_METHOD_SET, req.method_mask);
	if (ib_modify_port(dev, sport->port, 0, &mod))
		dev_info(&dev->dev, "port %u: cannot advertise device management\n",
			 sport->port);
	agent = ib_register_mad_agent(dev, sport->port, IB_QPT_GSI, &req, 0,
				      srpt_mad_send_done, srpt_mad_recv_done,
				      sport, 0);
	if (IS_ERR(agent)) {
		dev_info(&dev->dev, "port %u: no device management agent (%ld)\n",
			 sport->port, PTR_ERR(agent));
		return;
	}
	sport->mad_agent = agent;
}

static void srpt_mad_unregister(struct srpt_port *sport)
{
	struct ib_port_modify mod = { .clr_port_cap_mask =
				      IB_PORT_DEVICE_MGMT_SUP };

	if (!sport->mad_agent)
		return;
	ib_modify_port(sport->sdev->device, sport->port, 0, &mod);
	ib_unregister_mad_agent(sport->mad_agent);
	sport->mad_agent = NULL;
}

/* ---------------------------------------------------------------------
 * Channel state: the one setter, closing, and SRP_T_LOGOUT
 */

static const char *const srpt_ch_state_names[] = {
	[SRPT_CH_CONNECTING] = "connecting",
	[SRPT_CH_LIVE] = "live",
	[SRPT_CH_DISCONNECTING] = "disconnecting",
	[SRPT_CH_DRAINING] = "draining",
	[SRPT_CH_RELEASED] = "released",
};

/**
 * srpt_ch_set_state() - move a channel forward in its life cycle
 * @ch: channel.
 * @new: new state; must be later than the current one.
 *
 * The only place where &srpt_rdma_ch.state changes.
 *
 * Context: process context; takes &ch->lock.
 * Return: the previous state; equal to or later than @new if nothing
 * changed.
 */
static enum srpt_ch_state srpt_ch_set_state(struct srpt_rdma_ch *ch,
					    enum srpt_ch_state new)
{
	enum srpt_ch_state prev;

	spin_lock(&ch->lock);
	prev = ch->state;
	if (prev < new)
		ch->state = new;
	spin_unlock(&ch->lock);
	if (prev < new)
		trace_srpt_ch_state(ch->sess_name, ch->qp_num,
				    srpt_ch_state_names[prev],
				    srpt_ch_state_names[new]);
	return prev;
}

static bool srpt_ch_is_live(struct srpt_rdma_ch *ch)
{
	return READ_ONCE(ch->state) == SRPT_CH_LIVE;
}

/*
 * Send a disconnect request (unless the port is down, see
 * srpt_port_is_down()), move the QP to the error state so that
 * outstanding work completes, and queue the release work: once per
 * channel, after it left LIVE.
 */
static void srpt_ch_disconnect(struct srpt_rdma_ch *ch)
{
	struct ib_qp_attr attr = { .qp_state = IB_QPS_ERR };
	bool done;

	spin_lock(&ch->lock);
	done = ch->disconnected;
	ch->disconnected = true;
	spin_unlock(&ch->lock);
	if (done)
		return;
	if (srpt_port_is_down(ch->sport)) {
		ch->dreq_held = true;
		ib_modify_qp(ch->qp, &attr, IB_QP_STATE);
	} else if (ch->rdma_cm_id) {
		rdma_disconnect(ch->rdma_cm_id);
	} else {
		ib_send_cm_dreq(ch->ib_cm_id, NULL, 0);
		ib_modify_qp(ch->qp, &attr, IB_QP_STATE);
	}
	queue_work(srpt_wq, &ch->release_work);
}

/**
 * srpt_ch_close() - start closing a channel
 * @ch: channel.
 *
 * Stops the channel and disconnects it, once; a channel whose
 * SRP_T_LOGOUT is still on its way (srpt_ch_logout()) is disconnected
 * now, and one being released already is left alone.
 *
 * Context: process context.
 */
static void srpt_ch_close(struct srpt_rdma_ch *ch)
{
	if (srpt_ch_set_state(ch, SRPT_CH_DISCONNECTING) <=
	    SRPT_CH_DISCONNECTING)
		srpt_ch_disconnect(ch);
}

/* Why srpt_ch_logout() ends a channel; @reason is one of these. */
static const char *const srpt_logout_reason_names[] = {
	[SRPT_T_LOGOUT_INVALID_IU_TYPE] = "invalid IU type",
	[SRPT_T_LOGOUT_UNEXPECTED_RSP] = "response to no request",
	[SRPT_T_LOGOUT_MULTICHAN] = "multi-channel action of a new login",
	[SRPT_T_LOGOUT_INVALID_IU_LEN] = "invalid IU length",
};

/**
 * srpt_ch_logout() - log a live channel out with an SRP_T_LOGOUT
 * @ch: channel.
 * @reason: SRPT_T_LOGOUT_* reason (SRP r16a), see srpt_logout_reason_names.
 * @tag: tag of the IU that caused it, or 0.
 *
 * The channel stops serving at once; the disconnect follows the
 * SRP_T_LOGOUT's completion (srpt_tlogout_done()), so that the reason
 * reaches the initiator first, but no later than
 * %SRPT_T_LOGOUT_TIMEOUT: an initiator that posts no receive buffer
 * (RNR retries are unlimited) or is gone must not keep the channel.
 * The SRP_T_LOGOUT has a send-queue slot of its own, set aside at login.
 *
 * Context: process context.
 * Return: false if the channel was not live; nothing was done.
 */
static bool srpt_ch_logout(struct srpt_rdma_ch *ch, u32 reason, u64 tag)
{
	struct srp_t_logout *t = ch->tlogout.buf;
	struct ib_sge sge = {
		.addr = ch->tlogout.dma,
		.length = sizeof(*t),
		.lkey = ch->sport->sdev->pd->local_dma_lkey,
	};
	struct ib_send_wr wr = {
		.wr_cqe = &ch->tlogout.cqe,
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = IB_WR_SEND,
		.send_flags = IB_SEND_SIGNALED,
	};

	if (srpt_ch_set_state(ch, SRPT_CH_DISCONNECTING) != SRPT_CH_LIVE)
		return false;
	if (reason == SRPT_T_LOGOUT_MULTICHAN)
		pr_info("%s-%u: logged out for the multi-channel action of a new login\n",
			ch->sess_name, ch->qp_num);
	else
		srpt_ch_warn(ch, "logging the initiator out: %s (SRP_T_LOGOUT reason %#x)\n",
			     srpt_logout_reason_names[reason], reason);
	memset(t, 0, sizeof(*t));
	t->opcode = SRP_T_LOGOUT;
	t->reason = cpu_to_be32(reason);
	t->tag = tag;
	ib_dma_sync_single_for_device(ch->sport->sdev->device, ch->tlogout.dma,
				      sizeof(*t), DMA_TO_DEVICE);
	/* Before the post: the release work cancels it once disconnected. */
	queue_delayed_work(srpt_wq, &ch->logout_work, SRPT_T_LOGOUT_TIMEOUT);
	if (ib_post_send(ch->qp, &wr, NULL))
		srpt_ch_disconnect(ch);
	return true;
}

/* The SRP_T_LOGOUT went out (or failed): now disconnect. */
static void srpt_tlogout_done(struct ib_cq *cq, struct ib_wc *wc)
{
	srpt_ch_disconnect(container_of(wc->wr_cqe, struct srpt_rdma_ch,
					tlogout.cqe));
}

/* The SRP_T_LOGOUT did not complete in time: disconnect anyway. */
static void srpt_logout_timeout(struct work_struct *work)
{
	srpt_ch_disconnect(container_of(to_delayed_work(work),
					struct srpt_rdma_ch, logout_work));
}

static void srpt_ch_close_work(struct work_struct *work)
{
	srpt_ch_close(container_of(work, struct srpt_rdma_ch, close_work));
}

/**
 * srpt_qp_event() - asynchronous QP event
 * @event: the event.
 * @ctx: the channel.
 *
 * Context: any, including interrupt context.
 */
static void srpt_qp_event(struct ib_event *event, void *ctx)
{
	struct srpt_rdma_ch *ch = ctx;

	switch (event->event) {
	case IB_EVENT_COMM_EST:
		if (ch->ib_cm_id)
			ib_cm_notify(ch->ib_cm_id, event->event);
		else
			rdma_notify(ch->rdma_cm_id, event->event);
		break;
	case IB_EVENT_QP_LAST_WQE_REACHED:
	case IB_EVENT_SQ_DRAINED:
		break;
	case IB_EVENT_QP_FATAL:
	case IB_EVENT_QP_REQ_ERR:
	case IB_EVENT_QP_ACCESS_ERR:
		srpt_ch_warn(ch, "fatal QP event %s; closing the channel\n",
			     ib_event_msg(event->event));
		queue_work(srpt_wq, &ch->close_work);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------------
 * I/O path: receive buffers, requests, admission, data and responses
 */

/**
 * srpt_recv_give_back() - return a receive buffer once its IU is handled
 * @ch: channel the IU arrived on.
 * @recv: the buffer.
 *
 * The one place where a receive buffer goes back: to the SRQ always, to
 * the channel's own QP only while the channel is live. A closing
 * channel's QP is drained and freed with its buffers; posting to it
 * would only produce flush completions.
 *
 * Context: any but hard interrupt.
 */
static void srpt_recv_give_back(struct srpt_rdma_ch *ch,
				struct srpt_recv_ioctx *recv)
{
	int ret;

	if (!recv->srq && !srpt_ch_is_live(ch))
		return;
	ret = srpt_post_recv(ch->sport->sdev, ch->qp, recv);
	if (ret && srpt_ch_is_live(ch))
		srpt_ch_warn(ch, "cannot repost a receive buffer (%d)\n", ret);
}

/*
 * The transitions of enum srpt_cmd_state: bit N of srpt_cmd_next[S] is
 * set when state S may become N. DONE is reachable from everywhere (a
 * command released by the core), and aborted commands keep their state.
 */
#define SRPT_CMD_TO(s)	BIT(SRPT_CMD_##s)

static const u16 srpt_cmd_next[] = {
	[SRPT_CMD_NEW] = SRPT_CMD_TO(WAIT_SQ) | SRPT_CMD_TO(SUBMITTED) |
			 SRPT_CMD_TO(TMF) | SRPT_CMD_TO(RSP_SENT),
	[SRPT_CMD_WAIT_SQ] = SRPT_CMD_TO(WAIT_SQ) | SRPT_CMD_TO(SUBMITTED) |
			     SRPT_CMD_TO(TMF) | SRPT_CMD_TO(RSP_SENT),
	[SRPT_CMD_SUBMITTED] = SRPT_CMD_TO(RDMA_READ) | SRPT_CMD_TO(DATA_IN) |
			       SRPT_CMD_TO(RSP_SENT),
	[SRPT_CMD_RDMA_READ] = SRPT_CMD_TO(DATA_IN) | SRPT_CMD_TO(RSP_SENT),
	[SRPT_CMD_DATA_IN] = SRPT_CMD_TO(RSP_SENT),
	[SRPT_CMD_RSP_SENT] = 0,
	[SRPT_CMD_TMF] = SRPT_CMD_TO(RSP_SENT),
	[SRPT_CMD_DONE] = SRPT_CMD_TO(NEW),
};

/**
 * srpt_cmd_set_state() - record where a request is
 * @ioctx: request.
 * @new: its new state.
 *
 * The only writer of &srpt_send_ioctx.state, which is informational:
 * each state is set by the one context that owns the request then, so
 * no lock is needed, and a transition the table does not allow is a
 * driver bug, reported once.
 *
 * Context: any.
 */
static void srpt_cmd_set_state(struct srpt_send_ioctx *ioctx,
			       enum srpt_cmd_state new)
{
	enum srpt_cmd_state old = READ_ONCE(ioctx->state);

	WARN_ON_ONCE(new != SRPT_CMD_DONE && !(srpt_cmd_next[old] & BIT(new)));
	WRITE_ONCE(ioctx->state, new);
}

/* Reset a send context taken from the free list for a new request. */
static void srpt_init_ioctx(struct srpt_send_ioctx *ioctx)
{
	srpt_cmd_set_state(ioctx, SRPT_CMD_NEW);
	ioctx->recv = NULL;
	ioctx->rws = NULL;
	ioctx->nr_rws = 0;
	ioctx->nr_wrs = 0;
	ioctx->imm_copy = NULL;
	ioctx->has_cmd = false;
	ioctx->code = 0;
	ioctx->refuse = SRPT_REFUSE_NONE;
	memset(&ioctx->desc, 0, sizeof(ioctx->desc));
	/* The target core requires a zeroed command. */
	memset(&ioctx->cmd, 0, sizeof(ioctx->cmd));
}

/* Take the first free send context; the caller holds &ch->lock. */
static struct srpt_send_ioctx *srpt_pop_ioctx(struct srpt_rdma_ch *ch)
{
	struct srpt_send_ioctx *ioctx;

	lockdep_assert_held(&ch->lock);
	ioctx = list_first_entry_or_null(&ch->free_list,
					 struct srpt_send_ioctx, free_entry);
	if (ioctx) {
		list_del_init(&ioctx->free_entry);
		ch->n_free--;
	}
	return ioctx;
}

/*
 * Get a send context for @recv. Without a free one, or with IUs already
 * waiting, @recv waits on &ch->iu_wait_list (*@queued set) and NULL is
 * returned; NULL with *@queued clear: the channel no longer takes IUs.
 */
static struct srpt_send_ioctx *srpt_get_ioctx(struct srpt_rdma_ch *ch,
					      struct srpt_recv_ioctx *recv,
					      bool *queued)
{
	struct srpt_send_ioctx *ioctx = NULL;

	*queued = false;
	spin_lock(&ch->lock);
	if (ch->state == SRPT_CH_LIVE) {
		if (list_empty(&ch->iu_wait_list))
			ioctx = srpt_pop_ioctx(ch);
		if (!ioctx) {
			list_add_tail(&recv->wait_entry, &ch->iu_wait_list);
			*queued = true;
			atomic64_inc(&ch->stats.iu_waits);
		}
	}
	spin_unlock(&ch->lock);
	if (ioctx)
		srpt_init_ioctx(ioctx);
	return ioctx;
}

static enum dma_data_direction srpt_rw_dir(struct srpt_send_ioctx *ioctx)
{
	/* A SCSI write is an RDMA READ into our buffer, and vice versa. */
	return ioctx->desc.dir == DMA_TO_DEVICE ? DMA_FROM_DEVICE :
						  DMA_TO_DEVICE;
}

/*
 * Set up the RDMA context of @rw for the first @nents entries of its
 * scatterlist; return the work requests it needs or a negative errno.
 */
static int srpt_rw_ctx_init(struct srpt_send_ioctx *ioctx, struct srpt_rw *rw,
			    u32 nents)
{
	struct srpt_rdma_ch *ch = ioctx->ch;
	int ret;

	ret = rdma_rw_ctx_init(&rw->rw, ch->qp, ch->sport->port, rw->sg, nents,
			       0, rw->remote_addr, rw->rkey, srpt_rw_dir(ioctx));
	if (ret >= 0)
		rw->map_nents = nents;
	return ret;
}

static void srpt_rw_ctx_destroy(struct srpt_send_ioctx *ioctx,
				struct srpt_rw *rw)
{
	struct srpt_rdma_ch *ch = ioctx->ch;

	if (!rw->map_nents)
		return;
	rdma_rw_ctx_destroy(&rw->rw, ch->qp, ch->sport->port, rw->sg,
			    rw->map_nents, srpt_rw_dir(ioctx));
	rw->map_nents = 0;
}

/* Release the data buffers and RDMA contexts of a command. */
static void srpt_cmd_unmap(struct srpt_send_ioctx *ioctx)
{
	struct srpt_rw *rw;
	u32 i;

	for (i = 0; i < ioctx->nr_rws; i++) {
		rw = &ioctx->rws[i];
		srpt_rw_ctx_destroy(ioctx, rw);
		if (!rw->sg)
			continue;
		target_free_sgl(rw->sg, rw->nents);
		rw->sg = NULL;
	}
	if (ioctx->rws != ioctx->rw_inline)
		kfree(ioctx->rws);
	ioctx->rws = NULL;
	ioctx->nr_rws = 0;
	if (ioctx->imm_copy) {
		free_pages_exact(ioctx->imm_copy, ioctx->imm_sg.length);
		ioctx->imm_copy = NULL;
	}
}

/* Detach the request's receive buffer and give it back; true if it had one. */
static bool srpt_ioctx_put_recv(struct srpt_send_ioctx *ioctx)
{
	struct srpt_recv_ioctx *recv = ioctx->recv;

	if (!recv)
		return false;
	ioctx->recv = NULL;
	srpt_recv_give_back(ioctx->ch, recv);
	return true;
}

/**
 * srpt_release_ioctx() - return a command context to the free list
 * @ioctx: context.
 *
 * Frees data buffers, gives back send-queue reservations, and gives back
 * the receive buffer if no response did; its credit then rides on the
 * next response. Waiting requests are retried: &ch->res_gen tells one
 * that failed to get resources meanwhile to look again.
 *
 * Context: process context; takes &ch->lock.
 */
static void srpt_release_ioctx(struct srpt_send_ioctx *ioctx)
{
	struct srpt_rdma_ch *ch = ioctx->ch;

	srpt_cmd_unmap(ioctx);
	if (srpt_ioctx_put_recv(ioctx))
		atomic_inc(&ch->pending_credits);
	atomic_add(ioctx->nr_wrs, &ch->sq_wr_avail);
	ioctx->nr_wrs = 0;
	ioctx->has_cmd = false;
	srpt_cmd_set_state(ioctx, SRPT_CMD_DONE);
	spin_lock(&ch->lock);
	list_add_tail(&ioctx->free_entry, &ch->free_list);
	ch->n_free++;
	ch->res_gen++;
	if ((!list_empty(&ch->sq_wait_list) ||
	     !list_empty(&ch->iu_wait_list)) && ch->state == SRPT_CH_LIVE)
		queue_work(srpt_wq, &ch->wait_work);
	spin_unlock(&ch->lock);
}

/* Reserve @n send queue work requests; false if there are not enough. */
static bool srpt_sq_reserve(struct srpt_rdma_ch *ch, u32 n)
{
	if (atomic_sub_return(n, &ch->sq_wr_avail) >= 0)
		return true;
	atomic_add(n, &ch->sq_wr_avail);
	return false;
}

/*
 * Give back the request's receive buffer and collect the credits the
 * next response returns: one for this request plus those of requests
 * that ended without a response.
 */
static u32 srpt_take_credits(struct srpt_send_ioctx *ioctx)
{
	u32 n = srpt_ioctx_put_recv(ioctx);

	return n + atomic_xchg(&ioctx->ch->pending_credits, 0);
}

/* Free a command that could not be sent a response. */
static void srpt_finish_unposted(struct srpt_send_ioctx *ioctx)
{
	if (ioctx->has_cmd)
		transport_generic_free_cmd(&ioctx->cmd, 0);
	else
		srpt_release_ioctx(ioctx);
}

/**
 * srpt_post_rsp() - post a response, after the RDMA WRITEs chained to it
 * @ioctx: command; its response work request was reserved at admission.
 * @len: length of the response in @ioctx->rsp.
 * @rdma: also post the command's RDMA WRITEs.
 *
 * A post fails only on a QP that is no longer usable: the channel is
 * closed, from process context.
 *
 * Context: process context; takes &ch->lock (releasing @ioctx when
 * the post fails).
 */
static void srpt_post_rsp(struct srpt_send_ioctx *ioctx, u32 len, bool rdma)
{
	struct srpt_rdma_ch *ch = ioctx->ch;
	struct ib_sge sge = {
		.addr = ioctx->rsp.dma,
		.length = len,
		.lkey = ch->sport->sdev->pd->local_dma_lkey,
	};
	struct ib_send_wr wr = {
		.wr_cqe = &ioctx->rsp.cqe,
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = IB_WR_SEND,
		.send_flags = IB_SEND_SIGNALED,
	};
	struct ib_send_wr *first = &wr;
	int i, ret;

	if (!srpt_ch_is_live(ch)) {
		srpt_finish_unposted(ioctx);
		return;
	}
	if (len <= ch->max_inline) {
		/* The CPU copies inline data at post time: a kernel address. */
		sge.addr = (uintptr_t)ioctx->rsp.buf;
		wr.send_flags |= IB_SEND_INLINE;
	}
	for (i = rdma ? (int)ioctx->nr_rws - 1 : -1; i >= 0; i--)
		if (ioctx->rws[i].map_nents)
			first = rdma_rw_ctx_wrs(&ioctx->rws[i].rw, ch->qp,
						ch->sport->port, NULL, first);
	ib_dma_sync_single_for_device(ch->sport->sdev->device, ioctx->rsp.dma,
				      len, DMA_TO_DEVICE);
	srpt_cmd_set_state(ioctx, SRPT_CMD_RSP_SENT);
	ret = ib_post_send(ch->qp, first, NULL);
	if (ret) {
		srpt_ch_warn(ch, "cannot post the response for tag %#llx (%d); closing the channel\n",
			     ioctx->tag, ret);
		queue_work(srpt_wq, &ch->close_work);
		srpt_finish_unposted(ioctx);
	}
}

/* Post an SRP_RSP carrying @code in the send-queue slot reserved for it. */
static void srpt_post_code_rsp(struct srpt_send_ioctx *ioctx, u8 code)
{
	u32 len;

	trace_srpt_code_rsp(ioctx->ch->qp_num, ioctx->tag, code);
	len = srpt_build_code_rsp(ioctx->rsp.buf, ioctx->tag, code,
				  srpt_take_credits(ioctx));
	srpt_post_rsp(ioctx, len, false);
}

/* Post a response-code SRP_RSP; false if the send queue is full. */
static bool srpt_code_rsp_try_admit(struct srpt_send_ioctx *ioctx)
{
	if (!srpt_sq_reserve(ioctx->ch, 1))
		return false;
	ioctx->nr_wrs = 1;
	srpt_post_code_rsp(ioctx, ioctx->code);
	return true;
}

/**
 * srpt_cmd_map() - allocate data buffers and RDMA contexts of a command
 * @ioctx: command with parsed descriptors.
 * @sgl: receives the scatterlist handed to the target core.
 * @nents: receives its length.
 *
 * Each remote buffer gets its own scatterlist and RDMA context; the
 * scatterlists are chained into the one the target core sees. Immediate
 * data gets a one-entry scatterlist over the receive buffer. Error injection
 * (/sys/kernel/debug/fail_function) can make it fail, for tests of how
 * refused commands are answered.
 *
 * Context: process context.
 * Return: work requests the RDMA needs, or a negative errno; -EAGAIN
 * when the QP's MR pool is exhausted.
 */
static noinline int srpt_cmd_map(struct srpt_send_ioctx *ioctx,
				 struct scatterlist **sgl, u32 *nents)
{
	struct srpt_cmd_desc *d = &ioctx->desc;
	struct srpt_rdma_ch *ch = ioctx->ch;
	struct scatterlist *prev = NULL;
	u32 i, prev_nents = 0, wrs = 0;
	struct srpt_rw *rw;
	int ret;

	*sgl = NULL;
	*nents = 0;
	if (d->imm) {
		/* Left in the receive buffer; see srpt_imm_prepare(). */
		sg_init_one(&ioctx->imm_sg, d->imm, d->data_len);
		*sgl = &ioctx->imm_sg;
		*nents = 1;
		return 0;
	}
	if (!d->ndesc)
		return 0;
	ioctx->rws = d->ndesc <= SRPT_RW_INLINE ? ioctx->rw_inline :
		kcalloc(d->ndesc, sizeof(*ioctx->rws), GFP_KERNEL);
	if (!ioctx->rws)
		return -ENOMEM;
	if (ioctx->rws == ioctx->rw_inline)
		memset(ioctx->rws, 0, d->ndesc * sizeof(*ioctx->rws));
	mutex_lock(&ch->rw_mutex);
	for (i = 0; i < d->ndesc; i++) {
		rw = &ioctx->rws[i];
		ioctx->nr_rws = i + 1;
		rw->remote_addr = be64_to_cpu(d->desc[i].va);
		rw->rkey = be32_to_cpu(d->desc[i].key);
		rw->len = be32_to_cpu(d->desc[i].len);
		if (!rw->len)
			continue;
		ret = target_alloc_sgl(&rw->sg, &rw->nents, rw->len, false,
				       i + 1 < d->ndesc);
		if (ret)
			goto unmap;
		ret = srpt_rw_ctx_init(ioctx, rw, rw->nents);
		if (ret < 0)
			goto unmap;
		wrs += ret;
		if (prev)
			sg_chain(prev, prev_nents + 1, rw->sg);
		else
			*sgl = rw->sg;
		prev = rw->sg;
		prev_nents = rw->nents;
		*nents += rw->nents;
	}
	mutex_unlock(&ch->rw_mutex);
	return wrs;

unmap:
	mutex_unlock(&ch->rw_mutex);
	srpt_cmd_unmap(ioctx);
	return ret;
}
ALLOW_ERROR_INJECTION(srpt_cmd_map, ERRNO);

/* Set @rw up again for the first @len bytes of its buffer, 0 < @len. */
static int srpt_rw_map_prefix(struct srpt_send_ioctx *ioctx,
			      struct srpt_rw *rw, u32 len)
{
	struct scatterlist *sg;
	u32 i;

	for_each_sg(rw->sg, sg, rw->nents, i) {
		if (len <= sg->length) {
			/* Freeing the pages later does not look at lengths. */
			sg->length = len;
			return srpt_rw_ctx_init(ioctx, rw, i + 1);
		}
		len -= sg->length;
	}
	return -EINVAL;
}

/**
 * srpt_rw_trim() - limit the RDMA WRITEs of a command to what it moved
 * @ioctx: data-in command, mapped by srpt_cmd_map().
 * @len: bytes the target core transferred (&se_cmd.data_length).
 *
 * The contexts set up at admission cover the initiator's whole buffers,
 * but the core may transfer less: it shortens a transfer to the CDB's
 * length (TEST UNIT READY or INQUIRY into a large buffer) and to what a
 * command produced (a VPD page shorter than the allocation length). The
 * initiator learns the rest from the residual and must find the rest of
 * its buffers untouched, so contexts past @len are dropped and the one
 * @len ends in is set up again for its first bytes. Under &ch->rw_mutex
 * no other command can take the memory registrations the old context
 * gave back before the shorter one, which needs no more, takes them.
 *
 * Context: process context.
 * Return: 0, or a negative errno; nothing may be posted then.
 */
static int srpt_rw_trim(struct srpt_send_ioctx *ioctx, u32 len)
{
	struct srpt_rdma_ch *ch = ioctx->ch;
	struct srpt_rw *rw;
	int ret = 0;
	u32 i, n;

	if (len >= ioctx->desc.data_len)
		return 0;
	mutex_lock(&ch->rw_mutex);
	for (i = 0; i < ioctx->nr_rws && ret >= 0; i++) {
		rw = &ioctx->rws[i];
		n = min(rw->len, len);
		len -= n;
		if (n == rw->len)
			continue;
		srpt_rw_ctx_destroy(ioctx, rw);
		if (n)
			ret = srpt_rw_map_prefix(ioctx, rw, n);
	}
	mutex_unlock(&ch->rw_mutex);
	return min(ret, 0);
}

/*
 * Answer a SCSI command the driver does not execute: BUSY for a
 * shortage that passes, else CHECK CONDITION with @ioctx->refuse_reason.
 * No response is posted on a channel that is not live.
 */
static void srpt_cmd_refuse(struct srpt_send_ioctx *ioctx)
{
	if (ioctx->refuse == SRPT_REFUSE_BUSY)
		target_send_busy(&ioctx->cmd);
	else
		transport_send_check_condition_and_sense(&ioctx->cmd,
							 ioctx->refuse_reason,
							 0);
	target_put_sess_cmd(&ioctx->cmd);
}

/* Decide to refuse a SCSI command; the answer waits for admission. */
static void srpt_cmd_set_refusal(struct srpt_send_ioctx *ioctx,
				 enum srpt_refuse how, sense_reason_t reason)
{
	if (reason != TCM_CHECK_CONDITION_ABORT_CMD)
		atomic64_inc(&ioctx->ch->stats.refused);
	ioctx->refuse = how;
	ioctx->refuse_reason = reason;
}

/* Refuse a command once its response has a send-queue slot. */
static bool srpt_cmd_refuse_try_admit(struct srpt_send_ioctx *ioctx)
{
	if (!srpt_sq_reserve(ioctx->ch, 1))
		return false;
	ioctx->nr_wrs = 1;
	srpt_cmd_refuse(ioctx);
	return true;
}

/*
 * A command whose buffers cannot be set up (@err from srpt_cmd_map())
 * or that needs @wrs work requests, more than the whole send queue: a
 * memory shortage passes (BUSY); a command too big for the channel
 * fails the same way whenever it is sent again (NOT READY, LOGICAL UNIT
 * COMMUNICATION FAILURE: Linux retries it a few times, then fails it).
 */
static void srpt_cmd_refuse_unmappable(struct srpt_send_ioctx *ioctx,
				       int err, int wrs)
{
	struct srpt_rdma_ch *ch = ioctx->ch;

	if (err == -ENOMEM) {
		srpt_ch_warn(ch, "tag %#llx: out of memory for its buffers; answering BUSY\n",
			     ioctx->tag);
		srpt_cmd_set_refusal(ioctx, SRPT_REFUSE_BUSY, 0);
		return;
	}
	if (err == -EAGAIN)
		srpt_ch_warn(ch, "tag %#llx needs more memory registrations than the channel has\n",
			     ioctx->tag);
	else if (err)
		srpt_ch_warn(ch, "tag %#llx: cannot map its buffers (%d)\n",
			     ioctx->tag, err);
	else
		srpt_ch_warn(ch, "tag %#llx needs %d work requests; the send queue is too small\n",
			     ioctx->tag, wrs);
	srpt_cmd_set_refusal(ioctx, SRPT_REFUSE_SENSE, TCM_OUT_OF_RESOURCES);
}

/**
 * srpt_cmd_try_admit() - reserve what a command needs and submit it
 * @ioctx: command, initialised with target_init_cmd().
 *
 * Reserves the RDMA work requests and the response work request, so
 * that no response can later fail for lack of send-queue space. A
 * command the driver refuses also waits for its response's slot.
 *
 * Context: process context.
 * Return: false if resources are short and the command must wait.
 */
static bool srpt_cmd_try_admit(struct srpt_send_ioctx *ioctx)
{
	struct srpt_rdma_ch *ch = ioctx->ch;
	struct srp_cmd *srp = ioctx->recv->iu.buf;
	struct scatterlist *sgl;
	u32 nents;
	int wrs;

	if (ioctx->refuse)
		return srpt_cmd_refuse_try_admit(ioctx);
	wrs = srpt_cmd_map(ioctx, &sgl, &nents);
	/* Out of MRs while others hold some: wait for them. */
	if (wrs == -EAGAIN && atomic_read(&ch->sq_wr_avail) < ch->sq_size)
		return false;
	if (wrs < 0 || wrs + 1 > ch->sq_size) {
		if (wrs >= 0)
			srpt_cmd_unmap(ioctx);
		srpt_cmd_refuse_unmappable(ioctx, min(wrs, 0), wrs + 1);
		return srpt_cmd_refuse_try_admit(ioctx);
	}
	if (!srpt_sq_reserve(ch, wrs + 1)) {
		srpt_cmd_unmap(ioctx);
		return false;
	}
	ioctx->nr_wrs = wrs + 1;
	srpt_cmd_set_state(ioctx, SRPT_CMD_SUBMITTED);
	if (target_submit_prep(&ioctx->cmd, srp->cdb, sgl, nents, NULL, 0,
			       NULL, 0, GFP_KERNEL))
		return true;
	target_submit(&ioctx->cmd);
	return true;
}

/*
 * Submit a task management function to the target core once its
 * response has send-queue space; false if the send queue is full.
 */
static bool srpt_tmf_try_admit(struct srpt_send_ioctx *ioctx)
{
	struct srp_tsk_mgmt *tsk = ioctx->recv->iu.buf;

	if (!srpt_sq_reserve(ioctx->ch, 1))
		return false;
	ioctx->nr_wrs = 1;
	srpt_cmd_set_state(ioctx, SRPT_CMD_TMF);
	ioctx->has_cmd = true;
	if (target_submit_tmr(&ioctx->cmd, ioctx->ch->sess, NULL,
			      scsilun_to_int(&tsk->lun), ioctx,
			      srpt_tmf_to_tcm(tsk->tsk_mgmt_func), GFP_KERNEL,
			      tsk->task_tag, TARGET_SCF_ACK_KREF)) {
		/* The session is going away; answer FAILED meanwhile. */
		ioctx->has_cmd = false;
		srpt_post_code_rsp(ioctx, SRPT_RSP_CODE_FAILED);
	}
	return true;
}

/*
 * Start a request: a SCSI command, a task management function or a
 * response code. Return false if the send queue is still short.
 */
static bool srpt_try_admit(struct srpt_send_ioctx *ioctx)
{
	if (ioctx->has_cmd)
		return srpt_cmd_try_admit(ioctx);
	if (ioctx->code)
		return srpt_code_rsp_try_admit(ioctx);
	return srpt_tmf_try_admit(ioctx);
}

/**
 * srpt_park() - queue a request that found the send queue short
 * @ioctx: request.
 * @head: it was taken from the head of &ch->sq_wait_list; put it back.
 * @gen: &ch->res_gen read before the request tried to start.
 *
 * A command released between the failed attempt and now saw no waiter
 * and queued no wait_work; a changed @gen shows it, and the list is
 * looked at again. Once the release work has failed the parked requests
 * (state DRAINING) nothing serves the list any more.
 *
 * Context: process context; takes &ch->lock.
 * Return: false if the channel is being released; the request was not
 * queued.
 */
static bool srpt_park(struct srpt_send_ioctx *ioctx, bool head, u32 gen)
{
	struct srpt_rdma_ch *ch = ioctx->ch;
	bool parked;

	spin_lock(&ch->lock);
	parked = ch->state < SRPT_CH_DRAINING;
	if (parked) {
		srpt_cmd_set_state(ioctx, SRPT_CMD_WAIT_SQ);
		if (head) {
			list_add(&ioctx->free_entry, &ch->sq_wait_list);
		} else {
			list_add_tail(&ioctx->free_entry, &ch->sq_wait_list);
			atomic64_inc(&ch->stats.sq_waits);
		}
		if (gen != ch->res_gen && ch->state == SRPT_CH_LIVE)
			queue_work(srpt_wq, &ch->wait_work);
	}
	spin_unlock(&ch->lock);
	return parked;
}

/*
 * Drop a request of a channel that is being released: no answer can
 * reach the initiator any more. A SCSI command ends through the core.
 */
static void srpt_abandon(struct srpt_send_ioctx *ioctx)
{
	if (ioctx->has_cmd) {
		srpt_cmd_set_refusal(ioctx, SRPT_REFUSE_SENSE,
				     TCM_CHECK_CONDITION_ABORT_CMD);
		srpt_cmd_refuse(ioctx);
	} else {
		srpt_release_ioctx(ioctx);
	}
}

/* Park a request that could not start, or drop it if nobody would serve it. */
static void srpt_park_or_abandon(struct srpt_send_ioctx *ioctx, bool head,
				 u32 gen)
{
	if (!srpt_park(ioctx, head, gen))
		srpt_abandon(ioctx);
}

/*
 * Start a request now, unless the send queue is short or others already
 * wait: requests start in the order they arrived (&ch->iu_mutex keeps
 * dispatch to one at a time), so that an ABORT TASK never overtakes the
 * command it names.
 */
static void srpt_admit_or_park(struct srpt_send_ioctx *ioctx)
{
	struct srpt_rdma_ch *ch = ioctx->ch;
	bool wait;
	u32 gen;

	lockdep_assert_held(&ch->iu_mutex);
	spin_lock(&ch->lock);
	wait = !list_empty(&ch->sq_wait_list);
	gen = ch->res_gen;
	spin_unlock(&ch->lock);
	if (wait || !srpt_try_admit(ioctx))
		srpt_park_or_abandon(ioctx, false, gen);
}

/*
 * Answer an IU that has no target core command with a response code,
 * once the send queue has room for it.
 */
static void srpt_send_code_rsp(struct srpt_send_ioctx *ioctx, u8 code)
{
	ioctx->code = code;
	srpt_admit_or_park(ioctx);
}

/**
 * srpt_handle_cmd() - start an SRP_CMD
 * @ch: channel.
 * @ioctx: context holding the receive buffer.
 *
 * The target core command is initialised before anything else, so that
 * a malformed request is answered with CHECK CONDITION through the core.
 *
 * Context: process context, under &ch->iu_mutex.
 */
static void srpt_handle_cmd(struct srpt_rdma_ch *ch,
			    struct srpt_send_ioctx *ioctx)
{
	struct srp_cmd *srp = ioctx->recv->iu.buf;
	struct srpt_cmd_desc *d = &ioctx->desc;
	sense_reason_t reason;

	atomic64_inc(&ch->stats.cmds);
	reason = srpt_parse_cmd(srp, ioctx->recv->byte_len, &ch->params, d);
	if (reason) {
		srpt_ch_warn(ch, "tag %#llx: malformed SRP_CMD (buf_fmt %#x, %u bytes)\n",
			     ioctx->tag, srp->buf_fmt, ioctx->recv->byte_len);
		d->dir = DMA_NONE;
		d->data_len = 0;
	}
	if (target_init_cmd(&ioctx->cmd, ch->sess, ioctx->sense,
			    scsilun_to_int(&srp->lun), d->data_len,
			    srpt_task_attr(srp->task_attr), d->dir,
			    TARGET_SCF_ACK_KREF)) {
		srpt_release_ioctx(ioctx);
		return;
	}
	ioctx->has_cmd = true;
	ioctx->cmd.tag = srp->tag;
	ioctx->start_ns = trace_srpt_cmd_done_enabled() ? ktime_get_ns() : 0;
	trace_srpt_cmd_recv(ch->qp_num, ioctx->tag,
			    scsilun_to_int(&srp->lun), srp->cdb[0], d->data_len,
			    d->dir);
	if (reason)
		srpt_cmd_set_refusal(ioctx, SRPT_REFUSE_SENSE, reason);
	srpt_admit_or_park(ioctx);
}

static void srpt_handle_tmf(struct srpt_rdma_ch *ch,
			    struct srpt_send_ioctx *ioctx)
{
	struct srp_tsk_mgmt *tsk = ioctx->recv->iu.buf;

	atomic64_inc(&ch->stats.tmfs);
	trace_srpt_tmf_recv(ch->qp_num, ioctx->tag,
			    scsilun_to_int(&tsk->lun), tsk->tsk_mgmt_func,
			    tsk->task_tag);
	if (srpt_tmf_to_tcm(tsk->tsk_mgmt_func) < 0) {
		srpt_ch_warn(ch, "unknown task management function %#x\n",
			     tsk->tsk_mgmt_func);
		srpt_send_code_rsp(ioctx, SRPT_RSP_CODE_NOT_SUPPORTED);
		return;
	}
	srpt_admit_or_park(ioctx);
}

/* Start an SRP_CMD or SRP_TSK_MGMT that has a send context. */
static void srpt_dispatch_iu(struct srpt_rdma_ch *ch,
			     struct srpt_send_ioctx *ioctx,
			     struct srpt_recv_ioctx *recv)
{
	struct srp_cmd *iu = recv->iu.buf;

	ioctx->recv = recv;
	ioctx->tag = iu->tag;
	if (iu->opcode == SRP_CMD)
		srpt_handle_cmd(ch, ioctx);
	else
		srpt_handle_tmf(ch, ioctx);
}

/* Dispatch the IUs that waited for a send context, oldest first. */
static void srpt_dispatch_waiting(struct srpt_rdma_ch *ch)
{
	struct srpt_recv_ioctx *recv;
	struct srpt_send_ioctx *ioctx;

	spin_lock(&ch->lock);
	while (ch->state == SRPT_CH_LIVE &&
	       (recv = list_first_entry_or_null(&ch->iu_wait_list,
						struct srpt_recv_ioctx,
						wait_entry)) &&
	       (ioctx = srpt_pop_ioctx(ch))) {
		list_del_init(&recv->wait_entry);
		spin_unlock(&ch->lock);
		srpt_init_ioctx(ioctx);
		srpt_dispatch_iu(ch, ioctx, recv);
		spin_lock(&ch->lock);
	}
	spin_unlock(&ch->lock);
}

/* Start the parked requests, oldest first, until the send queue is short. */
static void srpt_admit_parked(struct srpt_rdma_ch *ch)
{
	struct srpt_send_ioctx *ioctx;
	u32 gen;

	spin_lock(&ch->lock);
	while (ch->state == SRPT_CH_LIVE &&
	       (ioctx = list_first_entry_or_null(&ch->sq_wait_list,
						 struct srpt_send_ioctx,
						 free_entry))) {
		list_del_init(&ioctx->free_entry);
		gen = ch->res_gen;
		spin_unlock(&ch->lock);
		if (!srpt_try_admit(ioctx)) {
			srpt_park_or_abandon(ioctx, true, gen);
			return;
		}
		spin_lock(&ch->lock);
	}
	spin_unlock(&ch->lock);
}

/**
 * srpt_wait_work() - serve waiting IUs and parked requests, oldest first
 * @work: &srpt_rdma_ch.wait_work.
 *
 * Queued whenever a command releases its send context, send-queue space
 * or MRs while others wait. IUs waiting for a send context arrived after
 * every parked request, and park behind them if the send queue is short.
 *
 * Context: process context (srpt_wq).
 */
static void srpt_wait_work(struct work_struct *work)
{
	struct srpt_rdma_ch *ch = container_of(work, struct srpt_rdma_ch,
					       wait_work);

	mutex_lock(&ch->iu_mutex);
	srpt_dispatch_waiting(ch);
	srpt_admit_parked(ch);
	mutex_unlock(&ch->iu_mutex);
}

/*
 * A channel is being released (state DRAINING): drop the parked
 * requests; srpt_park() queues no more after this.
 */
static void srpt_fail_waiting(struct srpt_rdma_ch *ch)
{
	struct srpt_send_ioctx *ioctx, *next;
	LIST_HEAD(list);

	spin_lock(&ch->lock);
	list_splice_init(&ch->sq_wait_list, &list);
	spin_unlock(&ch->lock);
	list_for_each_entry_safe(ioctx, next, &list, free_entry) {
		list_del_init(&ioctx->free_entry);
		srpt_abandon(ioctx);
	}
}

/**
 * srpt_handle_iu() - act on a received information unit
 * @ch: live channel.
 * @recv: receive buffer; given back here unless a request keeps it.
 *
 * Context: process context, under &ch->iu_mutex.
 */
static void srpt_handle_iu(struct srpt_rdma_ch *ch,
			   struct srpt_recv_ioctx *recv)
{
	struct srp_cmd *iu = recv->iu.buf;
	struct srpt_send_ioctx *ioctx;
	u32 reason;
	bool queued;

	reason = srpt_iu_check(recv->iu.buf, recv->byte_len);
	if (reason) {
		srpt_ch_logout(ch, reason,
			       recv->byte_len >= 16 ? iu->tag : 0);
	} else if (iu->opcode == SRP_I_LOGOUT) {
		pr_info("%s: initiator logged out\n", ch->sess_name);
		srpt_ch_close(ch);
	} else {
		ioctx = srpt_get_ioctx(ch, recv, &queued);
		if (ioctx)
			srpt_dispatch_iu(ch, ioctx, recv);
		if (ioctx || queued)
			return;
	}
	srpt_recv_give_back(ch, recv);
}

/* Process the IUs queued on &ch->early_list, in order. */
static void srpt_process_early(struct srpt_rdma_ch *ch)
{
	struct srpt_recv_ioctx *recv;

	lockdep_assert_held(&ch->iu_mutex);
	for (;;) {
		spin_lock(&ch->lock);
		recv = list_first_entry_or_null(&ch->early_list,
						struct srpt_recv_ioctx,
						wait_entry);
		if (recv)
			list_del_init(&recv->wait_entry);
		spin_unlock(&ch->lock);
		if (!recv)
			return;
		srpt_handle_iu(ch, recv);
	}
}

/*
 * Process an IU in arrival order: IUs that arrive while the channel
 * connects wait on &ch->early_list, and so do those behind them; a
 * closing channel takes no IU.
 */
static void srpt_iu_arrived(struct srpt_rdma_ch *ch,
			    struct srpt_recv_ioctx *recv)
{
	enum srpt_ch_state state;
	bool queue;

	mutex_lock(&ch->iu_mutex);
	spin_lock(&ch->lock);
	state = ch->state;
	queue = state == SRPT_CH_CONNECTING ||
		(state == SRPT_CH_LIVE && !list_empty(&ch->early_list));
	if (queue)
		list_add_tail(&recv->wait_entry, &ch->early_list);
	spin_unlock(&ch->lock);
	if (state == SRPT_CH_LIVE && queue)
		srpt_process_early(ch);
	else if (state == SRPT_CH_LIVE)
		srpt_handle_iu(ch, recv);
	mutex_unlock(&ch->iu_mutex);
	if (state > SRPT_CH_LIVE)
		srpt_recv_give_back(ch, recv);
}

/*
 * A work request completed in error. Flushes are how a QP in the error
 * state ends its work: expected once the channel is closing. On a live
 * channel they mean the QP failed, maybe in an unsignalled RDMA WRITE
 * whose own error completion carries no context to report it by.
 */
static void srpt_wc_error(struct srpt_rdma_ch *ch, struct ib_wc *wc,
			  const char *what, u64 tag)
{
	if (wc->status == IB_WC_WR_FLUSH_ERR && !srpt_ch_is_live(ch))
		return;
	srpt_ch_warn(ch, "%s (tag %#llx) failed: %s; closing the channel\n",
		     what, tag, ib_wc_status_msg(wc->status));
	srpt_ch_close(ch);
}

/**
 * srpt_recv_done() - completion of a receive work request
 * @cq: completion queue.
 * @wc: work completion; its wr_cqe is in a &struct srpt_recv_ioctx.
 *
 * Context: process context (CQ workqueue).
 */
static void srpt_recv_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct srpt_rdma_ch *ch = wc->qp->qp_context;
	struct srpt_recv_ioctx *recv =
		container_of(wc->wr_cqe, struct srpt_recv_ioctx, iu.cqe);

	if (unlikely(wc->status != IB_WC_SUCCESS)) {
		srpt_wc_error(ch, wc, "receive", 0);
		srpt_recv_give_back(ch, recv);
		return;
	}
	ib_dma_sync_single_for_cpu(ch->sport->sdev->device, recv->iu.dma,
				   wc->byte_len, DMA_FROM_DEVICE);
	recv->byte_len = wc->byte_len;
	srpt_iu_arrived(ch, recv);
}

/*
 * A channel is being released (state DRAINING): give back the IUs that
 * were never processed; srpt_iu_arrived() and srpt_get_ioctx() queue no
 * more after this.
 */
static void srpt_drop_early(struct srpt_rdma_ch *ch)
{
	struct srpt_recv_ioctx *recv, *next;
	LIST_HEAD(list);

	spin_lock(&ch->lock);
	list_splice_init(&ch->early_list, &list);
	list_splice_init(&ch->iu_wait_list, &list);
	spin_unlock(&ch->lock);
	list_for_each_entry_safe(recv, next, &list, wait_entry) {
		list_del_init(&recv->wait_entry);
		srpt_recv_give_back(ch, recv);
	}
}

/**
 * srpt_send_done() - completion of a response
 * @cq: completion queue.
 * @wc: work completion; its wr_cqe is &srpt_send_ioctx.rsp.cqe.
 *
 * The response follows every RDMA work request of its command on the
 * same send queue, so the command is complete.
 *
 * Context: process context (CQ workqueue).
 */
static void srpt_send_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct srpt_send_ioctx *ioctx =
		container_of(wc->wr_cqe, struct srpt_send_ioctx, rsp.cqe);

	if (unlikely(wc->status != IB_WC_SUCCESS))
		srpt_wc_error(ioctx->ch, wc, "response", ioctx->tag);
	srpt_finish_unposted(ioctx);
}

/**
 * srpt_rdma_read_done() - completion of a command's RDMA READs
 * @cq: completion queue.
 * @wc: work completion; its wr_cqe is &srpt_send_ioctx.rdma_cqe.
 *
 * A READ that fails (a bad memory key, say) leaves the QP in the error
 * state: the channel closes and the command ends without a response.
 *
 * Context: process context (CQ workqueue).
 */
static void srpt_rdma_read_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct srpt_send_ioctx *ioctx =
		container_of(wc->wr_cqe, struct srpt_send_ioctx, rdma_cqe);

	if (likely(wc->status == IB_WC_SUCCESS)) {
		atomic64_add(ioctx->cmd.data_length, &ioctx->ch->stats.bytes_in);
		srpt_cmd_set_state(ioctx, SRPT_CMD_DATA_IN);
		target_execute_cmd(&ioctx->cmd);
		return;
	}
	srpt_wc_error(ioctx->ch, wc, "RDMA READ", ioctx->tag);
	transport_generic_request_failure(&ioctx->cmd,
					  TCM_CHECK_CONDITION_ABORT_CMD);
}

/* ---------------------------------------------------------------------
 * Channels: receive rings and the SRQ, QPs, nexuses, life cycle
 */

static void srpt_free_recv_ring(struct srpt_device *sdev,
				struct srpt_recv_ring *ring)
{
	struct srpt_buf *c;
	u32 i;

	for (i = 0; i < ring->nchunks; i++) {
		c = &ring->chunk[i];
		ib_dma_unmap_single(sdev->device, c->dma, c->size,
				    DMA_FROM_DEVICE);
		free_pages_exact(c->buf, c->size);
	}
	kvfree(ring->chunk);
	kvfree(ring->ioctx);
	memset(ring, 0, sizeof(*ring));
}

/* Allocate and map one run of @size bytes for receive buffers. */
static int srpt_recv_chunk_alloc(struct srpt_device *sdev,
				 struct srpt_buf *c, u32 size)
{
	c->buf = alloc_pages_exact(size, GFP_KERNEL);
	if (!c->buf)
		return -ENOMEM;
	c->dma = ib_dma_map_single(sdev->device, c->buf, size,
				   DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(sdev->device, c->dma)) {
		free_pages_exact(c->buf, size);
		return -ENOMEM;
	}
	c->size = size;
	return 0;
}

/* Point receive context @i of @ring at its slice of @c. */
static void srpt_recv_ioctx_init(struct srpt_recv_ring *ring, u32 i,
				 const struct srpt_buf *c, u32 offset,
				 u32 size, bool srq)
{
	struct srpt_recv_ioctx *ioctx = &ring->ioctx[i];

	ioctx->iu.buf = c->buf + offset;
	ioctx->iu.dma = c->dma + offset;
	ioctx->iu.size = size;
	ioctx->iu.cqe.done = srpt_recv_done;
	ioctx->srq = srq;
	INIT_LIST_HEAD(&ioctx->wait_entry);
}

/**
 * srpt_alloc_recv_ring() - allocate receive buffers
 * @sdev: device.
 * @ring: ring to fill in; zeroed.
 * @n: number of buffers.
 * @size: size of each buffer: the largest IU it must hold.
 * @data_off: offset of immediate data in an IU, 0 if there is none or
 *	it is not known.
 * @srq: the buffers belong to the device's SRQ.
 *
 * Context: process context.
 * Return: 0 or -ENOMEM.
 */
static int srpt_alloc_recv_ring(struct srpt_device *sdev,
				struct srpt_recv_ring *ring, u32 n, u32 size,
				u32 data_off, bool srq)
{
	struct srpt_recv_layout l;
	u32 i, j, chunks;

	srpt_recv_layout(size, n, dma_get_cache_alignment(), data_off, &l);
	chunks = DIV_ROUND_UP(n, l.per_chunk);
	ring->ioctx = kvcalloc(n, sizeof(*ring->ioctx), GFP_KERNEL);
	ring->chunk = kvcalloc(chunks, sizeof(*ring->chunk), GFP_KERNEL);
	if (!ring->ioctx || !ring->chunk)
		goto free_ring;
	ring->n = n;
	for (i = 0; i < n; i += l.per_chunk) {
		if (srpt_recv_chunk_alloc(sdev, &ring->chunk[ring->nchunks],
					  l.head + min(n - i, l.per_chunk) *
					  l.stride))
			goto free_ring;
		for (j = 0; j < l.per_chunk && i + j < n; j++)
			srpt_recv_ioctx_init(ring, i + j,
					     &ring->chunk[ring->nchunks],
					     l.head + j * l.stride, size, srq);
		ring->nchunks++;
	}
	return 0;

free_ring:
	srpt_free_recv_ring(sdev, ring);
	return -ENOMEM;
}

/**
 * srpt_srq_create() - create the device SRQ and post its buffers
 * @sdev: device; the caller holds &sdev->mutex.
 *
 * Context: process context.
 * Return: 0 or a negative errno.
 */
static int srpt_srq_create(struct srpt_device *sdev)
{
	struct ib_srq_init_attr attr = {
		.srq_type = IB_SRQT_BASIC,
		.attr.max_sge = 1,
	};
	u32 i, n;
	int ret;

	lockdep_assert_held(&sdev->mutex);
	if (sdev->srq)
		return 0;
	n = min_t(u32, srpt_srq_size, sdev->device->attrs.max_srq_wr);
	attr.attr.max_wr = n;
	sdev->srq = ib_create_srq(sdev->pd, &attr);
	if (IS_ERR(sdev->srq)) {
		ret = PTR_ERR(sdev->srq);
		sdev->srq = NULL;
		return ret;
	}
	ret = srpt_alloc_recv_ring(sdev, &sdev->srq_ring, n, srp_max_req_size,
				   0, true);
	if (ret)
		goto destroy_srq;
	for (i = 0; i < n; i++) {
		ret = srpt_post_recv(sdev, NULL, &sdev->srq_ring.ioctx[i]);
		if (ret)
			goto free_ring;
	}
	return 0;

free_ring:
	srpt_free_recv_ring(sdev, &sdev->srq_ring);
destroy_srq:
	ib_destroy_srq(sdev->srq);
	sdev->srq = NULL;
	return ret;
}

static void srpt_srq_destroy(struct srpt_device *sdev)
{
	lockdep_assert_held(&sdev->mutex);
	if (!sdev->srq)
		return;
	ib_destroy_srq(sdev->srq);
	srpt_free_recv_ring(sdev, &sdev->srq_ring);
	sdev->srq = NULL;
}

static void srpt_free_send_ring(struct srpt_rdma_ch *ch)
{
	struct srpt_device *sdev = ch->sport->sdev;
	u32 i;

	if (!ch->ioctx)
		return;
	for (i = 0; i < ch->n_ioctx; i++) {
		if (!ch->ioctx[i])
			continue;
		srpt_buf_free(sdev, &ch->ioctx[i]->rsp, DMA_TO_DEVICE);
		kfree(ch->ioctx[i]);
	}
	kvfree(ch->ioctx);
	ch->ioctx = NULL;
}

/* Allocate @ch->n_ioctx send contexts with @ch->rsp_size byte buffers. */
static int srpt_alloc_send_ring(struct srpt_rdma_ch *ch)
{
	struct srpt_device *sdev = ch->sport->sdev;
	struct srpt_send_ioctx *ioctx;
	u32 i;

	ch->ioctx = kvcalloc(ch->n_ioctx, sizeof(*ch->ioctx), GFP_KERNEL);
	if (!ch->ioctx)
		return -ENOMEM;
	for (i = 0; i < ch->n_ioctx; i++) {
		ioctx = kzalloc(sizeof(*ioctx), GFP_KERNEL);
		if (!ioctx)
			goto free_ring;
		ch->ioctx[i] = ioctx;
		if (srpt_buf_alloc(sdev, &ioctx->rsp, ch->rsp_size,
				   DMA_TO_DEVICE))
			goto free_ring;
		ioctx->rsp.cqe.done = srpt_send_done;
		ioctx->rdma_cqe.done = srpt_rdma_read_done;
		ioctx->ch = ch;
		ioctx->state = SRPT_CMD_DONE;
		list_add_tail(&ioctx->free_entry, &ch->free_list);
	}
	ch->n_free = ch->n_ioctx;
	return 0;

free_ring:
	srpt_free_send_ring(ch);
	return -ENOMEM;
}

/**
 * srpt_ch_size_queues() - size a channel's send queue and CQ
 * @ch: channel; @ch->credits, @ch->sq_size and @ch->params are set.
 * @attr: QP attributes to fill in.
 *
 * The depth comes from the login (credits, the largest command the IU
 * length allows) and the device, and stays within what srp_sq_size
 * gave before: @ch->sq_size entries plus the RDMA contexts of every
 * credit. A device that reads and writes without memory registration
 * needs no contexts allocated: their work requests are counted in the
 * depth instead of being added by rdma_rw for the worst case.
 *
 * Context: process context.
 */
static void srpt_ch_size_queues(struct srpt_rdma_ch *ch,
				struct ib_qp_init_attr *attr)
{
	struct ib_device *dev = ch->sport->sdev->device;
	u32 port = ch->sport->port, mr_pages = 0, per_ctx, sge, need;
	u32 factor, ctxs, ctx_wrs, cap;

	factor = rdma_rw_mr_factor(dev, port, 256);
	ctxs = ch->credits * factor;
	ctx_wrs = rdma_rw_max_send_wr(dev, port, ctxs, 0);
	cap = ch->sq_size + ctx_wrs;
	per_ctx = rdma_rw_max_send_wr(dev, port, 1, 0);
	if (per_ctx > 1) {
		mr_pages = 256 / factor;
	} else {
		ctxs = 0;
		ctx_wrs = 0;
	}
	attr->cap.max_send_sge = min_t(u32, dev->attrs.max_send_sge,
				       SRPT_MAX_SEND_SGE);
	sge = min_t(u32, attr->cap.max_send_sge, dev->attrs.max_sge_rd);
	need = srpt_sq_need(ch->credits, per_ctx,
			    srpt_cmd_max_wrs(ch->params.it_iu_len, sge, mr_pages));
	need = min(need, cap);
	attr->cap.max_rdma_ctxs = ctxs;
	attr->cap.max_send_wr = need > ctx_wrs ? need - ctx_wrs : 1;
	ch->cq_size = min_t(u32, attr->cap.max_send_wr + ctx_wrs + ch->credits,
			    dev->attrs.max_cqe);
}

/* Create @ch's QP, through RDMA/CM or not; 0 or a negative errno. */
static int srpt_ch_create_qp_attr(struct srpt_rdma_ch *ch,
				  struct ib_qp_init_attr *attr)
{
	struct ib_pd *pd = ch->sport->sdev->pd;
	int ret;

	if (ch->rdma_cm_id) {
		ret = rdma_create_qp(ch->rdma_cm_id, pd, attr);
		ch->qp = ret ? NULL : ch->rdma_cm_id->qp;
		return ret;
	}
	ch->qp = ib_create_qp(pd, attr);
	ret = PTR_ERR_OR_ZERO(ch->qp);
	if (ret)
		ch->qp = NULL;
	return ret;
}

/**
 * srpt_ch_create_qp() - create a channel's CQ and QP
 * @ch: channel; @ch->credits, @ch->sq_size and @ch->srq are set.
 *
 * The queues are sized by srpt_ch_size_queues(); the CQ serves both
 * and comes from the device's CQ pool. Small responses are sent inline
 * where the device can (@ch->max_inline), saving the HCA a DMA read.
 *
 * Context: process context.
 * Return: 0 or a negative errno.
 */
static int srpt_ch_create_qp(struct srpt_rdma_ch *ch)
{
	struct srpt_device *sdev = ch->sport->sdev;
	struct ib_device *dev = sdev->device;
	u32 port = ch->sport->port;
	struct ib_qp_init_attr attr = {
		.event_handler = srpt_qp_event,
		.qp_context = ch,
		.sq_sig_type = IB_SIGNAL_REQ_WR,
		.qp_type = IB_QPT_RC,
		.port_num = port,
		.srq = ch->srq,
	};
	struct ib_qp_init_attr asked;
	int ret;

	srpt_ch_size_queues(ch, &attr);
	attr.cap.max_recv_wr = ch->srq ? 0 : ch->credits;
	attr.cap.max_recv_sge = 1;
	ch->cq = ib_cq_pool_get(dev, ch->cq_size,
				atomic_inc_return(&sdev->comp_vector),
				IB_POLL_WORKQUEUE);
	if (IS_ERR(ch->cq)) {
		ret = PTR_ERR(ch->cq);
		ch->cq = NULL;
		return ret;
	}
	attr.send_cq = ch->cq;
	attr.recv_cq = ch->cq;
	attr.cap.max_inline_data = SRPT_INLINE_RSP;
	asked = attr;
	ret = srpt_ch_create_qp_attr(ch, &attr);
	if (ret) {
		/* A device may send nothing inline; the core changed @attr. */
		attr = asked;
		attr.cap.max_inline_data = 0;
		ret = srpt_ch_create_qp_attr(ch, &attr);
	}
	if (ret) {
		ib_cq_pool_put(ch->cq, ch->cq_size);
		ch->cq = NULL;
		return ret;
	}
	ch->qp_num = ch->qp->qp_num;
	ch->max_inline = attr.cap.max_inline_data;
	ch->sq_size = srpt_sq_budget(attr.cap.max_send_wr, ch->cq_size,
				     ch->credits);
	atomic_set(&ch->sq_wr_avail, ch->sq_size);
	return 0;
}

static void srpt_ch_destroy_qp(struct srpt_rdma_ch *ch)
{
	if (ch->qp) {
		if (ch->rdma_cm_id)
			rdma_destroy_qp(ch->rdma_cm_id);
		else
			ib_destroy_qp(ch->qp);
		ch->qp = NULL;
	}
	if (ch->cq) {
		ib_cq_pool_put(ch->cq, ch->cq_size);
		ch->cq = NULL;
	}
}

/* Move an IB/CM channel's QP to @state with the attributes the CM knows. */
static int srpt_ib_qp_modify(struct srpt_rdma_ch *ch, enum ib_qp_state state)
{
	struct ib_qp_attr attr = { .qp_state = state };
	int mask, ret;

	ret = ib_cm_init_qp_attr(ch->ib_cm_id, &attr, &mask);
	if (ret)
		return ret;
	return ib_modify_qp(ch->qp, &attr, mask);
}

/*
 * Move an IB/CM channel's QP to RTR before the REP @rep goes out. The
 * CM learns the receive PSN and our responder resources only from
 * ib_send_cm_rep(), and would offer 0 and the REQ's initiator depth
 * (maybe more than the HCA supports): the QP takes what @rep announces.
 */
static int srpt_ib_qp_rtr(struct srpt_rdma_ch *ch,
			  const struct ib_cm_rep_param *rep)
{
	struct ib_qp_attr attr = { .qp_state = IB_QPS_RTR };
	int mask, ret;

	ret = ib_cm_init_qp_attr(ch->ib_cm_id, &attr, &mask);
	if (ret)
		return ret;
	attr.rq_psn = rep->starting_psn;
	attr.max_dest_rd_atomic = rep->responder_resources;
	return ib_modify_qp(ch->qp, &attr, mask);
}

/*
 * Post the receive buffers of a channel without SRQ. IBA forbids
 * posting to a QP in RESET (rxe and rdmavt refuse it): RDMA/CM moved
 * the QP to INIT when it created it, an IB/CM QP is moved here.
 */
static int srpt_ch_post_recvs(struct srpt_rdma_ch *ch, u32 iu_len)
{
	struct srpt_device *sdev = ch->sport->sdev;
	int ret = 0;
	u32 i;

	if (ch->ib_cm_id)
		ret = srpt_ib_qp_modify(ch, IB_QPS_INIT);
	if (ret || ch->srq)
		return ret;
	ret = srpt_alloc_recv_ring(sdev, &ch->recv, ch->credits, iu_len,
				   ch->params.use_imm_data ?
				   ch->params.imm_data_offset : 0, false);
	for (i = 0; i < ch->recv.n && !ret; i++)
		ret = srpt_post_recv(sdev, ch->qp, &ch->recv.ioctx[i]);
	return ret;
}

static struct srpt_nexus *srpt_nexus_get(struct srpt_port *sport,
					 const u8 i_port_id[16],
					 const u8 t_port_id[16])
{
	struct srpt_nexus *n;

	lockdep_assert_held(&sport->sdev->mutex);
	list_for_each_entry(n, &sport->nexus_list, entry)
		if (!memcmp(n->i_port_id, i_port_id, 16) &&
		    !memcmp(n->t_port_id, t_port_id, 16))
			return n;
	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return NULL;
	INIT_LIST_HEAD(&n->ch_list);
	memcpy(n->i_port_id, i_port_id, 16);
	memcpy(n->t_port_id, t_port_id, 16);
	list_add_tail(&n->entry, &sport->nexus_list);
	return n;
}

static void srpt_nexus_put(struct srpt_nexus *n)
{
	if (n && list_empty(&n->ch_list)) {
		list_del(&n->entry);
		kfree(n);
	}
}

/**
 * srpt_ch_publish() - add a channel to its nexus, closing older ones
 * @ch: new channel.
 * @login: the login.
 * @multichan: receives the SRP_LOGIN_RSP_MULTICHAN_* result.
 *
 * Context: process context; the caller holds &sdev->mutex.
 * Return: 0 or an SRP_LOGIN_REJ reason.
 */
static u32 srpt_ch_publish(struct srpt_rdma_ch *ch,
			   const struct srpt_login *login, u8 *multichan)
{
	struct srpt_nexus *nexus;
	struct srpt_rdma_ch *old;
	u32 n = 0, reason;

	nexus = srpt_nexus_get(ch->sport, login->i_port_id, login->t_port_id);
	if (!nexus)
		return SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES;
	list_for_each_entry(old, &nexus->ch_list, list)
		if (READ_ONCE(old->state) <= SRPT_CH_LIVE)
			n++;
	reason = srpt_multichan_decide(n, ch->params.multichan_single,
				       multichan);
	if (reason) {
		srpt_nexus_put(nexus);
		return reason;
	}
	/* SRP r16a: the others are logged out for the multi-channel action. */
	if (*multichan == SRP_LOGIN_RSP_MULTICHAN_TERMINATED)
		list_for_each_entry(old, &nexus->ch_list, list)
			if (!srpt_ch_logout(old, SRPT_T_LOGOUT_MULTICHAN, 0))
				srpt_ch_close(old);
	ch->nexus = nexus;
	list_add_tail(&ch->list, &nexus->ch_list);
	return 0;
}

static void srpt_ch_unpublish(struct srpt_rdma_ch *ch)
{
	lockdep_assert_held(&ch->sport->sdev->mutex);
	if (!ch->nexus)
		return;
	list_del_init(&ch->list);
	srpt_nexus_put(ch->nexus);
	ch->nexus = NULL;
}

/* The last of a channel: what srpt_ch_alloc() set up before its QP. */
static void srpt_ch_kfree(struct srpt_rdma_ch *ch)
{
	struct srpt_device *sdev = ch->sport->sdev;

	mutex_destroy(&ch->iu_mutex);
	mutex_destroy(&ch->rw_mutex);
	kfree(ch);
	srpt_sdev_put(sdev);
}

/*
 * Put a parked channel on its port's list; if the port came back since
 * srpt_ch_park() looked, have the port work end it now.
 */
static void srpt_ch_add_parked(struct srpt_rdma_ch *ch)
{
	struct srpt_port *sport = ch->sport;

	lockdep_assert_held(&sport->sdev->mutex);
	list_add_tail(&ch->list, &sport->parked_list);
	if (!sport->sdev->removed && !srpt_port_is_down(sport))
		queue_work(srpt_wq, &sport->work);
}

/*
 * Free what srpt_ch_alloc() allocated; the QP must be idle. A @parked
 * channel (srpt_ch_park()) keeps its memory and CM ID: it belongs to
 * its port's parked list from then on.
 */
static void srpt_ch_free(struct srpt_rdma_ch *ch, bool parked)
{
	struct srpt_device *sdev = ch->sport->sdev;

	srpt_ch_destroy_qp(ch);
	srpt_free_recv_ring(sdev, &ch->recv);
	srpt_buf_free(sdev, &ch->tlogout, DMA_TO_DEVICE);
	srpt_free_send_ring(ch);
	/*
	 * Leave the nexus only now that nothing of the channel is mapped
	 * on the HCA: srpt_close_channels() returns once no selected
	 * channel is on a nexus list, and HCA removal relies on that.
	 */
	mutex_lock(&sdev->mutex);
	if (ch->srq)
		sdev->srq_users--;
	srpt_ch_unpublish(ch);
	if (parked)
		srpt_ch_add_parked(ch);
	wake_up_all(&sdev->ch_waitq);
	mutex_unlock(&sdev->mutex);
	if (!parked)
		srpt_ch_kfree(ch);
}

static void srpt_ch_destroy_cm_id(struct srpt_rdma_ch *ch)
{
	if (ch->rdma_cm_id)
		rdma_destroy_id(ch->rdma_cm_id);
	else
		ib_destroy_cm_id(ch->ib_cm_id);
}

/**
 * srpt_ch_park() - keep a released channel's CM ID while its port is down
 * @ch: channel; its QP is gone.
 *
 * srpt_ch_disconnect() held back the disconnect request of a channel
 * closed while its port was down; destroying the CM ID would send it
 * now (or a reject), which must not go through a port that is down
 * (srpt_port_is_down()). Such a channel is parked: it goes on its
 * port's parked list in srpt_ch_free(), without its resources, and the
 * port work (srpt_port_unpark()) or the HCA's removal ends it. A CM ID
 * whose disconnect request went out already is destroyed without
 * another message, whatever the port's state.
 *
 * Context: process context.
 * Return: true if @ch is parked; false if its CM ID is to go now.
 */
static bool srpt_ch_park(struct srpt_rdma_ch *ch)
{
	struct srpt_device *sdev = ch->sport->sdev;
	bool park;

	mutex_lock(&sdev->mutex);
	park = ch->dreq_held && !sdev->removed && srpt_port_is_down(ch->sport);
	mutex_unlock(&sdev->mutex);
	return park;
}

/**
 * srpt_ch_release_work() - free a closed channel
 * @work: &srpt_rdma_ch.release_work.
 *
 * Waits until the target core has released every command, drains the
 * QP, then frees the session, the QP, the CM ID (unless srpt_ch_park()
 * keeps it) and the channel; the channel leaves its nexus last
 * (srpt_ch_free()).
 *
 * Context: process context (srpt_wq).
 */
static void srpt_ch_release_work(struct work_struct *work)
{
	struct srpt_rdma_ch *ch = container_of(work, struct srpt_rdma_ch,
					       release_work);
	bool parked;

	srpt_ch_set_state(ch, SRPT_CH_DRAINING);
	/* Disconnected already: the timer has nothing left to do. */
	cancel_delayed_work_sync(&ch->logout_work);
	target_stop_session(ch->sess);
	cancel_work_sync(&ch->wait_work);
	srpt_fail_waiting(ch);
	target_wait_for_sess_cmds(ch->sess);
	ib_drain_qp(ch->qp);
	srpt_drop_early(ch);
	target_remove_session(ch->sess);
	ch->sess = NULL;

	/* Against srpt_ch_established(), which the CM may still call. */
	mutex_lock(&ch->iu_mutex);
	srpt_ch_destroy_qp(ch);
	mutex_unlock(&ch->iu_mutex);
	/* The QP is gone, so no event can queue close_work again. */
	cancel_work_sync(&ch->close_work);
	srpt_ch_set_state(ch, SRPT_CH_RELEASED);
	parked = srpt_ch_park(ch);
	if (parked) {
		pr_info("%s: channel released; its port is down, so the initiator is told when the port is back\n",
			ch->sess_name);
	} else {
		pr_info("%s: channel released\n", ch->sess_name);
		srpt_ch_destroy_cm_id(ch);
	}
	srpt_ch_free(ch, parked);
}

/**
 * srpt_ch_alloc() - allocate a channel and everything but its session
 * @sport: port.
 * @ib_cm_id: IB/CM connection, or NULL.
 * @rdma_cm_id: RDMA/CM connection, or NULL.
 * @params: negotiated login parameters.
 *
 * Context: process context (CM handler).
 * Return: the channel or an ERR_PTR().
 */
static struct srpt_rdma_ch *srpt_ch_alloc(struct srpt_port *sport,
					  struct ib_cm_id *ib_cm_id,
					  struct rdma_cm_id *rdma_cm_id,
					  const struct srpt_login_params *params)
{
	struct srpt_device *sdev = sport->sdev;
	struct srpt_rdma_ch *ch;
	bool use_srq;
	int ret;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	/* Dropped by srpt_ch_free(), after its last use of the device. */
	srpt_sdev_get(sdev);
	ch->sport = sport;
	ch->ib_cm_id = ib_cm_id;
	ch->rdma_cm_id = rdma_cm_id;
	ch->params = *params;
	spin_lock_init(&ch->lock);
	mutex_init(&ch->rw_mutex);
	mutex_init(&ch->iu_mutex);
	INIT_LIST_HEAD(&ch->list);
	INIT_LIST_HEAD(&ch->free_list);
	INIT_LIST_HEAD(&ch->sq_wait_list);
	INIT_LIST_HEAD(&ch->early_list);
	INIT_LIST_HEAD(&ch->iu_wait_list);
	INIT_WORK(&ch->release_work, srpt_ch_release_work);
	INIT_WORK(&ch->close_work, srpt_ch_close_work);
	INIT_WORK(&ch->wait_work, srpt_wait_work);
	INIT_DELAYED_WORK(&ch->logout_work, srpt_logout_timeout);
	ch->state = SRPT_CH_CONNECTING;

	mutex_lock(&sdev->mutex);
	ch->sq_size = min_t(u32, sport->attrib.srp_sq_size,
			    sdev->device->attrs.max_qp_wr);
	ch->rsp_size = sport->attrib.srp_max_rsp_size;
	use_srq = sport->attrib.use_srq;
	ret = 0;
	if (use_srq)
		ret = srpt_srq_create(sdev);
	if (!ret && use_srq) {
		ch->srq = sdev->srq;
		sdev->srq_users++;
	}
	mutex_unlock(&sdev->mutex);
	if (ret)
		goto free_ch;
	/* Leave room in the send queue for the RDMA of at least one command. */
	ch->credits = clamp_t(u32, ch->sq_size / 2, 1, SRPT_MAX_CREDITS);
	ch->n_ioctx = ch->credits * SRPT_SEND_CTX_PER_CREDIT;

	ret = srpt_ch_create_qp(ch);
	if (ret)
		goto put_srq;
	ret = srpt_alloc_send_ring(ch);
	if (!ret)
		ret = srpt_buf_alloc(sdev, &ch->tlogout,
				     sizeof(struct srp_t_logout), DMA_TO_DEVICE);
	if (!ret)
		ret = srpt_ch_post_recvs(ch, params->it_iu_len);
	if (ret)
		goto destroy_qp;
	ch->tlogout.cqe.done = srpt_tlogout_done;
	return ch;

destroy_qp:
	/* First the QP, so that no buffer is freed while posted. */
	srpt_ch_destroy_qp(ch);
	srpt_free_recv_ring(sdev, &ch->recv);
	srpt_buf_free(sdev, &ch->tlogout, DMA_TO_DEVICE);
	srpt_free_send_ring(ch);
put_srq:
	if (ch->srq) {
		mutex_lock(&sdev->mutex);
		sdev->srq_users--;
		mutex_unlock(&sdev->mutex);
	}
free_ch:
	kfree(ch);
	srpt_sdev_put(sdev);
	return ERR_PTR(ret);
}

/**
 * srpt_path_change() - which port entry a channel relies on has changed
 * @noted: the entries the channel's QP took when its login was accepted.
 * @now: the same entries read from the port now: @now->has_sgid if the
 *	noted GID is still in the port's table (at any index: a GID
 *	deleted and added again, as a bonding failover does, is the same
 *	GID), @now->smac the MAC address of that GID's network device,
 *	@now->pkey the P_Key at the noted index, @now->lid the port's LID.
 *
 * An entry counts only if it was noted; one noted that cannot be read
 * now has changed.
 *
 * Context: any.
 * Return: what changed, for a log line, or NULL if nothing did.
 */
VISIBLE_IF_KUNIT const char *srpt_path_change(const struct srpt_ch_path *noted,
					      const struct srpt_ch_path *now)
{
	if (noted->has_sgid && (!now->has_sgid ||
				memcmp(&now->sgid, &noted->sgid,
				       sizeof(noted->sgid))))
		return "its GID left the port";
	if (noted->has_smac && (!now->has_smac ||
				!ether_addr_equal(now->smac, noted->smac)))
		return "its network device has a new MAC address";
	if (noted->has_pkey && (!now->has_pkey || now->pkey != noted->pkey))
		return "its P_Key left the port";
	if (noted->has_lid && (!now->has_lid || now->lid != noted->lid))
		return "the port's LID changed";
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(srpt_path_change);

/*
 * The GID @p noted, looked up by value in the table of @port, and the
 * MAC address of its network device, into @now.
 */
static void srpt_read_sgid_now(struct ib_device *dev, u32 port,
			       const struct srpt_ch_path *p,
			       struct srpt_ch_path *now)
{
	const struct ib_gid_attr *attr;

	attr = rdma_find_gid_by_port(dev, &p->sgid, p->sgid_type, port, NULL);
	if (IS_ERR(attr))
		return;
	now->has_sgid = true;
	now->sgid = attr->gid;
	now->has_smac = !rdma_read_gid_l2_fields(attr, NULL, now->smac);
	rdma_put_gid_attr(attr);
}

/**
 * srpt_ch_path_change() - what of its port a channel's QP relies on changed
 * @ch: channel, accepted (srpt_ch_note_path() ran).
 *
 * A QP whose source GID is no longer in the port's table (an IP address
 * of a RoCE port was removed) or whose network device has a new MAC
 * address, whose P_Key entry holds another partition, or whose port has
 * a new LID sends from an address or partition the port no longer has:
 * its peer cannot answer, or gets packets from an address it no longer
 * reaches us by. Reads the port's entries and lets srpt_path_change()
 * decide.
 *
 * The LID is &srpt_port.lid, which the port work reads again before it
 * calls this.
 *
 * Context: process context; the caller holds &srpt_device.mutex.
 * Return: what changed, for a log line, or NULL if nothing did.
 */
static const char *srpt_ch_path_change(struct srpt_rdma_ch *ch)
{
	struct ib_device *dev = ch->sport->sdev->device;
	const struct srpt_ch_path *p = &ch->path;
	u32 port = ch->sport->port;
	struct srpt_ch_path now = {};

	lockdep_assert_held(&ch->sport->sdev->mutex);
	if (p->has_sgid)
		srpt_read_sgid_now(dev, port, p, &now);
	now.has_pkey = p->has_pkey &&
		!ib_get_cached_pkey(dev, port, p->pkey_index, &now.pkey);
	now.has_lid = p->has_lid;
	now.lid = READ_ONCE(ch->sport->lid);
	return srpt_path_change(p, &now);
}

/**
 * srpt_ch_note_path() - note the port entries an accepted channel uses
 * @ch: channel whose QP is ready to receive (RTR).
 *
 * Notes the QP's source GID and its network device's MAC address (the
 * core holds the GID entry in &ib_qp.av_sgid_attr from the move to RTR
 * on), its P_Key entry and the port's LID, for srpt_ch_path_change().
 * If one of them seems to have changed since the login request was
 * taken, the port work, which reads the port's LID again first, decides
 * and closes the channel.
 *
 * Context: process context; the caller holds &srpt_device.mutex, so
 * that srpt_port_close_stale() sees every channel it lists noted.
 */
static void srpt_ch_note_path(struct srpt_rdma_ch *ch)
{
	const struct ib_gid_attr *sgid = ch->qp->av_sgid_attr;
	struct ib_device *dev = ch->sport->sdev->device;
	u32 port = ch->sport->port;
	struct srpt_ch_path *p = &ch->path;
	struct ib_qp_init_attr init_attr;
	struct ib_port_attr pattr;
	struct ib_qp_attr attr;

	lockdep_assert_held(&ch->sport->sdev->mutex);
	p->has_sgid = sgid;
	if (sgid) {
		p->sgid = sgid->gid;
		p->sgid_type = sgid->gid_type;
	}
	p->has_smac = sgid && !rdma_read_gid_l2_fields(sgid, NULL, p->smac);
	p->has_pkey = !ib_query_qp(ch->qp, &attr, IB_QP_PKEY_INDEX,
				   &init_attr) &&
		!ib_get_cached_pkey(dev, port, attr.pkey_index, &p->pkey);
	if (p->has_pkey)
		p->pkey_index = attr.pkey_index;
	p->has_lid = rdma_port_get_link_layer(dev, port) ==
		IB_LINK_LAYER_INFINIBAND && !ib_query_port(dev, port, &pattr);
	if (p->has_lid)
		p->lid = pattr.lid;
	if (srpt_ch_path_change(ch))
		queue_work(srpt_wq, &ch->sport->work);
}

/**
 * srpt_ch_established() - RTU received: start processing IUs
 * @ch: channel.
 *
 * Context: process context (CM handler).
 */
static void srpt_ch_established(struct srpt_rdma_ch *ch)
{
	int ret = 0;

	mutex_lock(&ch->iu_mutex);
	/* Closed meanwhile: the release work may have destroyed the QP. */
	if (READ_ONCE(ch->state) != SRPT_CH_CONNECTING)
		goto unlock;
	if (ch->ib_cm_id)
		ret = srpt_ib_qp_modify(ch, IB_QPS_RTS);
	if (!ret && srpt_ch_set_state(ch, SRPT_CH_LIVE) == SRPT_CH_CONNECTING)
		srpt_process_early(ch);
unlock:
	mutex_unlock(&ch->iu_mutex);
	if (ret) {
		srpt_ch_warn(ch, "cannot move the QP to RTS\n");
		srpt_ch_close(ch);
	}
}

/*
 * Whether @sdev has a channel for which @match() is true; with @report,
 * log each such channel, for an admin waiting for them to go.
 */
static bool srpt_has_channel(struct srpt_device *sdev,
			     bool (*match)(struct srpt_rdma_ch *, void *),
			     void *arg, bool report)
{
	struct srpt_nexus *n;
	struct srpt_rdma_ch *ch;
	bool found = false;
	u32 i;

	mutex_lock(&sdev->mutex);
	for (i = 0; i < sdev->nports && (!found || report); i++)
		list_for_each_entry(n, &sdev->port[i].nexus_list, entry)
			list_for_each_entry(ch, &n->ch_list, list) {
				if (match && !match(ch, arg))
					continue;
				found = true;
				if (report)
					pr_info("%s: waiting for a channel to close (%s)\n",
						ch->sess_name,
						srpt_ch_state_names[READ_ONCE(ch->state)]);
			}
	mutex_unlock(&sdev->mutex);
	return found;
}

/*
 * Start closing the channels of @sdev for which @match() is true (all
 * without @match); return how many of them were connecting or live.
 */
static u32 srpt_close_matching(struct srpt_device *sdev,
			       bool (*match)(struct srpt_rdma_ch *, void *),
			       void *arg)
{
	struct srpt_nexus *n;
	struct srpt_rdma_ch *ch;
	u32 i, count = 0;

	mutex_lock(&sdev->mutex);
	for (i = 0; i < sdev->nports; i++)
		list_for_each_entry(n, &sdev->port[i].nexus_list, entry)
			list_for_each_entry(ch, &n->ch_list, list) {
				if (match && !match(ch, arg))
					continue;
				if (READ_ONCE(ch->state) <= SRPT_CH_LIVE)
					count++;
				srpt_ch_close(ch);
			}
	mutex_unlock(&sdev->mutex);
	return count;
}

/**
 * srpt_close_channels() - close channels and wait until they are gone
 * @sdev: device.
 * @match: selects the channels, or NULL for all.
 * @arg: argument of @match.
 *
 * Every 30 s without progress, the channels still there are logged.
 *
 * Context: process context; no channel lock held.
 */
static void srpt_close_channels(struct srpt_device *sdev,
				bool (*match)(struct srpt_rdma_ch *, void *),
				void *arg)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	bool report = false;

	srpt_close_matching(sdev, match, arg);

	/*
	 * srpt_has_channel() sleeps on the device mutex, which a
	 * wait_event() condition must not do; wait_woken() lets the
	 * check run in TASK_RUNNING without missing a wake-up.
	 */
	add_wait_queue(&sdev->ch_waitq, &wait);
	while (srpt_has_channel(sdev, match, arg, report))
		report = !wait_woken(&wait, TASK_UNINTERRUPTIBLE, 30 * HZ);
	remove_wait_queue(&sdev->ch_waitq, &wait);
}

static bool srpt_ch_on_port(struct srpt_rdma_ch *ch, void *sport)
{
	return ch->sport == sport;
}

/*
 * The port went down: close its channels (without a disconnect request,
 * see srpt_port_is_down()) and do not wait for them.
 */
static void srpt_port_close_channels(struct srpt_port *sport)
{
	struct srpt_device *sdev = sport->sdev;
	u32 count = srpt_close_matching(sdev, srpt_ch_on_port, sport);

	if (count)
		pr_info("HCA port %s/%u is down: closing %u channels\n",
			dev_name(&sdev->device->dev), sport->port, count);
}

/**
 * srpt_port_unpark() - end the channels parked on a port
 * @sport: port; active again, or its HCA is being removed.
 *
 * Destroys each parked channel's CM ID, which sends the disconnect
 * request the initiator did not get while the port was down, and frees
 * the channel.
 *
 * Context: process context.
 */
static void srpt_port_unpark(struct srpt_port *sport)
{
	struct srpt_device *sdev = sport->sdev;
	struct srpt_rdma_ch *ch, *next;
	LIST_HEAD(parked);

	mutex_lock(&sdev->mutex);
	list_splice_init(&sport->parked_list, &parked);
	mutex_unlock(&sdev->mutex);
	if (list_empty(&parked))
		return;
	if (srpt_port_is_down(sport))
		pr_warn("HCA port %s/%u is being removed while down: its %zu held-back disconnect requests go out now\n",
			dev_name(&sdev->device->dev), sport->port,
			list_count_nodes(&parked));
	else
		pr_info("HCA port %s/%u: disconnecting %zu channels closed while it was down\n",
			dev_name(&sdev->device->dev), sport->port,
			list_count_nodes(&parked));
	list_for_each_entry_safe(ch, next, &parked, list) {
		list_del(&ch->list);
		srpt_ch_destroy_cm_id(ch);
		srpt_ch_kfree(ch);
	}
}

/* What srpt_ch_stale() matches: the channels of @sport, logged if @log. */
struct srpt_stale_arg {
	struct srpt_port *sport;
	bool log;
};

/*
 * srpt_has_channel() and srpt_close_matching() filter: a connecting or
 * live channel of the port whose port entries changed.
 */
static bool srpt_ch_stale(struct srpt_rdma_ch *ch, void *arg)
{
	const struct srpt_stale_arg *a = arg;
	const char *change;

	if (ch->sport != a->sport || READ_ONCE(ch->state) > SRPT_CH_LIVE)
		return false;
	change = srpt_ch_path_change(ch);
	if (change && a->log)
		srpt_ch_warn(ch, "closing the channel: %s\n", change);
	return change;
}

/**
 * srpt_port_close_stale() - close the channels a port event left stale
 * @sport: port, active.
 *
 * Closes each channel of @sport whose source GID, MAC address, P_Key or
 * LID is no longer what its QP took at login (srpt_ch_path_change()). New logins
 * take the port's new entries. An InfiniBand port's GID table is
 * rewritten entry by entry on GID and reregistration events, each entry
 * briefly absent: a channel is closed only if its entry still differs
 * %SRPT_PATH_SETTLE_MS later.
 *
 * Context: process context.
 */
static void srpt_port_close_stale(struct srpt_port *sport)
{
	struct srpt_stale_arg arg = { .sport = sport };
	u32 count;

	if (!srpt_has_channel(sport->sdev, srpt_ch_stale, &arg, false))
		return;
	msleep(SRPT_PATH_SETTLE_MS);
	arg.log = true;
	count = srpt_close_matching(sport->sdev, srpt_ch_stale, &arg);
	if (count)
		pr_info("HCA port %s/%u: closing %u channels whose GID, MAC address, P_Key or LID changed\n",
			dev_name(&sport->sdev->device->dev), sport->port,
			count);
}

/**
 * srpt_port_work() - act on a port event
 * @work: &srpt_port.work.
 *
 * Context: process context (srpt_wq).
 */
static void srpt_port_work(struct work_struct *work)
{
	struct srpt_port *sport = container_of(work, struct srpt_port, work);

	srpt_port_refresh(sport);
	if (srpt_port_is_down(sport)) {
		srpt_port_close_channels(sport);
		return;
	}
	srpt_port_unpark(sport);
	srpt_port_close_stale(sport);
}

/* ---------------------------------------------------------------------
 * Logins and CM handlers
 */

/* Copy the name of the ACL of @stpg that names the initiator, if any. */
static bool srpt_tpg_find_acl(struct srpt_tpg *stpg, const u8 i_port_id[16],
			      const struct sockaddr *sa, char *name, size_t len)
{
	struct se_node_acl *se_nacl;
	bool found = false;

	mutex_lock(&stpg->tpg.acl_node_mutex);
	list_for_each_entry(se_nacl, &stpg->tpg.acl_node_list, acl_list) {
		struct srpt_node_acl *acl =
			container_of(se_nacl, struct srpt_node_acl, nacl);

		if (se_nacl->dynamic_node_acl ||
		    !srpt_acl_matches(acl, i_port_id, sa))
			continue;
		pr_debug("login from %s: ACL %s of TPG %u matches\n", name,
			 se_nacl->initiatorname, stpg->tag);
		strscpy(name, se_nacl->initiatorname, len);
		found = true;
		break;
	}
	mutex_unlock(&stpg->tpg.acl_node_mutex);
	return found;
}

/**
 * srpt_find_tpg() - find the enabled TPG that admits an initiator
 * @sport: port the login arrived on.
 * @i_port_id: initiator port ID from the login.
 * @sa: initiator address for RDMA/CM logins, else NULL.
 * @name: on entry the initiator's own name, used in demo mode; on
 *	  success the name of the session's ACL.
 * @len: size of @name.
 *
 * ACLs are compared by value, so every spelling of a GUID, port ID or
 * IP address works under both the GUID- and the GID-named target port.
 * Without a matching ACL, the first TPG in demo mode admits the
 * initiator under its own name.
 *
 * Context: process context; the caller holds &sport->sdev->mutex.
 * Return: the TPG, or NULL.
 */
static struct srpt_tpg *srpt_find_tpg(struct srpt_port *sport,
				      const u8 i_port_id[16],
				      const struct sockaddr *sa,
				      char *name, size_t len)
{
	struct srpt_port_id *ids[] = { sport->gid_id, sport->guid_id };
	struct srpt_tpg *stpg, *found = NULL, *demo = NULL;
	int i;

	lockdep_assert_held(&sport->sdev->mutex);
	for (i = 0; i < ARRAY_SIZE(ids) && !found; i++) {
		if (!ids[i])
			continue;
		mutex_lock(&ids[i]->mutex);
		list_for_each_entry(stpg, &ids[i]->tpg_list, entry) {
			if (!stpg->enabled)
				continue;
			if (srpt_tpg_find_acl(stpg, i_port_id, sa, name, len)) {
				found = stpg;
				break;
			}
			if (stpg->demo_mode && !demo)
				demo = stpg;
		}
		mutex_unlock(&ids[i]->mutex);
	}
	if (!found && demo)
		pr_debug("login from %s: no ACL matches; TPG %u admits it in demo mode\n",
			 name, demo->tag);
	else if (!found)
		pr_debug("login from %s: no enabled TPG of port %u of %s has a matching ACL or demo mode\n",
			 name, sport->port, dev_name(&sport->sdev->device->dev));
	return found ? found : demo;
}

static int srpt_send_rej(struct ib_cm_id *ib_cm_id,
			 struct rdma_cm_id *rdma_cm_id, u64 tag, u32 reason)
{
	struct srp_login_rej rej;

	srpt_build_login_rej(&rej, tag, reason);
	if (ib_cm_id)
		return ib_send_cm_rej(ib_cm_id, IB_CM_REJ_CONSUMER_DEFINED,
				      NULL, 0, &rej, sizeof(rej));
	return rdma_reject(rdma_cm_id, &rej, sizeof(rej),
			   IB_CM_REJ_CONSUMER_DEFINED);
}

static int srpt_send_rep(struct srpt_rdma_ch *ch, struct srp_login_rsp *rsp,
			 u8 responder_resources, u8 initiator_depth)
{
	struct ib_device_attr *attrs = &ch->sport->sdev->device->attrs;
	struct rdma_conn_param cp = {
		.private_data = rsp,
		.private_data_len = sizeof(*rsp),
		.responder_resources = min_t(u8, responder_resources,
					     attrs->max_qp_rd_atom),
		.initiator_depth = min_t(u8, initiator_depth,
					 attrs->max_qp_init_rd_atom),
		.flow_control = 1,
		.rnr_retry_count = 7,
	};
	struct ib_cm_rep_param rep = {
		.qp_num = ch->qp->qp_num,
		.starting_psn = get_random_u32() & 0xffffff,
		.private_data = rsp,
		.private_data_len = sizeof(*rsp),
		.responder_resources = cp.responder_resources,
		.initiator_depth = cp.initiator_depth,
		.flow_control = 1,
		.rnr_retry_count = 7,
		.srq = !!ch->srq,
	};
	int ret;

	if (ch->rdma_cm_id)
		return rdma_accept(ch->rdma_cm_id, &cp);
	ret = srpt_ib_qp_rtr(ch, &rep);
	if (!ret)
		ret = ib_send_cm_rep(ch->ib_cm_id, &rep);
	return ret;
}

static void srpt_req_name(const struct srpt_req *req, char *buf, size_t len)
{
	if (req->src)
		srpt_format_addr(buf, len, req->src);
	else
		snprintf(buf, len, "0x%016llx%016llx",
			 get_unaligned_be64(req->login.i_port_id),
			 get_unaligned_be64(req->login.i_port_id + 8));
}

/**
 * srpt_cm_login() - process a login from IB/CM or RDMA/CM
 * @req: the request.
 *
 * On success the channel is published, its session exists and the CM
 * accepted the connection. On failure an SRP_LOGIN_REJ was sent and
 * nothing is left behind.
 *
 * Context: process context (CM handler of the new connection), between
 * srpt_login_begin() and srpt_login_end().
 * Return: 0 or a negative errno; the CM destroys the new ID on error.
 */
static int srpt_cm_login(struct srpt_req *req)
{
	struct srpt_port *sport = req->sport;
	struct srpt_device *sdev = sport->sdev;
	struct srpt_login_params params;
	char acl_name[64], name[sizeof(((struct srpt_rdma_ch *)0)->sess_name)];
	struct srp_login_rsp *rsp = NULL;
	struct srpt_rdma_ch *ch = NULL;
	struct srpt_tpg *stpg;
	u8 multichan;
	u32 reason;
	int ret;

	srpt_req_name(req, name, sizeof(name));
	strscpy(acl_name, name, sizeof(acl_name));
	reason = srpt_check_login(&req->login, srp_max_req_size,
				  srpt_service_guid, &params);
	if (reason) {
		pr_debug("login from %s: IU length %u (at most %u), formats %#x, target port ID 0x%016llx%016llx (ours: 0x%016llx twice)\n",
			 name, req->login.req_it_iu_len, srp_max_req_size,
			 req->login.req_buf_fmt,
			 get_unaligned_be64(req->login.t_port_id),
			 get_unaligned_be64(req->login.t_port_id + 8),
			 srpt_service_guid);
		goto reject;
	}
	/* Turn away unknown initiators before allocating anything. */
	mutex_lock(&sdev->mutex);
	stpg = sdev->removed ? NULL :
		srpt_find_tpg(sport, req->login.i_port_id, req->src,
			      acl_name, sizeof(acl_name));
	mutex_unlock(&sdev->mutex);
	reason = SRP_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL;
	if (!stpg)
		goto reject;

	rsp = kzalloc(sizeof(*rsp), GFP_KERNEL);
	ch = srpt_ch_alloc(sport, req->ib_cm_id, req->rdma_cm_id, &params);
	reason = SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES;
	if (IS_ERR(ch) || !rsp) {
		ch = IS_ERR(ch) ? NULL : ch;
		goto reject;
	}
	strscpy(ch->sess_name, name, sizeof(ch->sess_name));
	memcpy(ch->i_port_id, req->login.i_port_id, sizeof(ch->i_port_id));
	ch->peer_gid = req->peer_gid;

	/*
	 * From the ACL lookup to the accept, hold the device mutex: the TPG
	 * cannot be disabled or dropped, nor the channel closed, before the
	 * CM owns the connection.
	 */
	mutex_lock(&sdev->mutex);
	reason = SRP_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL;
	strscpy(acl_name, name, sizeof(acl_name));
	stpg = sdev->removed ? NULL :
		srpt_find_tpg(sport, req->login.i_port_id, req->src,
			      acl_name, sizeof(acl_name));
	if (!stpg)
		goto unlock;
	ch->stpg = stpg;
	ch->sess = target_setup_session(&stpg->tpg, 0, 0, TARGET_PROT_NORMAL,
					acl_name, ch, NULL);
	if (IS_ERR(ch->sess)) {
		ch->sess = NULL;
		goto unlock;
	}
	reason = srpt_ch_publish(ch, &req->login, &multichan);
	if (reason)
		goto unlock;
	srpt_build_login_rsp(rsp, req->login.tag, &params, ch->credits,
			     ch->rsp_size, multichan);
	if (ch->ib_cm_id)
		ch->ib_cm_id->context = ch;
	else
		ch->rdma_cm_id->context = ch;
	ret = srpt_send_rep(ch, rsp, req->responder_resources,
			    req->initiator_depth);
	if (ret) {
		srpt_ch_unpublish(ch);
		reason = SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES;
		goto unlock;
	}
	srpt_ch_note_path(ch);
	mutex_unlock(&sdev->mutex);
	kfree(rsp);
	trace_srpt_login_accepted(name, acl_name, ch->qp_num, ch->credits,
				  params.it_iu_len, ch->rsp_size,
				  params.use_imm_data);
	pr_info("%s-%u: logged in to %s (%u credits, IU %u/%u bytes%s)\n",
		ch->sess_name, ch->qp_num, acl_name, ch->credits,
		params.it_iu_len, ch->rsp_size,
		params.use_imm_data ? ", immediate data" : "");
	return 0;

unlock:
	mutex_unlock(&sdev->mutex);
reject:
	kfree(rsp);
	trace_srpt_login_rejected(name, reason, srpt_rej_reason_name(reason));
	pr_info_ratelimited("login from %s rejected: %s (0x%08x)\n", name,
			    srpt_rej_reason_name(reason), reason);
	srpt_send_rej(req->ib_cm_id, req->rdma_cm_id, req->login.tag, reason);
	if (ch) {
		if (ch->ib_cm_id)
			ch->ib_cm_id->context = NULL;
		else
			ch->rdma_cm_id->context = NULL;
		if (ch->sess)
			target_remove_session(ch->sess);
		/* Flush the posted receives before their buffers go. */
		ib_drain_qp(ch->qp);
		srpt_ch_free(ch, false);
	}
	return -ECONNREFUSED;
}

/*
 * Count a login that may create a channel on @sdev; false once the HCA
 * is being removed. srpt_remove_one() waits until every login counted
 * has ended, so none creates resources on a device going away.
 */
static bool srpt_login_begin(struct srpt_device *sdev)
{
	bool ok;

	mutex_lock(&sdev->mutex);
	ok = !sdev->removed;
	if (ok)
		sdev->logins++;
	mutex_unlock(&sdev->mutex);
	return ok;
}

static void srpt_login_end(struct srpt_device *sdev)
{
	mutex_lock(&sdev->mutex);
	sdev->logins--;
	wake_up_all(&sdev->ch_waitq);
	mutex_unlock(&sdev->mutex);
}

/**
 * srpt_cm_req_recv() - answer a connection request
 * @req: the request, as far as it could be read.
 * @reason: SRP_LOGIN_REJ reason found while reading it, or 0.
 *
 * Context: process context (CM handler of the new connection).
 * Return: 0, or a negative errno to have the CM destroy the new ID.
 */
static int srpt_cm_req_recv(struct srpt_req *req, u32 reason)
{
	struct srpt_device *sdev;
	int ret;

	if (!reason && !srpt_login_begin(req->sport->sdev))
		reason = SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
	if (reason) {
		srpt_send_rej(req->ib_cm_id, req->rdma_cm_id, req->login.tag,
			      reason);
		return -ECONNREFUSED;
	}
	sdev = req->sport->sdev;
	ret = srpt_cm_login(req);
	srpt_login_end(sdev);
	return ret;
}

static int srpt_ib_cm_req_recv(struct ib_cm_id *cm_id,
			       const struct ib_cm_event *event)
{
	struct srpt_device *sdev = srpt_sdev_lookup(cm_id->device);
	struct srpt_req req = { .ib_cm_id = cm_id };
	u32 reason;
	int ret;

	/* The listener's context, copied to @cm_id; the channel's, later. */
	cm_id->context = NULL;
	reason = srpt_ib_req_parse(sdev, &event->param.req_rcvd,
				   event->private_data, &req);
	ret = srpt_cm_req_recv(&req, reason);
	if (sdev)
		srpt_sdev_put(sdev);
	return ret;
}

/**
 * srpt_ib_cm_handler() - IB/CM event handler
 * @cm_id: connection; its context is the channel (NULL before accept).
 * @event: event.
 *
 * Context: process context (IB/CM workqueue).
 * Return: non-zero to have the CM destroy @cm_id (rejected logins only).
 */
static int srpt_ib_cm_handler(struct ib_cm_id *cm_id,
			      const struct ib_cm_event *event)
{
	struct srpt_rdma_ch *ch = cm_id->context;

	if (event->event == IB_CM_REQ_RECEIVED)
		return srpt_ib_cm_req_recv(cm_id, event);
	if (!ch)
		return 0;
	switch (event->event) {
	case IB_CM_RTU_RECEIVED:
	case IB_CM_USER_ESTABLISHED:
		srpt_ch_established(ch);
		break;
	case IB_CM_DREQ_RECEIVED:
		ib_send_cm_drep(cm_id, NULL, 0);
		srpt_ch_close(ch);
		break;
	case IB_CM_REJ_RECEIVED:
	case IB_CM_REP_ERROR:
	case IB_CM_DREQ_ERROR:
	case IB_CM_DREP_RECEIVED:
	case IB_CM_TIMEWAIT_EXIT:
		srpt_ch_close(ch);
		break;
	default:
		break;
	}
	return 0;
}

static int srpt_rdma_cm_req_recv(struct rdma_cm_id *cm_id,
				 const struct rdma_cm_event *event)
{
	struct srpt_req req = {
		.rdma_cm_id = cm_id,
		.src = (struct sockaddr *)&cm_id->route.addr.dst_addr,
	};
	struct srpt_device *sdev = srpt_sdev_lookup(cm_id->device);
	u32 reason;
	int ret;

	reason = srpt_rdma_req_parse(sdev, cm_id->port_num, &event->param.conn,
				     &req);
	ret = srpt_cm_req_recv(&req, reason);
	if (sdev)
		srpt_sdev_put(sdev);
	return ret;
}

/**
 * srpt_rdma_cm_handler() - RDMA/CM event handler
 * @cm_id: listener, or a connection whose context is its channel.
 * @event: event.
 *
 * Context: process context (RDMA/CM).
 * Return: non-zero to have the CM destroy @cm_id (rejected logins only).
 */
static int srpt_rdma_cm_handler(struct rdma_cm_id *cm_id,
				struct rdma_cm_event *event)
{
	struct srpt_rdma_ch *ch = cm_id->context;

	if (event->event == RDMA_CM_EVENT_CONNECT_REQUEST)
		return srpt_rdma_cm_req_recv(cm_id, event);
	if (!ch)
		return 0;
	switch (event->event) {
	case RDMA_CM_EVENT_ESTABLISHED:
		srpt_ch_established(ch);
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
	case RDMA_CM_EVENT_REJECTED:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_CONNECT_ERROR:
	case RDMA_CM_EVENT_ADDR_CHANGE:
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		srpt_ch_close(ch);
		break;
	default:
		break;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Target core callbacks
 */

static struct srpt_send_ioctx *srpt_cmd_to_ioctx(struct se_cmd *cmd)
{
	return container_of(cmd, struct srpt_send_ioctx, cmd);
}

static int srpt_check_stop_free(struct se_cmd *cmd)
{
	return target_put_sess_cmd(cmd);
}

static void srpt_release_cmd(struct se_cmd *cmd)
{
	srpt_release_ioctx(srpt_cmd_to_ioctx(cmd));
}

static void srpt_close_session(struct se_session *sess)
{
	srpt_ch_close(sess->fabric_sess_ptr);
}

/**
 * srpt_imm_prepare() - make a command's immediate data fit its backend
 * @ioctx: command with immediate data; its LUN has been looked up.
 *
 * The data stays in the receive buffer, which the command holds until
 * its response, when it starts on a logical block boundary of the
 * LUN's device (iblock hands the pages to the block layer as they are);
 * otherwise it is copied into pages of its own.
 *
 * Context: process context.
 * Return: 0, or -ENOMEM for the target core to retry later.
 */
static int srpt_imm_prepare(struct srpt_send_ioctx *ioctx)
{
	u32 block = ioctx->cmd.se_dev->dev_attrib.block_size;
	struct srpt_cmd_desc *d = &ioctx->desc;
	struct srpt_ch_stats *st = &ioctx->ch->stats;
	void *copy;

	if (ioctx->imm_copy)
		return 0;
	if (IS_ALIGNED((unsigned long)d->imm, max(block, SRPT_IMM_ALIGN))) {
		atomic64_inc(&st->imm_in_place);
		return 0;
	}
	copy = alloc_pages_exact(d->data_len, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, d->imm, d->data_len);
	sg_init_one(&ioctx->imm_sg, copy, d->data_len);
	ioctx->imm_copy = copy;
	atomic64_inc(&st->imm_copied);
	return 0;
}

/**
 * srpt_write_pending() - fetch the data-out buffer of a SCSI write
 * @cmd: command.
 *
 * Immediate data is already there; otherwise post the RDMA READs, whose
 * work requests were reserved at admission.
 *
 * Context: process context: the target core calls it from command
 * submission or from its queue-full work.
 * Return: 0, -ENOMEM for the core to retry, or -EIO to have it fail the
 * command.
 */
static int srpt_write_pending(struct se_cmd *cmd)
{
	struct srpt_send_ioctx *ioctx = srpt_cmd_to_ioctx(cmd);
	struct srpt_rdma_ch *ch = ioctx->ch;
	struct ib_cqe *cqe = &ioctx->rdma_cqe;
	struct ib_send_wr *first = NULL;
	int i, ret;

	if (ioctx->desc.imm) {
		ret = srpt_imm_prepare(ioctx);
		if (ret)
			return ret;
		atomic64_add(cmd->data_length, &ch->stats.bytes_in);
		srpt_cmd_set_state(ioctx, SRPT_CMD_DATA_IN);
		target_execute_cmd(cmd);
		return 0;
	}
	if (!srpt_ch_is_live(ch))
		return -EIO;
	for (i = ioctx->nr_rws - 1; i >= 0; i--) {
		if (!ioctx->rws[i].map_nents)
			continue;
		first = rdma_rw_ctx_wrs(&ioctx->rws[i].rw, ch->qp,
					ch->sport->port, cqe, first);
		cqe = NULL;
	}
	srpt_cmd_set_state(ioctx, SRPT_CMD_RDMA_READ);
	ret = ib_post_send(ch->qp, first, NULL);
	if (ret) {
		srpt_ch_warn(ch, "cannot post RDMA READ for tag %#llx (%d)\n",
			     ioctx->tag, ret);
		return -EIO;
	}
	return 0;
}

/* Build the SRP_RSP for a finished SCSI command; return its length. */
static u32 srpt_cmd_build_rsp(struct srpt_send_ioctx *ioctx)
{
	struct se_cmd *cmd = &ioctx->cmd;
	u32 res = cmd->residual_count, out_res = 0, in_res = 0;
	bool in = cmd->data_direction == DMA_FROM_DEVICE;
	const u8 *sense = NULL;
	u32 sense_len = 0;
	u8 flags = 0;

	if (cmd->scsi_status != SAM_STAT_GOOD)
		atomic64_inc(&ioctx->ch->stats.failed);
	if (cmd->se_cmd_flags & SCF_UNDERFLOW_BIT)
		flags = in ? SRP_RSP_FLAG_DIUNDER : SRP_RSP_FLAG_DOUNDER;
	else if (cmd->se_cmd_flags & SCF_OVERFLOW_BIT)
		flags = in ? SRP_RSP_FLAG_DIOVER : SRP_RSP_FLAG_DOOVER;
	if (flags & (SRP_RSP_FLAG_DIUNDER | SRP_RSP_FLAG_DIOVER))
		in_res = res;
	else if (flags)
		out_res = res;
	if (cmd->scsi_status == SAM_STAT_CHECK_CONDITION &&
	    (cmd->se_cmd_flags & (SCF_TRANSPORT_TASK_SENSE |
				  SCF_EMULATED_TASK_SENSE))) {
		sense = cmd->sense_buffer;
		sense_len = cmd->scsi_sense_length;
		if (sense_len > ioctx->rsp.size - sizeof(struct srp_rsp))
			srpt_ch_warn(ioctx->ch, "sense data truncated from %u to %zu bytes\n",
				     sense_len,
				     ioctx->rsp.size - sizeof(struct srp_rsp));
	}
	trace_srpt_cmd_done(ioctx->ch->qp_num, ioctx->tag, cmd->scsi_status,
			    cmd->data_length, flags ? res : 0,
			    ioctx->start_ns ?
			    div_u64(ktime_get_ns() - ioctx->start_ns, 1000) : 0);
	return srpt_build_rsp(ioctx->rsp.buf, ioctx->rsp.size, ioctx->tag,
			      cmd->scsi_status, sense, sense_len, flags,
			      out_res, in_res, srpt_take_credits(ioctx));
}

/*
 * Send the data of a SCSI read and its response. If the RDMA WRITEs
 * cannot be limited to the bytes transferred, nothing of the data may
 * go out: BUSY makes the initiator send the command again.
 */
static int srpt_queue_data_in(struct se_cmd *cmd)
{
	struct srpt_send_ioctx *ioctx = srpt_cmd_to_ioctx(cmd);
	int ret = srpt_rw_trim(ioctx, cmd->data_length);

	if (ret) {
		srpt_ch_warn(ioctx->ch, "tag %#llx: cannot map %u bytes of data-in (%d); answering BUSY\n",
			     ioctx->tag, cmd->data_length, ret);
		cmd->scsi_status = SAM_STAT_BUSY;
		cmd->se_cmd_flags &= ~(SCF_OVERFLOW_BIT | SCF_UNDERFLOW_BIT);
	} else {
		atomic64_add(cmd->data_length, &ioctx->ch->stats.bytes_out);
	}
	srpt_post_rsp(ioctx, srpt_cmd_build_rsp(ioctx), !ret);
	return 0;
}

static int srpt_queue_status(struct se_cmd *cmd)
{
	struct srpt_send_ioctx *ioctx = srpt_cmd_to_ioctx(cmd);

	srpt_post_rsp(ioctx, srpt_cmd_build_rsp(ioctx), false);
	return 0;
}

static void srpt_queue_tm_rsp(struct se_cmd *cmd)
{
	srpt_post_code_rsp(srpt_cmd_to_ioctx(cmd),
			   srpt_tmr_rsp_code(cmd->se_tmr_req->response));
}

/*
 * The core aborted the command and will release it; srpt_release_cmd()
 * frees its buffers, gives back its receive buffer and keeps its credit
 * for the next response. Work still posted for it completes first.
 */
static void srpt_aborted_task(struct se_cmd *cmd)
{
}

static int srpt_get_cmd_state(struct se_cmd *cmd)
{
	return READ_ONCE(srpt_cmd_to_ioctx(cmd)->state);
}

static struct srpt_tpg *srpt_tpg(struct se_portal_group *tpg)
{
	return container_of(tpg, struct srpt_tpg, tpg);
}

static char *srpt_tpg_get_wwn(struct se_portal_group *tpg)
{
	return srpt_tpg(tpg)->port_id->name;
}

static u16 srpt_tpg_get_tag(struct se_portal_group *tpg)
{
	return srpt_tpg(tpg)->tag;
}

static int srpt_tpg_check_demo_mode(struct se_portal_group *tpg)
{
	return READ_ONCE(srpt_tpg(tpg)->demo_mode);
}

static int srpt_tpg_check_demo_mode_cache(struct se_portal_group *tpg)
{
	return READ_ONCE(srpt_tpg(tpg)->cache_dynamic_acls);
}

static int srpt_tpg_check_demo_mode_write_protect(struct se_portal_group *tpg)
{
	return READ_ONCE(srpt_tpg(tpg)->demo_write_protect);
}

/* ---------------------------------------------------------------------
 * configfs
 */

static struct srpt_port *srpt_lookup_port(const u8 gid[16], bool is_guid)
{
	struct srpt_device *sdev;
	struct srpt_port *sport;
	u32 i;

	lockdep_assert_held(&srpt_dev_mutex);
	list_for_each_entry(sdev, &srpt_dev_list, list) {
		for (i = 0; i < sdev->nports; i++) {
			sport = &sdev->port[i];
			if (is_guid ? !memcmp(sport->gid.raw + 8, gid + 8, 8) :
				      !memcmp(sport->gid.raw, gid, 16))
				return sport;
		}
	}
	return NULL;
}

static struct se_wwn *srpt_make_wwn(struct target_fabric_configfs *tf,
				    struct config_group *group,
				    const char *name)
{
	struct srpt_port_id *port_id, **slot;
	struct srpt_port *sport;
	bool is_guid;
	u8 gid[16];
	int ret;

	if (srpt_parse_port_name(name, gid, &is_guid)) {
		pr_warn("%s is not a port GUID or GID\n", name);
		return ERR_PTR(-EINVAL);
	}
	port_id = kzalloc(sizeof(*port_id), GFP_KERNEL);
	if (!port_id)
		return ERR_PTR(-ENOMEM);
	mutex_init(&port_id->mutex);
	INIT_LIST_HEAD(&port_id->tpg_list);
	strscpy(port_id->name, name, sizeof(port_id->name));

	mutex_lock(&srpt_dev_mutex);
	sport = srpt_lookup_port(gid, is_guid);
	ret = -EINVAL;
	if (sport) {
		mutex_lock(&sport->sdev->mutex);
		slot = is_guid ? &sport->guid_id : &sport->gid_id;
		ret = *slot ? -EEXIST : 0;
		if (!ret) {
			*slot = port_id;
			port_id->sport = sport;
			port_id->sdev = srpt_sdev_get(sport->sdev);
		}
		mutex_unlock(&sport->sdev->mutex);
	}
	mutex_unlock(&srpt_dev_mutex);
	if (ret) {
		pr_warn("%s: %s\n", name, ret == -EEXIST ?
			"that HCA port already has a target port of this kind" :
			"no HCA port has that GUID or GID");
		kfree(port_id);
		return ERR_PTR(ret);
	}
	return &port_id->wwn;
}

static void srpt_drop_wwn(struct se_wwn *wwn)
{
	struct srpt_port_id *port_id =
		container_of(wwn, struct srpt_port_id, wwn);
	struct srpt_device *sdev = port_id->sdev;
	struct srpt_port *sport = port_id->sport;

	mutex_lock(&sdev->mutex);
	if (sport->guid_id == port_id)
		sport->guid_id = NULL;
	if (sport->gid_id == port_id)
		sport->gid_id = NULL;
	mutex_unlock(&sdev->mutex);
	srpt_sdev_put(sdev);
	kfree(port_id);
}

static struct se_portal_group *srpt_make_tpg(struct se_wwn *wwn,
					     const char *name)
{
	struct srpt_port_id *port_id =
		container_of(wwn, struct srpt_port_id, wwn);
	const char *digits = strrchr(name, '_');
	struct srpt_tpg *stpg;
	u16 tag = 1;
	int ret;

	if (digits && kstrtou16(digits + 1, 10, &tag))
		tag = 1;
	stpg = kzalloc(sizeof(*stpg), GFP_KERNEL);
	if (!stpg)
		return ERR_PTR(-ENOMEM);
	stpg->port_id = port_id;
	stpg->tag = tag;
	stpg->cache_dynamic_acls = true;
	stpg->demo_write_protect = true;
	ret = core_tpg_register(wwn, &stpg->tpg, SCSI_PROTOCOL_SRP);
	if (ret) {
		kfree(stpg);
		return ERR_PTR(ret);
	}
	mutex_lock(&port_id->mutex);
	list_add_tail(&stpg->entry, &port_id->tpg_list);
	mutex_unlock(&port_id->mutex);
	return &stpg->tpg;
}

static bool srpt_ch_in_tpg(struct srpt_rdma_ch *ch, void *stpg)
{
	return ch->stpg == stpg;
}

static int srpt_enable_tpg(struct se_portal_group *tpg, bool enable)
{
	struct srpt_tpg *stpg = srpt_tpg(tpg);
	struct srpt_device *sdev = stpg->port_id->sdev;

	mutex_lock(&sdev->mutex);
	stpg->enabled = enable;
	mutex_unlock(&sdev->mutex);
	if (!enable)
		srpt_close_channels(sdev, srpt_ch_in_tpg, stpg);
	return 0;
}

static void srpt_drop_tpg(struct se_portal_group *tpg)
{
	struct srpt_tpg *stpg = srpt_tpg(tpg);
	struct srpt_port_id *port_id = stpg->port_id;

	srpt_enable_tpg(tpg, false);
	mutex_lock(&port_id->mutex);
	list_del(&stpg->entry);
	mutex_unlock(&port_id->mutex);
	core_tpg_deregister(tpg);
	kfree(stpg);
}

static int srpt_init_nodeacl(struct se_node_acl *se_nacl, const char *name)
{
	struct srpt_node_acl *acl =
		container_of(se_nacl, struct srpt_node_acl, nacl);

	if (srpt_parse_acl_name(name, acl)) {
		pr_warn("ACL %s: not a GUID, initiator port ID or IP address\n",
			name);
		return -EINVAL;
	}
	return 0;
}

/* The word rtslib-fb expects after TARG_CONN_STATE_ for a channel state. */
static const char *srpt_ch_state_word(enum srpt_ch_state state)
{
	switch (state) {
	case SRPT_CH_CONNECTING:
		return "IN_LOGIN";
	case SRPT_CH_LIVE:
		return "LOGGED_IN";
	default:
		return "LOGGED_OUT";
	}
}

/* Append the lines of one channel to @page, which holds @len bytes. */
static int srpt_nacl_info_ch(char *page, int len, struct srpt_rdma_ch *ch)
{
	return len + scnprintf(page + len, PAGE_SIZE - len,
		"CID: %u  Connection State: TARG_CONN_STATE_%s\n"
		"   Address %s %s\n"
		"   port ID 0x%016llx%016llx, IU %u/%u bytes, %u credits%s\n",
		ch->qp_num, srpt_ch_state_word(READ_ONCE(ch->state)),
		ch->sess_name, ch->rdma_cm_id ? "RDMA_CM" : "IB_CM",
		get_unaligned_be64(ch->i_port_id),
		get_unaligned_be64(ch->i_port_id + 8), ch->params.it_iu_len,
		ch->rsp_size, ch->credits,
		ch->params.use_imm_data ? ", immediate data" : "");
}

/* The session lines, named after the first channel @ch of @nacl. */
static int srpt_nacl_info_head(char *page, struct se_node_acl *nacl,
			       struct srpt_rdma_ch *ch)
{
	return scnprintf(page, PAGE_SIZE,
		"InitiatorName: %s\nInitiatorAlias: %s\n"
		"LIO Session ID: %u  SessionType: Normal\n"
		"Session State: TARG_SESS_STATE_%s\n",
		nacl->initiatorname, ch->sess_name, ch->qp_num,
		srpt_ch_state_word(READ_ONCE(ch->state)));
}

/**
 * srpt_nacl_info_show() - the channels logged in under a node ACL
 * @item: the ACL's configfs group.
 * @page: output buffer.
 *
 * The layout is the one rtslib-fb parses, so that "targetcli sessions"
 * lists SRP initiators: the initiator's channels appear as the
 * connections (CID: the QP number) of one session, whose ID is the QP
 * number of its first channel. A channel stays listed, LOGGED_OUT, from
 * its disconnect until its session is released.
 *
 * Context: process context.
 * Return: bytes written to @page.
 */
static ssize_t srpt_nacl_info_show(struct config_item *item, char *page)
{
	struct se_node_acl *nacl = acl_to_nacl(item);
	struct srpt_rdma_ch *ch;
	struct se_session *sess;
	unsigned long flags;
	int len = 0;

	/* A session leaves this list before its channel is freed. */
	spin_lock_irqsave(&nacl->nacl_sess_lock, flags);
	list_for_each_entry(sess, &nacl->acl_sess_list, sess_acl_list) {
		ch = sess->fabric_sess_ptr;
		if (!len)
			len = srpt_nacl_info_head(page, nacl, ch);
		len = srpt_nacl_info_ch(page, len, ch);
	}
	spin_unlock_irqrestore(&nacl->nacl_sess_lock, flags);
	if (!len)
		len = sysfs_emit(page, "No active SRP channels\n");
	return len;
}
CONFIGFS_ATTR_RO(srpt_nacl_, info);

/* Write the local and the remote address of @ch into @local and @remote. */
static void srpt_ch_addrs(struct srpt_rdma_ch *ch, char *local, char *remote,
			  size_t len)
{
	struct rdma_addr *a;

	if (!ch->rdma_cm_id) {
		snprintf(local, len, "%pI6", ch->sport->gid.raw);
		snprintf(remote, len, "%pI6", ch->peer_gid.raw);
		return;
	}
	a = &ch->rdma_cm_id->route.addr;
	snprintf(local, len, "%pISpc", &a->src_addr);
	snprintf(remote, len, "%pISpc", &a->dst_addr);
}

/* Append one line describing @ch to @page, which holds @len bytes. */
static int srpt_ch_stats_line(char *page, int len, struct srpt_rdma_ch *ch)
{
	struct srpt_ch_stats *st = &ch->stats;
	char local[64], remote[64];
	u32 n_free = READ_ONCE(ch->n_free);

	srpt_ch_addrs(ch, local, remote, sizeof(local));
	return len + scnprintf(page + len, PAGE_SIZE - len,
		"qp=%u state=%s cm=%s initiator=%s port_id=0x%016llx%016llx local=%s remote=%s it_iu_len=%u ti_iu_len=%u imm_data=%u credits=%u in_flight=%u sq_depth=%u sq_free=%d comp_vector=%d cmds=%lld tmfs=%lld bytes_in=%lld bytes_out=%lld refused=%lld failed=%lld sq_waits=%lld iu_waits=%lld imm_in_place=%lld imm_copied=%lld rsp_inline=%u\n",
		ch->qp_num, srpt_ch_state_names[READ_ONCE(ch->state)],
		ch->rdma_cm_id ? "rdma_cm" : "ib_cm", ch->sess_name,
		get_unaligned_be64(ch->i_port_id),
		get_unaligned_be64(ch->i_port_id + 8), local, remote,
		ch->params.it_iu_len, ch->rsp_size, ch->params.use_imm_data,
		ch->credits, ch->n_ioctx - min(n_free, ch->n_ioctx),
		ch->sq_size, atomic_read(&ch->sq_wr_avail),
		ch->cq->comp_vector, atomic64_read(&st->cmds),
		atomic64_read(&st->tmfs), atomic64_read(&st->bytes_in),
		atomic64_read(&st->bytes_out), atomic64_read(&st->refused),
		atomic64_read(&st->failed), atomic64_read(&st->sq_waits),
		atomic64_read(&st->iu_waits), atomic64_read(&st->imm_in_place),
		atomic64_read(&st->imm_copied), ch->max_inline);
}

/*
 * Append the line of @sess's channel to @page, which holds @len bytes,
 * after the name of its ACL if @acl; once the page is nearly full, count
 * the channel in @more instead. Return the new length.
 */
static int srpt_ch_stats_add(char *page, int len, int *more,
			     struct se_session *sess, bool acl)
{
	if (len >= PAGE_SIZE - 640) {
		(*more)++;
		return len;
	}
	if (acl)
		len += scnprintf(page + len, PAGE_SIZE - len, "acl=%s ",
				 sess->se_node_acl ?
				 sess->se_node_acl->initiatorname : "-");
	return srpt_ch_stats_line(page, len, sess->fabric_sess_ptr);
}

/* End a listing of channels with how many did not fit; its length. */
static int srpt_ch_stats_end(char *page, int len, int more)
{
	if (more)
		len += scnprintf(page + len, PAGE_SIZE - len,
				 "... %d more channels\n", more);
	return len;
}

/**
 * srpt_nacl_channels_show() - state and counters of an ACL's channels
 * @item: the ACL's configfs group.
 * @page: output buffer.
 *
 * One line of key=value pairs per channel, listed from login until the
 * channel's session is released. The counters start at 0 at login. A
 * page holds about ten channels; a last line says how many more there
 * are.
 *
 * Context: process context.
 * Return: bytes written to @page.
 */
static ssize_t srpt_nacl_channels_show(struct config_item *item, char *page)
{
	struct se_node_acl *nacl = acl_to_nacl(item);
	struct se_session *sess;
	unsigned long flags;
	int len = 0, more = 0;

	spin_lock_irqsave(&nacl->nacl_sess_lock, flags);
	list_for_each_entry(sess, &nacl->acl_sess_list, sess_acl_list)
		len = srpt_ch_stats_add(page, len, &more, sess, false);
	spin_unlock_irqrestore(&nacl->nacl_sess_lock, flags);
	return srpt_ch_stats_end(page, len, more);
}
CONFIGFS_ATTR_RO(srpt_nacl_, channels);

static struct configfs_attribute *srpt_nacl_attrs[] = {
	&srpt_nacl_attr_info,
	&srpt_nacl_attr_channels,
	NULL,
};

/* SRP has no authentication; "targetcli sessions detail" asks. */
static ssize_t srpt_nacl_auth_authenticate_target_show(struct config_item *item,
						       char *page)
{
	return sysfs_emit(page, "0\n");
}
CONFIGFS_ATTR_RO(srpt_nacl_auth_, authenticate_target);

static struct configfs_attribute *srpt_nacl_auth_attrs[] = {
	&srpt_nacl_auth_attr_authenticate_target,
	NULL,
};

static struct srpt_port *srpt_attr_port(struct config_item *item)
{
	return srpt_tpg(attrib_to_tpg(item))->port_id->sport;
}

/* Show the u32 TPG attribute at @offset in &struct srpt_port_attrib. */
static ssize_t srpt_attrib_show(struct config_item *item, char *page,
				size_t offset)
{
	struct srpt_port *sport = srpt_attr_port(item);

	return sysfs_emit(page, "%u\n",
			  READ_ONCE(*(u32 *)((void *)&sport->attrib + offset)));
}

/* Store the u32 TPG attribute at @offset after a range check. */
static ssize_t srpt_attrib_store(struct config_item *item, const char *page,
				 size_t count, size_t offset, u32 min, u32 max)
{
	struct srpt_port *sport = srpt_attr_port(item);
	u32 val;
	int ret = srpt_attr_parse(page, min, max, &val);

	if (ret) {
		pr_warn_ratelimited("%s: value must be %u to %u\n",
				    config_item_name(item), min, max);
		return ret;
	}
	mutex_lock(&sport->sdev->mutex);
	WRITE_ONCE(*(u32 *)((void *)&sport->attrib + offset), val);
	mutex_unlock(&sport->sdev->mutex);
	return count;
}

static ssize_t srpt_tpg_attrib_srp_max_rdma_size_show(struct config_item *item,
						      char *page)
{
	return srpt_attrib_show(item, page, offsetof(struct srpt_port_attrib,
						     srp_max_rdma_size));
}

static ssize_t srpt_tpg_attrib_srp_max_rdma_size_store(struct config_item *item,
						       const char *page,
						       size_t count)
{
	return srpt_attrib_store(item, page, count,
				 offsetof(struct srpt_port_attrib,
					  srp_max_rdma_size),
				 SRPT_MIN_RDMA_SIZE, SRPT_MAX_RDMA_SIZE);
}
CONFIGFS_ATTR(srpt_tpg_attrib_, srp_max_rdma_size);

static ssize_t srpt_tpg_attrib_srp_max_rsp_size_show(struct config_item *item,
						     char *page)
{
	return srpt_attrib_show(item, page, offsetof(struct srpt_port_attrib,
						     srp_max_rsp_size));
}

static ssize_t srpt_tpg_attrib_srp_max_rsp_size_store(struct config_item *item,
						      const char *page,
						      size_t count)
{
	return srpt_attrib_store(item, page, count,
				 offsetof(struct srpt_port_attrib,
					  srp_max_rsp_size),
				 SRPT_MIN_RSP_SIZE, SRPT_MAX_RSP_SIZE);
}
CONFIGFS_ATTR(srpt_tpg_attrib_, srp_max_rsp_size);

static ssize_t srpt_tpg_attrib_srp_sq_size_show(struct config_item *item,
						char *page)
{
	return srpt_attrib_show(item, page, offsetof(struct srpt_port_attrib,
						     srp_sq_size));
}

static ssize_t srpt_tpg_attrib_srp_sq_size_store(struct config_item *item,
						 const char *page, size_t count)
{
	return srpt_attrib_store(item, page, count,
				 offsetof(struct srpt_port_attrib, srp_sq_size),
				 SRPT_MIN_SQ_SIZE, SRPT_MAX_SRQ_SIZE);
}
CONFIGFS_ATTR(srpt_tpg_attrib_, srp_sq_size);

static ssize_t srpt_tpg_attrib_use_srq_show(struct config_item *item,
					    char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(srpt_attr_port(item)->attrib.use_srq));
}

static ssize_t srpt_tpg_attrib_use_srq_store(struct config_item *item,
					     const char *page, size_t count)
{
	struct srpt_port *sport = srpt_attr_port(item);
	struct srpt_device *sdev = sport->sdev;
	u32 val;
	int ret = srpt_attr_parse(page, 0, 1, &val);

	if (ret) {
		pr_warn_ratelimited("use_srq: value must be 0 or 1\n");
		return ret;
	}
	mutex_lock(&sdev->mutex);
	sport->attrib.use_srq = val;
	/* New channels follow the setting; free an SRQ nobody uses. */
	if (!val && !sdev->removed && !sdev->srq_users)
		srpt_srq_destroy(sdev);
	mutex_unlock(&sdev->mutex);
	return count;
}
CONFIGFS_ATTR(srpt_tpg_attrib_, use_srq);

/* Show or store a boolean demo-mode attribute of a TPG. */
static ssize_t srpt_tpg_flag_show(char *page, const bool *flag)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(*flag));
}

static ssize_t srpt_tpg_flag_store(struct config_item *item, const char *page,
				   size_t count, bool *flag)
{
	u32 val;

	if (srpt_attr_parse(page, 0, 1, &val)) {
		pr_warn_ratelimited("%s: value must be 0 or 1\n",
				    config_item_name(item));
		return -EINVAL;
	}
	WRITE_ONCE(*flag, val);
	return count;
}

static ssize_t srpt_tpg_attrib_generate_node_acls_show(struct config_item *item,
						       char *page)
{
	return srpt_tpg_flag_show(page, &srpt_tpg(attrib_to_tpg(item))->demo_mode);
}

static ssize_t srpt_tpg_attrib_generate_node_acls_store(struct config_item *item,
							const char *page,
							size_t count)
{
	return srpt_tpg_flag_store(item, page, count,
				   &srpt_tpg(attrib_to_tpg(item))->demo_mode);
}
CONFIGFS_ATTR(srpt_tpg_attrib_, generate_node_acls);

static ssize_t srpt_tpg_attrib_cache_dynamic_acls_show(struct config_item *item,
						       char *page)
{
	return srpt_tpg_flag_show(page,
		&srpt_tpg(attrib_to_tpg(item))->cache_dynamic_acls);
}

static ssize_t srpt_tpg_attrib_cache_dynamic_acls_store(struct config_item *item,
							const char *page,
							size_t count)
{
	return srpt_tpg_flag_store(item, page, count,
		&srpt_tpg(attrib_to_tpg(item))->cache_dynamic_acls);
}
CONFIGFS_ATTR(srpt_tpg_attrib_, cache_dynamic_acls);

static ssize_t
srpt_tpg_attrib_demo_mode_write_protect_show(struct config_item *item,
					     char *page)
{
	return srpt_tpg_flag_show(page,
		&srpt_tpg(attrib_to_tpg(item))->demo_write_protect);
}

static ssize_t
srpt_tpg_attrib_demo_mode_write_protect_store(struct config_item *item,
					      const char *page, size_t count)
{
	return srpt_tpg_flag_store(item, page, count,
		&srpt_tpg(attrib_to_tpg(item))->demo_write_protect);
}
CONFIGFS_ATTR(srpt_tpg_attrib_, demo_mode_write_protect);

static struct configfs_attribute *srpt_tpg_attrib_attrs[] = {
	&srpt_tpg_attrib_attr_srp_max_rdma_size,
	&srpt_tpg_attrib_attr_srp_max_rsp_size,
	&srpt_tpg_attrib_attr_srp_sq_size,
	&srpt_tpg_attrib_attr_use_srq,
	&srpt_tpg_attrib_attr_generate_node_acls,
	&srpt_tpg_attrib_attr_cache_dynamic_acls,
	&srpt_tpg_attrib_attr_demo_mode_write_protect,
	NULL,
};

/**
 * srpt_rdma_cm_listen() - create an RDMA/CM listener on a port
 * @port: TCP-style port number.
 *
 * Listens on the IPv6 wildcard address, which also accepts IPv4, or on
 * the IPv4 wildcard where IPv6 is unavailable.
 *
 * Context: process context.
 * Return: the listener or an ERR_PTR().
 */
static struct rdma_cm_id *srpt_rdma_cm_listen(u16 port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = cpu_to_be16(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = cpu_to_be16(port) };
	struct rdma_cm_id *id;
	int ret;

	id = rdma_create_id(&init_net, srpt_rdma_cm_handler, NULL,
			    RDMA_PS_TCP, IB_QPT_RC);
	if (IS_ERR(id))
		return id;
	rdma_set_afonly(id, 0);
	ret = rdma_bind_addr(id, (struct sockaddr *)&a6);
	if (ret)
		ret = rdma_bind_addr(id, (struct sockaddr *)&a4);
	if (!ret)
		ret = rdma_listen(id, SRPT_RDMA_CM_BACKLOG);
	if (ret) {
		rdma_destroy_id(id);
		return ERR_PTR(ret);
	}
	return id;
}

static ssize_t srpt_rdma_cm_port_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(srpt_rdma_cm_port));
}

/**
 * srpt_rdma_cm_set_port() - move the RDMA/CM listener to another port
 * @port: the new port; 0 stops listening.
 *
 * Keeps the old listener when the new one cannot be created.
 *
 * Context: process context.
 * Return: 0 or a negative errno.
 */
static int srpt_rdma_cm_set_port(u16 port)
{
	struct rdma_cm_id *id = NULL;
	int ret = 0;

	mutex_lock(&srpt_rdma_cm_mutex);
	if (port == srpt_rdma_cm_port)
		goto unlock;
	if (port) {
		id = srpt_rdma_cm_listen(port);
		if (IS_ERR(id)) {
			ret = PTR_ERR(id);
			pr_warn("cannot listen on RDMA/CM port %u (%d)\n", port,
				ret);
			goto unlock;
		}
	}
	swap(id, srpt_rdma_cm_id);
	srpt_rdma_cm_port = port;
unlock:
	mutex_unlock(&srpt_rdma_cm_mutex);
	if (!IS_ERR_OR_NULL(id))
		rdma_destroy_id(id);
	return ret;
}

static ssize_t srpt_rdma_cm_port_store(struct config_item *item,
				       const char *page, size_t count)
{
	u16 port;
	int ret = kstrtou16(page, 0, &port);

	if (!ret)
		ret = srpt_rdma_cm_set_port(port);
	return ret ? ret : count;
}
CONFIGFS_ATTR(srpt_, rdma_cm_port);

static struct configfs_attribute *srpt_da_attrs[] = {
	&srpt_attr_rdma_cm_port,
	NULL,
};

static ssize_t srpt_wwn_version_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n", SRPT_VERSION);
}
CONFIGFS_ATTR_RO(srpt_wwn_, version);

/*
 * Append the ib_srp add_target line of an RDMA/CM login to @page for
 * @attr if it is a RoCE v2 GID (an IP address) other than link-local.
 */
static int srpt_login_info_rdma(char *page, int len,
				const struct ib_gid_attr *attr, u16 cm_port)
{
	const struct in6_addr *a = (const struct in6_addr *)attr->gid.raw;

	if (attr->gid_type != IB_GID_TYPE_ROCE_UDP_ENCAP ||
	    ipv6_addr_type(a) & IPV6_ADDR_LINKLOCAL)
		return len;
	len += scnprintf(page + len, PAGE_SIZE - len,
			 "id_ext=%016llx,ioc_guid=%016llx,dest=", srpt_service_guid,
			 srpt_service_guid);
	if (ipv6_addr_v4mapped(a))
		return len + scnprintf(page + len, PAGE_SIZE - len,
				       "%pI4:%u\n", &a->s6_addr32[3], cm_port);
	return len + scnprintf(page + len, PAGE_SIZE - len, "[%pI6c]:%u\n",
			       a, cm_port);
}

/* The RDMA/CM lines of @sport: one per IP address in its GID table. */
static int srpt_login_info_rdma_all(char *page, int len,
				    struct srpt_port *sport, u16 cm_port)
{
	struct ib_device *dev = sport->sdev->device;
	const struct ib_gid_attr *attr;
	int i, n = dev->port_data[sport->port].immutable.gid_tbl_len;

	for (i = 0; i < n; i++) {
		attr = rdma_get_gid_attr(dev, sport->port, i);
		if (IS_ERR(attr))
			continue;
		len = srpt_login_info_rdma(page, len, attr, cm_port);
		rdma_put_gid_attr(attr);
	}
	return len;
}

/**
 * srpt_tpg_login_info_show() - what an initiator writes to log in here
 * @item: the configfs group of a TPG of the target port.
 * @page: output buffer.
 *
 * One line per way to reach the port, in the form ib_srp's add_target
 * takes: IB/CM by GID on InfiniBand; RDMA/CM by each IP address of the
 * port while a listener exists (discovery_auth/rdma_cm_port or the
 * rdma_cm_port parameter).
 *
 * Context: process context.
 * Return: bytes written to @page.
 */
static ssize_t srpt_tpg_login_info_show(struct config_item *item, char *page)
{
	struct se_portal_group *tpg = container_of(to_config_group(item),
						   struct se_portal_group,
						   tpg_group);
	struct srpt_port_id *port_id = srpt_tpg(tpg)->port_id;
	struct srpt_port *sport = port_id->sport;
	u16 cm_port = READ_ONCE(srpt_rdma_cm_port);
	int len = 0;

	mutex_lock(&port_id->sdev->mutex);
	if (port_id->sdev->removed) {
		len = sysfs_emit(page, "none: the HCA of this port was removed\n");
		goto unlock;
	}
	if (rdma_protocol_ib(sport->sdev->device, sport->port))
		len = sysfs_emit(page,
				 "id_ext=%016llx,ioc_guid=%016llx,dgid=%016llx%016llx,pkey=ffff,service_id=%016llx\n",
				 srpt_service_guid, srpt_service_guid,
				 get_unaligned_be64(sport->gid.raw),
				 get_unaligned_be64(sport->gid.raw + 8),
				 srpt_service_guid);
	if (cm_port)
		len = srpt_login_info_rdma_all(page, len, sport, cm_port);
	if (!len)
		len = sysfs_emit(page, "none: no RDMA/CM listener (rdma_cm_port is 0)\n");
unlock:
	mutex_unlock(&port_id->sdev->mutex);
	return len;
}
CONFIGFS_ATTR_RO(srpt_tpg_, login_info);

/**
 * srpt_tpg_channels_show() - state and counters of every channel of a TPG
 * @item: the configfs group of a TPG.
 * @page: output buffer.
 *
 * The lines of the ACLs' channels files, each preceded by "acl=" and the
 * name of the node ACL the session belongs to, for every session of the
 * TPG: demo-mode sessions too, whose generated ACLs have no directory
 * and so no channels file of their own.
 *
 * Context: process context.
 * Return: bytes written to @page.
 */
static ssize_t srpt_tpg_channels_show(struct config_item *item, char *page)
{
	struct se_portal_group *tpg = container_of(to_config_group(item),
						   struct se_portal_group,
						   tpg_group);
	struct se_session *sess;
	unsigned long flags;
	int len = 0, more = 0;

	/* A session leaves this list before its channel is freed. */
	spin_lock_irqsave(&tpg->session_lock, flags);
	list_for_each_entry(sess, &tpg->tpg_sess_list, sess_list)
		len = srpt_ch_stats_add(page, len, &more, sess, true);
	spin_unlock_irqrestore(&tpg->session_lock, flags);
	return srpt_ch_stats_end(page, len, more);
}
CONFIGFS_ATTR_RO(srpt_tpg_, channels);

static struct configfs_attribute *srpt_tpg_attrs[] = {
	&srpt_tpg_attr_login_info,
	&srpt_tpg_attr_channels,
	NULL,
};

static struct configfs_attribute *srpt_wwn_attrs[] = {
	&srpt_wwn_attr_version,
	NULL,
};

static const struct target_core_fabric_ops srpt_template = {
	.module				= THIS_MODULE,
	.fabric_name			= "srpt",
	.node_acl_size			= sizeof(struct srpt_node_acl),
	.tpg_get_wwn			= srpt_tpg_get_wwn,
	.tpg_get_tag			= srpt_tpg_get_tag,
	.tpg_check_demo_mode		= srpt_tpg_check_demo_mode,
	.tpg_check_demo_mode_cache	= srpt_tpg_check_demo_mode_cache,
	.tpg_check_demo_mode_write_protect =
				srpt_tpg_check_demo_mode_write_protect,
	.check_stop_free		= srpt_check_stop_free,
	.release_cmd			= srpt_release_cmd,
	.close_session			= srpt_close_session,
	.write_pending			= srpt_write_pending,
	.get_cmd_state			= srpt_get_cmd_state,
	.queue_data_in			= srpt_queue_data_in,
	.queue_status			= srpt_queue_status,
	.queue_tm_rsp			= srpt_queue_tm_rsp,
	.aborted_task			= srpt_aborted_task,
	.fabric_make_wwn		= srpt_make_wwn,
	.fabric_drop_wwn		= srpt_drop_wwn,
	.fabric_make_tpg		= srpt_make_tpg,
	.fabric_enable_tpg		= srpt_enable_tpg,
	.fabric_drop_tpg		= srpt_drop_tpg,
	.fabric_init_nodeacl		= srpt_init_nodeacl,
	.tfc_discovery_attrs		= srpt_da_attrs,
	.tfc_wwn_attrs			= srpt_wwn_attrs,
	.tfc_tpg_base_attrs		= srpt_tpg_attrs,
	.tfc_tpg_attrib_attrs		= srpt_tpg_attrib_attrs,
	.tfc_tpg_nacl_base_attrs	= srpt_nacl_attrs,
	.tfc_tpg_nacl_auth_attrs	= srpt_nacl_auth_attrs,
	.default_submit_type		= TARGET_DIRECT_SUBMIT,
	.direct_submit_supp		= 1,
};

/* ---------------------------------------------------------------------
 * HCA hot-plug and module glue
 */

static void srpt_port_init(struct srpt_device *sdev, struct srpt_port *sport,
			   u32 port)
{
	sport->sdev = sdev;
	sport->port = port;
	sport->attrib.srp_max_rdma_size = SRPT_MIN_RDMA_SIZE;
	sport->attrib.srp_max_rsp_size = SRPT_DEF_RSP_SIZE;
	sport->attrib.srp_sq_size = SRPT_DEF_SQ_SIZE;
	INIT_LIST_HEAD(&sport->nexus_list);
	INIT_LIST_HEAD(&sport->parked_list);
	INIT_WORK(&sport->work, srpt_port_work);
	srpt_port_refresh(sport);
	srpt_mad_register(sport);
}

/**
 * srpt_add_one() - start serving an HCA
 * @device: the HCA.
 *
 * Context: process context.
 * Return: 0 or a negative errno.
 */
static int srpt_add_one(struct ib_device *device)
{
	u32 i, nports = rdma_end_port(device);
	struct srpt_device *sdev;
	int ret;

	sdev = kzalloc(struct_size(sdev, port, nports), GFP_KERNEL);
	if (!sdev)
		return -ENOMEM;
	sdev->nports = nports;
	kref_init(&sdev->kref);
	mutex_init(&sdev->mutex);
	init_waitqueue_head(&sdev->ch_waitq);
	sdev->device = device;
	sdev->pd = ib_alloc_pd(device, 0);
	if (IS_ERR(sdev->pd)) {
		ret = PTR_ERR(sdev->pd);
		goto free_sdev;
	}
	if (!srpt_service_guid)
		srpt_service_guid = be64_to_cpu(device->node_guid);
	if (rdma_cap_ib_cm(device, rdma_start_port(device))) {
		sdev->cm_id = ib_create_cm_id(device, srpt_ib_cm_handler, sdev);
		if (IS_ERR(sdev->cm_id)) {
			ret = PTR_ERR(sdev->cm_id);
			goto dealloc_pd;
		}
		ret = ib_cm_listen(sdev->cm_id, cpu_to_be64(srpt_service_guid));
		if (ret)
			goto destroy_cm_id;
	}
	for (i = 0; i < nports; i++)
		srpt_port_init(sdev, &sdev->port[i], i + 1);
	INIT_IB_EVENT_HANDLER(&sdev->event_handler, device, srpt_event_handler);
	ib_register_event_handler(&sdev->event_handler);

	mutex_lock(&srpt_dev_mutex);
	list_add_tail(&sdev->list, &srpt_dev_list);
	mutex_unlock(&srpt_dev_mutex);
	ib_set_client_data(device, &srpt_client, sdev);
	dev_info(&device->dev, "SRP target ready, IOC GUID 0x%016llx\n",
		 srpt_service_guid);
	return 0;

destroy_cm_id:
	ib_destroy_cm_id(sdev->cm_id);
dealloc_pd:
	ib_dealloc_pd(sdev->pd);
free_sdev:
	kfree(sdev);
	return ret;
}

/**
 * srpt_remove_one() - stop serving an HCA
 * @device: the HCA.
 * @client_data: its &struct srpt_device.
 *
 * Closes every channel and waits until they are released. Target ports
 * configured on the HCA stay in configfs, unusable, until removed.
 *
 * Context: process context.
 */
static void srpt_remove_one(struct ib_device *device, void *client_data)
{
	struct srpt_device *sdev = client_data;
	u32 i;

	ib_unregister_event_handler(&sdev->event_handler);
	for (i = 0; i < sdev->nports; i++) {
		srpt_mad_unregister(&sdev->port[i]);
		cancel_work_sync(&sdev->port[i].work);
	}
	if (sdev->cm_id)
		ib_destroy_cm_id(sdev->cm_id);
	mutex_lock(&srpt_dev_mutex);
	list_del(&sdev->list);
	mutex_unlock(&srpt_dev_mutex);

	mutex_lock(&sdev->mutex);
	sdev->removed = true;
	mutex_unlock(&sdev->mutex);
	wait_event(sdev->ch_waitq, !READ_ONCE(sdev->logins));
	srpt_close_channels(sdev, NULL, NULL);
	/*
	 * No channel parks any more (@removed); one that parked queued the
	 * port work if the port was back.
	 */
	for (i = 0; i < sdev->nports; i++) {
		cancel_work_sync(&sdev->port[i].work);
		srpt_port_unpark(&sdev->port[i]);
	}

	mutex_lock(&sdev->mutex);
	srpt_srq_destroy(sdev);
	mutex_unlock(&sdev->mutex);
	ib_dealloc_pd(sdev->pd);
	dev_info(&device->dev, "SRP target removed\n");
	srpt_sdev_put(sdev);
}

static struct ib_client srpt_client = {
	.name = "srpt",
	.add = srpt_add_one,
	.remove = srpt_remove_one,
};

static int __init srpt_init_module(void)
{
	int ret;

	if (srp_max_req_size < SRPT_MIN_MAX_REQ_SIZE ||
	    srp_max_req_size > SRPT_MAX_MAX_REQ_SIZE) {
		pr_err("srp_max_req_size %u is outside %u..%u\n",
		       srp_max_req_size, SRPT_MIN_MAX_REQ_SIZE,
		       SRPT_MAX_MAX_REQ_SIZE);
		return -EINVAL;
	}
	if (srpt_srq_size < SRPT_MIN_SRQ_SIZE ||
	    srpt_srq_size > SRPT_MAX_SRQ_SIZE) {
		pr_err("srpt_srq_size %u is outside %u..%u\n", srpt_srq_size,
		       SRPT_MIN_SRQ_SIZE, SRPT_MAX_SRQ_SIZE);
		return -EINVAL;
	}
	srpt_wq = alloc_workqueue("srpt", WQ_UNBOUND, 0);
	if (!srpt_wq)
		return -ENOMEM;
	ret = target_register_template(&srpt_template);
	if (ret)
		goto destroy_wq;
	ret = ib_register_client(&srpt_client);
	if (ret)
		goto unregister_template;
	/* IB/CM logins work without it: keep the module loaded. */
	if (srpt_rdma_cm_port_at_load &&
	    srpt_rdma_cm_set_port(srpt_rdma_cm_port_at_load))
		pr_err("no RDMA/CM listener: rdma_cm_port %u is unusable\n",
		       srpt_rdma_cm_port_at_load);
	return 0;

unregister_template:
	target_unregister_template(&srpt_template);
destroy_wq:
	destroy_workqueue(srpt_wq);
	return ret;
}

static void __exit srpt_cleanup_module(void)
{
	srpt_rdma_cm_set_port(0);
	ib_unregister_client(&srpt_client);
	target_unregister_template(&srpt_template);
	destroy_workqueue(srpt_wq);
}

module_init(srpt_init_module);

module_exit(srpt_cleanup_module);
