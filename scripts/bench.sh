#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark our ib_srpt against Debian's reference ib_srpt in the same
# VM boot, with the same target configuration and fio jobs, rounds
# alternating between the drivers (tests/bench/fio-compare.sh lists the
# jobs: 4 KiB random at QD1 and QD32, QD32 on two channels, 128 KiB and
# 1 MiB sequential). Prints, per job, each driver's median over the
# rounds of IOPS, mean and p99 completion latency and kernel CPU time
# per I/O, and the ratios ours/reference (for latency and CPU time
# below 1 is better); then, per job, the range of the ratios of rounds
# run next to each other (IOPS and CPU time; a range that holds 1.00 is
# a difference this run cannot tell) and the medians of the context
# switches and interrupts per I/O. Numbers under QEMU TCG are only
# comparable within one run; nothing here is a pass/fail threshold.
#
# --jobs RE runs only the jobs whose names match the extended regular
# expression RE. --against KO measures against another build of this
# driver instead of Debian's (before and after a change, same boot).
# --profile also samples every job with perf (which slows it: use these
# rounds for where the time goes, not for IOPS) and prints, per job and
# driver, the medians of the CPU time per I/O spent in the code of
# ib_srpt, the target core, ib_core, rdma_rxe, ib_srp and the rest of
# the kernel.
#
# Usage: scripts/bench.sh [--rounds N] [--runtime SEC] [--jobs RE] [--against KO] [--profile]
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(dirname "$(dirname "$SELF")")
cd "$REPO"
rounds=5 runtime=15 jobs=. against='' profile=0
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--runtime) runtime=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--against) against=$(readlink -f "$2"); shift 2 ;;
	--profile) profile=1; shift ;;
	*) sed -n '/^# Usage:/p' "$SELF" >&2; exit 2 ;;
	esac
done

bash scripts/setup-deps.sh >/dev/null
make -s W=1
results=${SRPT_RESULTS:-/var/tmp/ib_srpt-results}/bench-$(date +%Y%m%d-%H%M%S)
mkdir -p "$results"
# The results directory is visible in the VM as /results, wherever the
# checkout is.
cp ib_srpt.ko "$results/"
ref_env=()
if [ -n "$against" ]; then
	cp "$against" "$results/ref-ib_srpt.ko"
	ref_env=(--env BENCH_REF_KO=/results/ref-ib_srpt.ko)
	echo "bench: the reference is $against, not Debian's ib_srpt"
fi
timeout=$((300 + rounds * 2 * (10 * (runtime + 20) + 90)))
bash scripts/vm-run.sh --module ref --results "$results" --timeout "$timeout" \
	--env BENCH_KO=/results/ib_srpt.ko --env BENCH_ROUNDS="$rounds" \
	--env BENCH_RUNTIME="$runtime" --env BENCH_JOBS="$jobs" \
	--env BENCH_PROFILE="$profile" "${ref_env[@]}" \
	tests/bench/fio-compare.sh >/dev/null || true

grep '^result ' "$results/scenario.log" > "$results/results.txt" || {
	echo "bench: no results; see $results"
	exit 1
}
python3 - "$results/results.txt" <<'PY'
import sys, collections, statistics
acc = collections.defaultdict(dict)
jobs = []
for line in open(sys.argv[1]):
    f = line.split()
    drv, rnd, job = f[1], int(f[2]), f[3]
    if job not in jobs:
        jobs.append(job)
    acc[(job, drv)][rnd] = [float(x) for x in f[4:]]
def med(rows, i):
    return statistics.median(r[i] for r in rows)
def ratio(a, b):
    return "%6.2f" % (a / b) if b else "%6s" % "-"
print("%-18s %3s %9s %9s %6s %8s %8s %6s %8s %8s %6s %7s %7s %6s" % (
    "job", "n", "IOPS", "ref", "ratio", "lat us", "ref", "ratio",
    "p99 us", "ref", "ratio", "cpu us", "ref", "ratio"))
done = []
for j in jobs:
    o, r = acc.get((j, "ours")), acc.get((j, "ref"))
    if not o or not r:
        print("%-18s incomplete" % j)
        continue
    done.append(j)
    cols = []
    for i in (0, 2, 3, 4):
        a, b = med(o.values(), i), med(r.values(), i)
        cols += [a, b, ratio(a, b)]
    print("%-18s %3d %9.0f %9.0f %s %8.1f %8.1f %s %8.1f %8.1f %s %7.1f %7.1f %s" % (
        j, min(len(o), len(r)), *cols))
# Round k of ours is paired with round k of the reference (run next to
# each other). With n pairs, the median of the ratio lies between the
# lowest and the highest paired ratio with confidence 1 - 2 / 2^n (sign
# test): a range that holds 1.00 is a difference this run cannot tell.
print()
print("%-18s %3s %5s %12s %12s %6s %6s %6s %7s %7s %6s" % (
    "job", "n", "conf", "IOPS range", "CPU range", "cs/IO", "ref", "ratio",
    "irq/IO", "ref", "ratio"))
for j in done:
    o, r = acc[(j, "ours")], acc[(j, "ref")]
    both = sorted(set(o) & set(r))
    rng = []
    for i in (0, 4):
        q = [o[k][i] / r[k][i] for k in both if r[k][i]]
        rng.append("%5.2f-%-5.2f" % (min(q), max(q)) if q else "%11s" % "-")
    cols = []
    for i in (6, 7):
        a, b = med(o.values(), i), med(r.values(), i)
        cols += ["%6.2f" % a, "%6.2f" % b, ratio(a, b)]
    print("%-18s %3d %4.0f%% %12s %12s %s %s %s %7s %7s %s" % (
        j, len(both), 100 * (1 - 2 / 2 ** len(both)), *rng, *cols))
PY
if [ "$profile" = 1 ]; then
	grep '^profile ' "$results/scenario.log" > "$results/profile.txt" || {
		echo "bench: no profile; see $results"
		exit 1
	}
	echo
	echo "CPU time per I/O by module (us, medians of the profiled rounds):"
	python3 - "$results/profile.txt" <<'PY'
import sys, collections, statistics
acc = collections.defaultdict(list)
mods = []
for line in open(sys.argv[1]):
    f = line.split()
    kv = dict(x.split("=") for x in f[4:])
    mods = mods or list(kv)
    acc[(f[3], f[1])].append(kv)
print("%-18s %-4s" % ("job", "drv") + "".join(" %15s" % m for m in mods))
for (job, drv), rows in acc.items():
    print("%-18s %-4s" % (job, drv) + "".join(
        " %15.2f" % statistics.median(float(r[m]) for r in rows) for m in mods))
PY
fi
echo "raw results: $results/results.txt"
