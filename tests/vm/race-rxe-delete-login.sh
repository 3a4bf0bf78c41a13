#!/bin/bash
# improvement: "rdma link delete rxe0" while logins arrive back to back: the removal ends in bounded time without the RDMA core reporting a resource still in use, and a new rxe0 serves logins again
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# A login that passed the HCA's "removed" check went on to create its
# QP, CQ and SRQ while srpt_remove_one() freed the SRQ and the PD under
# it. Logins arrive here as fast as the user-space initiator makes them
# (each sends TEST UNIT READY and logs out), with and without SRQ.
must "build the user-space SRP initiator" tool_build
must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load

# target_up SRQ: a GUID-named port with a ramdisk, open to the tool
target_up() {
	local rd
	TPG=$(tpg_create "$RXE_GUID") && rd=$(backstore_rd "rd$round" 8) &&
		lun_add "$TPG" 0 "$rd" &&
		echo "$1" > "$TPG/attrib/use_srq" &&
		acl_add "$TPG" "$INI_IP4" 0 && acl_add "$TPG" "$TGT_IP4" 0 &&
		tpg_enable "$TPG" && target_listen "$CM_PORT"
}
# login_storm: logins back to back until /tmp/storm-stop exists
login_storm() {
	local n=0
	while [ ! -e /tmp/storm-stop ]; do
		srp_tool -c tur > /dev/null 2>&1 || true
		n=$((n + 1))
	done
	echo "$n" > /tmp/storm-count
}
# no_report_since MARK: the RDMA core reported no resource still held
no_report_since() {
	! log_since "$1" | grep -qiE 'timed out waiting|still in use|leak'
}

for round in $(seq "$(small 4)"); do
	srq=$(( round % 2 ))
	must "round $round: target on a fresh rxe0, use_srq $srq" target_up "$srq"
	rm -f /tmp/storm-stop /tmp/storm-count
	check "round $round: a login works before the removal" \
		eval 'srp_tool -c tur > "$RESULTS/login-$round.out";
			grep -q "^LOGIN_RSP" "$RESULTS/login-$round.out"'
	bg login_storm
	# shellcheck disable=SC2034 # used in the eval below
	storm=$BG_PID
	bg login_storm
	# shellcheck disable=SC2034 # used in the eval below
	storm2=$BG_PID
	nap "$(scaled 2)"
	mark "delete-$round"
	check "round $round: rdma link delete rxe0 completes (within $(scaled 120) s)" \
		run_bounded 120 "rdma link delete" rdma link delete "$RXE"
	touch /tmp/storm-stop
	check "round $round: the logins stop" wait_for 60 eval \
		'_not_running "$storm" && _not_running "$storm2"'
	diag "round $round: $(cat /tmp/storm-count 2>/dev/null || echo ?) logins of one of the two loops"
	check "round $round: the RDMA core reported no resource left in use" \
		no_report_since "delete-$round"
	check "round $round: configfs cleared" run_bounded 60 target_clear target_clear
	must "round $round: a new rxe0" eval 'rdma link add "$RXE" type rxe netdev "$NETDEV" &&
		wait_for 15 rxe_port_active'
done
must "target on the last rxe0" target_up 0
check "a login with verified I/O on the new rxe0" eval \
	'srp_tool -c write -n 64 -V > "$RESULTS/final.out" && grep -q "^VERIFY ok" "$RESULTS/final.out"'
srpt_end
