#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Demo: install what is needed, build ib_srpt, boot a QEMU (TCG) VM with
# soft-RoCE, configure our SRP target, log in with ib_srp and run a fio
# random read/write for 25 s; prints IOPS and bandwidth.
#
# Usage: scripts/demo.sh [--ref] [--runtime SEC] [--no-setup] [--no-build]
#   --ref         use Debian's ib_srpt instead of ours
#   --runtime N   fio run time in seconds (default 25)
#   --no-setup    do not run scripts/setup-deps.sh
#   --no-build    do not run make
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(dirname "$(dirname "$SELF")")
cd "$REPO"
module=ours runtime=25 setup=1 build=1
while [ $# -gt 0 ]; do
	case $1 in
	--ref) module=ref; shift ;;
	--runtime) runtime=$2; shift 2 ;;
	--no-setup) setup=0; shift ;;
	--no-build) build=0; shift ;;
	*) sed -n '/^# Usage:/,/^set /p' "$SELF" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
[[ $runtime =~ ^[0-9]+$ ]] || { echo "demo: bad --runtime" >&2; exit 2; }

if [ "$setup" = 1 ]; then
	echo "demo: installing dependencies (scripts/setup-deps.sh)"
	bash scripts/setup-deps.sh | tail -n1
fi
if [ "$module" = ours ] && [ "$build" = 1 ]; then
	echo "demo: building ib_srpt.ko"
	make -s
fi
if [ "$module" = ours ] && [ ! -f ib_srpt.ko ]; then
	echo "demo: $REPO/ib_srpt.ko does not exist (build it with make)" >&2
	exit 1
fi

base=${SRPT_RESULTS:-/var/tmp/ib_srpt-results}
mkdir -p "$base"
results=$(mktemp -d "$base/demo-$(date +%Y%m%d-%H%M%S)-XXXX")
echo "demo: booting the VM (QEMU TCG, ib_srpt: $module); logs in $results"

: > "$results/scenario.log"
tail -n +1 -F "$results/scenario.log" 2>/dev/null |
	sed -u -n 's/^ok [0-9]* - /  done: /p; s/^not ok [0-9]* - /  FAILED: /p; s/^# disk: /  disk: /p' &
tailpid=$!
rc=0
bash scripts/vm-run.sh --module "$module" --results "$results" \
	--timeout $((runtime + 400)) --env DEMO_RUNTIME="$runtime" \
	tests/demo/randrw.sh > "$results/vm-run.log" 2>&1 || rc=$?
sleep 1
kill "$tailpid" 2>/dev/null || true
wait "$tailpid" 2>/dev/null || true

if ! grep -q '^demo-result ' "$results/scenario.log"; then
	echo "demo: no fio result (exit status $rc); see $results/scenario.log and console.log" >&2
	exit 1
fi
echo "demo: fio randrw 70/30, 4 KiB, iodepth 32 x 2 jobs, ${runtime} s, through ib_srpt ($module) over soft-RoCE:"
awk '/^demo-result / { printf "  %-5s %10s IOPS %10s MiB/s\n", $2, $3, $5 }' "$results/scenario.log"
[ "$rc" -eq 0 ] || echo "demo: note: the VM run ended with status $rc (see $results)"
exit "$rc"
