#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel source tree helpers for ib_srpt development.
#
# Run it to prepare the tree:   scripts/kernel-tree.sh [--print-dir]
# Or source it from another script and call the srpt_* functions.
#
# What it does:
#  - installs the packages needed (linux-source-6.12 etc.), idempotently;
#  - unpacks Debian's /usr/src/linux-source-6.12.tar.xz once into
#    ${SRPT_CACHE:-/var/cache/ib_srpt-dev}/linux-source-<version>;
#  - copies this repository's driver (Kconfig, Makefile, *.c, *.h,
#    .kunitconfig from the repo top; not .gitignore'd build products) into drivers/infiniband/ulp/srpt of
#    that tree, replacing the shipped driver. Files are only rewritten
#    when their content differs, so mtimes, and thus incremental builds,
#    are kept.
#
# Environment:
#   SRPT_CACHE    cache directory (default /var/cache/ib_srpt-dev)
#   SRPT_DRIVER   "repo" (default): use this repo's driver;
#                 "shipped": restore the tree's own srpt driver (used to
#                 warm caches before the driver exists or for comparison).
#                 With "repo" and no ib_srpt.c in the repo, the shipped
#                 driver is used and a note is printed.

SRPT_REPO=${SRPT_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SRPT_CACHE=${SRPT_CACHE:-/var/cache/ib_srpt-dev}
SRPT_SRC_PKG=linux-source-6.12
SRPT_SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
SRPT_DRV_REL=drivers/infiniband/ulp/srpt

srpt_log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
srpt_die() { echo "error: $*" >&2; exit 1; }

# Install what building and testing in the unpacked tree needs. Only
# runs apt when something is missing; "apt-get update" only when apt does
# not know a package. Waits for a concurrent apt/dpkg to finish.
srpt_setup_deps() {
	local pkgs=(
		"$SRPT_SRC_PKG" xz-utils
		build-essential bc bison flex libelf-dev libssl-dev
		cpio kmod perl python3 sparse qemu-system-x86
	)
	local missing=() p
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || srpt_die "missing packages (run as root): ${missing[*]}"
	srpt_log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	local aptopt=(-o DPkg::Lock::Timeout=1800 -y -qq --no-install-recommends)
	for p in "${missing[@]}"; do
		if ! apt-cache show "$p" >/dev/null 2>&1; then
			apt-get -o DPkg::Lock::Timeout=1800 update -qq
			break
		fi
	done
	apt-get "${aptopt[@]}" install "${missing[@]}" >/dev/null
}

# Debian version of the installed linux-source-6.12, made path-safe
# (e.g. 6.12.117-1~deb12u1 -> 6.12.117-1_deb12u1).
srpt_src_version() {
	local v
	v=$(dpkg-query -W -f='${Version}' "$SRPT_SRC_PKG" 2>/dev/null) ||
		srpt_die "$SRPT_SRC_PKG is not installed"
	[ -n "$v" ] || srpt_die "$SRPT_SRC_PKG is not installed"
	echo "$v" | tr '~:+' '___'
}

srpt_tree_dir() {
	echo "$SRPT_CACHE/linux-source-$(srpt_src_version)"
}

# Unpack the source tarball once. The finished tree is marked with a
# stamp; a half-unpacked directory from an interrupted run is redone.
srpt_unpack_tree() {
	local tree ver tmp
	ver=$(srpt_src_version)
	tree=$SRPT_CACHE/linux-source-$ver
	mkdir -p "$SRPT_CACHE"
	exec {SRPT_LOCK_FD}>"$SRPT_CACHE/.unpack.lock"
	flock "$SRPT_LOCK_FD"
	if [ ! -e "$tree/.srpt-unpacked" ]; then
		[ -r "$SRPT_SRC_TARBALL" ] || srpt_die "$SRPT_SRC_TARBALL missing"
		tmp=$tree.tmp
		rm -rf "$tmp" "$tree"
		mkdir -p "$tmp"
		srpt_log "unpacking $SRPT_SRC_TARBALL ($ver) into $tree"
		tar -xJf "$SRPT_SRC_TARBALL" -C "$tmp" --strip-components=1
		[ -f "$tmp/Makefile" ] && [ -d "$tmp/$SRPT_DRV_REL" ] ||
			srpt_die "unexpected tarball layout"
		# Pristine copy of the shipped driver, to restore with
		# SRPT_DRIVER=shipped.
		cp -a "$tmp/$SRPT_DRV_REL" "$tmp/.srpt-shipped-driver"
		echo "$ver" > "$tmp/.srpt-unpacked"
		mv "$tmp" "$tree"
	fi
	flock -u "$SRPT_LOCK_FD"
	exec {SRPT_LOCK_FD}>&-
	echo "$tree"
}

# Copy $1 to $2 only if the content differs (keeps mtimes otherwise).
# Prints the name when it copied.
srpt_copy_if_changed() {
	if ! cmp -s "$1" "$2"; then
		cp "$1" "$2.srpt-tmp" && mv "$2.srpt-tmp" "$2"
		echo "  updated $(basename "$2")" >&2
	fi
}

# The driver's top-level C sources and headers, one name per line:
# from git (tracked or untracked, minus .gitignore'd build products) when
# the repo is a git work tree, else by glob; never kbuild's *.mod.c.
srpt_repo_sources() {
	local f
	{
		if git -C "$SRPT_REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			git -C "$SRPT_REPO" ls-files --cached --others --exclude-standard \
				-- '*.c' '*.h' | grep -v /
		else
			(cd "$SRPT_REPO" && ls -- *.c *.h 2>/dev/null)
		fi
	} | grep -v '\.mod\.c$' | sort -u | while read -r f; do
		[ -f "$SRPT_REPO/$f" ] && echo "$f"
	done
	return 0
}

# The repo's driver files: Kconfig, Makefile, .kunitconfig and the
# sources above. Names relative to the repo top, one per line.
srpt_repo_driver_files() {
	local f
	for f in Kconfig Makefile .kunitconfig; do
		[ -f "$SRPT_REPO/$f" ] && echo "$f"
	done
	srpt_repo_sources
}

# Make drivers/infiniband/ulp/srpt of tree $1 hold exactly the files of
# directory $2 (a list of names on stdin), removing the others.
srpt_mirror_into() {
	local tree=$1 from=$2 dst f keep=()
	dst=$tree/$SRPT_DRV_REL
	mkdir -p "$dst"
	while read -r f; do
		keep+=("$f")
		srpt_copy_if_changed "$from/$f" "$dst/$f"
	done
	for f in "$dst"/* "$dst"/.[!.]*; do
		[ -e "$f" ] || continue
		case " ${keep[*]} " in
		*" $(basename "$f") "*) ;;
		*) echo "  removed $(basename "$f")" >&2; rm -rf "$f" ;;
		esac
	done
}

# Put the driver selected by SRPT_DRIVER into tree $1.
srpt_sync_driver() {
	local tree=$1 mode=${SRPT_DRIVER:-repo}
	if [ "$mode" = repo ] && [ ! -f "$SRPT_REPO/ib_srpt.c" ]; then
		srpt_log "note: no ib_srpt.c in $SRPT_REPO yet; using the shipped driver"
		mode=shipped
	fi
	case $mode in
	shipped)
		srpt_log "syncing shipped driver into $tree/$SRPT_DRV_REL"
		(cd "$tree/.srpt-shipped-driver" && ls -A) |
			srpt_mirror_into "$tree" "$tree/.srpt-shipped-driver"
		;;
	repo)
		srpt_log "syncing $SRPT_REPO driver into $tree/$SRPT_DRV_REL"
		[ -f "$SRPT_REPO/Kconfig" ] && [ -f "$SRPT_REPO/Makefile" ] ||
			srpt_die "repo driver needs Kconfig and Makefile at the top"
		grep -q '^config INFINIBAND_SRPT$' "$SRPT_REPO/Kconfig" ||
			srpt_die "repo Kconfig must define 'config INFINIBAND_SRPT'"
		srpt_repo_driver_files | srpt_mirror_into "$tree" "$SRPT_REPO"
		;;
	*) srpt_die "SRPT_DRIVER must be repo or shipped, not '$mode'" ;;
	esac
	echo "$mode" > "$tree/.srpt-driver"
	# The hooks that pull the directory into the build must still exist.
	grep -q 'obj-$(CONFIG_INFINIBAND_SRPT)[[:space:]]*+=[[:space:]]*srpt/' \
		"$tree/drivers/infiniband/ulp/Makefile" ||
		srpt_die "drivers/infiniband/ulp/Makefile lost its srpt/ hook"
	grep -q 'source "drivers/infiniband/ulp/srpt/Kconfig"' \
		"$tree/drivers/infiniband/Kconfig" ||
		srpt_die "drivers/infiniband/Kconfig lost its srpt hook"
}

# Is CONFIG_$2 defined by a Kconfig file of tree $1?
srpt_symbol_exists() {
	local d dirs=()
	for d in arch/x86 block crypto drivers fs init kernel lib mm net security; do
		dirs+=("$1/$d")
	done
	grep -rqsE --include='Kconfig*' "^[[:space:]]*(menu)?config $2\$" "${dirs[@]}"
}

# srpt_check_fragment FRAGMENT CONFIG [TREE]: did every CONFIG_ line of
# config fragment FRAGMENT end up in CONFIG? A "=n" line may read back
# as "is not set" or be absent. With TREE, a symbol that tree's Kconfig
# does not define (yet) is noted and skipped; without, it fails too.
srpt_check_fragment() {
	local frag=$1 conf=$2 tree=${3:-} line sym want got bad=0
	while read -r line; do
		case $line in CONFIG_*=*) ;; *) continue ;; esac
		sym=${line%%=*}
		want=$line
		[ "${line#*=}" = n ] && want="# $sym is not set"
		got=$(grep -E "^$sym=|^# $sym is not set" "$conf" || true)
		[ "$got" = "$want" ] && continue
		[ "${line#*=}" = n ] && [ -z "$got" ] && continue
		if [ -n "$tree" ] && ! srpt_symbol_exists "$tree" "${sym#CONFIG_}"; then
			srpt_log "note: $sym is not defined in this tree (yet); skipped"
			continue
		fi
		echo "config: wanted $want, got '${got:-unset}'" >&2
		bad=1
	done < "$frag"
	return $bad
}

# Kbuild treats a vanished source file as no dependency at all, so an
# object compiled from a file that the driver no longer has would be
# reused. Delete, in the driver directory of O= build dir $2, every
# object (and the module built from it) whose recorded source is gone.
srpt_prune_stale_objects() {
	local tree=$1 dir=$2/$SRPT_DRV_REL cmd src stem
	[ -d "$dir" ] || return 0
	for cmd in "$dir"/.*.o.cmd; do
		[ -f "$cmd" ] || continue
		case $cmd in *.mod.o.cmd) continue ;; esac
		src=$(sed -n 's/^source_[^ ]* := //p' "$cmd" | head -1)
		[ -n "$src" ] || continue
		case $src in /*) ;; *) src=$tree/$src ;; esac
		[ -e "$src" ] && continue
		stem=$(basename "$cmd" .o.cmd)
		stem=${stem#.}
		srpt_log "pruning stale $stem.o (its source $(basename "$src") is gone)"
		rm -f "$dir/$stem".{o,ko,mod,mod.c,mod.o} "$dir/.$stem".{o,ko,mod,mod.o}.cmd
	done
}

# Serialise the scripts that sync a driver into the shared tree and build
# from it (intree-build.sh, kunit.sh): one at a time, so that a build
# never sees another script's driver. Call in the main shell; the lock
# is held until the script exits.
srpt_lock_tree() {
	mkdir -p "$SRPT_CACHE"
	exec {SRPT_TREE_LOCK_FD}>"$SRPT_CACHE/.tree.lock"
	if ! flock -n "$SRPT_TREE_LOCK_FD"; then
		srpt_log "waiting for another build that uses the tree ($SRPT_CACHE/.tree.lock)"
		flock "$SRPT_TREE_LOCK_FD"
	fi
}

# All of the above; prints the tree directory.
srpt_prepare_tree() {
	local tree
	srpt_setup_deps
	tree=$(srpt_unpack_tree)
	srpt_sync_driver "$tree"
	echo "$tree"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	case ${1:-} in
	--print-dir) srpt_tree_dir ;;
	--setup-deps) srpt_setup_deps ;;
	"") srpt_lock_tree; srpt_prepare_tree ;;
	*) echo "usage: $0 [--print-dir|--setup-deps]" >&2; exit 2 ;;
	esac
fi
