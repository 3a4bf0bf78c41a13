/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ib_srpt - SCSI RDMA Protocol (SRP) target driver for the Linux SCSI
 * target core (LIO).
 *
 * Data structures shared by the driver and its KUnit suite. See
 * Documentation/ib_srpt.rst for the channel and command state machines
 * and the locking rules these structures follow.
 */
#ifndef IB_SRPT_H
#define IB_SRPT_H

#include <linux/if_ether.h>
#include <linux/inet.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/socket.h>
#include <rdma/ib_verbs.h>
#include <rdma/ib_mad.h>
#include <rdma/ib_cache.h>
#include <rdma/ib_cm.h>
#include <rdma/rdma_cm.h>
#include <rdma/rw.h>
#include <scsi/srp.h>
#include <target/target_core_base.h>

/*
 * Limits of the admin-visible knobs; the ranges match the 6.12 driver,
 * which set no upper bound on srp_max_req_size.
 */
enum {
	SRPT_MIN_MAX_REQ_SIZE		= 996,
	SRPT_DEF_MAX_REQ_SIZE		= 8276,
	/* Receive buffers are kmalloc()ed at this size. */
	SRPT_MAX_MAX_REQ_SIZE		= 1U << 20,
	SRPT_MIN_SRQ_SIZE		= 4,
	SRPT_DEF_SRQ_SIZE		= 4095,
	SRPT_MAX_SRQ_SIZE		= 65535,
	SRPT_MIN_SQ_SIZE		= 16,
	SRPT_DEF_SQ_SIZE		= 4096,
	SRPT_MIN_RDMA_SIZE		= 65536,
	SRPT_MAX_RDMA_SIZE		= 1U << 24,
	SRPT_MIN_RSP_SIZE		= sizeof(struct srp_rsp) + 4,
	SRPT_DEF_RSP_SIZE		= 256,
	SRPT_MAX_RSP_SIZE		= 1024,
};

/* Internal limits. */
enum {
	/* Credits granted to one channel; the initiator's queue depth. */
	SRPT_MAX_CREDITS		= 128,
	/* Smallest SRP_LOGIN_REQ maximum IU length we accept. */
	SRPT_MIN_IT_IU_LEN		= 64,
	/*
	 * Send contexts per credit: a response's credit may reach the
	 * initiator, and its next request us, before the response's send
	 * completion frees its context (as nvmet-rdma keeps two response
	 * contexts per receive).
	 */
	SRPT_SEND_CTX_PER_CREDIT	= 2,
	/* Inline data asked of a QP: an SRP_RSP with fixed-format sense. */
	SRPT_INLINE_RSP			= 64,
	/* Scatter/gather entries of one send work request. */
	SRPT_MAX_SEND_SGE		= 16,
	/* Most channels one I_T nexus may have. */
	SRPT_MAX_NEXUS_CHANNELS		= 64,
	/* Largest data transfer of one SRP_CMD. */
	SRPT_MAX_DATA_LEN		= SRPT_MAX_RDMA_SIZE,
	/* RDMA/CM listen backlog. */
	SRPT_RDMA_CM_BACKLOG		= 128,
	/* Longest wait for an SRP_T_LOGOUT to be sent, in jiffies. */
	SRPT_T_LOGOUT_TIMEOUT		= 5 * HZ,
	/*
	 * How long a changed port entry must stay changed before its
	 * channels are closed, in ms: an InfiniBand GID table is rewritten
	 * entry by entry, each briefly absent.
	 */
	SRPT_PATH_SETTLE_MS		= 100,
	/* SRP response codes (SRP r16a, SRP_RSP response data). */
	SRPT_RSP_CODE_COMPLETE		= 0x00,
	SRPT_RSP_CODE_INVALID_FIELDS	= 0x02,
	SRPT_RSP_CODE_NOT_SUPPORTED	= 0x04,
	SRPT_RSP_CODE_FAILED		= 0x05,
	/* SRP_T_LOGOUT reasons (SRP r16a). */
	SRPT_T_LOGOUT_INVALID_IU_TYPE	= 0x02,
	SRPT_T_LOGOUT_UNEXPECTED_RSP	= 0x03,
	SRPT_T_LOGOUT_MULTICHAN		= 0x04,
	SRPT_T_LOGOUT_INVALID_IU_LEN	= 0x08,
};

/*
 * Device management (InfiniBand Architecture, chapter 16.3): attribute
 * IDs, the SRP I/O class, and the class-specific "no IOC" status.
 */
