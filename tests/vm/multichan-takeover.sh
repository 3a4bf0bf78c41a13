#!/bin/bash
# common: SRP_MULTICHAN_SINGLE takeover (a user-space initiator, tests/tools/srp-login.c): a second login of the same initiator port terminates the first channel while its READ sits in a slow backstore; the first channel is disconnected without a response and released by the target, the new one serves commands, MULTI logins keep channels
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_tool_target
setup_slow_backstore 16
must "LUN 0 = iblock on slow0" lun_add "$TPG" 0 "$SLOW_IB"
tool_target_open 0

# tool_bg OUT ARGS...: srp_tool in the background, output to OUT; BG_PID
# is the tool itself
tool_bg() {
	local out=$1
	shift
	bg srp_tool --exec "$@" > "$out"
}
rsp_flags() { sed -n 's/^LOGIN_RSP .*rsp_flags=\(0x[0-9a-f]*\).*/\1/p' "$1"; }

check "a TEST UNIT READY over the tool's own login gets GOOD status" \
	eval 'srp_tool -c tur > "$RESULTS/tur.out" && grep -q "^RSP .*status=0x00" "$RESULTS/tur.out"'

delay_ms=$(( $(scaled 15) * 1000 ))
must "backstore delay $delay_ms ms" slow_set slow0 "$delay_ms"
# Channel A: single-channel login, a READ that waits in the backstore.
a_out=$RESULTS/channel-a.out
tool_bg "$a_out" -f 0 -c read -n 8 -w "$(scaled 60)"
a_pid=$BG_PID
a_sent() { grep -q '^SENT' "$a_out"; }
must "channel A logged in and sent a READ" wait_for 30 a_sent
nap "$(scaled 2)"
# Channel B: the same initiator port, single channel again.
check "channel B logs in" eval 'srp_tool -f 0 -w "$(scaled 4)" > "$RESULTS/channel-b.out"'
check "B's login response says the existing channel was terminated (MULTI-CHANNEL RESULT 1)" \
	test "$(( $(rsp_flags "$RESULTS/channel-b.out") & 3 ))" -eq 1
a_gone() { grep -q '^DISCONNECTED' "$a_out"; }
check "the target disconnects channel A" wait_for 30 a_gone
check "channel A got no response for its READ" not grep -q '^RSP' "$a_out"
must "backstore fast again" slow_set slow0 0
# A's tool still waits, B's has ended: the target holds neither channel.
check "the target released channel A (taken over) and B (ended): ib_srpt holds no QP" \
	target_released

# MULTI logins keep the channels that exist.
tool_bg "$RESULTS/channel-c.out" -f 0 -w "$(scaled 30)"
c_pid=$BG_PID
c_in() { grep -q '^LOGIN_RSP' "$RESULTS/channel-c.out"; }
must "channel C (single) logged in" wait_for 30 c_in
check "channel D (multi) logs in and reads" \
	eval 'srp_tool -f 1 -c read -n 8 > "$RESULTS/channel-d.out" && grep -q "^RSP .*status=0x00" "$RESULTS/channel-d.out"'
check "D's login response says the existing channel was kept (MULTI-CHANNEL RESULT 2)" \
	test "$(( $(rsp_flags "$RESULTS/channel-d.out") & 3 ))" -eq 2
check "channel C is still connected" not grep -q '^DISCONNECTED' "$RESULTS/channel-c.out"
check "the target closed D's channel when D ended, C's is left: ib_srpt holds 1 QP" \
	target_qps_become 1
kill "$c_pid" 2>/dev/null || true
wait "$a_pid" 2>/dev/null || true
wait "$c_pid" 2>/dev/null || true
check "no RC QP is left once the tool's channels are gone" all_released
srpt_end
