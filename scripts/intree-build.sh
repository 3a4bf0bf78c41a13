#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build ib_srpt in-tree, with the Debian 6.12 source tree's own Kbuild and
# W=1, as drivers/infiniband/ulp/srpt (replacing the shipped driver).
#
#   scripts/intree-build.sh [-j N] [--keep-going-on-warnings]
#
# Config: x86_64_defconfig + scripts/intree.config (INFINIBAND=m,
# TARGET_CORE=m, INFINIBAND_SRPT=m, KUNIT=m, the KUnit test module =m),
# merged with scripts/kconfig/merge_config.sh and `make olddefconfig`.
# The O= build dir lives in the cache, keyed by the source version and the
# fragment's hash, so that a second run only rebuilds what changed:
#   ${SRPT_CACHE:-/var/cache/ib_srpt-dev}/build/intree-<version>-<hash>
#
# What is built: `make drivers/infiniband/ulp/srpt/` (every object of the
# directory, after `prepare`), then each module of its modules.order as a
# single .ko target, which runs modpost (section mismatches, license,
# W=1 extra checks) and the final link. vmlinux is not built (it would
# take a full kernel build), so modpost cannot resolve symbols here: it
# runs with KBUILD_MODPOST_WARN=1 and its "undefined!" warnings are
# ignored. scripts/static-checks.sh resolves symbols against Debian's
# Module.symvers, and scripts/kunit.sh links the driver into a kernel.
#
# Exit status is non-zero if the build fails or if the compiler, modpost
# or kernel-doc (run by W=1) warns about anything under the driver
# directory. Warned-about objects are deleted so that the next run
# reports them again.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/kernel-tree.sh"

JOBS=$(nproc)
FATAL_WARNINGS=1
while [ $# -gt 0 ]; do
	case $1 in
	-j) JOBS=$2; shift ;;
	-j*) JOBS=${1#-j} ;;
	--keep-going-on-warnings) FATAL_WARNINGS=0 ;;
	*) echo "usage: $0 [-j N] [--keep-going-on-warnings]" >&2; exit 2 ;;
	esac
	shift
done

FRAGMENT=$SRPT_REPO/scripts/intree.config
[ -f "$FRAGMENT" ] || srpt_die "$FRAGMENT missing"

start=$(date +%s)
srpt_lock_tree
TREE=$(srpt_prepare_tree)
VER=$(srpt_src_version)
HASH=$(sha256sum "$FRAGMENT" | cut -c1-12)
B=$SRPT_CACHE/build/intree-$VER-$HASH
LOG=$B.log
mkdir -p "$B"
: > "$LOG"

mk() { make -C "$TREE" O="$B" -j"$JOBS" "$@"; }

# (Re)generate the config. Starting from the existing .config (or
# x86_64_defconfig the first time), merge the fragment in and run
# olddefconfig on a side file; only replace .config when it changed so
# that an unchanged config triggers no rebuild. Re-merging every time
# also applies the fragment to symbols that appear later (e.g. the KUnit
# test symbol once the driver's Kconfig defines it).
configure() {
	local new=.config.srpt-new tmpd
	if [ ! -f "$B/.config" ]; then
		srpt_log "configuring $B from x86_64_defconfig + $(basename "$FRAGMENT")"
		mk x86_64_defconfig >> "$LOG" 2>&1
	fi
	tmpd=$(mktemp -d)
	"$TREE/scripts/kconfig/merge_config.sh" -m -O "$tmpd" "$B/.config" "$FRAGMENT" >> "$LOG" 2>&1
	cp "$tmpd/.config" "$B/$new"
	rm -rf "$tmpd"
	mk KCONFIG_CONFIG="$new" olddefconfig >> "$LOG" 2>&1
	srpt_check_fragment "$FRAGMENT" "$B/$new" "$TREE" ||
		{ rm -f "$B/$new"; srpt_die "fragment not applied, see $LOG"; }
	if cmp -s "$B/$new" "$B/.config"; then
		rm -f "$B/$new"
	else
		srpt_log "config changed; updating $B/.config"
		mv "$B/$new" "$B/.config"
	fi
}

configure
srpt_prune_stale_objects "$TREE" "$B"

DIR=$SRPT_DRV_REL
srpt_log "building $DIR/ in $B (W=1, -j$JOBS, log $LOG)"
set +e
mk W=1 "$DIR/" 2>&1 | tee -a "$LOG" | grep -v '^make\[[0-9]*\]: \(Entering\|Leaving\)'
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 0 ] || srpt_die "build of $DIR/ failed (rc $rc), see $LOG"

mods=$(sed -n 's/\.o$/.ko/p' "$B/$DIR/modules.order" 2>/dev/null || true)
[ -n "$mods" ] || srpt_die "no module in $B/$DIR/modules.order (CONFIG_INFINIBAND_SRPT=m?)"
srpt_log "modpost + link: $(echo $mods)"
set +e
# shellcheck disable=SC2086
mk W=1 KBUILD_MODPOST_WARN=1 $mods 2>&1 | tee -a "$LOG" |
	grep -v -e '^make\[[0-9]*\]: \(Entering\|Leaving\)' -e '^WARNING: vmlinux.o is missing' \
		-e '^         [MYyi][a-z]' -e '^WARNING: modpost: "[^"]*" \[[^]]*\] undefined!$' \
		-e '^WARNING: modpost: suppressed [0-9]* unresolved symbol warnings'
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 0 ] || srpt_die "modpost/link of $mods failed (rc $rc), see $LOG"

# Warnings about the driver: compiler/kernel-doc ("<file>:<line>:...
# warning:") and modpost ("WARNING: modpost: ... ib_srpt...").
warn=$(grep -E "(^|/)$DIR/[^ ]*:[0-9]+:.*(warning|error):|^(\.\./)?$DIR/[^ ]*: warning:|WARNING: modpost: .*$DIR|^warning: .*$DIR" "$LOG" |
	grep -v '^WARNING: modpost: "[^"]*" \[[^]]*\] undefined!$' | sort -u || true)
for m in $mods; do
	ls -l "$B/$m"
done
if [ -n "$warn" ]; then
	echo "=== warnings in $DIR ==="
	echo "$warn"
	# Make the next run recompile (and so report) them again.
	rm -f "$B/$DIR"/*.o
	if [ "$FATAL_WARNINGS" = 1 ]; then
		srpt_die "intree-build: $(echo "$warn" | wc -l) warning(s) ($(($(date +%s) - start))s)"
	fi
fi
echo "intree-build: OK, $(echo $mods) built with W=1 in $(($(date +%s) - start))s ($B)"
