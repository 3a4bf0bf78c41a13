#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Static checks of the driver sources (the repo's top-level *.c and *.h):
#
#   checkpatch <file>  scripts/checkpatch.pl --strict --no-tree -f, per file
#   kernel-doc <file>  scripts/kernel-doc -none, on ib_srpt.c and ib_srpt.h
#   build W=1          out-of-tree build against Debian's installed headers:
#                      make -C /lib/modules/$KREL/build M=<copy> W=1; modpost
#                      resolves every symbol against Debian's Module.symvers
#   sparse C=2         make ... W=1 C=2 (sparse on every file; endianness
#                      checks are always on: __bitwise is unconditional
#                      under __CHECKER__ since v4.10, no __CHECK_ENDIAN__)
#   shell scripts      shellcheck -S warning -x on the test and build
#                      scripts (every tracked *.sh, and .ci/run)
#   host test <file>   each executable tests/host/*.sh (tests of the test
#                      tooling that need no VM), passing when it exits 0
#
#   scripts/static-checks.sh [check-name-glob]   e.g. 'sparse*' or 'checkpatch*'
#
# checkpatch.pl and kernel-doc come from the unpacked linux-source-6.12
# tree (scripts/kernel-tree.sh). The build runs on a copy of the sources in
# ${SRPT_CACHE:-/var/cache/ib_srpt-dev}/build/oot-<krel> so that the repo
# stays clean. A check fails when its tool exits non-zero or reports
# anything at all. Ends with "N passed, N failed"; exits 1 on any failure.
#
# Environment: SRPT_CACHE, KREL (default: newest /lib/modules/6.12*/build),
#   SRPT_KDOC_FLAGS (extra kernel-doc flags, e.g. -Wall),
#   SRPT_REPO (directory with the sources; default this repo).
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/kernel-tree.sh"
set -e
ONLY=${1:-*}

srpt_setup_deps
TREE=$(srpt_unpack_tree)
if [ -z "${KREL:-}" ]; then
	KREL=$(for d in /lib/modules/6.12*/build; do
		[ -f "$d/Makefile" ] && basename "$(dirname "$d")"; done | sort -V | tail -1)
fi
KDIR=/lib/modules/$KREL/build
[ -n "$KREL" ] && [ -f "$KDIR/Makefile" ] ||
	srpt_die "no Debian 6.12 headers in /lib/modules/*/build (run scripts/setup-deps.sh)"
set +e

cd "$SRPT_REPO"
mapfile -t SRCS < <(srpt_repo_sources)
[ ${#SRCS[@]} -gt 0 ] || srpt_die "no .c/.h files in $SRPT_REPO"

npass=0
nfail=0
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

# report NAME STATUS: STATUS 0 and empty $OUT is a pass.
report() {
	if [ "$2" = 0 ] && [ ! -s "$OUT" ]; then
		echo "PASS  $1"
		npass=$((npass + 1))
	else
		echo "FAIL  $1 (exit $2)"
		sed 's/^/      /' "$OUT" | head -200
		nfail=$((nfail + 1))
	fi
}

want() {
	# shellcheck disable=SC2254
	case $1 in $ONLY) return 0 ;; esac
	return 1
}

for f in "${SRCS[@]}"; do
	want "checkpatch $f" || continue
	# TRACE_EVENT()'s layout (TP_STRUCT__entry( ... ) blocks) is the one
	# every trace header uses; --strict objects to exactly that.
	ign=()
	trace_ign=OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT
	case $f in *_trace.h) ign=(--ignore "$trace_ign") ;; esac
	perl "$TREE/scripts/checkpatch.pl" --strict --no-tree --no-summary --quiet \
		--show-types --color=never "${ign[@]}" -f "$f" > "$OUT" 2>&1
	report "checkpatch $f" $?
done

for f in ib_srpt.c ib_srpt.h; do
	want "kernel-doc $f" || continue
	if [ ! -f "$f" ]; then
		echo "missing $f" > "$OUT"
		report "kernel-doc $f" 1
		continue
	fi
	# shellcheck disable=SC2086
	perl "$TREE/scripts/kernel-doc" -none ${SRPT_KDOC_FLAGS:-} "$f" > "$OUT" 2>&1
	report "kernel-doc $f" $?
done

