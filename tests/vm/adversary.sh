#!/bin/bash
# improvement: an adversarial SRP initiator (tests/tools/srp-adversary.c) sends malformed logins, IUs, descriptors, immediate data, credits, tags and task management, and checks every answer byte by byte (reject reasons, T_LOGOUT, status, sense, residuals, memory outside the reported transfer) while ib_srp runs verified I/O alongside; no channel is left behind
# timeout: 2400
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# Environment: SRPT_ADV_ONLY=RE runs only the cases whose name matches
# the extended regular expression RE; SRPT_ADV_SKIP="NAME..." reports the
# cases named as skipped (e.g. "cmd-imm-zero-tur cmd-imm-zero-write",
# which crash the kernel with a driver that lacks their fix).

# adv_target: the target (must): soft-RoCE, ib_srpt; on the GUID-named
# port (TPG) LUN 0 = 16 MiB ramdisk, LUN 1 = the slow backstore (every
# I/O held 1500 ms) for the tool; on the GID-named port (SRP_TPG) a
# 64 MiB ramdisk for ib_srp, initiator_ext 1 (the reference driver looks
# RDMA/CM initiators up by port ID only under GID-named ports)
# shellcheck disable=SC2034 # used in eval strings
SRP_TPG=''
adv_target() {
	# shellcheck disable=SC2034 # used in eval strings
	local rd='' srp_rd='' acl
	must "build the adversarial SRP initiator" adv_build
	must "soft-RoCE rxe0 on dummy0" rxe_setup
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

# adv_ib_srp_start: ib_srp logs in (over IPv6, so that the reference
# driver, which names RDMA/CM initiators after the target's own address,
# does not take it for the tool's ACL) and verified fio rounds run on its
# disk until verify_rounds_stop
adv_ib_srp_start() {
	must "ib_srp loaded" initiator_load
	must "ib_srp logs in to [$TGT_IP6]:$CM_PORT" srp_login dest="[$TGT_IP6]:$CM_PORT"
	must "its disk appears" srp_get_disk "$SRP_HOST" 0
	verify_rounds_start "$DISK" 8M 16
}

# adv_cases: the cases, one "KIND NAME" per line, in the order they run.
# KIND: check (the 6.12 driver passes it too), improvement (it fails it),
# improvement_not_ref (it crashes the kernel there). The cmd-imm-zero-*
# cases come last: without their fix the kernel crashes.
adv_cases() {
	cat <<-'EOF'
	check login-iu-len
	check login-buf-fmt
	check login-tport
	check login-opcode
	check login-short-pdata
	check login-multichan-single
	check login-multichan-multi
	improvement login-multichan-reserved
	check login-imm
	improvement iu-1-byte
	improvement iu-short-cmd
	improvement iu-short-tsk-mgmt
	improvement iu-short-i-logout
	improvement iu-unknown-opcode
	improvement iu-target-opcode
	improvement iu-login-req
	improvement iu-unsolicited-rsp
	check iu-logout-then-cmd
	improvement cmd-read-desc-0
	improvement cmd-write-desc-0
	check cmd-desc-2gib
	improvement cmd-read-desc-larger
	improvement cmd-tur-data-in
	improvement cmd-inquiry-36
	improvement cmd-inquiry-vpd80
	check cmd-indirect-count
	check cmd-indirect-table-len
	check cmd-indirect-total-len
	check cmd-indirect-cut
	check cmd-indirect-empty
	check cmd-indirect-external
	check cmd-indirect-good
	check cmd-add-cdb-beyond
	check cmd-bidi
	check cmd-fmt-unknown
	check cmd-imm-write
	check cmd-imm-beyond-iu
	check cmd-imm-overflow
	check cmd-imm-data-in
	check cmd-imm-not-granted
	check cmd-bad-rkey-read
	improvement cmd-bad-rkey-write
	check cmd-over-req-lim
	check cmd-same-tag
	check tmf-unknown-fn
	improvement tmf-abort-unknown-tag
	check tmf-abort-other-lun
	check tmf-lun-reset-reads
	check tmf-lun-reset-writes
	check teardown-no-dreq
	improvement_not_ref cmd-imm-zero-tur
	improvement_not_ref cmd-imm-zero-write
	EOF
}

# adv_run KIND NAME: one test point for case NAME (see adv_cases)
adv_run() {
	local kind=$1 name=$2
	if [[ " ${SRPT_ADV_SKIP:-} " == *" $name "* ]]; then
		tap_ok "adversary: $name # SKIP skipped by SRPT_ADV_SKIP"
		return 0
	fi
	case $kind in
	check|improvement) "$kind" "adversary: $name" adv_case "$name" ;;
	improvement_not_ref)
		improvement_not_ref "adversary: $name" "it crashes the kernel" adv_case "$name" ;;
	*) tap_not_ok "adversary: $name: unknown kind $kind" ;;
	esac
}

# adv_run_cases: every case of adv_cases (or those SRPT_ADV_ONLY selects)
adv_run_cases() {
	local kind name
	check "the scenario runs every case the tool has, and no other" \
		eval 'diff <(srp_adversary --list | cut -d" " -f1) <(adv_cases | cut -d" " -f2)'
	while read -r kind name; do
		[[ $name =~ ${SRPT_ADV_ONLY:-.} ]] || continue
		adv_run "$kind" "$name"
	done < <(adv_cases)
}

adv_target
adv_ib_srp_start
adv_run_cases
verify_rounds_stop
check "the ib_srp session is still the one it logged in with" test -e "/sys/class/scsi_host/$SRP_HOST"
check "ib_srp logs out" srp_logout_all
srpt_end
