#!/bin/bash
# common: abrupt logouts (remote port deleted) during I/O, each followed at once by a new login, repeatedly; writes acknowledged before each logout read back, the target closes every channel, no QP is left behind, the last login serves verified I/O
# timeout: 1200
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

ROUNDS=$(small 8)
setup_target 64
must "no RC QP before the first login" no_rc_qps
must "build the acked-writes tool" acked_build

# login_soon: log in again while the target may still be releasing the
# old channels; it may reject meanwhile, so retry within a bound
login_soon() { wait_for 60 srp_login 2>/dev/null; }

for ((i = 1; i <= ROUNDS; i++)); do
	if ! login_soon || ! srp_get_disk "$SRP_HOST" 0; then
		check "round $i: login and disk" false
		break
	fi
	# Mixed I/O on the first 48 MiB; from 48 MiB on, each round its own
	# 2 MiB of writes whose acknowledgement is noted.
	load_start "$DISK" --size=48M
	acked_start "r$i" "$DISK" $(( 768 + (i - 1) * 32 )) 32
	# Log out at a different moment of the I/O each round.
	nap_ms $(( (_scale_milli * (200 + (i * 437) % 1800)) / 1000 ))
	# The remote port is deleted with commands in flight; ib_srp may
	# reconnect a port it deletes, so wait until its host is gone.
	if ! srp_logout_all; then
		check "round $i: abrupt logout" false
		break
	fi
	load_stop
	acked_stop "r$i"
done
check "$ROUNDS logins, each cut short by an abrupt logout during I/O" test "$i" -gt "$ROUNDS"
check "every host is gone" srp_logout_all
check "the target closed every channel: ib_srpt holds no QP" target_released
check "no RC QP is left on either side" all_released
must "a last login" login_soon
must "disk appears" srp_get_disk "$SRP_HOST" 0
# acked_rounds_back: each round's acknowledged writes read back
acked_rounds_back() {
	local r total=0
	for ((r = 1; r < i && r <= ROUNDS; r++)); do
		acked_verify "r$r" "$DISK" || return 1
		total=$((total + ACKED_N))
	done
	diag "$total blocks acknowledged in $((r - 1)) rounds read back"
	[ "$total" -gt 0 ]
}
check "the writes acknowledged before each abrupt logout read back" acked_rounds_back
check "fio verify 32 MiB" fio_verify last "$DISK" 32M
check "logout" srp_logout_all
check "no RC QP is left" all_released
srpt_end
