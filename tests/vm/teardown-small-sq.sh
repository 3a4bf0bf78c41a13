#!/bin/bash
# improvement: on a 16-entry send queue (with and without SRQ) commands park for send-queue space (and MRs under ib_core.force_mr=1); the TPG is disabled under that load, again and again: every disable ends in bounded time, no channel is left, and verified I/O works afterwards
# timeout: 1200
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# ib_srp's never_register sends one descriptor per page: a 64 KiB
# command needs 17 work requests, so on srp_sq_size 16 (8 credits)
# commands wait for each other's send-queue space. Closing the channel
# then races commands that are parking: one parked after the release
# work failed the waiting ones was never released, and the disable hung
# in target_wait_for_sess_cmds().
setup_target 64 never_register=1

# cycle SRQ N: N times, disable the TPG under parking I/O, then check
# that the target let go of everything and serves again
cycle() {
	local srq=$1 i
	must "srp_sq_size 16, use_srq $srq" eval 'tpg_disable "$TPG" &&
		echo 16 > "$TPG/attrib/srp_sq_size" &&
		echo "$srq" > "$TPG/attrib/use_srq" && tpg_enable "$TPG"'
	for i in $(seq "$(small 4)"); do
		must "use_srq $srq, round $i: login" login_disk
		load_start "$DISK" --bssplit=64k/60:128k/30:4k/10 --iodepth=64 \
			--numjobs=2
		check "use_srq $srq, round $i: I/O flows" io_flows 20
		check "use_srq $srq, round $i: TPG disabled under load (bounded)" \
			run_bounded 90 tpg_disable tpg_disable "$TPG"
		load_stop
		check "use_srq $srq, round $i: the initiator logs out" srp_logout_all
		check "use_srq $srq, round $i: no ib_srpt QP is left" \
			target_released 60
		must "use_srq $srq, round $i: TPG enabled again" tpg_enable "$TPG"
	done
	must "use_srq $srq: login after the rounds" login_disk
	check "use_srq $srq: fio verify 16 MiB with 64 KiB commands" \
		fio_verify "srq$srq" "$DISK" 16M --bssplit=64k/80:128k/20 \
		--iodepth=32
	check "use_srq $srq: logout" srp_logout_all
}
cycle 0
cycle 1
srpt_end
