#!/bin/bash
# improvement: an adversarial SRP initiator (tests/tools/srp-adversary.c) in a second VM sends malformed logins, IUs, descriptors, immediate data, credits, tags and task management, and checks every answer byte by byte (reject reasons, T_LOGOUT, status, sense, residuals, memory outside the reported transfer) while ib_srp there runs verified I/O alongside; no channel is left behind. This is the target half.
# pair: pair/adversary-initiator.sh
# timeout: 2400
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# The target VM: nothing is shared with the initiator VM but the link.
# It answers the initiator half's questions about its channels
# (pair_ask target_qps) until that half is done. An oops here panics
# the VM: the initiator half then sees the target gone at once, instead
# of a dead completion worker making every case time out.

# adv_target: the target (must): the link to the initiator VM and
# soft-RoCE on it, ib_srpt; on the GUID-named
# port (TPG) LUN 0 = 16 MiB ramdisk, LUN 1 = the slow backstore (every
# I/O held 1500 ms) for the tool; on the GID-named port (SRP_TPG) a
# 64 MiB ramdisk for ib_srp, initiator_ext 1 (the reference driver looks
# RDMA/CM initiators up by port ID only under GID-named ports)
# shellcheck disable=SC2034 # used in eval strings
SRP_TPG=''
adv_target() {
	# shellcheck disable=SC2034 # used in eval strings
	local rd='' srp_rd='' acl
	must "the link to the initiator VM, soft-RoCE rxe0 on it" pair_net_setup
	must "ib_srpt ($SRPT_MODULE) loaded" target_load
	must "TPG on port $RXE_GUID" eval 'TPG=$(tpg_create "$RXE_GUID")'
	must "ramdisk rd0, 16 MiB" eval 'rd=$(backstore_rd rd0 16)'
	setup_slow_backstore 16
	must "LUN 0 = ramdisk, LUN 1 = iblock on slow0" \
		eval 'lun_add "$TPG" 0 "$rd" && lun_add "$TPG" 1 "$SLOW_IB"'
	must "backstore delay 1500 ms" slow_set slow0 1500
	acl=$(iport_acl_name 0000000000000001)
	must "TPG on port $RXE_GID for ib_srp: 64 MiB ramdisk as LUN 0, ACL $acl, enabled" \
		eval 'SRP_TPG=$(tpg_create "$RXE_GID") && srp_rd=$(backstore_rd rd1 64) &&
		      lun_add "$SRP_TPG" 0 "$srp_rd" && acl_add "$SRP_TPG" "$acl" 0 &&
		      tpg_enable "$SRP_TPG"'
	tool_target_open 0 1
}

adv_target
echo 1 > /proc/sys/kernel/panic_on_oops
at_end "echo 0 > /proc/sys/kernel/panic_on_oops"
must "the target is ready for the initiator VM" pair_set target-ready
pair_serve initiator-done
check "the initiator half ran its cases to the end" test -e "$PAIR_DIR/initiator-done"
check "the target closed every channel" target_released 60
srpt_end
