#!/bin/bash
# improvement: the soft-RoCE port goes down under I/O: the target closes its channel within seconds without sending a CM message into the down port, disconnects it once the port is active again, the initiator reconnects and its data reads back; TPG removal and rmmod do not wait for a port that stays down
# timeout: 300
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_target 64
login_disk
# ib_srp reconnects only after the port is back: a CM REQ sent while it
# is down would break the device's QP1 (the shared rxe0) for both sides.
RECONNECT_S=$(scaled 10)
must "remote port: reconnect_delay $RECONNECT_S s" rport_tune "$RECONNECT_S" off
CH=$TPG/acls/$acl/channels
# ch_closed: within 10 s the ACL lists no channel and the target holds
# no QP
ch_closed() { wait_for 10 eval '! grep -q . "$CH"' && target_released 10; }
ch_live() { grep -q 'state=live' "$CH"; }
# srpt_cm_ids: the target's RDMA/CM connections (listeners aside)
srpt_cm_ids() {
	rdma res show cm_id 2>/dev/null | grep 'comm \[ib_srpt\]' |
		grep -vc 'state LISTEN' || true
}
make_pattern /tmp/pattern 8
check "8 MiB written before the port goes down" write_dev "$DISK" /tmp/pattern

load_start "$DISK" --iodepth=8 --size=32M --offset=16M
check "I/O flows" io_flows
# ib_srp opens one channel per CPU
NCH=$(grep -c 'state=live' "$CH" || true)
check "the target lists $NCH live channels (at least one)" eval '[ "$NCH" -ge 1 ]'
mark down
check "$NETDEV down" ip link set "$NETDEV" down
# Either the port work closes the channels, or their flushed work
# requests did so just before it ran (rxe fails a QP's work as soon as
# its netdev stops).
improvement "the target logs why the channels close: the port is down, or their work failed" \
	wait_for 10 eval 'log_since down | grep -Eq "HCA port $RXE/1 is down: closing [0-9]+ channels|failed: WR flushed; closing the channel"'
improvement "within 10 s the ACL has no channel and the target no QP" ch_closed
improvement "all $NCH channels were released with their disconnect held back" \
	eval '[ "$(log_since down | grep -c "channel released; its port is down")" -eq "$NCH" ]'
improvement "their $NCH RDMA/CM IDs wait for the port" eval '[ "$(srpt_cm_ids)" -eq "$NCH" ]'
check "no disconnect request left while the port was down" \
	eval '! log_since down | grep -q "disconnecting .* channels closed while it was down"'

mark up
check "$NETDEV up" ip link set "$NETDEV" up
check "the RDMA port is active again" wait_for 30 rxe_port_active
improvement "the target disconnects the $NCH parked channels once the port is active" \
	wait_for 15 eval 'log_since up | grep -q "HCA port $RXE/1: disconnecting $NCH channels closed while it was down"'
check "ib_srp receives them" \
	wait_for 15 eval '[ "$(log_since up | grep -c "ib_srp: received DREQ")" -eq "$NCH" ]'
check "the target left no RDMA/CM ID of the old channels" \
	wait_for 15 eval '[ "$(srpt_cm_ids)" -eq 0 ]'
check "ib_srp reconnects: I/O resumes within $((RECONNECT_S + 60)) s" \
	io_flows $((RECONNECT_S + 60))
improvement "the target has a live channel again" wait_for 30 ch_live
load_stop
check "the target holds as many QPs as ib_srp" target_matches_initiator
check "the 8 MiB written before read back" same_as_dev "$DISK" /tmp/pattern
check "fio verify 8 MiB after the port came back" fio_verify after "$DISK" 8M --offset=48M

# A port that stays down: configfs removal and rmmod end the parked
# channel (its disconnect request goes out then; the device is left
# as it is, so this comes last).
mark down2
check "$NETDEV down again" ip link set "$NETDEV" down
improvement "the channels are closed again" ch_closed
improvement "the TPG, port and module go in 60 s with the port down" \
	run_bounded 60 "target_unload" target_unload
improvement "the unload sent the held-back disconnect requests, with a warning" \
	eval 'log_since down2 | grep -Eq "HCA port $RXE/1 is being removed while down: its [0-9]+ held-back disconnect requests go out now"'
check "the target left no RDMA/CM ID" eval '[ "$(srpt_cm_ids)" -eq 0 ]'
check "$NETDEV up" ip link set "$NETDEV" up
check "logout" srp_logout_all
srpt_end
