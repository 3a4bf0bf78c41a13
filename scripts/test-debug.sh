#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the VM scenarios on the debug kernel of scripts/debug-kernel.sh
# (KASAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, kmemleak, SLUB
# debugging) with our ib_srpt rebuilt against it. Under TCG that kernel
# is about ten times slower than Debian's, so every wait is scaled
# (--wait-scale, default 10) and data sizes and loop counts are divided
# (--size-div, default 8). Every scenario also scans for memory leaks
# (tests/lib.sh: kmemleak_check); any KASAN, lockdep, kmemleak or refcount
# report involving ib_srpt fails it.
#
# Usage: scripts/test-debug.sh [--build] [--wait-scale N] [--size-div N]
#                              [other scripts/test-vm.sh options]
#   --build   build the debug kernel first if it is not there (about 35
#             minutes on 2 cores); without it a missing debug kernel
#             makes the run print "0 passed, 0 failed, N skipped" and
#             exit 0
#
# Ends with the line of scripts/test-vm.sh ("N passed, N failed"). When
# ib_srpt.ko does not build against the cached debug kernel (or --build
# fails), that is a failure: "0 passed, 1 failed", exit 1.
#
# Environment: SRPT_DEBUG_KERNEL_SH, the script that builds the kernel and
# module (default scripts/debug-kernel.sh; tests/host/ replaces it).
set -euo pipefail

REPO=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
build=0 wait_scale=10 size_div=8
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=1; shift ;;
	--wait-scale) wait_scale=$2; shift 2 ;;
	--size-div) size_div=$2; shift 2 ;;
	*) args+=("$1"); shift ;;
	esac
done

# Rebuild our module against the debug kernel (quick when unchanged).
# debug-kernel.sh --module-only exits 3 when there is no debug kernel (a
# skip, unless --build), any other non-zero status is a failed build.
debug_kernel=${SRPT_DEBUG_KERNEL_SH:-$REPO/scripts/debug-kernel.sh}
rc=0
vars=$("$debug_kernel" --module-only) || rc=$?
if [ "$rc" = 3 ] && [ "$build" = 1 ]; then
	rc=0
	vars=$("$debug_kernel") || rc=$?
fi
case $rc in
0) ;;
3)
	n=$("$REPO/scripts/test-vm.sh" --list ${args[@]+"${args[@]}"} 2>/dev/null | wc -l || true)
	echo "test-debug: no debug kernel (build it with scripts/debug-kernel.sh); skipping"
	echo "0 passed, 0 failed, ${n:-0} skipped"
	exit 0
	;;
*)
	echo "test-debug: building for the debug kernel failed ($(basename "$debug_kernel") exit status $rc)"
	echo "0 passed, 1 failed"
	exit 1
	;;
esac
KIMAGE=$(sed -n 's/^KIMAGE=//p' <<< "$vars")
MODDIR=$(sed -n 's/^MODDIR=//p' <<< "$vars")
KO=$(sed -n 's/^KO=//p' <<< "$vars")
if [ -z "$KIMAGE" ] || [ -z "$MODDIR" ] || [ -z "$KO" ]; then
	echo "test-debug: $(basename "$debug_kernel") did not name the kernel, modules and ib_srpt.ko"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "test-debug: kernel $(basename "$MODDIR"), WAIT_SCALE=$wait_scale, sizes / $size_div"
# acpi=noirq: evaluating the ACPI _PRT methods takes this kernel so long
# under TCG that they hit the AML loop timeout, 30 s per PCI device.
exec "$REPO/scripts/test-vm.sh" --kernel-image "$KIMAGE" --modules-dir "$MODDIR" \
	--ko "$KO" --wait-scale "$wait_scale" --size-div "$size_div" \
	--append acpi=noirq \
	${args[@]+"${args[@]}"}
