#!/bin/bash
# improvement: targetcli-fb lists SRP sessions: an ACL's info file, in the layout rtslib-fb parses, shows each channel of a logged-in initiator (address, QP number, state); "targetcli sessions" and "sessions detail" show one and two channels, and nothing after logout
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# The setup of setup_target, with the TPG named as targetcli names it
# (rtslib-fb looks only at tpgt_N directories).
must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
acl=$(iport_acl_name 0000000000000001)
must "target: port $RXE_GID/tpgt_1, 64 MiB ramdisk LUN 0, ACL $acl" \
	target_basic "$RXE_GID" "$acl" 64 tpgt_1
must "ib_srp loaded" initiator_load
targetcli_ready
info=$TPG/acls/$acl/info

# tcli_cmd NAME CMD...: run one targetcli command, keep its output
tcli_cmd() {
	local name=$1
	shift
	targetcli "$@" > "$RESULTS/targetcli-$name.log" 2>&1
}
# info_cids: the QP numbers the ACL's info file lists as connections
info_cids() {
	sed -n 's/^CID: \([0-9]*\)  Connection State: TARG_CONN_STATE_LOGGED_IN$/\1/p' "$info" | sort -n
}
# target_qp_nums: the QP numbers of ib_srpt's RDMA/CM connections
target_qp_nums() {
	rdma res show cm_id 2>/dev/null | awk '/ comm \[ib_srpt\]/ {
		for (i = 1; i < NF; i++) if ($i == "lqpn") print $(i + 1) }' | sort -n
}
# sessions_match N: the info file, targetcli sessions and sessions
# detail all show N logged-in channels whose QP numbers are ib_srpt's
sessions_match() {
	local n=$1 cids log
	cids=$(info_cids)
	[ "$(grep -c . <<< "$cids")" -eq "$n" ] ||
		{ diag "info lists $(grep -c . <<< "$cids") channels, not $n: $(cat "$info")"; return 1; }
	[ "$cids" = "$(target_qp_nums)" ] ||
		{ diag "info: QPs $(tr '\n' ' ' <<< "$cids"), rdma res: $(target_qp_nums | tr '\n' ' ')"; return 1; }
	grep -qx "InitiatorName: $acl" "$info" || { diag "no InitiatorName $acl"; return 1; }
	grep -q '^Session State: TARG_SESS_STATE_LOGGED_IN$' "$info" || return 1
	tcli_cmd "sessions-$n" sessions || return 1
	log=$RESULTS/targetcli-sessions-$n.log
	grep -q "alias: $TGT_IP4	sid: $(head -n1 <<< "$cids") type: Normal session-state: LOGGED_IN" "$log" ||
		{ diag "targetcli sessions: $(cat "$log")"; return 1; }
	tcli_cmd "detail-$n" sessions detail || return 1
	log=$RESULTS/targetcli-detail-$n.log
	grep -q "name: ib.${acl#0x} (NOT AUTHENTICATED)" "$log" &&
		grep -q "mapped-lun: 0 backstore: ramdisk/rd0 mode: rw" "$log" &&
		[ "$(grep -c "address: $TGT_IP4 (RDMA_CM)  cid: [0-9]* connection-state: LOGGED_IN" "$log")" -eq "$n" ] ||
		{ diag "targetcli sessions detail: $(cat "$log")"; return 1; }
}
no_sessions() {
	grep -qx 'No active SRP channels' "$info" || { diag "info: $(cat "$info")"; return 1; }
	tcli_cmd none sessions && grep -q '(no open sessions)' "$RESULTS/targetcli-none.log"
}

improvement "before any login: the ACL's info file and targetcli show no session" no_sessions
login_disk ch_count=1
improvement "one channel: info, targetcli sessions and sessions detail show it" sessions_match 1
check "logout" srp_logout_all
check "the target closed the channel" target_released
improvement "after logout: no session" no_sessions
login_disk ch_count=2
improvement "two channels (ch_count=2): both listed as connections of one session" sessions_match 2
check "fio verify 8 MiB over both channels" fio_verify two "$DISK" 8M
check "logout" srp_logout_all
check "the target closed both channels" target_released
improvement "after logout: no session" no_sessions
srpt_end
