#!/bin/bash
# common: dm-multipath over the SRP disk with every I/O scheduler the kernel has (blktests srp 012): none, mq-deadline, kyber and bfq on both queues in turn, each with a burst of synchronous 4 KiB random writes (iodepth 64, submitted 32 at a time) verified with md5
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_target 64
login_disk
for m in kyber-iosched bfq; do
	modprobe -q "$m" 2>/dev/null || diag "no $m module"
done
# A request-based multipath device with one path, made with dmsetup.
must "multipath device mp0 over $DISK" \
	dm_create mp0 "0 $(blockdev --getsz "$DISK") multipath 0 0 1 1 round-robin 0 1 1 $DISK 1000"
at_end "dm_remove mp0"
mp=$(dmsetup info -c --noheadings -o blkdevname mp0)
sd=${DISK#/dev/}

# schedulers_of DEV: the schedulers /sys/block/DEV/queue/scheduler offers
schedulers_of() { tr -d '[]' < "/sys/block/$1/queue/scheduler"; }
# scheduler_set SCHED: SCHED on the SRP disk and on mp0, read back
scheduler_set() {
	local d
	for d in "$sd" "$mp"; do
		echo "$1" > "/sys/block/$d/queue/scheduler" &&
			grep -q "\[$1\]" "/sys/block/$d/queue/scheduler" || return 1
	done
}

scheds=$(schedulers_of "$sd")
diag "schedulers of $sd: $scheds"
check "$sd offers none and mq-deadline" \
	eval '[[ " $scheds " == *" none "* && " $scheds " == *" mq-deadline "* ]]'
size=$(small_size 8M)
off=0
for s in $scheds; do
	check "scheduler $s on $sd and $mp" scheduler_set "$s"
	check "scheduler $s: $size of synchronous 4 KiB random writes through mp0, md5 verified" \
		fio_verify "sched-$s" /dev/mapper/mp0 "$size" --bs=4k --iodepth=64 \
		--iodepth_batch=32 --sync=1 --verify=md5 --offset="${off}M"
	off=$(( off + 8 ))
done
must "mp0 removed" dm_remove mp0
check "logout" srp_logout_all
check "no RC QP is left" all_released
srpt_end
