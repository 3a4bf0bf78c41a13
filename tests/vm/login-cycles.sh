#!/bin/bash
# common: 100 logout/login cycles; each time the disk appears and a direct read returns the data written before the first cycle
# timeout: 1200
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

CYCLES=${SRPT_CYCLES:-$(small 100)}
setup_target 16

must "first login" srp_login
must "disk appears" srp_get_disk "$SRP_HOST" 0
make_pattern /tmp/pattern 1
must "1 MiB pattern written at offset 8 MiB" write_dev "$DISK" /tmp/pattern 8
must "logout" srp_logout_all

read_ok() {	# the first 64 KiB of the pattern, read with O_DIRECT
	dd if="$DISK" bs=64k count=1 skip=128 iflag=direct status=none |
		cmp -s -n 65536 - /tmp/pattern
}

failed_at='' what='' t0=$(now_ms)
for ((i = 1; i <= CYCLES; i++)); do
	if ! srp_login initiator_ext=0000000000000001; then
		what="login"; failed_at=$i; break
	fi
	if ! srp_get_disk "$SRP_HOST" 0; then
		what="disk"; failed_at=$i; break
	fi
	if ! read_ok; then
		what="read"; failed_at=$i; break
	fi
	if ! srp_logout_all; then
		what="logout"; failed_at=$i; break
	fi
	(( i % 10 )) || diag "cycle $i: $(( ($(now_ms) - t0) / i )) ms per cycle"
done
done_cycles=$(( ${failed_at:-$((CYCLES + 1))} - 1 ))
[ -z "$failed_at" ] || diag "cycle $failed_at failed at: $what"
check "$CYCLES logins accepted" test "${what:-}" != login
check "disk appeared after every login" test "${what:-}" != disk
check "the data read back after every login" test "${what:-}" != read
check "every logout completed (no ib_srp host left)" test "${what:-}" != logout
check "$done_cycles of $CYCLES cycles completed" test "$done_cycles" -eq "$CYCLES"
check "the target closed every session: ib_srpt holds no QP" target_released
check "no RC QP is left on either side" all_released
srpt_end
