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
# --filter is given; otherwise it is reported as skipped. One with
# "# tcg: single" runs under single-threaded TCG (vm-run.sh --tcg-single):
# the scenarios that switch the function tracer on, which patches kernel
# text while other vCPUs run it.
#
# A pair scenario (header "# pair: pair/NAME-initiator.sh") runs in two
# VMs of one vCPU each, under single-threaded TCG, joined only by a QEMU
# socket network on a free port of 127.0.0.1: tests/vm/NAME.sh is the
# target half (SRPT_ROLE=target, started first, listening, MAC
# 52:54:00:00:00:01, results in DIR/NAME), the named file the initiator
# half (SRPT_ROLE=initiator, connecting, MAC 52:54:00:00:00:02, results in
# DIR/NAME/initiator); both share DIR/NAME/pair at /pair. It passes when
# both halves pass; its checks are those of both. When one VM stops
# without a scenario status, the other is stopped 180 s (times N of
# --wait-scale) later unless it ended by then.
#
# A VM that stops before the scenario started (a boot failure, such as
# the rare TCG panic early in boot) is booted once more (both VMs of a
# pair).
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
tcg_of() {	# "# tcg: single" header, if any
	sed -n '1,10s/^# tcg: *\([a-z]*\).*/\1/p' "$1"
}
pair_of() {	# "# pair: FILE" header: the initiator half, relative to it
	sed -n '1,10s/^# pair: *\([^ ]*\).*/\1/p' "$1"
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

# booted DIR: the VM of results directory DIR reached the scenario
booted() { grep -q '^stage2: kernel' "$1/console.log" 2>/dev/null; }

# run_single SCENARIO DIR TIMEOUT [VM-RUN OPTIONS...]: one VM; sets rc
run_single() {
	local f=$1 dir=$2 t=$3
	shift 3
	rc=0
	"$VMRUN" --module "$mode" --results "$dir" --wait-scale "$wait_scale" \
		--timeout "$t" ${vmargs[@]+"${vmargs[@]}"} "$@" "$f" \
		> "$dir/vm-run.log" 2>&1 || rc=$?
}

# free_port: a TCP port of 127.0.0.1 that no socket uses right now
free_port() {
	local p
	while :; do
		p=$(( 20000 + RANDOM % 40000 ))
		if [ -z "$(ss -Htan "( sport = :$p or dport = :$p )")" ]; then
			echo "$p"
			return
		fi
	done
}

# listening PORT: something listens on 127.0.0.1:PORT
listening() { ss -Hltn "( sport = :$1 )" | grep -q "127\.0\.0\.1:$1 "; }

# stop_vm DIR: stop the QEMU of results directory DIR (its pid file)
stop_vm() {
	local pid
	pid=$(cat "$1/qemu.pid" 2>/dev/null) || return 0
	[[ $pid =~ ^[0-9]+$ ]] && kill -TERM "$pid" 2>/dev/null || true
}

# The results directories of the VMs running now, stopped if this script
# is interrupted.
live_dirs=()
stop_live() {
	local d
	for d in ${live_dirs[@]+"${live_dirs[@]}"}; do
		stop_vm "$d"
	done
}
trap stop_live EXIT
trap 'exit 130' INT TERM

# How long one VM of a pair may go on once the other stopped without a
# scenario status (a panic, the hard timeout).
pair_grace=$(awk -v s="$wait_scale" 'BEGIN { printf "%d", 180 * (s > 1 ? s : 1) }')

# run_pair SCENARIO DIR TIMEOUT [VM-RUN OPTIONS...]: the target half in
# DIR and the initiator half in DIR/initiator, each VM with one vCPU,
# joined by a QEMU socket network and sharing DIR/pair. Sets rc_t and
# rc_i (vm-run's exit status for each, 125 for an initiator never
# started) and killed (the role whose VM this script stopped).
run_pair() {
	local f=$1 dir=$2 t=$3 ini pdir idir port tpid ipid now deadline='' role
	shift 3
	ini=$(dirname "$f")/$(pair_of "$f")
	pdir=$dir/pair idir=$dir/initiator
	rm -rf "$pdir" "$idir"
	mkdir -p "$pdir" "$idir"
	port=$(free_port)
	local common=(--module "$mode" --wait-scale "$wait_scale" --timeout "$t"
		--smp 1 --tcg-single --pair-dir "$pdir" ${vmargs[@]+"${vmargs[@]}"} "$@")
	rc_t='' rc_i='' killed=''
	live_dirs=("$dir" "$idir")
	"$VMRUN" "${common[@]}" --results "$dir" --net-listen "$port" \
		--mac 52:54:00:00:00:01 --env SRPT_ROLE=target "$f" > "$dir/vm-run.log" 2>&1 &
	tpid=$!
	# QEMU listens before the guest starts (after vm-run prepared the
	# initramfs and the module index).
	while ! listening "$port" && kill -0 "$tpid" 2>/dev/null; do
		sleep 0.5
	done
	if listening "$port"; then
		"$VMRUN" "${common[@]}" --results "$idir" --net-connect "$port" \
			--mac 52:54:00:00:00:02 --env SRPT_ROLE=initiator "$ini" \
			> "$idir/vm-run.log" 2>&1 &
		ipid=$!
	else
		echo "test-vm: the target VM never listened on 127.0.0.1:$port" > "$idir/vm-run.log"
		rc_i=125
	fi
	while [ -z "$rc_t" ] || [ -z "$rc_i" ]; do
		if [ -z "$rc_t" ] && ! kill -0 "$tpid" 2>/dev/null; then
			rc_t=0
			wait "$tpid" || rc_t=$?
			pair_ended target "$rc_t" "$pdir"
		fi
		if [ -z "$rc_i" ] && ! kill -0 "$ipid" 2>/dev/null; then
			rc_i=0
			wait "$ipid" || rc_i=$?
			pair_ended initiator "$rc_i" "$pdir"
		fi
		# One VM ended without a scenario status (timeout, panic): the
		# other gets a grace period to notice and finish its checks.
		now=$(date +%s)
		if [ -z "$deadline" ] && { [[ $rc_t == 12[45] ]] || [[ $rc_i == 12[45] ]]; }; then
			deadline=$(( now + pair_grace ))
		fi
		if [ -n "$deadline" ] && [ "$now" -ge "$deadline" ] && [ -z "$killed" ]; then
			role=initiator
			[ -n "$rc_t" ] || role=target
			killed=$role
			echo "test-vm: stopping the $role VM, $pair_grace s after its peer ended" \
				>> "$dir/vm-run.log"
			if [ "$role" = target ]; then stop_vm "$dir"; else stop_vm "$idir"; fi
		fi
		[ -n "$rc_t" ] && [ -n "$rc_i" ] || sleep 1
	done
	live_dirs=()
}

# pair_ended ROLE RC PAIR-DIR: the VM of ROLE ended; unless its scenario
# said it exited, tell the other VM that it aborted
pair_ended() {
	[ -e "$3/$1-exited" ] && return
	echo "the $1 VM stopped (vm-run exit status $2)" > "$3/.$1-aborted.tmp"
	mv -f "$3/.$1-aborted.tmp" "$3/$1-aborted"
}

# tap_counts LOG: failures (not TODO), expected failures, test points
# and the skip reason of a TAP log
tap_counts() {
	nfail=$(grep -E '^not ok ' "$1" | grep -vc '# TODO' || true)
	ntodo=$(grep -cE '^not ok .*# TODO' "$1" || true)
	ntests=$(grep -cE '^(not )?ok ' "$1" || true)
	skip=$(sed -n 's/^1\.\.0 # SKIP \(.*\)/\1/p' "$1")
}

# fail_note RC NFAIL NTESTS: why a run failed (or that it passed, for
# one half of a pair)
fail_note() {
	case $1 in
	124) echo "VM timed out after $t s" ;;
	125) echo "VM stopped without a status (panic?)" ;;
	0) if [ "$2" -eq 0 ] && [ "$3" -gt 0 ]; then
		echo "passed, $3 checks"
	else
		echo "$2 of $3 checks failed (exit 0)"
	fi ;;
	*) echo "$2 of $3 checks failed (exit $1)" ;;
	esac
}