# Documentation as docutils parses it (Debian's python3-docutils, not
# whatever python3 comes first in PATH): a malformed table or title is
# an error Sphinx would also report.
for f in Documentation/*.rst; do
	[ -f "$f" ] || continue
	want "rst $f" || continue
	/usr/bin/python3 - "$f" > "$OUT" 2>&1 <<'PY'
import sys
import docutils.core
with open(sys.argv[1], encoding="utf-8") as f:
	src = f.read()
docutils.core.publish_doctree(src, source_path=sys.argv[1],
	settings_overrides={"report_level": 2, "halt_level": 5})
PY
	report "rst $f" $?
done

if want "shell scripts"; then
	mapfile -t SH < <(git ls-files '*.sh' .ci/run 2>/dev/null)
	if [ ${#SH[@]} -eq 0 ]; then
		echo "no shell scripts found (not a git checkout?)" > "$OUT"
		report "shell scripts" 1
	else
		shellcheck -S warning -x "${SH[@]}" > "$OUT" 2>&1
		report "shell scripts: shellcheck on ${#SH[@]} files" $?
	fi
fi

# Host tests of the test library (no VM): a pass prints nothing here.
for t in tests/host/*.sh; do
	[ -f "$t" ] && [ -x "$t" ] || continue	# not the sourced helpers
	want "host test $t" || continue
	bash "$t" > "$OUT.raw" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then : > "$OUT"; else cp "$OUT.raw" "$OUT"; fi
	report "host test $t: $(tail -n1 "$OUT.raw")" $rc
	rm -f "$OUT.raw"
done

# Out-of-tree builds on a copy, against Debian's headers.
OBJ=$SRPT_CACHE/build/oot-$KREL
mkdir -p "$OBJ"
KEEP=("${SRCS[@]}")
for f in Makefile Kbuild; do
	[ -f "$f" ] && KEEP+=("$f")
done
for f in "$OBJ"/*.c "$OBJ"/*.h "$OBJ"/Makefile "$OBJ"/Kbuild; do
	[ -e "$f" ] || continue
	case " ${KEEP[*]} " in *" $(basename "$f") "*) continue ;; esac
	case $f in *.mod.c) continue ;; esac
	rm -f "$f"
done
for f in "${KEEP[@]}"; do
	srpt_copy_if_changed "$f" "$OBJ/$f" 2>/dev/null
done
MK=(make -C "$KDIR" M="$OBJ" -j"$(nproc)")
# Drop make's chatter and kbuild's progress lines ("  CC [M]  x.o"); what
# remains is what the tools said.
filter() {
	grep -av -e '^make\(\[[0-9]*\]\)\?: \(Entering\|Leaving\) directory' \
		-e '^  [A-Z][A-Z0-9_]* *\(\[M\]\)\? \+[^ ]' \
		-e '^  [A-Z][A-Z0-9_]*  ' \
		-e '^make\(\[[0-9]*\]\)\?: Nothing to be done' || true
}

if want "build W=1"; then
	"${MK[@]}" clean > /dev/null 2>&1
	"${MK[@]}" W=1 modules > "$OUT.raw" 2>&1
	rc=$?
	filter < "$OUT.raw" > "$OUT"
	ko=$(find "$OBJ" -maxdepth 1 -name '*.ko' -printf '%f\n' | sort | xargs echo)
	if [ "$rc" = 0 ] && [ -z "$ko" ]; then
		echo "no module built (does the Makefile use obj-\$(CONFIG_INFINIBAND_SRPT)?)" >> "$OUT"
	fi
	report "build W=1 against $KREL headers (${ko:-no .ko})" $rc
	rm -f "$OUT.raw"
fi

if want "sparse C=2"; then
	# Sparse on exactly the objects kbuild put in the module(s) (from
	# <module>.mod), as single targets: they are up to date after the
	# W=1 build, so C=2 only runs sparse (no recompile, no modpost).
	: > "$OUT"
	objs=()
	while read -r m; do
		m=${m##*/}
		[ -f "$OBJ/${m%.o}.mod" ] || continue
		for o in $(cat "$OBJ/${m%.o}.mod"); do
			objs+=("${o##*/}")
		done
	done < <(cat "$OBJ/modules.order" 2>/dev/null)
	command -v sparse > /dev/null || echo "sparse not installed" >> "$OUT"
	if [ ${#objs[@]} -eq 0 ]; then
		echo "no objects to check (the W=1 build must compile first)" >> "$OUT"
		rc=1
	else
		"${MK[@]}" W=1 C=2 "${objs[@]}" > "$OUT.raw" 2>&1
		rc=$?
		filter < "$OUT.raw" >> "$OUT"
		rm -f "$OUT.raw"
	fi
	report "sparse C=2 against $KREL headers (${objs[*]:-nothing})" $rc
fi

echo "static-checks: sources from $SRPT_REPO, tree $TREE, headers $KDIR"
echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
