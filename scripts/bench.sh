#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark our ib_srpt against Debian's reference ib_srpt in the same
# VM boot, with the same target configuration and fio jobs, rounds
# alternating between the drivers. Prints each driver's mean IOPS and
# bandwidth per job and the ratio ours/reference. Numbers under QEMU
# TCG are only comparable within one run; nothing here is a pass/fail
# threshold.
#
# Usage: scripts/bench.sh [--rounds N] [--runtime SEC]
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(dirname "$(dirname "$SELF")")
cd "$REPO"
rounds=2 runtime=15
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--runtime) runtime=$2; shift 2 ;;
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
timeout=$((300 + rounds * 2 * (4 * (runtime + 20) + 60)))
bash scripts/vm-run.sh --module ref --results "$results" --timeout "$timeout" \
	--env BENCH_KO=/results/ib_srpt.ko --env BENCH_ROUNDS="$rounds" \
	--env BENCH_RUNTIME="$runtime" tests/bench/fio-compare.sh >/dev/null || true

grep '^result ' "$results/scenario.log" > "$results/results.txt" || {
	echo "bench: no results; see $results"
	exit 1
}
python3 - "$results/results.txt" <<'PY'
import sys, collections
acc = collections.defaultdict(list)
for line in open(sys.argv[1]):
    _, drv, rnd, job, iops, bw = line.split()
    acc[(job, drv)].append((float(iops), float(bw)))
jobs = sorted({j for j, _ in acc}, key=lambda j: list(dict.fromkeys(k[0] for k in acc)).index(j))
print("%-14s %12s %12s %8s %12s %12s %8s" % ("job", "ours IOPS", "ref IOPS", "ratio",
      "ours MiB/s", "ref MiB/s", "ratio"))
for j in jobs:
    o, r = acc.get((j, "ours")), acc.get((j, "ref"))
    if not o or not r:
        print("%-14s incomplete" % j)
        continue
    oi = sum(x[0] for x in o) / len(o); ri = sum(x[0] for x in r) / len(r)
    ob = sum(x[1] for x in o) / len(o); rb = sum(x[1] for x in r) / len(r)
    print("%-14s %12.0f %12.0f %8.2f %12.1f %12.1f %8.2f" % (j, oi, ri, oi / ri if ri else 0,
          ob, rb, ob / rb if rb else 0))
PY
echo "raw results: $results/results.txt"
