#!/bin/bash
# improvement: a login through the IB/CM listener (srpt_service_guid = the service ID RDMA/CM asks for) is accepted and serves verified I/O; a wrong target port is rejected with 0x00010003; the channel goes away after logout
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# RDMA/CM asks a passive side that is not RDMA/CM for service ID
# RDMA_PS_TCP << 16 | port: with srpt_service_guid set to that value the
# target's IB/CM listener gets the REQ, as from an InfiniBand initiator
# (tests/tools/srp-login.c, ibcm_login_pdata(), explains the layout).
IBCM_PORT=5556
SID=0000000001060000
SID=${SID:0:12}$(printf '%04x' "$IBCM_PORT")
IBCM_DST=2001:db8:6::1		# bytes 4..5 (0x0006): direct + indirect
IBCM_SRC=2001:db8::2000		# last 4 bytes: IU length 8192
# The first 4 bytes are the last 4 of IBCM_DST.
IBCM_IPORT=00000001000000000000004942434d00

ibcm_login() {	# ibcm_login TPORT ARGS...: srp-login through the IB/CM listener
	local tport=$1
	shift
	"$TOOL" -I -d "[$IBCM_DST]:$IBCM_PORT" -s "$IBCM_SRC" -i "$IBCM_IPORT" \
		-t "$tport" "$@"
}

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "addresses $IBCM_DST and $IBCM_SRC on $NETDEV" \
	eval 'ip -6 addr add "$IBCM_DST/48" dev "$NETDEV" nodad &&
		ip -6 addr add "$IBCM_SRC/64" dev "$NETDEV" nodad'
must "srpt_service_guid=0x$SID for the next load" \
	eval 'echo "options ib_srpt srpt_service_guid=0x$SID" > /etc/modprobe.d/srpt-ibcm.conf'
at_end "rm -f /etc/modprobe.d/srpt-ibcm.conf"
must "ib_srpt ($SRPT_MODULE) loaded" target_load
must "the user-space initiator builds" tool_build
must "target: port $RXE_GID, ramdisk LUN 0, ACL 0x$IBCM_IPORT" \
	target_basic "$RXE_GID" "0x$IBCM_IPORT" 16

mark ibcm-login
ibcm_login "$SID$SID" -c write -n 64 -V > "$RESULTS/ibcm.out" 2>&1 || true
diag "$(cat "$RESULTS/ibcm.out")"
improvement "IB/CM login accepted (an IB/CM QP takes its receives in INIT)" \
	grep -q '^LOGIN_RSP ' "$RESULTS/ibcm.out"
improvement "32 KiB written and read back over the IB/CM channel" \
	grep -q '^VERIFY ok' "$RESULTS/ibcm.out"
improvement "the target named the session after the initiator port ID" \
	eval 'log_since ibcm-login | grep -q "logged in to 0x$IBCM_IPORT"'
check "the target released the channel after the disconnect" \
	target_released 30

ibcm_login "${SID}0000000000000001" > "$RESULTS/ibcm-rej.out" 2>&1 || true
diag "$(cat "$RESULTS/ibcm-rej.out")"
check "a login naming another target port is rejected with 0x00010003" \
	grep -q '^LOGIN_REJ reason=0x00010003' "$RESULTS/ibcm-rej.out"

# The port goes down under an IB/CM channel: it is closed without a
# DREQ, which goes out once the port is back (see port-down). The
# channel's IPv6 addresses (and so its GIDs) must survive the link
# going down for that DREQ to have a source.
must "$NETDEV keeps its IPv6 addresses when down" \
	sysctl -qw "net.ipv6.conf.$NETDEV.keep_addr_on_down=1"
mark ibcm-down
bg ibcm_login "$SID$SID" -c tur -w "$(scaled 60)" > "$RESULTS/ibcm-down.out" 2>&1
IBCM_PID=$BG_PID
check "an IB/CM channel is live" eval 'wait_for 10 eval "[ \"\$(target_qps)\" -eq 1 ]"'
check "$NETDEV down" ip link set "$NETDEV" down
improvement "the target closes it without a disconnect request" \
	wait_for 10 eval 'log_since ibcm-down | grep -q "channel released; its port is down"'
check "and holds no QP" target_released 10
improvement "the initiator saw no disconnect while the port was down" \
	not grep -q '^DISCONNECTED' "$RESULTS/ibcm-down.out"
check "$NETDEV up" ip link set "$NETDEV" up
improvement "once the port is active the initiator gets the disconnect" \
	wait_for 20 grep -q '^DISCONNECTED' "$RESULTS/ibcm-down.out"
check "the user-space initiator ends" wait_for 10 _not_running "$IBCM_PID"
diag "$(cat "$RESULTS/ibcm-down.out")"
mark ibcm-again
ibcm_login "$SID$SID" -c write -n 64 -V > "$RESULTS/ibcm-again.out" 2>&1 || true
improvement "a new IB/CM login after the flap writes and reads back 32 KiB" \
	grep -q '^VERIFY ok' "$RESULTS/ibcm-again.out"
check "the target released every channel" target_released 30
srpt_end
