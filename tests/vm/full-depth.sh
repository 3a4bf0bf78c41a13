#!/bin/bash
# improvement: at full queue depth (ib_srp queue_size=128 on one channel: 127 commands in flight) no request waits for a send context or for send-queue space: after verified 4 KiB writes and reads at iodepth 128 the channel's counters show iu_waits=0 and sq_waits=0, the immediate data of the 4 KiB writes was not copied, and responses are sent inline
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# A response returns its credit as soon as the initiator has it, and
# ib_srp sends its next request at once; the response's send completion
# may be processed after that request arrives. With one send context
# per credit the request then waited for the workqueue; the driver
# keeps two per credit, so none should. The send queue, sized to the
# login, holds a response and an RDMA context for every credit.
setup_target 128
login_disk queue_size=128 ch_count=1
# shellcheck disable=SC2034 # used in eval strings
chans=$TPG/acls/$acl/channels

# ib_srp keeps one of its 128 credits for task management.
check "ib_srp queues up to 127 commands on the disk" \
	test "$(cat "/sys/class/scsi_host/$SRP_HOST/can_queue")" -eq 127
check "fio: 64 MiB of 4 KiB random writes at iodepth 128, read back and verified" \
	fio_verify fulldepth "$DISK" 64M --bs=4k --iodepth=128 --iodepth_batch_submit=32
line=''
improvement "the target lists the channel with 128 credits" \
	eval 'line=$(cat "$chans") && [ "$(field "$line" credits)" = 128 ]'
diag "channels: $line"
improvement "at least 32768 commands went through the channel" \
	eval '[ "$(field "$line" cmds)" -ge 32768 ]'
improvement "no request waited for a send context (iu_waits=0)" \
	eval '[ "$(field "$line" iu_waits)" = 0 ]'
improvement "no command waited for send-queue space (sq_waits=0)" \
	eval '[ "$(field "$line" sq_waits)" = 0 ]'
# ib_srp sends writes of up to 8 KiB as immediate data; on the ramdisk
# (512-byte blocks) none is copied.
improvement "immediate data went to the ramdisk in the receive buffer (imm_in_place>=1000, imm_copied=0)" \
	eval '[ "$(field "$line" imm_in_place)" -ge 1000 ] && [ "$(field "$line" imm_copied)" = 0 ]'
# soft-RoCE sends inline what fits its work request (256 bytes).
improvement "responses of 64 bytes or more are sent inline (rsp_inline)" \
	eval '[ "$(field "$line" rsp_inline)" -ge 64 ]'
check "logout" srp_logout_all
check "the channel is released" target_released
srpt_end
