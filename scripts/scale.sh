#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What a channel costs, ours against Debian's ib_srpt, measured in the
# same VM boot with rounds alternating between the drivers:
#   - whole-VM memory per channel: --logins logins with distinct
#     initiator ports, ch_count=1 (initiator's share included);
#   - the target's own memory per channel: the same logins from a second
#     VM, measured in the target VM (--pair; two VMs of one vCPU);
#   - login rate and a login storm: --burst logins at once;
#   - many channels: --many logins with ch_count=2, each disk written and
#     read back, all logged out; what is left (QPs, MRs of ib_srpt) and
#     the memory kept after unloading.
# Prints the median per driver of every figure and the ratio
# ours/Debian's. QEMU TCG on a shared machine: only ratios of one run
# mean anything; nothing here is a pass/fail threshold.
#
# Usage: scripts/scale.sh [--rounds N] [--logins N] [--burst N]
#                         [--many N] [--pair] [--quick]
#   --rounds N   alternating rounds (default 3)
#   --logins N   logins of the memory measurement (default 8)
#   --burst N    logins of the login-rate burst (default 64; 0: skip)
#   --many N     logins with ch_count=2 (default 0: skip; 128 gives 256
#                channels and needs about 8 GiB in the VM, set here)
#   --pair       also measure the target's own memory in a second VM
#   --quick      1 round, 4 logins, a burst of 8: a smoke test
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(dirname "$(dirname "$SELF")")
cd "$REPO"
rounds=3 logins=8 burst=64 many=0 pair=0
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--logins) logins=$2; shift 2 ;;
	--burst) burst=$2; shift 2 ;;
	--many) many=$2; shift 2 ;;
	--pair) pair=1; shift ;;
	--quick) rounds=1 logins=4 burst=8; shift ;;
	*) sed -n '/^# Usage:/,/^set /p' "$SELF" | sed '$d' >&2; exit 2 ;;
	esac
done

bash scripts/setup-deps.sh >/dev/null
make -s W=1
results=${SRPT_RESULTS:-/var/tmp/ib_srpt-results}/scale-$(date +%Y%m%d-%H%M%S)
mkdir -p "$results/single"
# The results directory is /results in the VM.
cp ib_srpt.ko "$results/single/"
parts="mem"
[ "$burst" -gt 0 ] && parts="$parts rate"
[ "$many" -gt 0 ] && parts="$parts many"
mem=3072
[ "$many" -gt 0 ] && mem=8192
timeout=$((600 + rounds * 2 * (120 + logins * 10 + burst * 10 + many * 20)))
bash scripts/vm-run.sh --module ref --results "$results/single" \
	--mem "$mem" --timeout "$timeout" \
	--env BENCH_KO=/results/ib_srpt.ko --env SCALE_ROUNDS="$rounds" \
	--env SCALE_PARTS="$parts" --env SCALE_LOGINS="$logins" \
	--env SCALE_BURST="$burst" --env SCALE_MANY="$many" \
	tests/bench/scale-vm.sh >/dev/null 2>&1 || true
grep -h '^result ' "$results/single/scenario.log" > "$results/results.txt" || true

if [ "$pair" = 1 ]; then
	# The VM sees the host's root read-only: the module by its path.
	bash scripts/test-vm.sh --ref --filter '^scale-pair$' \
		--results "$results/pair" --env BENCH_KO="$results/single/ib_srpt.ko" \
		--env SCALE_ROUNDS="$rounds" --env SCALE_LOGINS="$logins" \
		>/dev/null 2>&1 || true
	grep -h '^result ' "$results/pair/scale-pair/scenario.log" \
		>> "$results/results.txt" 2>/dev/null || true
fi

[ -s "$results/results.txt" ] || { echo "scale: no results; see $results"; exit 1; }
python3 - "$results/results.txt" <<'PY'
import sys, collections, statistics
acc = collections.defaultdict(list)
order = []
for line in open(sys.argv[1]):
    _, drv, rnd, what, val = line.split()
    if what not in order:
        order.append(what)
    acc[(what, drv)].append(float(val))
units = {"mem-per-channel": "KiB", "target-mem-per-channel": "KiB",
         "login-rate": "/s", "login-refused": "", "many-channels": "",
         "many-left": "", "many-kept": "KiB"}
print("%-24s %12s %12s %8s  %s" % ("figure", "ours", "Debian's", "ratio", "rounds"))
for w in order:
    o, r = acc.get((w, "ours")), acc.get((w, "ref"))
    if not o or not r:
        print("%-24s incomplete" % w)
        continue
    mo, mr = statistics.median(o), statistics.median(r)
    ratio = "%8.2f" % (mo / mr) if mr else "%8s" % "-"
    print("%-24s %12.1f %12.1f %s  %d (%s)" % (w, mo, mr, ratio, len(o), units.get(w, "")))
PY
echo "raw results: $results/results.txt"
