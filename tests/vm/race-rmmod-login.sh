#!/bin/bash
# common: the target is torn down and ib_srpt unloaded while an initiator keeps logging in; removing the configuration closes the target's sessions, every unload finishes in bounded time, the module loads again and serves verified I/O
# timeout: 1200
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

ROUNDS=$(small 5)
must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srp loaded" initiator_load
acl=$(iport_acl_name 0000000000000001)

# Log in over and over; most attempts are refused or find no listener.
hammer() {
	while [ ! -e /tmp/hammer-stop ]; do
		if srp_login >/dev/null 2>&1; then
			nap_ms 100
			srp_logout_all >/dev/null 2>&1 || true
		fi
	done
}
rm -f /tmp/hammer-stop
bg hammer
hammer_pid=$BG_PID

for ((i = 1; i <= ROUNDS; i++)); do
	if ! target_load >/dev/null || ! target_basic "$RXE_GID" "$acl" 16; then
		check "round $i: load and configure the target" false
		break
	fi
	# Unload at a different moment of the login traffic each round.
	nap_ms $(( (_scale_milli * (100 + (i * 389) % 1500)) / 1000 ))
	# Removing the configuration closes the sessions: on the target's
	# side too, before the module goes (it cannot leave with a channel).
	if ! target_clear; then
		check "round $i: configuration removed" false
		break
	fi
	if ! target_released; then
		check "round $i: the target closed its sessions: ib_srpt holds no QP" false
		break
	fi
	if ! target_unload 90; then
		check "round $i: teardown and modprobe -r within 90 s" false
		break
	fi
done
check "$ROUNDS rounds of load, configure, unload under login attempts" test "$i" -gt "$ROUNDS"
touch /tmp/hammer-stop
wait_for 120 _not_running "$hammer_pid" || kill "$hammer_pid" 2>/dev/null || true
check "the initiator's hosts can be removed" srp_logout_all
check "no RC QP is left" all_released
must "ib_srpt ($SRPT_MODULE) loaded again" target_load
must "target configured again" target_basic "$RXE_GID" "$acl" 64
must "login" srp_login
must "disk appears" srp_get_disk "$SRP_HOST" 0
check "fio verify 16 MiB" fio_verify last "$DISK" 16M
check "logout" srp_logout_all
srpt_end