enum {
	SRPT_DM_ATTR_CLASS_PORT_INFO	= 0x0001,
	SRPT_DM_ATTR_IOU_INFO		= 0x0010,
	SRPT_DM_ATTR_IOC_PROFILE	= 0x0011,
	SRPT_DM_ATTR_SVC_ENTRIES	= 0x0012,
	SRPT_DM_STATUS_NO_IOC		= 0x0100,
	SRPT_DM_IOC_SLOTS		= 16,
	SRPT_DM_SVC_PER_MAD		= 4,
	SRPT_IO_SUBCLASS		= 0x609e,
	SRPT_IO_PROTOCOL		= 0x0108,
	SRPT_IO_PROTOCOL_VERSION	= 0x0001,
	/* Capability bits: send to/from IOC, RDMA read/write from IOC. */
	SRPT_IOC_CAP_MASK		= 0x01 | 0x02 | 0x08 | 0x20,
};

/* IOUnitInfo attribute. */
struct srpt_dm_iou_info {
	__be16 change_id;
	u8 max_controllers;
	u8 op_rom;
	u8 controller_list[128];
} __packed;

/* IOControllerProfile attribute. */
struct srpt_dm_ioc_profile {
	__be64 guid;
	__be32 vendor_id;
	__be32 device_id;
	__be16 device_version;
	__be16 reserved1;
	__be32 subsys_vendor_id;
	__be32 subsys_device_id;
	__be16 io_class;
	__be16 io_subclass;
	__be16 protocol;
	__be16 protocol_version;
	__be32 reserved2;
	__be16 send_queue_depth;
	u8 reserved3;
	u8 rdma_read_depth;
	__be32 send_size;
	__be32 rdma_size;
	u8 op_cap_mask;
	u8 svc_cap_mask;
	u8 num_svc_entries;
	u8 reserved4[9];
	u8 id_string[64];
} __packed;

/* One entry of the ServiceEntries attribute. */
struct srpt_dm_svc_entry {
	u8 name[40];
	__be64 id;
} __packed;

/* A device management MAD: common header, reserved area, payload. */
struct srpt_dm_mad {
	struct ib_mad_hdr hdr;
	u8 reserved[IB_MGMT_DEVICE_HDR - sizeof(struct ib_mad_hdr)];
	u8 data[IB_MGMT_DEVICE_DATA];
} __packed;

/**
 * enum srpt_ch_state - life cycle of an RDMA channel
 * @SRPT_CH_CONNECTING: login accepted, waiting for RTU / ESTABLISHED.
 * @SRPT_CH_LIVE: information units are processed.
 * @SRPT_CH_DISCONNECTING: a disconnect was started; no new work.
 * @SRPT_CH_DRAINING: the release work waits for commands and the QP.
 * @SRPT_CH_RELEASED: all resources are gone but the structure.
 *
 * A channel only moves forward through these states, through
 * srpt_ch_set_state() under &srpt_rdma_ch.lock.
 */
enum srpt_ch_state {
	SRPT_CH_CONNECTING,
	SRPT_CH_LIVE,
	SRPT_CH_DISCONNECTING,
	SRPT_CH_DRAINING,
	SRPT_CH_RELEASED,
};

/**
 * enum srpt_cmd_state - where an SRP_CMD or SRP_TSK_MGMT is
 * @SRPT_CMD_NEW: received, being parsed and admitted.
 * @SRPT_CMD_WAIT_SQ: parked until send-queue space or MRs are free.
 * @SRPT_CMD_SUBMITTED: owned by the target core.
 * @SRPT_CMD_RDMA_READ: RDMA READ of the data-out buffer posted.
 * @SRPT_CMD_DATA_IN: data-out buffer received; executing.
 * @SRPT_CMD_RSP_SENT: SRP_RSP (with any RDMA WRITEs) posted.
 * @SRPT_CMD_TMF: task management function owned by the target core.
 * @SRPT_CMD_DONE: returned to the free list.
 *
 * Informational: the target core shows it in its debug output
 * (get_cmd_state), and nothing in the driver decides by it. It changes
 * only through srpt_cmd_set_state(), which checks the transition.
 */
enum srpt_cmd_state {
	SRPT_CMD_NEW,
	SRPT_CMD_WAIT_SQ,
	SRPT_CMD_SUBMITTED,
	SRPT_CMD_RDMA_READ,
	SRPT_CMD_DATA_IN,
	SRPT_CMD_RSP_SENT,
	SRPT_CMD_TMF,
	SRPT_CMD_DONE,
};

