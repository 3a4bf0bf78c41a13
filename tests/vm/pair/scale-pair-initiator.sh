#!/bin/bash
# common: the initiator half of scale-pair: SCALE_LOGINS logins (ch_count=1, distinct initiator ports) per round, logged out once the target VM has measured
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
srpt_begin

ROUNDS=${SCALE_ROUNDS:-3}
LOGINS=${SCALE_LOGINS:-8}

must "network link to the target VM, soft-RoCE rxe0 on it" pair_net_setup
must "ib_srp loaded" initiator_load
for r in $(seq "$ROUNDS"); do
	for d in $(bench_order "$r"); do
		must "$d: the target VM is ready" eval 'pair_wait "ready-$r-$d" 600 >/dev/null'
		must "$d: $LOGINS logins" srp_logins 1 "$LOGINS" ch_count=1
		must "$d: $LOGINS disks" lun0_disks_become "$LOGINS"
		pair_set "in-$r-$d"
		must "$d: the target VM measured" eval 'pair_wait "measured-$r-$d" 300 >/dev/null'
		must "$d: logout" srp_logout_all
		pair_set "out-$r-$d"
	done
done
must "the target VM is done" eval 'pair_wait target-done 300 >/dev/null'
srpt_end
