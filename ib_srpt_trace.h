/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trace events of ib_srpt: logins, channel states, SCSI commands and task
 * management functions. Enable them with
 * "echo 1 > /sys/kernel/tracing/events/ib_srpt/enable".
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ib_srpt

#if !defined(_IB_SRPT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _IB_SRPT_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(srpt_login_accepted,
	TP_PROTO(const char *initiator, const char *acl, u32 qp_num,
		 u32 credits, u32 it_iu_len, u32 ti_iu_len, bool imm_data),
	TP_ARGS(initiator, acl, qp_num, credits, it_iu_len, ti_iu_len,
		imm_data),
	TP_STRUCT__entry(
		__string(initiator, initiator)
		__string(acl, acl)
		__field(u32, qp_num)
		__field(u32, credits)
		__field(u32, it_iu_len)
		__field(u32, ti_iu_len)
		__field(bool, imm_data)
	),
	TP_fast_assign(
		__assign_str(initiator);
		__assign_str(acl);
		__entry->qp_num = qp_num;
		__entry->credits = credits;
		__entry->it_iu_len = it_iu_len;
		__entry->ti_iu_len = ti_iu_len;
		__entry->imm_data = imm_data;
	),
	TP_printk("initiator=%s acl=%s qp=%u credits=%u it_iu_len=%u ti_iu_len=%u imm_data=%d",
		  __get_str(initiator), __get_str(acl), __entry->qp_num,
		  __entry->credits, __entry->it_iu_len, __entry->ti_iu_len,
		  __entry->imm_data)
);

TRACE_EVENT(srpt_login_rejected,
	TP_PROTO(const char *initiator, u32 reason, const char *why),
	TP_ARGS(initiator, reason, why),
	TP_STRUCT__entry(
		__string(initiator, initiator)
		__field(u32, reason)
		__string(why, why)
	),
	TP_fast_assign(
		__assign_str(initiator);
		__entry->reason = reason;
		__assign_str(why);
	),
	TP_printk("initiator=%s reason=0x%08x (%s)", __get_str(initiator),
		  __entry->reason, __get_str(why))
);

TRACE_EVENT(srpt_ch_state,
	TP_PROTO(const char *initiator, u32 qp_num, const char *from,
		 const char *to),
	TP_ARGS(initiator, qp_num, from, to),
	TP_STRUCT__entry(
		__string(initiator, initiator)
		__field(u32, qp_num)
		__string(from, from)
		__string(to, to)
	),
	TP_fast_assign(
		__assign_str(initiator);
		__entry->qp_num = qp_num;
		__assign_str(from);
		__assign_str(to);
	),
	TP_printk("initiator=%s qp=%u %s -> %s", __get_str(initiator),
		  __entry->qp_num, __get_str(from), __get_str(to))
);

TRACE_EVENT(srpt_cmd_recv,
	TP_PROTO(u32 qp_num, u64 tag, u64 lun, u8 opcode, u32 data_len,
		 int dir),
	TP_ARGS(qp_num, tag, lun, opcode, data_len, dir),
	TP_STRUCT__entry(
		__field(u32, qp_num)
		__field(u64, tag)
		__field(u64, lun)
		__field(u8, opcode)
		__field(u32, data_len)
		__field(int, dir)
	),
	TP_fast_assign(
		__entry->qp_num = qp_num;
		__entry->tag = tag;
		__entry->lun = lun;
		__entry->opcode = opcode;
		__entry->data_len = data_len;
		__entry->dir = dir;
	),
	TP_printk("qp=%u tag=%#llx lun=%llu opcode=0x%02x len=%u dir=%s",
		  __entry->qp_num, __entry->tag, __entry->lun, __entry->opcode,
		  __entry->data_len,
		  __print_symbolic(__entry->dir, { DMA_TO_DEVICE, "out" },
				   { DMA_FROM_DEVICE, "in" },
				   { DMA_NONE, "none" }))
);

TRACE_EVENT(srpt_cmd_done,
	TP_PROTO(u32 qp_num, u64 tag, u8 status, u32 data_len, u32 residual,
		 u64 latency_us),
	TP_ARGS(qp_num, tag, status, data_len, residual, latency_us),
	TP_STRUCT__entry(
		__field(u32, qp_num)
		__field(u64, tag)
		__field(u8, status)
		__field(u32, data_len)
		__field(u32, residual)
		__field(u64, latency_us)
	),
	TP_fast_assign(
		__entry->qp_num = qp_num;
		__entry->tag = tag;
		__entry->status = status;
		__entry->data_len = data_len;
		__entry->residual = residual;
		__entry->latency_us = latency_us;
	),
	TP_printk("qp=%u tag=%#llx status=0x%02x len=%u residual=%u latency_us=%llu",
		  __entry->qp_num, __entry->tag, __entry->status,
		  __entry->data_len, __entry->residual, __entry->latency_us)
);

TRACE_EVENT(srpt_tmf_recv,
	TP_PROTO(u32 qp_num, u64 tag, u64 lun, u8 function, u64 task_tag),
	TP_ARGS(qp_num, tag, lun, function, task_tag),
	TP_STRUCT__entry(
		__field(u32, qp_num)
		__field(u64, tag)
		__field(u64, lun)
		__field(u8, function)
		__field(u64, task_tag)
	),
	TP_fast_assign(
		__entry->qp_num = qp_num;
		__entry->tag = tag;
		__entry->lun = lun;
		__entry->function = function;
		__entry->task_tag = task_tag;
	),
	TP_printk("qp=%u tag=%#llx lun=%llu function=0x%02x task_tag=%#llx",
		  __entry->qp_num, __entry->tag, __entry->lun,
		  __entry->function, __entry->task_tag)
);

TRACE_EVENT(srpt_code_rsp,
	TP_PROTO(u32 qp_num, u64 tag, u8 code),
	TP_ARGS(qp_num, tag, code),
	TP_STRUCT__entry(
		__field(u32, qp_num)
		__field(u64, tag)
		__field(u8, code)
	),
	TP_fast_assign(
		__entry->qp_num = qp_num;
		__entry->tag = tag;
		__entry->code = code;
	),
	TP_printk("qp=%u tag=%#llx response_code=0x%02x", __entry->qp_num,
		  __entry->tag, __entry->code)
);

#endif /* _IB_SRPT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ib_srpt_trace
#include <trace/define_trace.h>
