#!/bin/bash
# common: dm-multipath over two logins to one LUN (blktests srp 002/011): rounds of verified writes through the multipath device, then through files of an ext4 on it, while one path logs out and in again; no I/O error, data correct, file system clean
# timeout: 1200
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

ROUNDS=$(small 4)
setup_target 96
acl2=$(iport_acl_name 0000000000000002)
must "a second ACL, $acl2, for the second path" acl_add "$TPG" "$acl2" 0
login_disk
disk_a=$DISK
# login_b: the second path (initiator_ext 2); sets host_b and disk_b.
# ib_srp removes a deleted target port from its list of targets only
# after its SCSI host is gone, and refuses a login to the same port
# with EEXIST until then: try again while that is the answer.
login_b() {
	local _
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		srp_login initiator_ext=0000000000000002 && break
		[ "$SRP_LOGIN_ERR" = "File exists" ] || return 1
		nap 1
	done
	[ -n "$SRP_HOST" ] && srp_get_disk "$SRP_HOST" 0 &&
		host_b=$SRP_HOST && disk_b=$DISK
}
must "login of the second path" login_b
# same_lun: 1 MiB of random data written through one path (direct I/O,
# past the region the writes below use) reads back through the other
same_lun() {
	make_pattern /tmp/mark.bin 1 &&
		dd if=/tmp/mark.bin of="$disk_a" bs=1M seek=90 oflag=direct status=none &&
		dd if="$disk_b" of=/tmp/mark-b.bin bs=1M skip=90 count=1 iflag=direct status=none &&
		cmp /tmp/mark.bin /tmp/mark-b.bin
}
check "both paths lead to the same LUN (data written through one reads back through the other)" same_lun

# A multipath device made with dmsetup (no multipathd, no udev needed):
# round-robin over both paths, queueing while none is left.
mp_table() {
	echo "0 $(blockdev --getsz "$disk_a") multipath 1 queue_if_no_path 0 1 1" \
		"round-robin 0 2 1 $disk_a 1000 $disk_b 1000"
}
must "multipath device mp0 over $disk_a and $disk_b" eval 'dm_create mp0 "$(mp_table)"'
at_end "dm_remove mp0"
mp_reload() { dm_reload mp0 "$(mp_table)"; }

# host_gone HOST
host_gone() { [ ! -e "/sys/class/scsi_host/$1" ]; }
# flap_b: ROUNDS times, the second path logs out and in again and
# rejoins mp0
flap_b() {
	local i port
	for ((i = 1; i <= ROUNDS; i++)); do
		nap "$(scaled 3)"
		port=$(ls -d /sys/class/srp_remote_ports/port-"${host_b#host}":* | head -n1)
		echo 1 > "$port/delete"
		wait_for 60 host_gone "$host_b" ||
			{ diag "round $i: the second path did not log out"; return 1; }
		login_b && mp_reload ||
			{ diag "round $i: the second path did not log in and rejoin mp0"; return 1; }
	done
}

verify_rounds_start /dev/mapper/mp0 24M 24
check "writes are flowing through mp0" io_flows 30 /dev/mapper/mp0
check "$ROUNDS logouts and logins of one path under block I/O" flap_b
verify_rounds_stop

# blktests srp/002: the same with files on a file system over mp0.
mnt=/tmp/mnt
mkdir -p "$mnt"
at_end "umount $mnt 2>/dev/null || true"
must "ext4 on mp0, mounted" \
	eval 'mkfs.ext4 -q -F -E nodiscard /dev/mapper/mp0 && mount -t ext4 /dev/mapper/mp0 "$mnt"'
verify_rounds_start "$mnt/data" 16M 16
check "file writes are flowing through mp0" io_flows 30 /dev/mapper/mp0
check "$ROUNDS logouts and logins of one path under file I/O" flap_b
verify_rounds_stop
check "unmount" umount "$mnt"
fsck_clean() { e2fsck -f -n /dev/mapper/mp0 > "$RESULTS/e2fsck.log" 2>&1; }
check "e2fsck finds the file system clean" fsck_clean
must "mp0 removed" dmsetup remove --noudevsync mp0
check "logout" srp_logout_all
check "no RC QP is left" all_released
srpt_end
