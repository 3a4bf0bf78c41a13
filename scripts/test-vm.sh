#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the VM test scenarios (tests/vm/*.sh), each in its own VM boot,
# against our ib_srpt (./ib_srpt.ko, built by make) or, with --ref,
# against the distribution's ib_srpt.
#
# Usage: scripts/test-vm.sh [--ref] [--filter PATTERN] [--wait-scale N]
#                           [--results DIR] [--timeout SEC] [--console]
#                           [--append KERNEL-ARGS] [--list]
#                           [--kernel-image FILE --modules-dir DIR]
#                           [--ko FILE] [--size-div N] [--env NAME=VALUE]
#   --ref            use Debian's ib_srpt; "improvement" scenarios then
#                    report their improvement checks as expected failures
#                    (TAP "# TODO"), which do not count as failures
#   --filter PAT     only scenarios whose name matches the extended
#                    regular expression PAT
#   --wait-scale N   multiply every wait inside the VM by N
#   --results DIR    where to keep the results (default: a new directory
#                    under ${SRPT_RESULTS:-/var/tmp/ib_srpt-results})
#   --timeout SEC    hard limit per VM (default: the scenario's
#                    "# timeout:" header, else 600), scaled by N
#   --append ARGS    extra kernel command line arguments
#   --console        copy the VM consoles to stdout
#   --list           list the scenarios and exit
#   --kernel-image FILE, --modules-dir DIR
#                    boot another kernel (scripts/debug-kernel.sh)
#   --ko FILE        our ib_srpt.ko (default: the repository's)
#   --size-div N     divide data sizes and loop counts by N
#   --env NAME=VALUE extra environment for the scenarios
#
# A scenario with a "# manual: REASON" header line is only run when
# --filter is given; otherwise it is reported as skipped.
#
# A VM that stops before the scenario started (a boot failure, such as
# the rare TCG panic early in boot) is booted once more.
#
# Prints one line per scenario and ends with "N passed, N failed" (and
# ", N skipped" if any). Exit status 0 when nothing failed.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(dirname "$(dirname "$SELF")")
VMRUN=$REPO/scripts/vm-run.sh

usage() {
	sed -n '/^# Usage:/,/^# Prints/p' "$SELF" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

mode=ours filter='' wait_scale=1 results='' timeout='' list=0
ko=$REPO/ib_srpt.ko
vmargs=()
while [ $# -gt 0 ]; do
	case $1 in
	--ref) mode=ref; shift ;;
	--filter) filter=$2; shift 2 ;;
	--wait-scale) wait_scale=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) vmargs+=(--append "$2"); shift 2 ;;
	--console) vmargs+=(--console); shift ;;
	--list) list=1; shift ;;
	--kernel-image|--modules-dir|--env) vmargs+=("$1" "$2"); shift 2 ;;
	--ko) ko=$(readlink -f "$2"); shift 2 ;;
	--size-div) vmargs+=(--env "SRPT_SIZE_DIV=$2"); shift 2 ;;
	-h|--help) usage ;;
	*) echo "test-vm: unknown argument $1" >&2; usage ;;
	esac
done
[[ $wait_scale =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "test-vm: bad --wait-scale" >&2; exit 2; }

scenarios=()
for f in "$REPO"/tests/vm/*.sh; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .sh)
	if [ -n "$filter" ] && ! [[ $name =~ $filter ]]; then
		continue
	fi
	scenarios+=("$f")
done
if [ ${#scenarios[@]} -eq 0 ]; then
	echo "test-vm: no scenario matches" >&2
	exit 1
fi

kind_of() {	# the tag on the second line of a scenario
	sed -n '2s/^# \(common\|improvement\):.*/\1/p' "$1"
}
manual_of() {	# "# manual: REASON" header, if any
	sed -n '1,10s/^# manual: *//p' "$1"
}
timeout_of() {	# "# timeout: SEC" header, if any
	sed -n '1,10s/^# timeout: *\([0-9][0-9]*\).*/\1/p' "$1"
}

if [ "$list" = 1 ]; then
	for f in "${scenarios[@]}"; do
		printf '%-22s %-12s %s\n' "$(basename "$f" .sh)" "$(kind_of "$f")" \
			"$(sed -n '2s/^# [a-z]*: *//p' "$f")"
	done
	exit 0
fi

if [ "$mode" = ours ] && [ ! -f "$ko" ]; then
	echo "test-vm: $ko does not exist: build our driver with make first (or use --ref)" >&2
	echo "0 passed, ${#scenarios[@]} failed"
	exit 1