/**
 * struct srpt_buf - a DMA-mapped information unit buffer
 * @cqe: completion entry of the work request using the buffer.
 * @buf: kernel address.
 * @dma: DMA address.
 * @size: size in bytes.
 */
struct srpt_buf {
	struct ib_cqe cqe;
	void *buf;
	dma_addr_t dma;
	u32 size;
};

/**
 * struct srpt_recv_ioctx - a receive buffer
 * @iu: the buffer; its cqe completes in srpt_recv_done().
 * @wait_entry: on &srpt_rdma_ch.early_list or &srpt_rdma_ch.iu_wait_list.
 * @byte_len: bytes received in the last completion.
 * @srq: true if the buffer belongs to the device's SRQ.
 */
struct srpt_recv_ioctx {
	struct srpt_buf iu;
	struct list_head wait_entry;
	u32 byte_len;
	bool srq;
};

/**
 * struct srpt_recv_layout - where receive buffers go in their page runs
 * @head: offset of the first buffer in its run.
 * @stride: bytes from one buffer to the next.
 * @per_chunk: buffers in one run.
 */
struct srpt_recv_layout {
	u32 head;
	u32 stride;
	u32 per_chunk;
};

/*
 * Immediate data that starts on this boundary of a receive buffer can be
 * handed to a backend whose logical blocks are no larger; receive buffers
 * are placed so that it does.
 */
#define SRPT_IMM_ALIGN 512

/* RDMA contexts a send context holds for commands with few descriptors. */
#define SRPT_RW_INLINE 2

/**
 * struct srpt_recv_ring - the receive buffers of a channel or of the SRQ
 * @ioctx: @n receive contexts; their buffers are slices of @chunk.
 * @chunk: DMA-mapped page runs holding the buffers back to back.
 * @n: entries of @ioctx.
 * @nchunks: entries of @chunk.
 *
 * Buffers are packed into runs of at most PAGE_ALLOC_COSTLY_ORDER
 * pages rather than allocated one by one, where an IU slightly over
 * a power of two (8260 bytes for 8 KiB of immediate data) would cost
 * the next power of two.
 */
struct srpt_recv_ring {
	struct srpt_recv_ioctx *ioctx;
	struct srpt_buf *chunk;
	u32 n;
	u32 nchunks;
};

/**
 * struct srpt_rw - one remote buffer and the RDMA context moving it
 * @rw: rdma_rw context, covering the first @map_nents entries of @sg.
 * @sg: local scatterlist the remote buffer is copied to or from.
 * @nents: entries of @sg.
 * @map_nents: entries of @sg that @rw moves; 0: @rw is not set up.
 * @remote_addr: address of the remote buffer.
 * @rkey: memory key of the remote buffer.
 * @len: length of the remote buffer.
 */
struct srpt_rw {
	struct rdma_rw_ctx rw;
	struct scatterlist *sg;
	unsigned int nents;
	unsigned int map_nents;
	u64 remote_addr;
	u32 rkey;
	u32 len;
};

/**
 * struct srpt_cmd_desc - what srpt_parse_cmd() found in an SRP_CMD
 * @dir: data direction (DMA_NONE, DMA_TO_DEVICE, DMA_FROM_DEVICE).
 * @data_len: total length of the data buffer.
 * @desc: first remote buffer descriptor, inside the received IU.
 * @ndesc: number of remote buffer descriptors.
 * @imm: immediate data, inside the received IU, or NULL.
 * @cdb_len: bytes of CDB (16 plus the additional CDB length).
 */
struct srpt_cmd_desc {
	enum dma_data_direction dir;
	u32 data_len;
	const struct srp_direct_buf *desc;
	u32 ndesc;
	void *imm;
	u32 cdb_len;
};

struct srpt_rdma_ch;

/**
 * enum srpt_refuse - how a SCSI command the driver does not execute ends
 * @SRPT_REFUSE_NONE: it is executed.
 * @SRPT_REFUSE_SENSE: CHECK CONDITION with &srpt_send_ioctx.refuse_reason.
 * @SRPT_REFUSE_BUSY: BUSY, for a shortage that passes.
 */
enum srpt_refuse {
	SRPT_REFUSE_NONE,
	SRPT_REFUSE_SENSE,
	SRPT_REFUSE_BUSY,
};

