#!/bin/bash
# common: configfs teardown (unmap LUN, remove ACL, disable TPG, remove LUN, rmdir all) while fio runs: removing the ACL closes the session on the target; then modprobe -r ib_srpt succeeds in bounded time
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# Every step must finish within this many seconds (scaled).
STEP=60
must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
acl=$(iport_acl_name 0000000000000001)
must "target: port $RXE_GID, ramdisk LUN 0, ACL $acl" target_basic "$RXE_GID" "$acl" 128
# shellcheck disable=SC2034 # used in eval strings
bs=$(readlink -f "$TPG"/lun/lun_0/rd0)
port=${TPG%/*}
must "ib_srp loaded" initiator_load
must "login" srp_login
must "disk appears" srp_get_disk "$SRP_HOST" 0

# Mixed random I/O with many commands in flight; errors are expected
# once the target goes away, fio keeps going until it is stopped.
load_start "$DISK" --output="$RESULTS/fio-load.txt"

s0=$(sectors_done)
nap "$(scaled 5)"
check "fio is running" kill -0 "$LOAD_PID"
check "I/O is flowing before the teardown" test "$(sectors_done)" -gt "$s0"

step() {	# step DESC CMD...: one teardown step, bounded in time
	local desc=$1
	shift
	check "$desc (within $(scaled $STEP) s)" run_bounded "$STEP" "$desc" "$@"
}
step "unmap LUN 0 from the ACL" eval 'rm "$TPG/acls/$acl/lun_0/lun_0" && rmdir "$TPG/acls/$acl/lun_0"'
step "remove the ACL (closes the session)" rmdir "$TPG/acls/$acl"
check "the target closed the session: ib_srpt holds no QP" target_released
step "disable the TPG" tpg_disable "$TPG"
step "remove LUN 0" eval 'rm "$TPG/lun/lun_0/rd0" && rmdir "$TPG/lun/lun_0"'
step "rmdir the TPG" rmdir "$TPG"
step "rmdir the port" rmdir "$port"
step "rmdir the srpt fabric directory" rmdir "$SRPT_CFS"
step "remove the ramdisk backstore" eval 'rmdir "$bs" && rmdir "${bs%/*}"'
step "modprobe -r ib_srpt" modprobe -r ib_srpt
check "ib_srpt is gone" not module_loaded ib_srpt

# The initiator side must recover too: log out, fio ends.
check "logout on the initiator side" srp_logout_all
check "fio ends" load_stop 60
srpt_end