fi

if [ -z "$results" ]; then
	base=${SRPT_RESULTS:-/var/tmp/ib_srpt-results}
	mkdir -p "$base"
	results=$(mktemp -d "$base/test-$mode-$(date +%Y%m%d-%H%M%S)-XXXX")
fi
mkdir -p "$results"
results=$(readlink -f "$results")
if [ "$mode" = ours ]; then
	# One snapshot for the whole run: the module may be rebuilt meanwhile.
	cp "$ko" "$results/ib_srpt.ko"
	vmargs+=(--ko "$results/ib_srpt.ko")
	echo "test-vm: ib_srpt=ours ($(sha256sum < "$results/ib_srpt.ko" | cut -c1-12), built $(date -r "$ko" '+%F %T')), results in $results"
else
	echo "test-vm: ib_srpt=ref (Debian's), results in $results"
fi

passed=0 failed=0 skipped=0 todo_total=0
t_all=$(date +%s)
for f in "${scenarios[@]}"; do
	name=$(basename "$f" .sh)
	kind=$(kind_of "$f")
	manual=$(manual_of "$f")
	if [ -n "$manual" ] && [ -z "$filter" ]; then
		printf '%-4s %-22s %-11s %4ds  %s\n' SKIP "$name" "$kind" 0 "manual: $manual"
		skipped=$((skipped + 1))
		continue
	fi
	dir=$results/$name
	mkdir -p "$dir"
	t=${timeout:-$(timeout_of "$f")}
	t=${t:-600}
	t=$(awk -v t="$t" -v s="$wait_scale" 'BEGIN { printf "%d", t * (s > 1 ? s : 1) }')
	t0=$(date +%s)
	for attempt in 1 2; do
		rc=0
		"$VMRUN" --module "$mode" --results "$dir" --wait-scale "$wait_scale" \
			--timeout "$t" ${vmargs[@]+"${vmargs[@]}"} "$f" \
			> "$dir/vm-run.log" 2>&1 || rc=$?
		# Retry only a VM that never reached the scenario.
		[ "$rc" -eq 125 ] && [ "$attempt" = 1 ] &&
			! grep -q '^stage2: kernel' "$dir/console.log" 2>/dev/null || break
		cp "$dir/console.log" "$dir/console-boot-failure.log" 2>/dev/null || true
		echo "test-vm: $name: the VM failed to boot; booting it again" >&2
	done
	secs=$(( $(date +%s) - t0 ))
	log=$dir/scenario.log
	[ -f "$log" ] || : > "$log"
	nfail=$(grep -E '^not ok ' "$log" | grep -vc '# TODO' || true)
	ntodo=$(grep -cE '^not ok .*# TODO' "$log" || true)
	ntests=$(grep -cE '^(not )?ok ' "$log" || true)
	skip=$(sed -n 's/^1\.\.0 # SKIP \(.*\)/\1/p' "$log")
	if [ "$rc" -eq 0 ] && [ -n "$skip" ]; then
		status=SKIP
		note="$skip"
		skipped=$((skipped + 1))
	elif [ "$rc" -eq 0 ] && [ "$nfail" -eq 0 ] && [ "$ntests" -gt 0 ]; then
		status=PASS
		note="$ntests checks"
		[ "$ntodo" -eq 0 ] || note="$note, $ntodo expected failures (TODO, reference driver)"
		passed=$((passed + 1))
		todo_total=$((todo_total + ntodo))
	else
		status=FAIL
		case $rc in
		124) note="VM timed out after $t s" ;;
		125) note="VM stopped without a status (panic?)" ;;
		*) note="$nfail of $ntests checks failed (exit $rc)" ;;
		esac
		failed=$((failed + 1))
	fi
	printf '%-4s %-22s %-11s %4ds  %s\n' "$status" "$name" "$kind" "$secs" "$note"
	if [ "$status" = FAIL ]; then
		{ grep -E '^not ok ' "$log" | grep -v '# TODO' | sed 's/^/       /' | head -n 20; } || true
		[ "$rc" -eq 0 ] || tail -n 3 "$dir/vm-run.log" | sed 's/^/       /'
		echo "       logs: $dir"
	fi
done
echo "test-vm: total $(( $(date +%s) - t_all )) s; $todo_total expected failures (TODO) in reference mode; results in $results"
line="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
