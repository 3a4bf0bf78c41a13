#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/vm-run.sh boots a VM once more when its kernel died before the
# scenario started, and never when the scenario had started. QEMU is
# replaced by a stub (first in PATH) that plays one "boot" per call from
# a plan: "panic" prints a panic and stops before stage 2, "ok" reaches
# stage 2 and reports status 0, "crash" reaches stage 2 and stops
# without a status. Nothing is booted. Prints TAP; exits 1 when a case
# does not come out as expected. Run by scripts/static-checks.sh.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d /tmp/vm-boot-retry.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

mkdir -p "$WORK/bin"
cat > "$WORK/bin/qemu-system-x86_64" <<'EOF'
#!/bin/bash
# Stub QEMU: the console file is the path= of the -chardev option.
console=
for a in "$@"; do
	case $a in file,id=ser0,path=*) console=${a#*path=} ;; esac
done
[ -n "$console" ] || exit 1
n=$(( $(cat "$FAKE_QEMU_STATE/boots" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$FAKE_QEMU_STATE/boots"
read -ra plan <<< "$FAKE_QEMU_PLAN"
step=${plan[n - 1]:-ok}
case $step in
panic)	echo "Oops: int3: 0000 [#1] PREEMPT SMP NOPTI" >> "$console"
	echo "Kernel panic - not syncing: Fatal exception in interrupt" >> "$console" ;;
ok)	echo "stage2: kernel fake, module=ref, scenario=x" >> "$console"
	echo 0 > "$(dirname "$console")/exit-status" ;;
crash)	echo "stage2: kernel fake, module=ref, scenario=x" >> "$console"
	echo "Kernel panic - not syncing: Fatal exception" >> "$console" ;;
esac
exit 0
EOF
chmod +x "$WORK/bin/qemu-system-x86_64"
export FAKE_QEMU_STATE=$WORK

# run_case DESC PLAN WANT-RC WANT-BOOTS [VM-RUN OPTIONS...]
run_case() {
	local desc=$1 want_rc=$3 want_boots=$4 rc=0 out boots res
	export FAKE_QEMU_PLAN=$2
	shift 4
	res=$WORK/results-$_n
	rm -f "$WORK/boots"
	out=$(PATH=$WORK/bin:$PATH "$REPO/scripts/vm-run.sh" --module ref \
		--results "$res" --timeout 60 "$@" \
		"$REPO/tests/vm/login-ipv4.sh" 2>&1) || rc=$?
	boots=$(cat "$WORK/boots" 2>/dev/null || echo 0)
	result "$desc" "$([ "$rc" = "$want_rc" ] && [ "$boots" = "$want_boots" ]; echo $?)" \
		"exit status $rc (want $want_rc), $boots boots (want $want_boots), output:
$out"
}

run_case "a boot that reaches the scenario is not repeated" "ok" 0 1
run_case "a kernel that dies before the scenario is booted again" "panic ok" 0 2
res=$WORK/results-$((_n - 1))
result "the failed boot's console is kept" \
	"$(grep -q 'Oops: int3' "$res/console-boot-failure.log" 2>/dev/null &&
		! grep -q 'Oops' "$res/console.log"; echo $?)" \
	"$(cat "$res/console-boot-failure.log" 2>&1)"
run_case "two failed boots: no status (125), no third boot" "panic panic ok" 125 2
run_case "a crash after the scenario started is not retried (125)" "crash ok" 125 1
run_case "a VM with a network link is not retried by vm-run" "panic ok" 125 1 \
	--net-listen 1
tap_end "vm-boot-retry"
