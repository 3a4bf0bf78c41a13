#!/bin/bash
# improvement: ib_srpt's trace events and pr_debug: with events/ib_srpt enabled, a login from the user-space initiator, a LUN RESET and three commands produce login_accepted, the channel's state changes from connecting to released, one tmf_recv and its code_rsp, and a cmd_recv and cmd_done per command with opcode, length, status and latency; a login with a wrong target port ID produces login_rejected with its reason; dynamic debug says which ACL matched and why the login was refused
# timeout: 900
# tcg: single
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_tool_rd_slow
check "a TEST UNIT READY takes the unit attention of the LUN mapping" \
	eval 'srp_tool -c tur > "$RESULTS/tur.out"'
check "channel closed" target_released

# Switching events on patches kernel text: hence "# tcg: single".
EV=$TRACEFS/events/ib_srpt
trace_on() {
	[ -e "$TRACEFS/trace_marker" ] || mount -t tracefs nodev "$TRACEFS" || return 1
	[ -d "$EV" ] || { diag "no $EV"; return 1; }
	echo 0 > "$TRACEFS/tracing_on" && echo > "$TRACEFS/trace" &&
		echo 1 > "$EV/enable" && echo 1 > "$TRACEFS/tracing_on" &&
		echo 'module ib_srpt +p' > /proc/dynamic_debug/control
}
improvement "events/ib_srpt enabled, and ib_srpt's pr_debug" trace_on
mark traced

out=$RESULTS/traced.out
check "tool: LUN RESET, 2 READs of 4 KiB (the first gets the reset's unit attention), a TEST UNIT READY" \
	eval 'srp_tool -T 0x08 -c read -n 8 -r 2 > "$out" &&
	      grep -q "^ROUND 1 cmd_rsp=1 status=0x00 " "$out"'
check "channel closed" target_released
# shellcheck disable=SC2034 # used in an eval string
rej=$RESULTS/rejected.out
check "tool: a login with a wrong target port ID is rejected" \
	eval 'srp_tool -t 00000000000000000000000000000001 > "$rej"; grep -q "^LOGIN_REJ reason=0x00010003$" "$rej"'
[ -d "$EV" ] && echo 0 > "$EV/enable"
echo 'module ib_srpt -p' > /proc/dynamic_debug/control
trace=$RESULTS/trace.txt
cat "$TRACEFS/trace" > "$trace" 2>/dev/null || true

# ev NAME [PATTERN]: the records of event NAME (matching PATTERN)
ev() { grep " srpt_$1: " "$trace" | grep -- "${2:-}" || true; }
count() { ev "$@" | grep -c . || true; }
qp=$(ev login_accepted "initiator=$INI_IP4 " | sed -n 's/.* qp=\([0-9]*\) .*/\1/p' | head -n 1)
improvement "login_accepted: initiator and ACL $INI_IP4, its QP, the credits the tool was granted" \
	eval '[ -n "$qp" ] && ev login_accepted "acl=$INI_IP4 qp=$qp credits=$(sed -n "s/^LOGIN_RSP req_lim_delta=\([0-9]*\) .*/\1/p" "$out") it_iu_len=8260 " | grep -q .'
states() { ev ch_state "qp=$qp " | sed 's/.* qp=[0-9]* //' | tr '\n' ',' ; }
improvement "ch_state: connecting -> live -> disconnecting -> draining -> released" \
	eval '[ "$(states)" = "connecting -> live,live -> disconnecting,disconnecting -> draining,draining -> released," ] ||
	      { diag "states: $(states)"; false; }'
improvement "tmf_recv: one LUN RESET (function 0x08) on LUN 0, answered by code_rsp 0x00 with its tag" \
	eval 'tag=$(ev tmf_recv "qp=$qp " | sed -n "s/.* tag=\([^ ]*\) lun=0 function=0x08 .*/\1/p") &&
	      [ -n "$tag" ] && [ "$(count tmf_recv "qp=$qp ")" = 1 ] &&
	      ev code_rsp "qp=$qp tag=$tag response_code=0x00" | grep -q .'
improvement "cmd_recv: two READ(10) of 4096 bytes in, one TEST UNIT READY" \
	eval '[ "$(count cmd_recv "qp=$qp .* opcode=0x28 len=4096 dir=in")" = 2 ] &&
	      [ "$(count cmd_recv "qp=$qp .* opcode=0x00 len=0 dir=none")" = 1 ] &&
	      [ "$(count cmd_recv "qp=$qp ")" = 3 ]'
improvement "cmd_done: CHECK CONDITION for the first READ, GOOD with 4096 bytes for the second, GOOD for the TEST UNIT READY, each with a latency" \
	eval '[ "$(ev cmd_done "qp=$qp " | sed "s/.* status=\([^ ]*\) len=\([0-9]*\) residual=0 latency_us=[0-9][0-9]*$/\1:\2/" | tr "\n" " ")" = "0x02:4096 0x00:4096 0x00:0 " ] ||
	      { diag "cmd_done: $(ev cmd_done "qp=$qp ")"; false; }'
improvement "login_rejected: $INI_IP4, reason 0x00010003 (cannot associate with the I_T nexus)" \
	eval 'ev login_rejected "initiator=$INI_IP4 reason=0x00010003 (cannot associate with the I_T nexus)" | grep -q .'
improvement "pr_debug: which ACL matched the login" \
	eval 'log_since traced | grep -q "login from $INI_IP4: ACL $INI_IP4 of TPG 1 matches"'
improvement "pr_debug: the refused login's target port ID next to ours" \
	eval 'log_since traced | grep -q "login from $INI_IP4: IU length 8260 .* target port ID 0x00000000000000000000000000000001 (ours: 0x$TGT_GUID_HEX twice)"'
diag "$(head -n 40 "$trace")"
srpt_end
