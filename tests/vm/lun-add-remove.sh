#!/bin/bash
# common: LUNs added and removed while an initiator is logged in (blktests srp 001): new LUNs appear on rescan and serve verified I/O; the target refuses removed ones (LOGICAL UNIT NOT SUPPORTED), leaves them out of REPORT LUNS and a rescan does not bring them back; LUN 0 keeps working
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

# report_luns_are DEV "L...": REPORT LUNS through DEV lists exactly the
# LUNs L..., in increasing order (single level, peripheral addressing;
# the list itself has no prescribed order)
report_luns_are() {
	local v got
	got=$(for v in $(sg_luns -q "$1"); do
		echo $(( 16#${v:0:4} & 0x3fff ))
	done | sort -n | paste -sd' ')
	diag "REPORT LUNS through $1: $got"
	[ "$got" = "$2" ]
}

# lun_not_supported DEV: a READ(10) through DEV's SG_IO ends in CHECK
# CONDITION with ILLEGAL REQUEST, LOGICAL UNIT NOT SUPPORTED (05/25/00)
lun_not_supported() {
	local out rc=0
	out=$(sg_raw -r 4096 "$1" 28 00 00 00 00 00 00 00 08 00 2>&1) || rc=$?
	diag "READ(10) through $1: exit status $rc: $(grep -iE 'status|sense' <<< "$out" | paste -sd';')"
	[ "$rc" -ne 0 ] && grep -q 'Sense key: Illegal Request' <<< "$out" &&
		grep -q 'Additional sense: Logical unit not supported' <<< "$out"
}

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
check "REPORT LUNS lists LUNs 0 1 2 3" report_luns_are "$d0" "0 1 2 3"

# The initiator keeps its disk of a removed LUN until told: a read on it
# gets the target's answer. Then the disk is deleted.
for l in 3 2; do
	must "LUN $l unmapped and removed" eval 'rm "$TPG/acls/$acl/lun_$l/lun_$l" &&
		rmdir "$TPG/acls/$acl/lun_$l" && rm "$TPG/lun/lun_$l/rd$l" &&
		rmdir "$TPG/lun/lun_$l"'
	d=$(srp_disk "$SRP_HOST" "$l")
	check "a read on removed LUN $l: ILLEGAL REQUEST, LOGICAL UNIT NOT SUPPORTED" \
		lun_not_supported "$d"
	echo 1 > "/sys/block/${d#/dev/}/device/delete"
	must "the initiator's disk of LUN $l deleted" wait_for 30 lun_gone "$l"
done
check "REPORT LUNS lists LUNs 0 1 only" report_luns_are "$d0" "0 1"
must "rescan" rescan
nap "$(scaled 2)"
check "a rescan does not bring LUN 3 back" lun_gone 3
check "a rescan does not bring LUN 2 back" lun_gone 2
check "LUN 1 still verifies" eval 'srp_get_disk "$SRP_HOST" 1 && fio_verify lun1b "$DISK" 8M'
check "LUN 0 still verifies" fio_verify lun0b "$d0" 8M --offset=12M
check "logout" srp_logout_all
srpt_end
