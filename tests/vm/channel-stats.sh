#!/bin/bash
# improvement: what an admin reads off the target: a TPG's login_info gives the add_target lines ib_srp logs in with (and says when there is no listener); an ACL's channels file shows each channel's addresses, port ID, IU sizes, credits, send queue and exact counts of commands, TMFs, bytes in and out and failed commands after a known sequence from the user-space initiator, and nothing after logout
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_tool_rd_slow
info=$TPG/login_info
chans=$TPG/acls/$INI_IP4/channels

# --- login_info -------------------------------------------------------
lines_ok() {
	grep -qx "id_ext=$TGT_GUID_HEX,ioc_guid=$TGT_GUID_HEX,dest=$TGT_IP4:$CM_PORT" "$info" &&
		grep -qx "id_ext=$TGT_GUID_HEX,ioc_guid=$TGT_GUID_HEX,dest=\[$TGT_IP6\]:$CM_PORT" "$info" ||
		{ diag "login_info: $(cat "$info" 2>&1)"; return 1; }
}
improvement "login_info: an RDMA/CM line for $TGT_IP4 and one for [$TGT_IP6], port $CM_PORT" lines_ok
no_listener() {
	target_listen 0 &&
		grep -qx 'none: no RDMA/CM listener (rdma_cm_port is 0)' "$info" ||
		{ diag "login_info: $(cat "$info" 2>&1)"; return 1; }
}
improvement "login_info without a listener says so" no_listener
must "listening again" target_listen "$CM_PORT"

# ib_srp logs in with login_info's first line as it is (plus its own
# initiator_ext) and serves verified I/O.
login_with_info() {
	local line
	line=$(head -n 1 "$info") || return 1
	acl_add "$TPG" "$(iport_acl_name 0000000000000001)" 0 || return 1
	echo "$line,initiator_ext=0000000000000001" > "/sys/class/infiniband_srp/srp-$RXE-1/add_target" ||
		{ diag "add_target $line failed"; return 1; }
	SRP_HOST=$(srp_hosts | tail -n 1)
	srp_get_disk "$SRP_HOST" 0
}
must "ib_srp loaded" initiator_load
improvement "ib_srp logs in with login_info's line; its disk appears" login_with_info
if [ "$CHECK_OK" = 1 ]; then
	check "fio verify 4 MiB" fio_verify info "$DISK" 4M
	check "logout" srp_logout_all
fi

# --- channels ---------------------------------------------------------

# expect LINE KEY=VALUE...: LINE has each KEY with VALUE
expect() {
	local line=$1 kv bad=0
	shift
	for kv in "$@"; do
		[ "$(field "$line" "${kv%%=*}")" = "${kv#*=}" ] ||
			{ diag "${kv%%=*} is '$(field "$line" "${kv%%=*}")', not '${kv#*=}'"; bad=1; }
	done
	[ "$bad" = 0 ] || diag "channels: $line"
	return "$bad"
}

# run_tool NAME ARGS...: the tool in the background, holding its channel
# 20 s after its commands; waits until the channels file shows CMDS
# commands (CMDS: the last argument)
TOOL_PID=
run_tool() {
	# shellcheck disable=SC2034 # used in the eval string below
	local name=$1 cmds=${*: -1}
	set -- "${@:2:$#-2}"
	srp_tool "$@" -w "$(scaled 20)" > "$RESULTS/$name.out" 2>&1 &
	TOOL_PID=$!
	wait_for 30 eval 'grep -q " cmds=$cmds " "$chans" 2>/dev/null && grep -q " in_flight=0 " "$chans"' ||
		{ diag "channels: $(cat "$chans" 2>&1)"; return 1; }
}
tool_done() { wait "$TOOL_PID"; }

check "before any login the ACL's channels file is empty" eval '[ -z "$(cat "$chans")" ]'
check "a TEST UNIT READY takes the unit attention of the LUN mapping" \
	eval 'srp_tool -c tur > "$RESULTS/tur.out"'
check "channel closed" target_released

# 3 WRITEs of 1 MiB, then the tool's TEST UNIT READY: 4 commands.
improvement "tool: 3 WRITEs of 1 MiB and a TEST UNIT READY; the channel is listed" \
	run_tool writes -c write -n 2048 -r 3 4
if [ "$CHECK_OK" = 1 ]; then
	line=$(cat "$chans")
	sq=$(field "$line" sq_depth)
	improvement "channels: state, CM, initiator, port ID, addresses, IU sizes, queue at rest" \
		expect "$line" state=live cm=rdma_cm initiator="$INI_IP4" \
			port_id="0x0000000000000042$INI_GUID_HEX" \
			local="$TGT_IP4:$CM_PORT" it_iu_len=8260 imm_data=0 \
			in_flight=0 sq_free="$sq" comp_vector=0
	improvement "channels: the remote address is the tool's, with its port" \
		eval '[[ $(field "$line" remote) == $INI_IP4:[1-9]* ]]'
	improvement "channels: the QP is ib_srpt's RDMA/CM connection" \
		eval 'rdma res show cm_id | grep -q "lqpn $(field "$line" qp) .*comm \[ib_srpt\]"'
	improvement "channels: cmds=4 tmfs=0 bytes_in=3 MiB bytes_out=0 refused=0 failed=0" \
		expect "$line" cmds=4 tmfs=0 bytes_in=3145728 bytes_out=0 refused=0 failed=0
	improvement "channels: credits are what the login granted" \
		eval '[ "$(field "$line" credits)" = "$(sed -n "s/^LOGIN_RSP req_lim_delta=\([0-9]*\) .*/\1/p" "$RESULTS/writes.out")" ]'
	# 128 credits, each with its response and one RDMA context, or the
	# largest command an 8260-byte IU allows (255 descriptors, 16 MiB
	# over 16 SGEs: 527 work requests) with its response; one entry for
	# an SRP_T_LOGOUT, one kept back. Sized to srp_sq_size it was 5119.
	improvement "channels: the send queue is sized to the login (sq_depth=528, not srp_sq_size)" \
		expect "$line" sq_depth=528
	improvement "the TPG's channels file has the same line, after acl=$INI_IP4" \
		eval '[ "$(cat "$TPG/channels")" = "acl=$INI_IP4 $line" ]'
	check "the tool's 3 WRITEs got GOOD status" \
		eval 'tool_done && [ "$(grep -c "^ROUND [0-2] cmd_rsp=1 status=0x00 " "$RESULTS/writes.out")" = 3 ]'
fi
check "channel closed" target_released
improvement "after logout the channels file is empty, and the TPG's" \
	eval '[ -z "$(cat "$chans")" ] && [ -z "$(cat "$TPG/channels")" ]'

# A LUN RESET and an unknown TMF, then 2 READs of 1 MiB (the first gets
# the unit attention of the reset) and the TEST UNIT READY.
improvement "tool: 2 TMFs, 2 READs of 1 MiB, a TEST UNIT READY" \
	run_tool reads -T 0x08,0x7f -c read -n 2048 -r 2 3
if [ "$CHECK_OK" = 1 ]; then
	improvement "channels: cmds=3 tmfs=2 bytes_in=0 bytes_out=1 MiB failed=1 (the unit attention)" \
		expect "$(cat "$chans")" cmds=3 tmfs=2 bytes_in=0 bytes_out=1048576 refused=0 failed=1
	check "the tool's second READ got GOOD status" \
		eval 'tool_done && grep -q "^ROUND 1 cmd_rsp=1 status=0x00 " "$RESULTS/reads.out"'
fi
check "channel closed" target_released
srpt_end
