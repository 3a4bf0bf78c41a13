#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run ib_srpt's KUnit tests: build an x86_64 kernel from the Debian 6.12
# source tree with this repo's driver built in (config: the repo's
# .kunitconfig) and boot it in qemu-system-x86_64, using the tree's own
# tools/testing/kunit/kunit.py.
#
#   scripts/kunit.sh [kunit.py run options, e.g. a filter_glob 'srpt*']
#
# The build dir is kept in ${SRPT_CACHE:-/var/cache/ib_srpt-dev}/build/kunit-<version>
# so that later runs are incremental. The first build takes ~10 min on 2 cores.
# QEMU: kunit.py passes no -accel option; this script adds "-accel tcg"
# (pure emulation), or SRPT_KUNIT_ACCEL (e.g. "-accel kvm") if set.
#
# Prints kunit.py's output and ends with "N passed, N failed" (failed
# includes crashed tests; ", N skipped" is added when some were skipped).
# Exits non-zero when the build or boot fails, or a test fails/crashes.
# Without a filter, every case that ib_srpt_test.c defines (KUNIT_CASE*
# entries of the suites it registers) must report a result in the KTAP
# output; the numbers are printed, and each case missing counts as failed.
#
# Before the driver defines CONFIG_INFINIBAND_SRPT_KUNIT_TEST (or with
# SRPT_DRIVER=shipped), symbols of .kunitconfig that the tree does not
# define are dropped; the kernel is still built and booted (this warms the
# cache) and "0 tests" is then accepted.
#
# Environment: SRPT_CACHE, SRPT_DRIVER (see kernel-tree.sh),
#   SRPT_KUNIT_TIMEOUT (seconds for the tests to run in QEMU, default 1200),
#   SRPT_JOBS (make jobs, default nproc), PYTHON (default python3).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/kernel-tree.sh"
# shellcheck source=kunit-cases.sh
. "$(dirname "${BASH_SOURCE[0]}")/kunit-cases.sh"

KUNITCONFIG=$SRPT_REPO/.kunitconfig
[ -f "$KUNITCONFIG" ] || srpt_die "$KUNITCONFIG missing"

start=$(date +%s)
srpt_lock_tree
TREE=$(srpt_prepare_tree)
VER=$(srpt_src_version)
BUILD=$SRPT_CACHE/build/kunit-$VER
LOG=$SRPT_CACHE/build/kunit-$VER.log
mkdir -p "$SRPT_CACHE/build"
srpt_prune_stale_objects "$TREE" "$BUILD"

# Drop the options whose symbol the tree does not define (yet).
warm=0
kconf=$KUNITCONFIG
dropped=()
while read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	sym=${line%%=*}
	srpt_symbol_exists "$TREE" "${sym#CONFIG_}" || dropped+=("$line")
done < "$KUNITCONFIG"
if [ ${#dropped[@]} -gt 0 ]; then
	warm=1
	kconf=$SRPT_CACHE/build/kunitconfig-warm
	cp "$KUNITCONFIG" "$kconf.tmp"
	for line in "${dropped[@]}"; do
		grep -vxF "$line" "$kconf.tmp" > "$kconf.tmp2" || true
		mv "$kconf.tmp2" "$kconf.tmp"
	done
	mv "$kconf.tmp" "$kconf"
	srpt_log "note: not defined in this tree, dropped from .kunitconfig: ${dropped[*]}"
	srpt_log "note: cache-warming run; no srpt tests will run"
fi

# TCG unless asked otherwise: on these machines /dev/kvm can be there
# and writable while KVM guests hang before their first console line.
accel=${SRPT_KUNIT_ACCEL:--accel tcg}

cmd=("${PYTHON:-python3}" tools/testing/kunit/kunit.py run
	--arch=x86_64 --kunitconfig="$kconf" --build_dir="$BUILD"
	--jobs="${SRPT_JOBS:-$(nproc)}" --timeout="${SRPT_KUNIT_TIMEOUT:-1200}"
	--qemu_args="$accel" "$@")
srpt_log "in $TREE: ${cmd[*]} (log $LOG)"
set +e
(cd "$TREE" && "${cmd[@]}") 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e

summary=$(grep -a 'Testing complete\. Ran [0-9]* tests' "$LOG" | tail -1 || true)
elapsed=$(($(date +%s) - start))
if [ -z "$summary" ]; then
	echo "kunit: no test summary (build or boot failed, rc $rc, ${elapsed}s); see $LOG"
	echo "0 passed, 1 failed"
	exit 1
fi
count() {
	local n
	n=$(echo "$summary" | grep -o "$1: [0-9]*" | grep -o '[0-9]*$' || true)
	echo "${n:-0}"
}
total=$(echo "$summary" | sed -n 's/.*Ran \([0-9]*\) tests.*/\1/p')
passed=$(count passed)
failed=$(($(count failed) + $(count crashed)))
skipped=$(count skipped)
errors=$(count errors)
echo "kunit: ran $total tests in ${elapsed}s (kunit.py rc $rc, parse errors $errors)"

# Every case that ib_srpt_test.c defines must report a result: a suite
# cut short (a crash, a hang until the timeout, a case left out of the
# build) must not pass on the cases that did run. Each case missing
# counts as a failure. Not compared when a filter selects the cases.
filtered=0
for a in "$@"; do
	case $a in --filter*|[!-]*) filtered=1 ;; esac
done
test_src=$TREE/$SRPT_DRV_REL/ib_srpt_test.c
if [ "$warm" = 0 ] && [ -f "$test_src" ]; then
	cmp_rc=0
	kunit_compare_cases "$test_src" "$BUILD/test.log" || cmp_rc=$?
	if [ "$cmp_rc" != 0 ] && [ "$filtered" = 1 ]; then
		echo "kunit: a filter selects the cases: not all of them were meant to run"
	elif [ "$cmp_rc" != 0 ]; then
		missing=$(( KUNIT_DEFINED > KUNIT_RAN ? KUNIT_DEFINED - KUNIT_RAN : 1 ))
		echo "kunit: FAIL: $missing case(s) defined but without a result"
		failed=$((failed + missing))
	fi
fi
line="$passed passed, $failed failed"
[ "$skipped" = 0 ] || line="$line, $skipped skipped"

if [ "$warm" = 1 ] && [ "$total" = 0 ] && [ "$failed" = 0 ] &&
   grep -aq 'KTAP version\|TAP version' "$BUILD/test.log" 2>/dev/null; then
	echo "kunit: kernel built and booted (cache warm); no srpt tests defined yet"
	echo "$line"
	exit 0
fi
echo "$line"
if [ "$rc" != 0 ] || [ "$failed" != 0 ] || [ "$total" = 0 ]; then
	exit 1
fi
exit 0
