#!/bin/bash
# common: LUNs added and removed while an initiator is logged in (blktests srp 001): new LUNs appear on rescan and serve verified I/O, removed ones go away, LUN 0 keeps working
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_target 32
login_disk
d0=$DISK
rescan() { echo "- - -" > "/sys/class/scsi_host/$SRP_HOST/scan"; }
lun_gone() { ! srp_disk "$SRP_HOST" "$1" >/dev/null; }

for l in 1 2 3; do
	bs=''
	must "ramdisk rd$l, 16 MiB" eval 'bs=$(backstore_rd "rd$l" 16)'
	must "LUN $l in the TPG" lun_add "$TPG" "$l" "$bs"
	must "LUN $l mapped in the ACL" eval 'mkdir "$TPG/acls/$acl/lun_$l" &&
		ln -s "$TPG/lun/lun_$l" "$TPG/acls/$acl/lun_$l/lun_$l"'
done
must "rescan" rescan
for l in 1 2 3; do
	check "LUN $l appears" srp_get_disk "$SRP_HOST" "$l"
	check "LUN $l: fio verify 8 MiB" fio_verify "lun$l" "$DISK" 8M
done
check "LUN 0 still verifies" fio_verify lun0 "$d0" 8M

for l in 3 2; do
	must "LUN $l unmapped and removed" eval 'rm "$TPG/acls/$acl/lun_$l/lun_$l" &&
		rmdir "$TPG/acls/$acl/lun_$l" && rm "$TPG/lun/lun_$l/rd$l" &&
		rmdir "$TPG/lun/lun_$l"'
	d=$(srp_disk "$SRP_HOST" "$l")
	echo 1 > "/sys/block/${d#/dev/}/device/delete"
	check "LUN $l is gone from the initiator" wait_for 30 lun_gone "$l"
done
must "rescan" rescan
nap "$(scaled 2)"
check "a rescan does not bring LUN 3 back" lun_gone 3
check "LUN 1 still verifies" eval 'srp_get_disk "$SRP_HOST" 1 && fio_verify lun1b "$DISK" 8M'
check "LUN 0 still verifies" fio_verify lun0b "$d0" 8M --offset=12M
check "logout" srp_logout_all
srpt_end
