#!/bin/bash
# improvement: small send queues (srp_sq_size 64 and 16, with and without SRQ): verified I/O at iodepth 32, and 4 jobs at iodepth 256 on 8 credits, without stalls or SCSI timeouts
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# With the reference driver and a small srp_sq_size the target runs out
# of send queue entries ("IB send queue full (needed N)" from
# srpt_write_pending/srpt_queue_response), commands stall until the SCSI
# timeout and ib_srp aborts and resets them: always with 16 (fio gets
# through after about 2 minutes), sometimes with 64 and use_srq=1. Not
# run in reference mode to save time.
setup_target 64

no_scsi_eh() {
	! log_since "$1" | grep -qE 'SRP (abort|reset_device|reset_host) called'
}
# small_sq SQ SRQ SIZE [FIO ARGS...]: fio verify of SIZE (per job) with
# srp_sq_size SQ and use_srq SRQ
small_sq() {
	local tag=sq$1-srq$2-$#
	tpg_disable "$TPG" || return 1
	echo "$1" > "$TPG/attrib/srp_sq_size" && echo "$2" > "$TPG/attrib/use_srq" || return 1
	tpg_enable "$TPG" || return 1
	mark "$tag"
	srp_login queue_size=256 && srp_get_disk "$SRP_HOST" 0 || return 1
	fio_verify "$tag" "$DISK" "$3" --iodepth=32 "${@:4}" || return 1
	no_scsi_eh "$tag" || { diag "SCSI error handling (abort/reset) was needed"; return 1; }
	! log_since "$tag" | grep -q 'send queue full' || diag "the target reported a full send queue"
}
small_sq_and_logout() {
	local rc=0
	small_sq "$@" || rc=1
	srp_logout_all || rc=1
	return "$rc"
}
for sq in 64 16; do
	for srq in 1 0; do
		improvement_not_ref "srp_sq_size=$sq use_srq=$srq: fio verify 32 MiB, 4k..1M at iodepth 32, no SCSI timeouts" \
			"commands stall (IB send queue full), SCSI aborts" small_sq_and_logout "$sq" "$srq" 32M
	done
done
# Credit starvation: far more commands queued than the 8 credits that
# srp_sq_size=16 gives; every one must get its response.
improvement_not_ref "srp_sq_size=16: 4 jobs at iodepth 256 with queue_size=256 (8 credits), verify, no SCSI timeouts" \
	"commands stall (IB send queue full), SCSI aborts" \
	small_sq_and_logout 16 0 12M --iodepth=256 --numjobs=4 --offset_increment=16M
srpt_end
