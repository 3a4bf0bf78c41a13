#!/bin/bash
# common: two LUNs (ramdisk and iblock on null_blk) of one TPG: each has its own size and data, verified independently and on the backing device
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_two_luns 32 48
login_disk
d0=$DISK
must "disk of LUN 1 appears" srp_get_disk "$SRP_HOST" 1
d1=$DISK
diag "LUN 0: $d0, LUN 1: $d1"
check "two different disks" test "$d0" != "$d1"
check "LUN 0 is 32 MiB" test "$(blockdev --getsize64 "$d0")" -eq $((32 << 20))
check "LUN 1 is 48 MiB" test "$(blockdev --getsize64 "$d1")" -eq $((48 << 20))
check "LUN 1 has 512-byte logical blocks like its null_blk device" \
	test "$(blockdev --getss "$d1")" -eq 512

make_pattern /tmp/a 8
make_pattern /tmp/b 8
check "pattern A written to LUN 0 at 4 MiB" write_dev "$d0" /tmp/a 4
check "pattern B written to LUN 1 at 4 MiB" write_dev "$d1" /tmp/b 4
check "LUN 0 reads back A" same_as_dev "$d0" /tmp/a 4
check "LUN 1 reads back B" same_as_dev "$d1" /tmp/b 4
check "LUN 0 does not hold B" not same_as_dev "$d0" /tmp/b 4
check "target side: null_blk $nb holds B at 4 MiB" same_as_dev "$nb" /tmp/b 4
check "fio verify on LUN 0 (16 MiB from 12 MiB)" fio_verify lun0 "$d0" 16M --offset=12M
check "fio verify on LUN 1 (16 MiB from 12 MiB)" fio_verify lun1 "$d1" 16M --offset=12M
# Both LUNs have 512-byte blocks, which the receive buffers' immediate
# data is aligned to: the fio writes of 4 KiB and 8 KiB went to the
# ramdisk and to iblock without a copy.
improvement "immediate data handed over in place to both LUNs (imm_in_place>=10, imm_copied=0)" \
	eval '[ "$(chan_counter "$acl" imm_in_place)" -ge 10 ] && [ "$(chan_counter "$acl" imm_copied)" = 0 ]'
check "LUN 0 still holds A" same_as_dev "$d0" /tmp/a 4
check "LUN 1 still holds B" same_as_dev "$d1" /tmp/b 4
check "logout" srp_logout_all
srpt_end
