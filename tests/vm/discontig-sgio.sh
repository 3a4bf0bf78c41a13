#!/bin/bash
# common: SCSI commands whose data sits in many separate buffers (blktests srp 013): SG_IO WRITE(10) and READ(10) from scattered pages and from odd-sized segments at odd offsets, with ib_srp registering memory (cmd_sg_entries 255 and 1) and with never_register (one descriptor per piece, indirect tables of up to 64 entries); the data lands where dd finds it, and a READ past the end of the LUN gets CHECK CONDITION, ILLEGAL REQUEST, LBA out of range
# timeout: 900
# tcg: single
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

must "build the SG_IO scatter tool" sgio_build
setup_target 16
make_pattern "$SGIO_PATTERN" 1

# scatter_read LAYOUT LBA BYTES: the last BYTES of the pattern written by
# direct-I/O dd at LBA; SG_IO reads the same into LAYOUT buffers
scatter_read() {
	local ss
	ss=$(blockdev --getss "$DISK") &&
		tail -c "$3" "$SGIO_PATTERN" > /tmp/part.bin &&
		dd if=/tmp/part.bin of="$DISK" bs="$ss" seek="$2" oflag=direct \
			conv=fsync status=none &&
		"$SGIO" read "$1" "$DISK" "$2" "$3" | cmp - /tmp/part.bin
}

# descriptors_are MIN MAX: a 16-page WRITE reaches the target as MIN to
# MAX descriptors (the SCSI layer merges pieces that happen to be
# physically adjacent; the tool makes that unlikely)
descriptors_are() {
	rw_ctxs_for_write pages 16384 65536 || return 1
	diag "16-page WRITE: $SGIO_CTXS RDMA context(s) on the target, exit $SGIO_RC"
	[ "$SGIO_RC" -eq 0 ] && [ "$SGIO_CTXS" -ge "$1" ] && [ "$SGIO_CTXS" -le "$2" ]
}

# read_past_end: one block starting at the LUN's last block + 1 gets
# ILLEGAL REQUEST with LOGICAL BLOCK ADDRESS OUT OF RANGE (21h/00h)
read_past_end() {
	local ss blocks out rc=0
	ss=$(blockdev --getss "$DISK") && blocks=$(( $(blockdev --getsize64 "$DISK") / ss )) ||
		return 1
	out=$("$SGIO" read pages "$DISK" "$blocks" "$ss") || rc=$?
	diag "READ(10) at LBA $blocks: exit $rc, ${out:-no sense}"
	[ "$rc" -eq 3 ] && [ "$out" = "SENSE key=0x5 asc=0x21 ascq=0x00" ]
}

# ib_srp registers memory for every command by default (fast
# registration), and a list of separate pages then still reaches the
# target as one descriptor; with never_register=Y it sends one descriptor
# per piece under its global rkey, so the target gets indirect tables of
# up to 64 entries. sg_tablesize=64 lets the SCSI layer pass 64 pieces
# (the default is cmd_sg_entries' module default, 12).
cur_nr=N
for cfg in N:255 N:1 Y:255; do
	nr=${cfg%:*} sg=${cfg#*:}
	if [ "$nr" != "$cur_nr" ]; then
		must "ib_srp reloaded with never_register=$nr" \
			eval 'modprobe -r ib_srp && initiator_load never_register="$nr"'
		cur_nr=$nr
	fi
	t="never_register=$nr cmd_sg_entries=$sg"
	login_disk cmd_sg_entries="$sg" sg_tablesize=64
	check "$t: WRITE from 16 pages in reverse address order reads back" \
		scatter_write pages 2048 65536
	check "$t: WRITE from 1-7 block segments at 512-byte offsets (200 KiB) reads back" \
		scatter_write odd 4096 204800
	check "$t: READ into 64 pages in reverse address order" \
		scatter_read pages 8192 262144
	check "$t: READ into odd segments at odd offsets (100 KiB + 512)" \
		scatter_read odd 12288 102912
	# Fast registration puts the 16 pages in one MR.
	if [ "$nr" = N ]; then
		check "$t: a 16-page WRITE arrives as one data descriptor" \
			descriptors_are 1 1
	else
		check "$t: a 16-page WRITE arrives as 8 to 16 data descriptors" \
			descriptors_are 8 16
	fi
	check "$t: READ past the end: CHECK CONDITION, 05h/21h/00h" read_past_end
	check "$t: logout" srp_logout_all
done
check "no RC QP is left" all_released
srpt_end