# failing_lines LOG PREFIX: the failed test points of LOG, indented
failing_lines() {
	{ grep -E '^not ok ' "$1" | grep -v '# TODO' | sed "s/^/       $2/" | head -n 20; } || true
}

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
	extra=()
	[ "$(tcg_of "$f")" != single ] || extra+=(--tcg-single)
	pair=$(pair_of "$f")
	t0=$(date +%s)
	for attempt in 1 2; do
		if [ -n "$pair" ]; then
			run_pair "$f" "$dir" "$t" ${extra[@]+"${extra[@]}"}
			rc=$rc_t
			[ "$rc_t" -ne 0 ] || rc=$rc_i
			# Retry only when a VM never reached the scenario.
			retry=0
			{ [ "$rc_t" -eq 125 ] && ! booted "$dir"; } ||
				{ [ "$rc_i" -eq 125 ] && ! booted "$dir/initiator"; } && retry=1
		else
			# vm-run.sh boots a single VM again by itself.
			run_single "$f" "$dir" "$t" ${extra[@]+"${extra[@]}"}
			break
		fi
		[ "$retry" = 1 ] && [ "$attempt" = 1 ] || break
		cp "$dir/console.log" "$dir/console-boot-failure.log" 2>/dev/null || true
		cp "$dir/initiator/console.log" \
			"$dir/console-boot-failure-initiator.log" 2>/dev/null || true
		echo "test-vm: $name: a VM failed to boot; booting the pair again" >&2
	done
	secs=$(( $(date +%s) - t0 ))
	log=$dir/scenario.log
	[ -f "$log" ] || : > "$log"
	tap_counts "$log"
	if [ -n "$pair" ]; then
		ilog=$dir/initiator/scenario.log
		[ -f "$ilog" ] || : > "$ilog"
		t_fail=$nfail t_todo=$ntodo t_tests=$ntests t_skip=$skip
		tap_counts "$ilog"
		i_fail=$nfail i_tests=$ntests
		nfail=$(( t_fail + i_fail )) ntodo=$(( t_todo + ntodo )) ntests=$(( t_tests + i_tests ))
		skip=${t_skip:-$skip}
		# Both halves must have run test points.
		[ "$t_tests" -gt 0 ] && [ "$i_tests" -gt 0 ] || [ -n "$skip" ] || ntests=0
	fi
	if [ "$rc" -eq 0 ] && [ -n "$skip" ]; then
		status=SKIP
		note="$skip"
		skipped=$((skipped + 1))
	elif [ "$rc" -eq 0 ] && [ "$nfail" -eq 0 ] && [ "$ntests" -gt 0 ]; then
		status=PASS
		note="$ntests checks"
		[ -z "$pair" ] || note="$note (target $t_tests, initiator $i_tests)"
		[ "$ntodo" -eq 0 ] || note="$note, $ntodo expected failures (TODO, reference driver)"
		passed=$((passed + 1))
		todo_total=$((todo_total + ntodo))
	else
		status=FAIL
		if [ -n "$pair" ]; then
			stopped="stopped, still running $pair_grace s after its peer ended"
			t_note=$(fail_note "$rc_t" "$t_fail" "$t_tests")
			[ "$killed" != target ] || t_note=$stopped
			i_note=$(fail_note "$rc_i" "$i_fail" "$i_tests")
			[ "$killed" != initiator ] || i_note=$stopped
			note="target: $t_note; initiator: $i_note"
		else
			note=$(fail_note "$rc" "$nfail" "$ntests")
		fi
		failed=$((failed + 1))
	fi
	printf '%-4s %-22s %-11s %4ds  %s\n' "$status" "$name" "$kind" "$secs" "$note"
	if [ "$status" = FAIL ]; then
		if [ -n "$pair" ]; then
			failing_lines "$log" "target: "
			[ "$rc_t" -eq 0 ] || tail -n 3 "$dir/vm-run.log" | sed 's/^/       target: /'
			failing_lines "$ilog" "initiator: "
			[ "$rc_i" -eq 0 ] || tail -n 3 "$dir/initiator/vm-run.log" |
				sed 's/^/       initiator: /'
			echo "       logs: $dir (target), $dir/initiator (initiator)"
		else
			failing_lines "$log" ""
			[ "$rc" -eq 0 ] || tail -n 3 "$dir/vm-run.log" | sed 's/^/       /'
			echo "       logs: $dir"
		fi
	fi
done
echo "test-vm: total $(( $(date +%s) - t_all )) s; $todo_total expected failures (TODO) in reference mode; results in $results"
line="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