/**
 * struct srpt_send_ioctx - per-command context and response buffer
 * @rsp: response buffer; its cqe completes in srpt_send_done().
 * @rdma_cqe: completion of the last RDMA READ, srpt_rdma_read_done().
 * @ch: owning channel.
 * @recv: receive buffer holding the request, until the response.
 * @free_entry: on &srpt_rdma_ch.free_list or &srpt_rdma_ch.sq_wait_list.
 * @rws: RDMA contexts, one per remote buffer.
 * @rw_inline: storage for @rws when there are at most %SRPT_RW_INLINE.
 * @nr_rws: entries of @rws in use.
 * @nr_wrs: send queue work requests reserved for this command.
 * @imm_sg: the immediate data the backend sees: in the receive buffer,
 *	or @imm_copy.
 * @imm_copy: pages holding a copy of the immediate data, for a backend
 *	whose logical block the data in the receive buffer is not aligned to;
 *	%NULL if none.
 * @desc: parsed data descriptors.
 * @state: enum srpt_cmd_state; informational, see there.
 * @tag: SRP tag of the request.
 * @start_ns: arrival time for the srpt_cmd_done trace event, or 0.
 * @has_cmd: @cmd was initialised by target_init_cmd()/target_submit_tmr().
 * @code: SRP response code to answer with, for a request that has no
 *	target core command (0: none).
 * @refuse: how a SCSI command the driver will not execute is answered.
 * @refuse_reason: sense reason for %SRPT_REFUSE_SENSE.
 * @cmd: the target core command.
 * @sense: sense buffer for @cmd.
 */
struct srpt_send_ioctx {
	struct srpt_buf rsp;
	struct ib_cqe rdma_cqe;
	struct srpt_rdma_ch *ch;
	struct srpt_recv_ioctx *recv;
	struct list_head free_entry;
	struct srpt_rw *rws;
	struct srpt_rw rw_inline[SRPT_RW_INLINE];
	u32 nr_rws;
	u32 nr_wrs;
	struct scatterlist imm_sg;
	void *imm_copy;
	struct srpt_cmd_desc desc;
	enum srpt_cmd_state state;
	u64 tag;
	u64 start_ns;
	bool has_cmd;
	u8 code;
	enum srpt_refuse refuse;
	sense_reason_t refuse_reason;
	struct se_cmd cmd;
	u8 sense[TRANSPORT_SENSE_BUFFER];
};

/**
 * struct srpt_nexus - an I_T nexus: initiator and target port IDs
 * @entry: on &srpt_port.nexus_list.
 * @ch_list: channels of this nexus.
 * @i_port_id: initiator port identifier from the login.
 * @t_port_id: target port identifier from the login.
 */
struct srpt_nexus {
	struct list_head entry;
	struct list_head ch_list;
	u8 i_port_id[16];
	u8 t_port_id[16];
};

/**
 * struct srpt_login - an SRP_LOGIN_REQ, from IB/CM or RDMA/CM layout
 * @tag: tag to echo in the answer.
 * @req_it_iu_len: requested maximum initiator-to-target IU length.
 * @req_buf_fmt: supported buffer descriptor formats.
 * @req_flags: multichannel action and immediate data request.
 * @imm_data_offset: offset of immediate data in an SRP_CMD.
 * @i_port_id: initiator port identifier.
 * @t_port_id: target port identifier.
 */
struct srpt_login {
	u64 tag;
	u32 req_it_iu_len;
	u16 req_buf_fmt;
	u8 req_flags;
	u16 imm_data_offset;
	u8 i_port_id[16];
	u8 t_port_id[16];
};

/**
 * struct srpt_login_params - what a login negotiated
 * @it_iu_len: maximum initiator-to-target IU length.
 * @use_imm_data: immediate data granted.
 * @imm_data_offset: offset of immediate data in an SRP_CMD.
 * @multichan_single: the login asked to close the nexus' other channels.
 */
struct srpt_login_params {
	u32 it_iu_len;
	bool use_imm_data;
	u16 imm_data_offset;
	bool multichan_single;
};

struct srpt_port;
struct srpt_tpg;

