#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/test-debug.sh tells "no debug kernel" (skipped) from "ib_srpt.ko
# does not build against the debug kernel" (failed), tried on the host:
# scripts/debug-kernel.sh --module-only runs against a fake cache (a build
# directory with the "ok" stamp and a stub kernel Makefile that refuses a
# driver containing "#error") and a copy of the driver, and a stub
# debug-kernel.sh stands in for --build. Nothing is compiled or booted:
# the passing case ends in scripts/test-vm.sh --list. Prints TAP; exits 1
# when a case does not come out as expected. Run by scripts/static-checks.sh.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d /tmp/test-debug-exit.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export SRPT_CACHE=$WORK/cache SRPT_REPO=$WORK/repo
mkdir -p "$SRPT_CACHE" "$SRPT_REPO/scripts"
cp "$REPO"/Makefile "$REPO"/ib_srpt.c "$REPO"/ib_srpt.h "$SRPT_REPO/"
cp "$REPO/scripts/debug.config" "$SRPT_REPO/scripts/"

# shellcheck source=tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

# run_case DESC RC LASTLINE-ERE [ARGS...]: test-debug.sh ARGS must exit
# with RC and end with a line matching LASTLINE-ERE
run_case() {
	local desc=$1 want_rc=$2 want_last=$3 rc=0 out
	shift 3
	out=$("$REPO/scripts/test-debug.sh" "$@" 2>&1) || rc=$?
	[ "$rc" = "$want_rc" ] && tail -n1 <<< "$out" | grep -qE -- "$want_last"
	result "$desc" $? "exit status $rc, output:
$out"
}

# debug-kernel.sh --module-only without any debug build: exit 3
rc=0
msg=$("$REPO/scripts/debug-kernel.sh" --module-only 2>&1 >/dev/null) || rc=$?
result "debug-kernel.sh --module-only exits 3 without a debug build" \
	"$([ "$rc" = 3 ]; echo $?)" "exit status $rc: $msg"
B=$(sed -n 's/^debug-kernel: no debug kernel build in //p' <<< "$msg")
result "it names the build directory it looked for" "$([ -n "$B" ]; echo $?)" "$msg"

run_case "test-debug.sh without a debug build: skipped, exit 0" 0 \
	'^0 passed, 0 failed, 1 skipped$' --filter '^login-ipv4$'

# A fake debug build: its Makefile stands in for the kernel's.
mkdir -p "$B/include/config" "$B/arch/x86/boot"
echo 6.12.0-fake > "$B/include/config/kernel.release"
printf 'modules:\n\t@if grep -q "^#error" $(M)/ib_srpt.c; then echo "$(M)/ib_srpt.c: #error" >&2; exit 2; fi\n\t@touch $(M)/ib_srpt.ko\n' \
	> "$B/Makefile"
touch "$B/ok"

rc=0
out=$("$REPO/scripts/debug-kernel.sh" --module-only 2>&1) || rc=$?
result "debug-kernel.sh --module-only builds against the cached kernel: exit 0" \
	"$([ "$rc" = 0 ] && grep -qx "KO=$B/srpt/ib_srpt.ko" <<< "$out"; echo $?)" "$out"
run_case "test-debug.sh with the module built goes on to test-vm.sh" 0 \
	'^login-ipv4 +common' --list --filter '^login-ipv4$'

echo '#error broken on purpose' >> "$SRPT_REPO/ib_srpt.c"
rc=0
out=$("$REPO/scripts/debug-kernel.sh" --module-only 2>&1) || rc=$?
result "debug-kernel.sh --module-only exits 1 when ib_srpt.ko does not build" \
	"$([ "$rc" = 1 ]; echo $?)" "exit status $rc: $out"
run_case "test-debug.sh when ib_srpt.ko does not build: 1 failed, exit 1" 1 \
	'^0 passed, 1 failed$' --filter '^login-ipv4$'

# --build: a stub debug-kernel.sh, no debug build (3) for --module-only,
# the full build's status from STUB_BUILD_RC.
cat > "$WORK/debug-kernel-stub.sh" <<'EOF'
#!/bin/bash
[ "${1:-}" = --module-only ] && exit 3
echo "full build" >> "$STUB_LOG"
[ "$STUB_BUILD_RC" = 0 ] || exit "$STUB_BUILD_RC"
echo "KIMAGE=$STUB_DIR/bzImage"
echo "MODDIR=$STUB_DIR/lib/modules/6.12.0-fake"
echo "KO=$STUB_DIR/ib_srpt.ko"
EOF
chmod +x "$WORK/debug-kernel-stub.sh"
export SRPT_DEBUG_KERNEL_SH=$WORK/debug-kernel-stub.sh STUB_LOG=$WORK/stub.log STUB_DIR=$WORK
STUB_BUILD_RC=1 run_case "test-debug.sh --build when the build fails: 1 failed, exit 1" 1 \
	'^0 passed, 1 failed$' --build --filter '^login-ipv4$'
result "  ... after trying the full build" "$(grep -q 'full build' "$STUB_LOG"; echo $?)"
STUB_BUILD_RC=0 run_case "test-debug.sh --build when the build succeeds goes on to test-vm.sh" 0 \
	'^login-ipv4 +common' --build --list --filter '^login-ipv4$'
STUB_BUILD_RC=0 run_case "test-debug.sh without --build does not build: skipped" 0 \
	'^0 passed, 0 failed, 1 skipped$' --filter '^login-ipv4$'
result "  ... the full build ran twice in all" "$([ "$(grep -c 'full build' "$STUB_LOG")" = 2 ]; echo $?)"

tap_end test-debug-exit
