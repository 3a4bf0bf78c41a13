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

# used_kib: memory in use, page cache and reclaimable slab dropped
used_kib() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	nap 2
	echo 3 > /proc/sys/vm/drop_caches
	awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 }
		END { print t - a }' /proc/meminfo
}

scale_load() {
	modprobe -a ib_core ib_cm rdma_cm target_core_mod || return 1
	if [ "$1" = ours ]; then
		insmod "$BENCH_KO" || return 1
	else
		modprobe ib_srpt || return 1
	fi
	[ -d "$SRPT_CFS" ] || mkdir "$SRPT_CFS"
}

scale_target() {
	local bs i
	TPG=$(tpg_create "$RXE_GID") || return 1
	bs=$(backstore_rd rd0 64) || return 1
	lun_add "$TPG" 0 "$bs" || return 1
	for i in $(seq "$LOGINS"); do
		acl_add "$TPG" "$(iport_acl_name "$(printf %016x "$i")")" 0 || return 1
	done
	tpg_enable "$TPG" && target_listen "$CM_PORT"
}

must "our module $BENCH_KO is visible in the VM" test -f "${BENCH_KO:-/none}"
must "network link to the initiator VM, soft-RoCE rxe0 on it" pair_net_setup
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then drivers="ours ref"; else drivers="ref ours"; fi
	for d in $drivers; do
		must "$d: ib_srpt loaded" scale_load "$d"
		must "$d: target with an ACL per initiator port" scale_target
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
