#!/bin/bash
# common: load: verified I/O on two LUNs (ramdisk and iblock on null_blk) over two channels, logging out and in between rounds, for SRPT_LOAD_SECONDS (60 s here; scripts/load.sh runs it for 30 minutes)
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

SECONDS_WANTED=${SRPT_LOAD_SECONDS:-60}
# nb1 has 512-byte blocks: with 4096-byte ones the 6.12 driver corrupts
# memory (immediate data handed to iblock unaligned; see imm-data-4k).
setup_two_luns 64 64 ch_count=2

# One round: log in, verified writes to both LUNs at once from both
# CPUs (so over both channels), log out.
round() {
	local n=$1 d0 d1 p0 p1 rc=0 off
	srp_login >/dev/null || { diag "round $n: login failed"; return 1; }
	srp_get_disk "$SRP_HOST" 0 || return 1
	d0=$DISK
	srp_get_disk "$SRP_HOST" 1 || return 1
	d1=$DISK
	off=$(( (n % 2) * 16 ))M
	fio_verify "r$n-lun0" "$d0" 16M --offset="$off" --numjobs=2 \
		--offset_increment=32M --cpus_allowed=0-1 --cpus_allowed_policy=split &
	p0=$!
	fio_verify "r$n-lun1" "$d1" 16M --offset="$off" --bssplit=4k/40:32k/30:128k/20:1m/10 \
		--iodepth=32 &
	p1=$!
	wait "$p0" || { diag "round $n: LUN 0 verify failed"; rc=1; }
	wait "$p1" || { diag "round $n: LUN 1 verify failed"; rc=1; }
	srp_logout_all || { diag "round $n: logout failed"; rc=1; }
	return $rc
}

deadline=$(( $(now_ms) + SECONDS_WANTED * 1000 ))
n=0 bad=0
while [ "$n" -eq 0 ] || [ "$(now_ms)" -lt "$deadline" ]; do
	n=$((n + 1))
	round "$n" || { bad=$n; break; }
done
check "$n round(s) of verified I/O on 2 LUNs over 2 channels with logout/login in $SECONDS_WANTED s" \
	test "$bad" -eq 0
check "no RC QP is left" all_released
srpt_end