/**
 * struct srpt_ch_stats - what a channel did, for its ACL's channels file
 * @cmds: SRP_CMDs received.
 * @tmfs: SRP_TSK_MGMTs received.
 * @bytes_in: data-out bytes received (RDMA READ or immediate data).
 * @bytes_out: data-in bytes sent by RDMA WRITE.
 * @refused: SCSI commands the driver answered itself: malformed, or
 *	refused for lack of memory or of send-queue capacity.
 * @failed: SCSI commands answered with a status other than GOOD, the
 *	refused ones included.
 * @sq_waits: requests that waited for send-queue space or MRs.
 * @iu_waits: IUs that waited for a send context.
 * @imm_in_place: commands whose immediate data went to the backend in
 *	the receive buffer.
 * @imm_copied: commands whose immediate data was copied for the backend.
 *
 * Informational: updated without a common lock, read without one.
 */
struct srpt_ch_stats {
	atomic64_t cmds;
	atomic64_t tmfs;
	atomic64_t bytes_in;
	atomic64_t bytes_out;
	atomic64_t refused;
	atomic64_t failed;
	atomic64_t sq_waits;
	atomic64_t iu_waits;
	atomic64_t imm_in_place;
	atomic64_t imm_copied;
};

/**
 * struct srpt_ch_path - the port table entries a channel's QP relies on
 * @sgid: the GID the QP sends from; valid if @has_sgid.
 * @sgid_type: its GID type (IB, RoCE v1, RoCE v2).
 * @smac: the MAC address of its network device; valid if @has_smac.
 * @pkey: the QP's P_Key; valid if @has_pkey.
 * @pkey_index: its P_Key table index.
 * @lid: the port's LID; valid if @has_lid.
 * @has_sgid: the QP's address vector names a source GID (always on
 *	RoCE; on InfiniBand when the path has a GRH).
 * @has_smac: the GID belongs to a network device (RoCE).
 * @has_pkey: the QP's P_Key index could be read.
 * @has_lid: the port's link layer is InfiniBand.
 *
 * Noted when the login is accepted. When one of these entries changes,
 * the QP sends from an address or partition the port no longer has:
 * srpt_port_close_stale() closes the channel.
 */
struct srpt_ch_path {
	union ib_gid sgid;
	enum ib_gid_type sgid_type;
	u8 smac[ETH_ALEN];
	u16 pkey;
	u16 pkey_index;
	u32 lid;
	bool has_sgid;
	bool has_smac;
	bool has_pkey;
	bool has_lid;
};

/**
 * struct srpt_rdma_ch - an RDMA channel (one QP) of an SRP session
 * @sport: port the login arrived on.
 * @nexus: I_T nexus; set under &srpt_device.mutex.
 * @list: on &srpt_nexus.ch_list, then, once released, maybe on
 *	  &srpt_port.parked_list; under &srpt_device.mutex.
 * @ib_cm_id: IB/CM connection, or NULL.
 * @rdma_cm_id: RDMA/CM connection, or NULL.
 * @qp: queue pair.
 * @qp_num: its number, kept for log lines and trace events after it is
 *	destroyed; 0 before it exists.
 * @cq: completion queue from the device's CQ pool.
 * @cq_size: entries taken from @cq.
 * @srq: the device SRQ this channel receives on, or NULL.
 * @lock: protects @state, @disconnected, @free_list, @n_free,
 *	  @sq_wait_list, @early_list, @iu_wait_list and @res_gen. Taken in
 *	  process context only: the CM handlers, configfs, HCA removal, the
 *	  driver's works, completions (IB_POLL_WORKQUEUE) and the target
 *	  core's callbacks; interrupts stay enabled.
 * @rw_mutex: held while RDMA contexts are set up, so that a context set
 *	  up again for fewer bytes (srpt_rw_trim()) gets back the memory
 *	  registrations it just gave up.
 * @iu_mutex: held while a received IU is dispatched and while waiting
 *	  requests are retried, so that requests start in arrival order.
 * @state: enum srpt_ch_state; changed by srpt_ch_set_state() only.
 * @credits: credits granted at login; the size of @recv.
 * @n_ioctx: entries of @ioctx: SRPT_SEND_CTX_PER_CREDIT per credit.
 * @max_inline: longest response the QP sends inline; 0: none.
 * @pending_credits: credits to return with the next response.
 * @sq_wr_avail: send queue work requests not reserved.
 * @sq_size: send queue work requests commands may reserve: the depth of
 *	@qp, rdma_rw's share included, as far as @cq can absorb their
 *	flush, less the slot of @tlogout.
 * @res_gen: counts releases of send contexts and their reservations,
 *	under @lock; srpt_park() compares it.
 * @rsp_size: response buffer size (maximum target-to-initiator IU).
 * @params: negotiated login parameters.
 * @ioctx: send contexts, @n_ioctx of them.
 * @recv: receive buffers when @srq is NULL.
 * @free_list: idle send contexts.
 * @sq_wait_list: commands waiting for send-queue space or MRs.
 * @early_list: IUs received before the channel became live.
 * @iu_wait_list: IUs waiting for a send context: only an initiator that
 *	sends more requests than its credits (with an SRQ) gets here, since
 *	the spare contexts cover responses whose send completion is still
 *	to come after their credit reached the initiator.
 * @tlogout: buffer of the SRP_T_LOGOUT that ends a channel the
 *	initiator broke the protocol on.
 * @sess: target core session.
 * @stpg: target portal group of @sess.
 * @disconnected: srpt_ch_disconnect() ran; under @lock.
 * @dreq_held: srpt_ch_disconnect() found the port down and sent no
 *	disconnect request.
 * @release_work: runs srpt_ch_release_work(); the channel frees itself.
 * @close_work: closes the channel on a fatal QP event (any context).
 * @wait_work: admits commands from @sq_wait_list in process context.
 * @logout_work: disconnects a channel whose SRP_T_LOGOUT did not
 *	complete within %SRPT_T_LOGOUT_TIMEOUT.
 * @n_free: entries on @free_list, under @lock.
 * @stats: counters shown in the ACL's channels file.
 * @path: the port table entries the QP relies on, noted when the
 *	login is accepted; under &srpt_device.mutex.
 * @peer_gid: the initiator's GID (IB/CM).
 * @sess_name: initiator name used for the session and in log lines.
 * @i_port_id: initiator port ID of the login.
 */
