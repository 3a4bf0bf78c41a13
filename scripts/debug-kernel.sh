#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the debug kernel for the VM tests: Debian's linux-source-6.12
# configured from x86_64_defconfig + kernel/configs/kvm_guest.config +
# scripts/debug.config (KASAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS,
# kmemleak, SLUB debugging; 9p root built in; RDMA, target, dm, null_blk
# and SCSI as modules), its modules installed into the cache, and our
# ib_srpt.ko built against it.
#
# Everything lives in ${SRPT_CACHE:-/var/cache/ib_srpt-dev}/build/
# debug-<source version>-<hash of the fragment>. A
# second run only rebuilds what changed (the kernel build is incremental;
# ib_srpt.ko is rebuilt whenever the driver changed). The first build
# takes about 35 minutes on 2 cores.
#
# Usage: scripts/debug-kernel.sh [-j N] [--module-only]
#   --module-only  only (re)build ib_srpt.ko against an existing build;
#                  exit 3 if there is none
#
# Exit status: 0 done; 3 (--module-only) no debug kernel build in the
# cache; anything else is a failure (1: a build step failed, including
# ib_srpt.ko against an existing debug kernel).
#
# On success the last lines are, for scripts/test-debug.sh and
# scripts/vm-run.sh (--kernel-image, --modules-dir, --ko):
#   KIMAGE=<bzImage>
#   MODDIR=<.../lib/modules/<release>>
#   KO=<ib_srpt.ko built for it>
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/kernel-tree.sh"

JOBS=$(nproc)
module_only=0
while [ $# -gt 0 ]; do
	case $1 in
	-j) JOBS=$2; shift ;;
	-j*) JOBS=${1#-j} ;;
	--module-only) module_only=1 ;;
	*) echo "usage: $0 [-j N] [--module-only]" >&2; exit 2 ;;
	esac
	shift
done

FRAGMENT=$SRPT_REPO/scripts/debug.config
[ -f "$FRAGMENT" ] || srpt_die "$FRAGMENT missing"

debug_build_dir() {
	local hash
	hash=$(sha256sum < "$FRAGMENT" | cut -c1-12)
	echo "$SRPT_CACHE/build/debug-$(srpt_src_version)-$hash"
}

print_vars() {	# print_vars BUILD-DIR
	local b=$1 rel
	rel=$(cat "$b/include/config/kernel.release")
	echo "KIMAGE=$b/arch/x86/boot/bzImage"
	echo "MODDIR=$b/root/lib/modules/$rel"
	echo "KO=$b/srpt/ib_srpt.ko"
}

# Our driver, out of tree against build $1; copies, so that the build for
# Debian's kernel in the repository is not disturbed.
build_module() {
	local b=$1 f log=$1.module.log
	mkdir -p "$b/srpt"
	for f in Makefile ib_srpt.c ib_srpt.h ib_srpt_trace.h; do
		srpt_copy_if_changed "$SRPT_REPO/$f" "$b/srpt/$f"
	done
	srpt_log "building ib_srpt.ko for $(cat "$b/include/config/kernel.release")"
	if ! make -C "$b" M="$b/srpt" CONFIG_INFINIBAND_SRPT=m modules > "$log" 2>&1; then
		tail -n 30 "$log" >&2
		srpt_die "ib_srpt.ko build failed, see $log"
	fi
}

if [ "$module_only" = 1 ]; then
	B=$(debug_build_dir)
	[ -f "$B/ok" ] || { echo "debug-kernel: no debug kernel build in $B" >&2; exit 3; }
	build_module "$B"
	print_vars "$B"
	exit 0
fi

start=$(date +%s)
# Only the configuration step reads the shared tree's srpt directory
# (its Kconfig); ib_srpt itself is built out of tree below.
srpt_lock_tree
TREE=$(srpt_prepare_tree)
B=$(debug_build_dir)
LOG=$B.log
mkdir -p "$B"
: > "$LOG"
mk() { make -C "$TREE" O="$B" -j"$JOBS" "$@"; }

configure() {
	local tmpd
	if [ -f "$B/.config" ] && [ -f "$B/.config.fragment-ok" ]; then
		return 0
	fi
	srpt_log "configuring $B (x86_64_defconfig + kvm_guest.config + $(basename "$FRAGMENT"))"
	mk x86_64_defconfig >> "$LOG" 2>&1
	tmpd=$(mktemp -d)
	"$TREE/scripts/kconfig/merge_config.sh" -m -O "$tmpd" "$B/.config" \
		"$TREE/kernel/configs/kvm_guest.config" "$FRAGMENT" >> "$LOG" 2>&1
	cp "$tmpd/.config" "$B/.config"
	rm -rf "$tmpd"
	mk olddefconfig >> "$LOG" 2>&1
	srpt_check_fragment "$FRAGMENT" "$B/.config" ||
		srpt_die "fragment not applied, see $B/.config"
	touch "$B/.config.fragment-ok"
}

configure
# The kernel build does not look at the srpt directory (it is =n): let
# kunit.sh and intree-build.sh use the tree meanwhile.
flock -u "$SRPT_TREE_LOCK_FD"

srpt_log "building the kernel and modules in $B (-j$JOBS, log $LOG)"
if ! mk bzImage modules >> "$LOG" 2>&1; then
	tail -n 30 "$LOG" >&2
	srpt_die "kernel build failed, see $LOG"
fi
rel=$(cat "$B/include/config/kernel.release")
if [ ! -f "$B/root/lib/modules/$rel/modules.dep" ] ||
		[ -n "$(find "$B/modules.order" "$B/arch/x86/boot/bzImage" \
			-newer "$B/root/lib/modules/$rel/modules.dep")" ]; then
	srpt_log "installing modules into $B/root"
	rm -rf "$B/root"
	mk INSTALL_MOD_PATH="$B/root" modules_install >> "$LOG" 2>&1 ||
		srpt_die "modules_install failed, see $LOG"
fi

build_module "$B"
touch "$B/ok"
srpt_log "debug kernel ready in $(( $(date +%s) - start )) s"
print_vars "$B"
