#!/bin/bash
# common: a backstore slower than the SCSI timeout (dm-delay over null_blk behind iblock): ib_srp's error handler aborts, resets and reconnects while commands sit in the backstore; once it is fast again, verified I/O passes and the target accepts new logins
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

U=$(small 32)	# MiB per region: fio_verify makes 32M this small
MB=$(( 3 * U + 16 ))
must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
setup_slow_backstore "$MB"
TPG=''
must "TPG on port $RXE_GID" eval 'TPG=$(tpg_create "$RXE_GID")'
must "LUN 0 = iblock on slow0" lun_add "$TPG" 0 "$SLOW_IB"
acl=$(iport_acl_name 0000000000000001)
must "ACL $acl" acl_add "$TPG" "$acl" 0
must "TPG enabled, listening" eval 'tpg_enable "$TPG" && target_listen "$CM_PORT"'
must "ib_srp loaded" initiator_load
must "login" srp_login
must "disk appears" srp_get_disk "$SRP_HOST" 0

# The SCSI command timeout, and the delay that makes commands miss it.
TMO=$(scaled 5)
DELAY_MS=$(( $(scaled 25) * 1000 ))
must "SCSI timeout $TMO s" eval 'echo "$TMO" > "/sys/block/${DISK#/dev/}/device/timeout"'
# Region A: fixed seeds (randrepeat), so that it can be checked again.
check "verified writes to region A while the backstore is fast" \
	fio_verify regionA "$DISK" 32M --offset=0 --randrepeat=1

mark slow
must "backstore delay ${DELAY_MS} ms" slow_set slow0 "$DELAY_MS"
# Verified writes to region B: they time out, are aborted and retried.
bg fio_verify regionB "$DISK" 32M --offset="$((U + 4))M" --iodepth=8
fio_pid=$BG_PID
aborted() { log_since slow | grep -q "SRP abort called"; }
check "ib_srp aborts timed-out commands (SRP ABORT TASK)" wait_for 120 aborted
# Let the error handler go on escalating for a while, then make the
# backstore fast again so that what it retries completes.
nap "$(scaled 15)"
diag "error handling so far: $(log_since slow | grep -oE "SRP (abort|reset_device|reset_host) called" |
	sort | uniq -c | tr -s ' \n' ' ')"
must "backstore fast again" slow_set slow0 0
fio_done() { ! kill -0 "$fio_pid" 2>/dev/null; }
check "the writes to region B finish" wait_for 300 fio_done
rc=0
wait "$fio_pid" || rc=$?
check "region B reads back correctly (exit status $rc)" test "$rc" -eq 0
check "region A still reads back correctly" \
	fio --name=regionA --filename="$DISK" --direct=1 --ioengine=libaio \
	--iodepth=16 --rw=randwrite --bssplit=4k/30:16k/20:64k/20:256k/15:1m/15 \
	--size="${U}M" --offset=0 --randrepeat=1 --verify=crc32c --verify_only \
	--verify_fatal=1 --output="$RESULTS/fio-regionA-again.txt"
check "logout" srp_logout_all
must "login again" srp_login
must "disk appears again" srp_get_disk "$SRP_HOST" 0
check "verified writes after the new login" \
	fio_verify after "$DISK" 16M --offset="$((2 * U + 8))M"
check "logout" srp_logout_all
srpt_end