struct srpt_rdma_ch {
	struct srpt_port *sport;
	struct srpt_nexus *nexus;
	struct list_head list;
	struct ib_cm_id *ib_cm_id;
	struct rdma_cm_id *rdma_cm_id;
	struct ib_qp *qp;
	u32 qp_num;
	struct ib_cq *cq;
	u32 cq_size;
	struct ib_srq *srq;
	spinlock_t lock; /* see @lock above */
	struct mutex rw_mutex; /* see @rw_mutex above */
	struct mutex iu_mutex; /* see @iu_mutex above */
	enum srpt_ch_state state;
	u32 credits;
	u32 n_ioctx;
	u32 max_inline;
	atomic_t pending_credits;
	atomic_t sq_wr_avail;
	u32 sq_size;
	u32 res_gen;
	u32 rsp_size;
	struct srpt_login_params params;
	struct srpt_send_ioctx **ioctx;
	struct srpt_recv_ring recv;
	struct list_head free_list;
	struct list_head sq_wait_list;
	struct list_head early_list;
	struct list_head iu_wait_list;
	struct srpt_buf tlogout;
	struct se_session *sess;
	struct srpt_tpg *stpg;
	bool disconnected;
	bool dreq_held;
	struct work_struct release_work;
	struct work_struct close_work;
	struct work_struct wait_work;
	struct delayed_work logout_work;
	u32 n_free;
	struct srpt_ch_stats stats;
	struct srpt_ch_path path;
	union ib_gid peer_gid;
	char sess_name[INET6_ADDRSTRLEN + 8];
	u8 i_port_id[16];
};

/**
 * struct srpt_port_attrib - TPG attributes, shared by a port's TPGs
 * @srp_max_rdma_size: RDMA transfer size advertised by device management.
 * @srp_max_rsp_size: maximum target-to-initiator IU length.
 * @srp_sq_size: send queue depth of new channels.
 * @use_srq: new channels receive through the device's SRQ.
 */
struct srpt_port_attrib {
	u32 srp_max_rdma_size;
	u32 srp_max_rsp_size;
	u32 srp_sq_size;
	bool use_srq;
};

/**
 * struct srpt_port_id - a configfs target port (WWN) bound to an HCA port
 * @wwn: target core WWN.
 * @sport: HCA port; its memory lives as long as @sdev, even after the HCA
 *	   is removed (check &srpt_device.removed).
 * @sdev: holds a reference on the device for as long as the WWN exists.
 * @tpg_list: TPGs of this WWN, under @mutex.
 * @mutex: protects @tpg_list.
 * @name: name under /sys/kernel/config/target/srpt.
 */
struct srpt_port_id {
	struct se_wwn wwn;
	struct srpt_port *sport;
	struct srpt_device *sdev;
	struct list_head tpg_list;
	struct mutex mutex; /* protects @tpg_list */
	char name[64];
};

