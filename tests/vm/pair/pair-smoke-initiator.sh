#!/bin/bash
# common: the initiator half of pair-smoke: ib_srp logs in to the target VM over RDMA/CM, the disk appears, 32 MiB of fio I/O verify, logout releases every queue pair
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
srpt_begin

must "network link to the target VM, soft-RoCE rxe0 on it" pair_net_setup
must "ib_srp loaded" initiator_load
must "the target VM is ready" eval 'pair_wait target-ready 300 >/dev/null'
login_disk
diag "disk $DISK behind $SRP_HOST"
pair_set initiator-logged-in "$(rc_qps)"
must "the target VM has looked at the channel" eval 'pair_wait target-checked 120 >/dev/null'

check "the disk is an LIO-ORG SCSI disk of 64 MiB" \
	eval 'disk_vendor_is "$DISK" LIO-ORG && test "$(blockdev --getsize64 "$DISK")" -eq $((64 << 20))'
check "fio: 32 MiB written and verified (crc32c)" fio_verify smoke "$DISK" 32M
check "logout: no ib_srp SCSI host left" srp_logout_all
check "the disk is gone" test ! -e "/sys/block/${DISK#/dev/}"
check "no RC queue pair is left in the initiator VM" all_released
pair_set initiator-done
srpt_end
