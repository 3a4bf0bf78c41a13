#!/bin/bash
# common: the target's own memory per channel, ours and Debian's ib_srpt alternating in one target VM, the logins coming from a second VM
# pair: pair/scale-pair-initiator.sh
# manual: a measurement for scripts/scale.sh --pair, not a test
# timeout: 3600
# SPDX-License-Identifier: GPL-2.0-only
#
# The target half. Run with --ref and --env BENCH_KO=FILE (a host path
# the VM sees through its read-only root, i.e. not under /tmp). Each
# round loads one driver, sets up a target with an ACL per initiator port and measures the
# VM's used memory before and after the initiator VM logged in
# SCALE_LOGINS times (ch_count=1): "result DRIVER ROUND
# target-mem-per-channel KIB". Nothing of the initiator is in this VM.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

ROUNDS=${SCALE_ROUNDS:-3}
LOGINS=${SCALE_LOGINS:-8}

must "our module $BENCH_KO is visible in the VM" test -f "${BENCH_KO:-/none}"
must "network link to the initiator VM, soft-RoCE rxe0 on it" pair_net_setup
for r in $(seq "$ROUNDS"); do
	for d in $(bench_order "$r"); do
		must "$d: ib_srpt loaded" bench_load "$d"
		must "$d: target with an ACL per initiator port" \
			target_port_acls $(seq "$LOGINS")
		m0=$(used_kib)
		pair_set "ready-$r-$d"
		must "$d: the initiator VM logged in" eval 'pair_wait "in-$r-$d" 600 >/dev/null'
		check "$d: $LOGINS channels" target_qps_become "$LOGINS" 60
		m1=$(used_kib)
		echo "result $d $r target-mem-per-channel $(( (m1 - m0) / LOGINS ))"
		pair_set "measured-$r-$d"
		must "$d: the initiator VM logged out" eval 'pair_wait "out-$r-$d" 600 >/dev/null'
		check "$d: channels released" target_released 120
		must "$d: unloaded" target_unload
	done
done
pair_set target-done
srpt_end