/**
 * struct srpt_tpg - a target portal group
 * @entry: on &srpt_port_id.tpg_list.
 * @port_id: owning WWN.
 * @enabled: logins may use this TPG; under &srpt_device.mutex.
 * @tag: TPG tag, from the directory name.
 * @demo_mode: admit initiators without an ACL (generate_node_acls).
 * @cache_dynamic_acls: keep the ACLs demo mode creates after logout.
 * @demo_write_protect: LUNs are read-only to demo-mode initiators.
 * @tpg: target core TPG.
 */
struct srpt_tpg {
	struct list_head entry;
	struct srpt_port_id *port_id;
	bool enabled;
	u16 tag;
	bool demo_mode;
	bool cache_dynamic_acls;
	bool demo_write_protect;
	struct se_portal_group tpg;
};

/**
 * struct srpt_node_acl - a node ACL and the initiator it names
 * @nacl: target core node ACL.
 * @kind: 0: 16-byte port ID, 1: 8-byte GUID, 2: IP address.
 * @id: the port ID, or the GUID in bytes 8..15.
 * @addr: the IP address for @kind 2.
 */
struct srpt_node_acl {
	struct se_node_acl nacl;
	int kind;
	u8 id[16];
	struct sockaddr_storage addr;
};

enum {
	SRPT_ACL_PORT_ID,
	SRPT_ACL_GUID,
	SRPT_ACL_IP,
};

/**
 * struct srpt_port - an HCA port
 * @sdev: owning device.
 * @port: port number, from 1.
 * @mad_agent: device management MAD agent, or NULL.
 * @lid: LID, refreshed on port events.
 * @sm_lid: LID of the subnet manager.
 * @gid: GID 0 of the port.
 * @guid_name: port GUID as xxxx:xxxx:xxxx:xxxx.
 * @gid_name: port GID as 0x followed by 32 hex digits.
 * @guid_id: WWN named after the GUID, under &srpt_device.mutex.
 * @gid_id: WWN named after the GID, under &srpt_device.mutex.
 * @attrib: TPG attributes, under &srpt_device.mutex.
 * @nexus_list: I_T nexuses, under &srpt_device.mutex.
 * @parked_list: released channels closed while the port was down, each
 *	   kept only for its CM ID until the port is active again
 *	   (srpt_ch_park()); on &srpt_rdma_ch.list, under
 *	   &srpt_device.mutex.
 * @work: refreshes @lid, @sm_lid and @gid after a port event, closes
 *	  the port's channels when it went down, and when it is active ends
 *	  the parked ones and closes those whose GID, P_Key or LID changed.
 */
struct srpt_port {
	struct srpt_device *sdev;
	u32 port;
	struct ib_mad_agent *mad_agent;
	u32 lid;
	u32 sm_lid;
	union ib_gid gid;
	char guid_name[64];
	char gid_name[64];
	struct srpt_port_id *guid_id;
	struct srpt_port_id *gid_id;
	struct srpt_port_attrib attrib;
	struct list_head nexus_list;
	struct list_head parked_list;
	struct work_struct work;
};

/**
 * struct srpt_device - an HCA this driver serves
 * @kref: freed when the HCA and every WWN on it are gone.
 * @device: the RDMA device; not to be used once @removed is set.
 * @pd: protection domain.
 * @cm_id: IB/CM listener, or NULL.
 * @srq: shared receive queue, or NULL; under @mutex.
 * @srq_ring: receive buffers of @srq.
 * @srq_users: channels using @srq; under @mutex.
 * @mutex: protects @removed, @srq, the ports' nexus lists, WWN slots and
 *	   attributes.
 * @removed: the HCA is being removed; no new channels.
 * @logins: logins that may still create a channel; under @mutex.
 * @ch_waitq: woken whenever a channel is released or a login ends.
 * @event_handler: asynchronous event handler.
 * @list: on srpt_dev_list.
 * @comp_vector: next completion vector hint.
 * @nports: entries of @port.
 * @port: the ports.
 */
struct srpt_device {
	struct kref kref;
	struct ib_device *device;
	struct ib_pd *pd;
	struct ib_cm_id *cm_id;
	struct ib_srq *srq;
	struct srpt_recv_ring srq_ring;
	u32 srq_users;
	struct mutex mutex; /* see @mutex above */
	bool removed;
	u32 logins;
	wait_queue_head_t ch_waitq;
	struct ib_event_handler event_handler;
	struct list_head list;
	atomic_t comp_vector;
	u32 nports;
	struct srpt_port port[] __counted_by(nports);
};

