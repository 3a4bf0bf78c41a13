#!/bin/bash
# improvement: the initiator half of adversary: the adversarial SRP initiator's cases, one test point each, and ib_srp with verified fio rounds alongside
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
srpt_begin

# Environment: SRPT_ADV_ONLY=RE runs only the cases whose name matches
# the extended regular expression RE; SRPT_ADV_SKIP="NAME..." reports the
# cases named as skipped (e.g. "cmd-imm-zero-tur cmd-imm-zero-write",
# which crash the kernel with a driver that lacks their fix).

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

# How the 6.12 driver fares with each case: those in ADV_NOT_REF crash its
# kernel (improvement_not_ref; also the cmd-imm-zero-* cases, which
# crashed ours before their fix), those in ADV_IMPROVEMENT fail there
# (improvement); every other case is a check that both drivers pass.
ADV_NOT_REF="cmd-read-desc-0 cmd-write-desc-0 cmd-desc-2gib cmd-indirect-bad
	cmd-imm-beyond-iu cmd-imm-overflow cmd-imm-not-granted cmd-imm-zero-tur
	cmd-imm-zero-write"
ADV_IMPROVEMENT="login-iu-len login-buf-fmt login-opcode login-short-pdata
	login-multichan-reserved login-imm iu-1-byte iu-short-cmd iu-short-tsk-mgmt
	iu-short-i-logout iu-unknown-opcode iu-target-opcode iu-login-req
	iu-unsolicited-rsp iu-logout-then-cmd cmd-read-desc-larger cmd-inquiry-36
	cmd-inquiry-vpd80 cmd-add-cdb-beyond cmd-bidi cmd-fmt-unknown cmd-imm-data-in
	cmd-bad-rkey-read cmd-bad-rkey-write tmf-abort-unknown-tag tmf-abort-other-lun
	teardown-no-dreq"

# adv_listed NAME WORD...: NAME is one of the WORDs
adv_listed() {
	local name=$1 w
	shift
	for w in "$@"; do
		[ "$w" != "$name" ] || return 0
	done
	return 1
}

# adv_kind NAME: check, improvement or improvement_not_ref
# shellcheck disable=SC2086 # the lists are words
adv_kind() {
	if adv_listed "$1" $ADV_NOT_REF; then
		echo improvement_not_ref
	elif adv_listed "$1" $ADV_IMPROVEMENT; then
		echo improvement
	else
		echo check
	fi
}

# adv_cases: the tool's cases, in the order they run
adv_cases() { srp_adversary --list; }

# adv_names_known: every case ADV_NOT_REF and ADV_IMPROVEMENT name exists
adv_names_known() {
	local n all
	all=$(adv_cases)
	for n in $ADV_NOT_REF $ADV_IMPROVEMENT; do
		# shellcheck disable=SC2086 # the case names are words
		adv_listed "$n" $all || { diag "no case $n"; return 1; }
	done
}

# adv_run NAME: one test point for case NAME, of its kind (adv_kind)
adv_run() {
	local name=$1 kind
	kind=$(adv_kind "$name")
	if [[ " ${SRPT_ADV_SKIP:-} " == *" $name "* ]]; then
		tap_ok "adversary: $name # SKIP skipped by SRPT_ADV_SKIP"
	elif [ "$kind" = improvement_not_ref ]; then
		improvement_not_ref "adversary: $name" "it crashes the kernel" adv_case "$name"
	else
		"$kind" "adversary: $name" adv_case "$name"
	fi
}

# adv_run_cases: every case (or those whose name SRPT_ADV_ONLY matches)
adv_run_cases() {
	local name
	check "the cases the scenario classifies all exist" adv_names_known
	for name in $(adv_cases); do
		[[ $name =~ ${SRPT_ADV_ONLY:-.} ]] || continue
		adv_run "$name"
	done
}

must "the link to the target VM, soft-RoCE rxe0 on it" pair_net_setup
must "build the adversarial SRP initiator" adv_build
must "the target VM is configured" pair_wait target-ready 600
adv_ib_srp_start
adv_run_cases
verify_rounds_stop
check "the ib_srp session is still the one it logged in with" test -e "/sys/class/scsi_host/$SRP_HOST"
check "ib_srp logs out" srp_logout_all
pair_set initiator-done
srpt_end
