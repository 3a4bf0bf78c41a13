#!/bin/bash
# bench: the same fio jobs against our ib_srpt and Debian's, in one VM boot
# SPDX-License-Identifier: GPL-2.0-only
#
# Run by scripts/bench.sh in reference mode (the distribution's module
# tree is untouched), with BENCH_KO pointing at our ib_srpt.ko (and
# BENCH_REF_KO, if set, at another build to use instead of Debian's).
# BENCH_JOBS, if set, is an extended regular expression selecting jobs
# by name. Each
# round loads one driver, configures the same target, logs in, runs
# every job, logs out and unloads; rounds alternate between the
# drivers. Prints one "result" line per driver, job and round:
#   result DRIVER ROUND JOB IOPS MIB/S LAT-MEAN-US LAT-P99-US CPU-US/IO IOS CS/IO IRQ/IO
# where the latencies are fio's completion latencies, CPU-US/IO is the
# VM's system, interrupt and softirq time over the job (target and
# initiator kernels together: both run in this VM) divided by the I/Os,
# IOS is the number of I/Os, and CS/IO and IRQ/IO are the VM's context
# switches and interrupts (/proc/stat ctxt and intr) per I/O: what the
# driver decides (completions, wake-ups, work items) shows there with
# less of the timing noise of TCG than in CPU time.
#
# With BENCH_PROFILE=1 every job also runs under perf record (cpu-clock
# samples on every CPU, PROFILE_HZ a second), and a "profile" line gives
# the CPU time per I/O spent in the code of each module that serves it:
#   profile DRIVER ROUND JOB MODULE=US/IO...
# for ib_srpt, target_core_mod, ib_core, rdma_rxe, ib_srp, the rest of
# the kernel, user space, and all of them ("busy": every sample but the
# idle loop's halt). Sampling costs time, so profiled rounds are for
# attribution only, not for the IOPS of the table. The guest has no
# PMU under TCG: cpu-clock samples are taken by a timer interrupt, so
# time spent with interrupts off is charged to the function that turns
# them on again (_raw_spin_unlock_irqrestore and the like, "kernel").
# The functions of ib_srpt, with their CPU time per I/O, go to
# /results/profile-syms.txt.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
srpt_begin

ROUNDS=${BENCH_ROUNDS:-2}
RUNTIME=${BENCH_RUNTIME:-15}
# NAME DISK FIO-ARGS: DISK 1 is a login with one channel, 2 one with
# two (ch_count=2); the two-channel jobs run one fio job per CPU.
JOBS=(
	"randread-4k-qd1    1 --rw=randread  --bs=4k    --iodepth=1"
	"randwrite-4k-qd1   1 --rw=randwrite --bs=4k    --iodepth=1"
	"randread-4k-qd32   1 --rw=randread  --bs=4k    --iodepth=32"
	"randwrite-4k-qd32  1 --rw=randwrite --bs=4k    --iodepth=32"
	"randread-4k-2ch    2 --rw=randread  --bs=4k    --iodepth=32 --numjobs=2 --cpus_allowed=0,1 --cpus_allowed_policy=split"
	"randwrite-4k-2ch   2 --rw=randwrite --bs=4k    --iodepth=32 --numjobs=2 --cpus_allowed=0,1 --cpus_allowed_policy=split"
	"read-128k          1 --rw=read      --bs=128k  --iodepth=8"
	"write-128k         1 --rw=write     --bs=128k  --iodepth=8"
	"read-1m            1 --rw=read      --bs=1m    --iodepth=4"
	"write-1m           1 --rw=write     --bs=1m    --iodepth=4"
)

PROFILE_HZ=997
PERF_DATA=/tmp/bench.perf

# profile_line DRIVER ROUND JOB IOS: the "profile" line of the last job.
# perf 6.1 counts samples in modules as the kernel's, so each kernel
# symbol is put in its module by /proc/kallsyms.
profile_line() {
	perf report -i "$PERF_DATA" --sort sym --stdio -q -n 2>/dev/null |
		python3 -c '
import sys
drv, rnd, job = sys.argv[1:4]
ios, hz = int(sys.argv[4]), int(sys.argv[5])
want = ("ib_srpt", "target_core_mod", "ib_core", "rdma_rxe", "ib_srp")
mod = {}
for line in open("/proc/kallsyms"):
    f = line.split()
    if len(f) == 4:
        mod[f[2]] = f[3].strip("[]")
us = dict.fromkeys(want + ("kernel", "user", "busy"), 0.0)
syms = open("/results/profile-syms.txt", "a")
for line in sys.stdin:
    f = line.split()
    if len(f) < 4 or not f[1].isdigit() or not ios:
        continue
    if f[3] in ("pv_native_safe_halt", "default_idle", "native_safe_halt"):
        continue
    m = "user" if f[2] != "[k]" else mod.get(f[3], "kernel")
    t = int(f[1]) * 1e6 / hz / ios
    if m == "ib_srpt":
        print("profile-sym %s %s %s %s %.2f" % (drv, rnd, job, f[3], t), file=syms)
    us[m if m in us else "kernel"] += t
    us["busy"] += t
print("profile %s %s %s %s" % (drv, rnd, job,
      " ".join("%s=%.2f" % kv for kv in us.items())))
' "$@" "$PROFILE_HZ"
}