/**
 * struct srpt_req - a connection request, from either CM
 * @sport: port the request arrived on.
 * @ib_cm_id: IB/CM connection, or NULL.
 * @rdma_cm_id: RDMA/CM connection, or NULL.
 * @login: the login.
 * @src: initiator address (RDMA/CM), or NULL.
 * @peer_gid: initiator GID (IB/CM).
 * @responder_resources: RDMA READs the initiator may have outstanding
 *	towards us (the CM already reports it from our side).
 * @initiator_depth: RDMA READs we may have outstanding towards it.
 */
struct srpt_req {
	struct srpt_port *sport;
	struct ib_cm_id *ib_cm_id;
	struct rdma_cm_id *rdma_cm_id;
	struct srpt_login login;
	const struct sockaddr *src;
	union ib_gid peer_gid;
	u8 responder_resources;
	u8 initiator_depth;
};

/* Visible to the KUnit suite through VISIBLE_IF_KUNIT. */
#if IS_ENABLED(CONFIG_KUNIT)
u32 srpt_check_login(const struct srpt_login *req, u32 max_req_size,
		     u64 service_guid, struct srpt_login_params *params);
void srpt_login_from_ib(struct srpt_login *li, const struct srp_login_req *req);
void srpt_login_from_rdma(struct srpt_login *li,
			  const struct srp_login_req_rdma *req);
void srpt_build_login_rsp(struct srp_login_rsp *rsp, u64 tag,
			  const struct srpt_login_params *params,
			  u32 credits, u32 rsp_size, u8 multichan);
void srpt_build_login_rej(struct srp_login_rej *rej, u64 tag, u32 reason);
sense_reason_t srpt_parse_cmd(struct srp_cmd *cmd, u32 byte_len,
			      const struct srpt_login_params *params,
			      struct srpt_cmd_desc *d);
u32 srpt_build_rsp(void *buf, u32 size, u64 tag, u8 status,
		   const u8 *sense, u32 sense_len, u8 flags,
		   u32 data_out_res, u32 data_in_res, u32 req_lim_delta);
u32 srpt_build_code_rsp(void *buf, u64 tag, u8 code, u32 req_lim_delta);
u32 srpt_iu_check(const u8 *iu, u32 len);
u32 srpt_sq_budget(u32 qp_send_wr, u32 cq_size, u32 recv_wrs);
u32 srpt_cmd_max_wrs(u32 it_iu_len, u32 sge, u32 mr_pages);
u32 srpt_sq_need(u32 credits, u32 ctx_wrs, u32 cmd_max_wrs);
void srpt_recv_layout(u32 size, u32 n, u32 align, u32 data_off,
		      struct srpt_recv_layout *l);
int srpt_tmf_to_tcm(u8 srp_fn);
u8 srpt_tmr_rsp_code(u8 tmr_response);
int srpt_parse_acl_name(const char *name, struct srpt_node_acl *acl);
int srpt_parse_port_name(const char *name, u8 gid[16], bool *is_guid);
int srpt_login_from_pdata(struct srpt_login *li, const void *pdata, u32 len,
			  bool rdma_cm);
u32 srpt_multichan_decide(u32 live, bool single, u8 *multichan);
bool srpt_acl_matches(const struct srpt_node_acl *acl, const u8 i_port_id[16],
		      const struct sockaddr *sa);
void srpt_format_addr(char *buf, size_t len, const struct sockaddr *sa);
int srpt_task_attr(u8 attr);
int srpt_attr_parse(const char *page, u32 min, u32 max, u32 *val);
struct srpt_port *srpt_req_port(struct srpt_device *sdev, u32 port);
bool srpt_pkey_valid(u16 pkey);
const char *srpt_path_change(const struct srpt_ch_path *noted,
			     const struct srpt_ch_path *now);
u32 srpt_ib_req_parse(struct srpt_device *sdev,
		      const struct ib_cm_req_event_param *p,
		      const void *pdata, struct srpt_req *req);
u32 srpt_rdma_req_parse(struct srpt_device *sdev, u32 port,
			const struct rdma_conn_param *cp, struct srpt_req *req);
u16 srpt_dm_build(const struct srpt_dm_mad *in, struct srpt_dm_mad *out,
		  const struct ib_device_attr *attrs, const char *ibdev_name,
		  u64 service_guid, u32 max_req_size, u32 rdma_size);
#endif

#endif /* IB_SRPT_H */
