#!/bin/bash
# common: the network device under soft-RoCE goes down during I/O and comes back; ib_srp reconnects, I/O resumes, the target closes the replaced channels, acknowledged writes read back, verified I/O passes and no stale channel or QP is left after logout
# timeout: 400
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_target 64
login_disk
# Reconnect soon after the link is back, but not while it is down: the
# link stays down for less than reconnect_delay. (Reconnecting while it
# is down leaves ib_srp retrying its CM REQ for minutes with the remote
# port's mutex held; ib_srp starts the delay as soon as one of its work
# requests is flushed, which can be right at the link going down.)
DOWN_S=$(scaled 1) RECONNECT_S=$(scaled 3) FAST_FAIL_S=$(scaled 5)
must "remote port: reconnect_delay $RECONNECT_S s, fast_io_fail_tmo $FAST_FAIL_S s" \
	rport_tune "$RECONNECT_S" "$FAST_FAIL_S"
# The target closes its channels when the port goes down and sends
# their disconnect requests when it is back (port-down), so ib_srp
# reconnects after reconnect_delay. Should that fail, only ib_srp's
# error handler gets out (SCSI timeout, ABORT TASKs, resets, reconnect):
# keep the SCSI timeout short.
must "SCSI timeout $(scaled 10) s" eval 'echo "$(scaled 10)" > "/sys/block/${DISK#/dev/}/device/timeout"'

must "build the acked-writes tool" acked_build
for round in 1 2; do
	# Mixed I/O on the first 48 MiB; from 48 MiB on, each round 2 MiB of
	# writes whose acknowledgement is noted.
	load_start "$DISK" --iodepth=4 --size=48M
	acked_start "flap-$round" "$DISK" $(( 768 + (round - 1) * 32 )) 32
	check "round $round: I/O flows" io_flows
	mark "down-$round"
	check "round $round: $NETDEV down" ip link set "$NETDEV" down
	# Shorter than the SCSI timeout and than reconnect_delay: ib_srp's
	# error handler and its reconnects start once the link is back.
	nap "$DOWN_S"
	check "round $round: $NETDEV up" ip link set "$NETDEV" up
	check "round $round: the RDMA port is active again" wait_for 30 rxe_port_active
	check "round $round: I/O resumes within 90 s" wait_for 90 io_flows
	diag "round $round: $(log_since "down-$round" | grep -cE 'reconnect|SRP' || true) ib_srp lines logged"
	load_stop
	acked_stop "flap-$round"
	check "round $round: the target closed the channels that ib_srp replaced: ib_srpt holds as many QPs as ib_srp" \
		target_matches_initiator
	check "round $round: the writes acknowledged around the flap read back" \
		eval 'acked_verify "flap-$round" "$DISK" && [ "$ACKED_N" -gt 0 ]'
done
check "fio verify 24 MiB after the link came back" fio_verify after "$DISK" 24M
check "logout" srp_logout_all
check "no RC QP is left on either side" all_released
must "login again" srp_login
must "disk appears" srp_get_disk "$SRP_HOST" 0
check "fio verify 8 MiB on a fresh login" fio_verify fresh "$DISK" 8M --offset=32M
check "logout" srp_logout_all
srpt_end