# vm_counters: system + irq + softirq time of the VM in USER_HZ ticks,
# context switches and interrupts since boot
vm_counters() {
	awk '/^cpu / { t = $4 + $7 + $8 } /^ctxt / { c = $2 } /^intr / { i = $2 }
		END { print t, c, i }' /proc/stat
}

# bench_job DRIVER ROUND NAME DISK-NO FIO-ARGS...: print "result"
bench_job() {
	local drv=$1 round=$2 name=$3 disk=$DISK1 out res t0 t1 perf=()
	[ "$4" = 2 ] && disk=$DISK2
	shift 4
	[ "${BENCH_PROFILE:-0}" = 1 ] &&
		perf=(perf record -q -a -e cpu-clock -F "$PROFILE_HZ" -o "$PERF_DATA" --)
	t0=$(vm_counters)
	out=$("${perf[@]}" fio --name="$name" --filename="$disk" --allow_file_create=0 \
		--direct=1 --ioengine=libaio --time_based --runtime="$RUNTIME" \
		--size=192M --group_reporting --output-format=json "$@" 2>/dev/null) || return 1
	t1=$(vm_counters)
	res=$(python3 -c '
import json, os, sys
j = json.loads(sys.stdin.read())["jobs"][0]
ios = j["read"]["total_ios"] + j["write"]["total_ios"]
iops = j["read"]["iops"] + j["write"]["iops"]
bw = (j["read"]["bw"] + j["write"]["bw"]) / 1024
d = j["read"] if j["read"]["total_ios"] >= j["write"]["total_ios"] else j["write"]
lat = d["clat_ns"]
p99 = lat.get("percentile", {}).get("99.000000", 0) / 1000
hz = os.sysconf("SC_CLK_TCK")
d = [int(b) - int(a) for a, b in zip(sys.argv[4].split(), sys.argv[5].split())]
per = lambda x, k=1: x * k / ios if ios else 0
print("result %s %s %s %.1f %.2f %.1f %.1f %.1f %d %.2f %.2f" % (sys.argv[1], sys.argv[2],
      sys.argv[3], iops, bw, lat["mean"] / 1000, p99, per(d[0], 1e6 / hz), ios,
      per(d[1]), per(d[2])))
' "$drv" "$round" "$name" "$t0" "$t1" <<<"$out") || return 1
	echo "$res"
	local f
	read -ra f <<<"$res"
	[ ${#perf[@]} -eq 0 ] || profile_line "$drv" "$round" "$name" "${f[9]}"
}

bench_round() {
	local drv=$1 round=$2 j
	must "$drv: ib_srpt loaded" bench_load "$drv"
	must "$drv: target configured" target_basic "$RXE_GUID" "$TGT_IP4" 256
	must "$drv: login, one channel" srp_login initiator_ext=0000000000000001 ch_count=1
	must "$drv: its disk appears" srp_get_disk "$SRP_HOST" 0
	DISK1=$DISK
	must "$drv: login, two channels" srp_login initiator_ext=0000000000000002 ch_count=2
	must "$drv: its disk appears" srp_get_disk "$SRP_HOST" 0
	DISK2=$DISK
	for j in "${JOBS[@]}"; do
		[[ ${j%% *} =~ ${BENCH_JOBS:-.} ]] || continue
		# shellcheck disable=SC2086
		check "$drv round $round: fio ${j%% *}" bench_job "$drv" "$round" $j
	done
	check "$drv: logout" srp_logout_all
	check "$drv: unloaded" target_unload
}

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srp loaded" initiator_load
for r in $(seq "$ROUNDS"); do
	for d in $(bench_order "$r"); do
		bench_round "$d" "$r"
	done
done
srpt_end
