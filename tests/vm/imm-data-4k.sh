#!/bin/bash
# improvement: immediate data (ib_srp default) to an iblock LUN with 4096-byte logical blocks: writes land intact (the reference corrupts memory here)
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# With the reference driver, immediate data is handed to the backend in
# place, at a position in the receive buffer that is not aligned to the
# backend's 4096-byte logical block; iblock on such a null_blk device
# then corrupts data and kernel memory ("corrupted stack end", GPF in
# rdma_rxe). Reproduced with Debian 6.12.117, ib_srp use_imm_data=1;
# fine with use_imm_data=0, with 512-byte blocks, or with tcm_loop.
# The I/O is therefore not even attempted in reference mode.
must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
acl=$(iport_acl_name 0000000000000001)
# shellcheck disable=SC2034 # used in eval strings
TPG='' nb='' ib=''
must "TPG on port $RXE_GID" eval 'TPG=$(tpg_create "$RXE_GID")'
must "null_blk nb4k, 64 MiB, 4096-byte blocks" eval 'nb=$(nullb_create nb4k 64 4096)'
at_end "nullb_remove nb4k"
must "iblock backstore on it" eval 'ib=$(backstore_iblock ib4k "$nb")'
must "as LUN 0, ACL $acl, TPG enabled, listening" \
	eval 'lun_add "$TPG" 0 "$ib" && acl_add "$TPG" "$acl" 0 && tpg_enable "$TPG" && target_listen "$CM_PORT"'
must "ib_srp loaded (use_imm_data=1)" initiator_load use_imm_data=1
must "login" srp_login
must "disk appears" srp_get_disk "$SRP_HOST" 0
check "the disk has 4096-byte logical blocks" test "$(blockdev --getss "$DISK")" -eq 4096

small_writes() {	# 8 KiB writes (sent as immediate data), read back
	make_pattern /tmp/pattern 1
	dd if=/tmp/pattern of="$DISK" bs=8k oflag=direct status=none &&
		same_as_dev "$DISK" /tmp/pattern 0 &&
		same_as_dev "$nb" /tmp/pattern 0
}
improvement_not_ref "128 writes of 8 KiB (immediate data) read back intact, initiator and target side" \
	"it corrupts kernel memory" small_writes
improvement_not_ref "fio random writes 4k..1M, crc32c verify, 48 MiB" \
	"it corrupts kernel memory" fio_verify imm "$DISK" 48M
# Immediate data sits on a 512-byte boundary of the receive buffer, not
# a 4096-byte one: every such write must have been copied.
improvement "the target copied the immediate data for the 4096-byte-block device (imm_copied>=100, imm_in_place=0)" \
	eval '[ "$(chan_counter "$acl" imm_copied)" -ge 100 ] && [ "$(chan_counter "$acl" imm_in_place)" = 0 ]'
check "logout" srp_logout_all
srpt_end
