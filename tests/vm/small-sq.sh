#!/bin/bash
# improvement: srp_sq_size=16 (smallest queue tested): verified I/O at iodepth 32 without stalls or SCSI timeouts
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# With the reference driver and srp_sq_size=16 the target runs out of
# send queue entries ("IB send queue full (needed 4)"), commands stall
# until the SCSI timeout and ib_srp aborts and resets them; fio gets
# through after about 2 minutes. Not run in reference mode to save time.
must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
acl=$(iport_acl_name 0000000000000001)
must "target: port $RXE_GID, ramdisk LUN 0, ACL $acl" target_basic "$RXE_GID" "$acl" 64
check "TPG disabled" tpg_disable "$TPG"
check "srp_sq_size=16, use_srq=0" eval 'echo 16 > "$TPG/attrib/srp_sq_size" && echo 0 > "$TPG/attrib/use_srq"'
check "TPG enabled" tpg_enable "$TPG"
must "ib_srp loaded" initiator_load

no_scsi_eh() {
	! log_since "$1" | grep -qE 'SRP (abort|reset_device|reset_host) called'
}
sq16() {
	mark sq16
	srp_login initiator_ext=0000000000000001 && srp_get_disk "$SRP_HOST" 0 || return 1
	fio_verify sq16 "$DISK" 32M --iodepth=32 || return 1
	no_scsi_eh sq16 || { diag "SCSI error handling (abort/reset) was needed"; return 1; }
	! log_since sq16 | grep -q 'send queue full' || diag "the target reported a full send queue"
	srp_logout_all
}
improvement_not_ref "srp_sq_size=16: fio verify 32 MiB, 4k..1M at iodepth 32, no SCSI timeouts" \
	"commands stall (IB send queue full), SCSI aborts, ~2 min" sq16
srpt_end
