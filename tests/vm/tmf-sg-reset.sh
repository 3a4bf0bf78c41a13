#!/bin/bash
# common: sg_reset during verified writes: device resets (SRP LUN RESET) and host resets (ib_srp logs out and in again) succeed, I/O resumes, every block written reads back correctly
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_target 128
login_disk
host=$SRP_HOST
# Commands that a LUN RESET aborted get no response (same I_T nexus,
# SAM); ib_srp learns of them when they time out. Keep that short.
must "SCSI timeout $(scaled 10) s" eval 'echo "$(scaled 10)" > "/sys/block/${DISK#/dev/}/device/timeout"'

# Rounds of verified writes (each: random writes 4k..1M over 32 MiB,
# then everything read back and checked) until the resets are over.
# Every round must pass: the SCSI midlayer retries what a reset aborted.
verify_rounds_start "$DISK" 32M 32
check "writes are flowing" io_flows 30

for i in 1 2 3; do
	mark "lun-reset-$i"
	check "device reset $i (sg_reset -d: SRP LUN RESET) succeeds" \
		run_bounded 60 "sg_reset -d $DISK" sg_reset -d "$DISK"
	check "ib_srp sent the LUN RESET (reset $i)" \
		eval 'log_since "lun-reset-$i" | grep -q "SRP reset_device called"'
	check "writes flow again after device reset $i" io_flows 30
done
for i in 1 2; do
	mark "host-reset-$i"
	check "host reset $i (sg_reset -H: ib_srp reconnects) succeeds" \
		run_bounded 120 "sg_reset -H $DISK" sg_reset -H "$DISK"
	check "ib_srp reconnected (host reset $i)" \
		eval 'log_since "host-reset-$i" | grep -q "SRP reset_host called"'
	check "the SCSI host is the same after host reset $i" \
		test -e "/sys/class/scsi_host/$host"
	check "the target closed the channels of the login before host reset $i: ib_srpt holds as many QPs as ib_srp" \
		target_matches_initiator
	check "writes flow again after host reset $i" io_flows 30
done

verify_rounds_stop
check "logout" srp_logout_all
check "the target closed the session: ib_srpt holds no QP" target_released
srpt_end
