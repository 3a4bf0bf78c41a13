# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers for the ib_srpt VM scenarios (tests/vm/*.sh). Sourced inside
# the test VM started by scripts/vm-run.sh, never on the host.
#
# Environment (set by vm-run.sh):
#   SRPT_MODULE  ours|ref   which ib_srpt "modprobe ib_srpt" loads
#   SRPT_KO                 path of our ib_srpt.ko (ours mode)
#   WAIT_SCALE              factor applied to every wait (default 1)
#   SRPT_SIZE_DIV           divide data sizes and loop counts by this
#                           (default 1; the debug kernel runs use 8)
#   SRPT_RESULTS_DIR        where to leave logs (default /results)
#   SRPT_ROLE               target|initiator in the two VMs of a pair
#                           scenario, else empty (see "Pairs" below)
#   SRPT_PAIR_DIR           the directory both VMs of a pair share
#                           (default /pair)
#
# A scenario (tests/vm/NAME.sh) looks like:
#   #!/bin/bash
#   # common: one line saying what it checks      <- or "# improvement:"
#   # timeout: 900                                 <- optional, seconds
#   # tcg: single                                  <- optional: one TCG
#                                      thread (needed with ftrace_start)
#   # pair: pair/NAME-initiator.sh                 <- optional: this is
#                    the target half of a two-VM scenario (see "Pairs")
#   # SPDX-License-Identifier: GPL-2.0-only
#   set -euo pipefail
#   # shellcheck source=../lib.sh
#   . "$(dirname "$0")/../lib.sh"
#   srpt_begin
#   must "..." rxe_setup ; check "..." CMD ; improvement "..." CMD
#   srpt_end
#
# Output is TAP on stdout.
#   check DESC CMD...        a test point: passes when CMD succeeds; the
#                            scenario goes on either way (CHECK_OK=1/0)
#   must DESC CMD...         the same, but a failure ends the scenario
#   improvement DESC CMD...  where our driver improves on Debian's: with
#                            the reference driver a failure is an expected
#                            one ("not ok ... # TODO") and counts as none
#   improvement_not_ref DESC REASON CMD...
#                            the same, not even tried with the reference
#                            driver (e.g. because it crashes the kernel)
# An unexpected command failure outside these aborts the scenario (set
# -e) with a "not ok". On every exit path: background jobs are killed,
# at_end commands run, ib_srp logs out, the target is torn down and
# ib_srpt unloaded (a test point), and the kernel log is checked (a test
# point; see tests/kernel-log.sh and tests/dmesg-allowlist.txt).
#
# shellcheck disable=SC2034 # globals are for the scenarios

# ---------------------------------------------------------------------------
# Globals

SRPT_MODULE=${SRPT_MODULE:-ref}
WAIT_SCALE=${WAIT_SCALE:-1}
RESULTS=${SRPT_RESULTS_DIR:-/results}
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCENARIO_FILE=$(readlink -f "$0")
SCENARIO_NAME=$(basename "$0" .sh)
SCENARIO_KIND=unknown
{ read -r _l1; read -r _l2; } < "$SCENARIO_FILE" || true
case ${_l2:-} in
"# common:"*) SCENARIO_KIND=common ;;
"# improvement:"*) SCENARIO_KIND=improvement ;;
esac
unset _l1 _l2

CFS=/sys/kernel/config/target
SRPT_CFS=$CFS/srpt
RXE=rxe0
NETDEV=dummy0
TGT_IP4=192.0.2.1
INI_IP4=192.0.2.2
TGT_IP6=2001:db8::1
INI_IP6=2001:db8::2
# As the target names RDMA/CM initiators: IPv6 fully expanded.
TGT_IP6_NAME=2001:0db8:0000:0000:0000:0000:0000:0001
INI_IP6_NAME=2001:0db8:0000:0000:0000:0000:0000:0002
CM_PORT=5555
SRP_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL=0x00010003
SRP_LOGIN_REJ_CHANNEL_LIMIT_REACHED=0x00010006

RXE_GID=	# 0x + 32 hex digits, the GID-style target port name
RXE_GUID=	# xxxx:xxxx:xxxx:xxxx, the GUID-style target port name
RXE_GUID_HEX=	# 16 hex digits
# The port GUIDs (16 hex digits) of the target and of the initiator: both
# rxe0's in a single VM; in a pair one of them is the other VM's.
TGT_GUID_HEX=
INI_GUID_HEX=

# Pairs: two VMs joined by a network link (scripts/test-vm.sh, "# pair:").
SRPT_ROLE=${SRPT_ROLE:-}
PAIR_DIR=${SRPT_PAIR_DIR:-/pair}
PEER_GUID_HEX=	# the other VM's port GUID (pair_net_setup)

_tap_n=0
_tap_fail=0
_tap_todo=0
_finished=0
_bg_pids=()
_cleanups=()

# ---------------------------------------------------------------------------
# Time and waiting. WAIT_SCALE may be a decimal ("2", "1.5").

_scale_milli=1000
_parse_scale() {
	local int=${WAIT_SCALE%%.*} frac=0
	[[ $WAIT_SCALE == *.* ]] && frac=${WAIT_SCALE#*.}
	frac=${frac}000
	frac=${frac:0:3}
	_scale_milli=$(( 10#${int:-0} * 1000 + 10#$frac ))
	[ "$_scale_milli" -gt 0 ] || _scale_milli=1000
}

# small N -> N divided by SRPT_SIZE_DIV, at least 1: data sizes (MiB)
# and repetition counts, smaller on slow (debug) kernels
SIZE_DIV=${SRPT_SIZE_DIV:-1}
small() {
	local n=$(( $1 / SIZE_DIV ))
	[ "$n" -ge 1 ] || n=1
	echo "$n"
}

# small_size SIZE -> SIZE ("96M", "1G", "4096") divided by SRPT_SIZE_DIV,
# in MiB when that is at least 1 MiB
small_size() {
	local b
	[ "$SIZE_DIV" -gt 1 ] || { echo "$1"; return; }
	b=$(numfmt --from=iec "${1^^}")
	b=$(( b / SIZE_DIV ))
	if [ "$b" -ge 1048576 ]; then
		echo "$(( b / 1048576 ))M"
	else
		echo "$(( (b + 4095) / 4096 * 4096 ))"
	fi
}

# scaled SECONDS -> whole seconds (at least 1), multiplied by WAIT_SCALE
scaled() {
	local s=$(( ($1 * _scale_milli + 999) / 1000 ))
	[ "$s" -ge 1 ] || s=1
	echo "$s"
}

now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $(( t / 1000 ))
}

# A sleep that does not start a process (every fork is expensive under
# TCG): wait on a pipe that never delivers anything.
exec {_sleep_fd}<> <(:)
nap() {
	read -r -t "$1" -u "$_sleep_fd" _ || true
}

# nap_ms MILLISECONDS (not scaled)
nap_ms() {
	local t
	printf -v t '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 ))
	nap "$t"
}

# wait_for SECONDS CMD... : poll CMD until it succeeds; SECONDS is
# multiplied by WAIT_SCALE. Returns 1 on timeout.
wait_for() {
	local secs=$1 deadline
	shift
	deadline=$(( $(now_ms) + secs * _scale_milli ))
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		nap 0.2
	done
}

# run_bounded SECONDS DESC CMD... : run CMD in the background and wait
# for it at most SECONDS (scaled). Prints a diagnostic and returns 124 if
# it is still running then (it is left running: a task stuck in the
# kernel cannot be killed anyway), otherwise CMD's status.
run_bounded() {
	local secs=$1 desc=$2 pid t0 rc
	shift 2
	t0=$(now_ms)
	"$@" &
	pid=$!
	if ! wait_for "$secs" _not_running "$pid"; then
		diag "$desc: still running after $(scaled "$secs") s"
		return 124
	fi
	rc=0
	wait "$pid" || rc=$?
	diag "$desc: exit status $rc after $(( $(now_ms) - t0 )) ms"
	return "$rc"
}

_not_running() { ! kill -0 "$1" 2>/dev/null; }

# ---------------------------------------------------------------------------
# TAP

diag() {
	local l
	while IFS= read -r l; do
		echo "# $l"
	done <<< "$*"
}

tap_ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1"
}

tap_not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_fail=$((_tap_fail + 1))
	echo "not ok $_tap_n - $1"
	[ $# -lt 2 ] || diag "$2"
}

# An expected failure with the reference driver.
tap_todo() {	# tap_todo ok|not DESC REASON
	_tap_n=$((_tap_n + 1))
	if [ "$1" = ok ]; then
		echo "ok $_tap_n - $2 # TODO $3"
	else
		_tap_todo=$((_tap_todo + 1))
		echo "not ok $_tap_n - $2 # TODO $3"
	fi
}

# check DESC CMD... : one test point, passing when CMD succeeds. Returns
# 0 either way (a failed check does not stop the scenario); CHECK_OK is
# 1 or 0 for code that depends on the outcome.
CHECK_OK=1
check() {
	local desc=$1
	shift
	if "$@"; then
		tap_ok "$desc"
		CHECK_OK=1
	else
		tap_not_ok "$desc" "failed: $*"
		CHECK_OK=0
	fi
	return 0
}

# not CMD... : succeeds when CMD fails (for check/improvement)
not() { ! "$@"; }

# improvement_not_ref DESC REASON CMD... : an improvement test point that
# is not even tried with the reference driver (REASON: why, e.g. it
# crashes the kernel); reported as an expected failure there.
improvement_not_ref() {
	local desc=$1 reason=$2
	shift 2
	if [ "$SRPT_MODULE" = ref ]; then
		tap_todo not "$desc" "not run with the reference driver: $reason"
		CHECK_OK=0
		return 0
	fi
	check "$desc" "$@"
}

# improvement DESC CMD... : a test point for behaviour where our driver
# is meant to improve on the reference one. With the reference driver
# it is reported as TODO and never counts as a failure.
improvement() {
	local desc=$1
	shift
	if [ "$SRPT_MODULE" = ref ]; then
		if "$@"; then
			tap_todo ok "$desc" "improvement over the reference driver"
			CHECK_OK=1
		else
			tap_todo not "$desc" "improvement over the reference driver"
			CHECK_OK=0
		fi
		return 0
	fi
	check "$desc" "$@"
}

# must DESC CMD... : like check, but the scenario cannot go on without it:
# a failure ends the scenario (after cleanup and the kernel log check).
must() {
	check "$@"
	[ "$CHECK_OK" = 1 ] || srpt_abort "cannot continue without: $1"
}

srpt_abort() {
	diag "aborting: $*"
	exit 1
}

# ---------------------------------------------------------------------------
# Kernel log

kmsg() { echo "srpt-test: $*" > /dev/kmsg; }

# mark NAME: put a marker into the kernel log (NAME: any text)
mark() { kmsg "mark ${1//[^a-zA-Z0-9_.-]/_}"; }

# log_since NAME: kernel log lines after the last marker NAME
log_since() {
	dmesg | awk -v m="srpt-test: mark ${1//[^a-zA-Z0-9_.-]/_}" '
		{ l[NR] = $0 }
		substr($0, length($0) - length(m) + 1) == m { s = NR }
		END { if (s) for (i = s + 1; i <= NR; i++) print l[i] }'
}

# ftrace_start FUNCTION...: the function tracer on FUNCTION... only, with
# an empty 8 MiB-per-CPU buffer and the global clock (so that the order
# of lines across CPUs is the order of events); read $TRACEFS/trace
# before ftrace_stop, which empties it. A scenario using it needs the
# "# tcg: single" header: switching the tracer patches kernel text (int3
# first), which multi-threaded TCG has been seen to execute stale.
TRACEFS=/sys/kernel/tracing
ftrace_start() {
	[ -e "$TRACEFS/trace_marker" ] || mount -t tracefs nodev "$TRACEFS" || return 1
	echo 0 > "$TRACEFS/tracing_on" &&
		echo nop > "$TRACEFS/current_tracer" &&
		echo global > "$TRACEFS/trace_clock" &&
		echo 8192 > "$TRACEFS/buffer_size_kb" &&
		echo "$*" > "$TRACEFS/set_ftrace_filter" &&
		echo function > "$TRACEFS/current_tracer" &&
		echo > "$TRACEFS/trace" &&
		echo 1 > "$TRACEFS/tracing_on"
}
ftrace_stop() {
	echo 0 > "$TRACEFS/tracing_on"
	echo nop > "$TRACEFS/current_tracer"
	echo > "$TRACEFS/set_ftrace_filter"
}

# ---------------------------------------------------------------------------
# targetcli

# targetcli_ready: what targetcli-fb needs in the guest (must): the
# system D-Bus and a HOME
targetcli_ready() {
	mkdir -p /run/dbus
	must "system D-Bus for targetcli" dbus-daemon --system --fork
	export HOME=${HOME:-/root}
}

# tcli NAME: run the targetcli commands on stdin, keep the output in
# targetcli-NAME.log
tcli() { targetcli > "$RESULTS/targetcli-$1.log" 2>&1; }

# tcli_clear: targetcli clearconfig; tcli_restore FILE: restoreconfig
tcli_clear() { printf 'clearconfig confirm=True\nexit\n' | tcli clear; }
tcli_restore() { printf 'restoreconfig %s\nexit\n' "$1" | tcli restore; }

# ---------------------------------------------------------------------------
# Soft-RoCE

_read1() {	# _read1 FILE -> first line of FILE
	local v=
	{ IFS= read -r v < "$1"; } 2>/dev/null || true
	echo "$v"
}

rxe_port_active() {
	local s
	s=$(_read1 /sys/class/infiniband/$RXE/ports/1/state 2>/dev/null) || return 1
	[[ $s == *ACTIVE* ]]
}

# rxe_setup: dummy0 with the target and second initiator addresses
# (IPv4 and IPv6) and a soft-RoCE device rxe0 on it.
rxe_setup() {
	modprobe rdma_rxe
	ip link add "$NETDEV" type dummy
	ip addr add "$TGT_IP4/24" dev "$NETDEV"
	ip addr add "$INI_IP4/24" dev "$NETDEV"
	ip -6 addr add "$TGT_IP6/64" dev "$NETDEV" nodad
	ip -6 addr add "$INI_IP6/64" dev "$NETDEV" nodad
	ip link set "$NETDEV" up
	rdma link add "$RXE" type rxe netdev "$NETDEV"
	rxe_read_ids
}

# rxe_read_ids: wait for rxe0's port to become active, then set RXE_GID,
# RXE_GUID, RXE_GUID_HEX from it and TGT_GUID_HEX, INI_GUID_HEX to
# RXE_GUID_HEX
rxe_read_ids() {
	wait_for 15 rxe_port_active || { diag "$RXE port not active"; return 1; }
	local gid
	gid=$(_read1 /sys/class/infiniband/$RXE/ports/1/gids/0)
	RXE_GID=0x${gid//:/}
	RXE_GUID=$(_read1 /sys/class/infiniband/$RXE/node_guid)
	RXE_GUID_HEX=${RXE_GUID//:/}
	[[ $RXE_GID =~ ^0x[0-9a-f]{32}$ ]] || { diag "bad GID $gid"; return 1; }
	[[ $RXE_GUID_HEX =~ ^[0-9a-f]{16}$ ]] || { diag "bad GUID $RXE_GUID"; return 1; }
	TGT_GUID_HEX=$RXE_GUID_HEX
	INI_GUID_HEX=$RXE_GUID_HEX
	diag "rxe0: gid $RXE_GID guid $RXE_GUID"
}

# ---------------------------------------------------------------------------
# Pairs: the target and the initiator in two VMs, joined by a virtio-net
# link (scripts/vm-run.sh --net-listen/--net-connect) and sharing
# PAIR_DIR. A pair scenario is tests/vm/NAME.sh, the target half, with a
# "# pair: pair/NAME-initiator.sh" header naming the initiator half. The
# halves synchronise through files in PAIR_DIR: pair_set NAME [VALUE],
# pair_wait NAME SECONDS. Whenever a half ends, it leaves ROLE-exited
# there, and ROLE-aborted too when it did not get to srpt_end (so does
# scripts/test-vm.sh for a VM that stopped without either); pair_wait
# fails as soon as the other half has gone.

# _pair_peer: the role of the other VM
_pair_peer() {
	if [ "$SRPT_ROLE" = target ]; then echo initiator; else echo target; fi
}

# pair_set NAME [VALUE]: publish VALUE (default 1) as PAIR_DIR/NAME,
# atomically (written aside, then renamed)
pair_set() {
	local tmp=$PAIR_DIR/.$1.$SRPT_ROLE.tmp
	printf '%s\n' "${2:-1}" > "$tmp" && mv -f "$tmp" "$PAIR_DIR/$1"
}

# _pair_seen NAME PEER: NAME is there, or PEER has gone
_pair_seen() {
	[ -e "$PAIR_DIR/$1" ] || [ -e "$PAIR_DIR/$2-aborted" ] || [ -e "$PAIR_DIR/$2-exited" ]
}

# pair_wait NAME SECONDS: wait (SECONDS, scaled) for PAIR_DIR/NAME and
# print its content; fails (with a diagnostic) on timeout and as soon as
# the other VM's half has ended without publishing NAME
pair_wait() {
	local name=$1 peer why
	peer=$(_pair_peer)
	if ! wait_for "$2" _pair_seen "$name" "$peer"; then
		diag "no $name from the $peer VM after $(scaled "$2") s" >&2
		return 1
	fi
	if [ ! -e "$PAIR_DIR/$name" ]; then
		why=$(cat "$PAIR_DIR/$peer-aborted" 2>/dev/null) ||
			why="its scenario exited with status $(cat "$PAIR_DIR/$peer-exited")"
		diag "no $name: the $peer VM's half ended: $why" >&2
		return 1
	fi
	cat "$PAIR_DIR/$name"
}

# The target half can answer questions about its own state while the
# initiator half works: pair_serve UNTIL runs in the target VM until the
# initiator publishes UNTIL (or ends), answering each pair_ask QUESTION
# of the initiator VM with the output of the target function of that
# name; the questions it knows are in PAIR_QUESTIONS.
PAIR_QUESTIONS="target_qps"
_pair_asked=0
pair_ask() {
	_pair_asked=$((_pair_asked + 1))
	pair_set "ask-$_pair_asked" "$1" &&
		pair_wait "answer-$_pair_asked" 30 &&
		rm -f "$PAIR_DIR/answer-$_pair_asked"
}
_pair_answer() {	# _pair_answer ASK-FILE
	local q n=${1##*/ask-} v
	q=$(cat "$1")
	rm -f "$1"
	if [[ " $PAIR_QUESTIONS " == *" $q "* ]]; then
		v=$("$q")
	else
		v="unknown question $q"
	fi
	pair_set "answer-$n" "$v"
}
pair_serve() {
	local f
	while ! _pair_seen "$1" initiator; do
		for f in "$PAIR_DIR"/ask-*; do
			[ -e "$f" ] && _pair_answer "$f"
		done
		nap 0.2
	done
}

# _pair_nic: the network interface of a (virtio) device
_pair_nic() {
	local d
	for d in /sys/class/net/*; do
		[ -e "$d/device" ] || continue
		echo "${d##*/}"
		return 0
	done
	return 1
}

# ping_once ADDRESS: one ICMP echo (iputils' ping, else busybox's)
# answered within 2 s
ping_once() {
	if command -v ping >/dev/null; then
		ping -c 1 -W 2 "$1" >/dev/null 2>&1
	else
		busybox ping -c 1 -W 2 "$1" >/dev/null 2>&1
	fi
}

# pair_net_setup: the virtio NIC (NETDEV) with the role's IPv4 and IPv6
# addresses (target TGT_IP4/TGT_IP6, initiator INI_IP4/INI_IP6), rxe0 on
# it (RXE_GID, RXE_GUID, RXE_GUID_HEX: this VM's), the GUIDs exchanged
# (PEER_GUID_HEX; TGT_GUID_HEX and INI_GUID_HEX per role) and the other
# VM answering pings on both addresses
pair_net_setup() {
	local ip4 ip6 peer4 peer6 a
	case $SRPT_ROLE in
	target) ip4=$TGT_IP4 ip6=$TGT_IP6 peer4=$INI_IP4 peer6=$INI_IP6 ;;
	initiator) ip4=$INI_IP4 ip6=$INI_IP6 peer4=$TGT_IP4 peer6=$TGT_IP6 ;;
	*) diag "SRPT_ROLE is '$SRPT_ROLE', not target or initiator"; return 1 ;;
	esac
	[ -d "$PAIR_DIR" ] || { diag "no pair directory $PAIR_DIR"; return 1; }
	modprobe virtio_net || return 1
	wait_for 15 _pair_nic >/dev/null || { diag "no virtio network interface"; return 1; }
	NETDEV=$(_pair_nic)
	ip addr add "$ip4/24" dev "$NETDEV" &&
		ip -6 addr add "$ip6/64" dev "$NETDEV" nodad &&
		ip link set "$NETDEV" up || return 1
	modprobe rdma_rxe && rdma link add "$RXE" type rxe netdev "$NETDEV" || return 1
	rxe_read_ids || return 1
	pair_set "$SRPT_ROLE-guid" "$RXE_GUID_HEX" || return 1
	PEER_GUID_HEX=$(pair_wait "$(_pair_peer)-guid" 300) || return 1
	[[ $PEER_GUID_HEX =~ ^[0-9a-f]{16}$ ]] || { diag "bad peer GUID '$PEER_GUID_HEX'"; return 1; }
	if [ "$SRPT_ROLE" = target ]; then
		INI_GUID_HEX=$PEER_GUID_HEX
	else
		TGT_GUID_HEX=$PEER_GUID_HEX
	fi
	for a in "$peer4" "$peer6"; do
		wait_for 20 ping_once "$a" && continue
		diag "the $(_pair_peer) VM ($a) does not answer pings on $NETDEV"
		return 1
	done
	diag "$SRPT_ROLE VM: $NETDEV $ip4 $ip6; the $(_pair_peer) VM's GUID is" \
		"$PEER_GUID_HEX, it answers at $peer4 and $peer6"
}

# _pair_exit STATUS: tell the other VM that this half has ended, and that
# it aborted when STATUS (the scenario's exit status before the final
# checks) is not 0
_pair_exit() {
	[ -n "$SRPT_ROLE" ] && [ -d "$PAIR_DIR" ] || return 0
	[ "$1" -eq 0 ] || pair_set "$SRPT_ROLE-aborted" "the $SRPT_ROLE's scenario failed (status $1)"
	pair_set "$SRPT_ROLE-exited" "$1"
}

# ---------------------------------------------------------------------------
# Target module

# build id of a loaded module / of a module file, as hex
_loaded_build_id() {
	od -An -v -tx1 "/sys/module/$1/notes/.note.gnu.build-id" 2>/dev/null |
		tr -d ' \n'
}
_file_build_id() {
	local f=$1 tmp
	case $f in
	*.xz) tmp=$(mktemp); xz -dc "$f" > "$tmp"; f=$tmp ;;
	*.zst) tmp=$(mktemp); zstd -qdc "$f" > "$tmp"; f=$tmp ;;
	esac
	readelf -n "$f" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p'
	[ -z "${tmp:-}" ] || rm -f "$tmp"
}

# target_load: load the target core and ib_srpt and check that the one
# loaded is the one asked for (ours or the distribution's).
target_load() {
	modprobe -a ib_core ib_cm rdma_cm target_core_mod || return 1
	modprobe ib_srpt || return 1
	local want got file
	if [ "$SRPT_MODULE" = ours ]; then
		file=${SRPT_KO_INSTALLED:-$SRPT_KO}
	else
		file=$(modinfo -F filename ib_srpt)
		case $file in
		*/kernel/drivers/infiniband/ulp/srpt/ib_srpt.ko*) ;;
		*) diag "reference mode but modprobe resolves ib_srpt to $file"; return 1 ;;
		esac
	fi
	want=$(_file_build_id "$file")
	got=$(_loaded_build_id ib_srpt)
	if [ -z "$want" ] || [ "${got: -${#want}}" != "$want" ]; then
		diag "loaded ib_srpt build id ${got: -40} is not that of $file ($want)"
		return 1
	fi
	diag "ib_srpt ($SRPT_MODULE) loaded from $file"
	[ -d "$SRPT_CFS" ] || mkdir "$SRPT_CFS" || return 1
}

# target_listen [PORT]: the RDMA/CM listener
target_listen() {
	echo "${1:-$CM_PORT}" > "$SRPT_CFS/discovery_auth/rdma_cm_port"
}

module_loaded() { [ -d "/sys/module/$1" ]; }

# target_clear: remove every srpt port, TPG, LUN, ACL and then all
# backstores. Works whatever state the tree is in.
target_clear() {
	local rc=0 p t a l m
	if [ -d "$SRPT_CFS" ]; then
		for p in "$SRPT_CFS"/*/; do
			p=${p%/}
			[ -d "$p" ] || continue
			case ${p##*/} in discovery_auth) continue ;; esac
			for t in "$p"/tpg*; do
				[ -d "$t" ] || continue
				# ACLs: mapped LUN links, mapped LUNs, the ACL.
				for a in "$t"/acls/*; do
					[ -d "$a" ] || continue
					for l in "$a"/lun_*; do
						[ -d "$l" ] || continue
						for m in "$l"/*; do
							[ -L "$m" ] && { rm -f "$m" || rc=1; }
						done
						rmdir "$l" || rc=1
					done
					rmdir "$a" || rc=1
				done
				[ -e "$t/enable" ] && { echo 0 > "$t/enable" || true; }
				for l in "$t"/lun/lun_*; do
					[ -d "$l" ] || continue
					for m in "$l"/*; do
						[ -L "$m" ] && { rm -f "$m" || rc=1; }
					done
					rmdir "$l" || rc=1
				done
				rmdir "$t" || rc=1
			done
			rmdir "$p" || rc=1
		done
	fi
	for p in "$CFS"/core/*_[0-9]*/*/; do
		p=${p%/}
		[ -d "$p" ] || continue
		rmdir "$p" || rc=1
	done
	for p in "$CFS"/core/*_[0-9]*/; do
		[ -d "$p" ] && { rmdir "$p" || rc=1; }
	done
	return $rc
}

# target_unload [SECONDS]: clear everything, remove the srpt fabric
# directory and unload ib_srpt, within SECONDS (scaled; default 60).
target_unload() {
	local secs=${1:-60}
	target_clear || { diag "target_clear failed"; return 1; }
	if [ -d "$SRPT_CFS" ]; then
		rmdir "$SRPT_CFS" || { diag "rmdir $SRPT_CFS failed"; return 1; }
	fi
	module_loaded ib_srpt || return 0
	run_bounded "$secs" "modprobe -r ib_srpt" modprobe -r ib_srpt || return 1
	! module_loaded ib_srpt
}

# ---------------------------------------------------------------------------
# Target configuration (configfs)

# tpg_create NAME [TPG]: create port NAME (RXE_GID or RXE_GUID) with a
# TPG (default tpg_1), print the TPG path.
tpg_create() {
	local port=$SRPT_CFS/$1 tpg=${2:-tpg_1}
	[ -d "$port" ] || mkdir "$port" || return 1
	mkdir "$port/$tpg" || return 1
	echo "$port/$tpg"
}

# backstore_rd NAME MB: ramdisk backstore, prints its configfs path
_hba_n=0
backstore_rd() {
	local d=$CFS/core/rd_mcp_$_hba_n/$1
	_hba_n=$((_hba_n + 1))
	mkdir -p "$d" || return 1
	echo "rd_pages=$(( $2 * 256 ))" > "$d/control" || return 1
	echo 1 > "$d/enable" || return 1
	echo "$d"
}

# backstore_fileio NAME FILE MB: fileio backstore on FILE
backstore_fileio() {
	local d=$CFS/core/fileio_$_hba_n/$1
	_hba_n=$((_hba_n + 1))
	mkdir -p "$d" || return 1
	echo "fd_dev_name=$2,fd_dev_size=$(( $3 * 1048576 ))" > "$d/control" || return 1
	echo 1 > "$d/enable" || return 1
	echo "$d"
}

# nullb_create NAME MB [BLOCKSIZE]: a memory-backed null_blk device
# (512-byte blocks unless given), prints its /dev path
nullb_create() {
	module_loaded null_blk || modprobe null_blk nr_devices=0 || return 1
	local d=/sys/kernel/config/nullb/$1
	mkdir "$d" || return 1
	echo "$2" > "$d/size" || return 1
	echo 1 > "$d/memory_backed" || return 1
	echo "${3:-512}" > "$d/blocksize" || return 1
	echo 1 > "$d/power" || return 1
	wait_for 10 test -b "/dev/$1" || return 1
	echo "/dev/$1"
}

nullb_remove() {
	local d=/sys/kernel/config/nullb/$1
	[ -d "$d" ] || return 0
	echo 0 > "$d/power" && rmdir "$d"
}

# backstore_iblock NAME DEV: iblock backstore on a block device
backstore_iblock() {
	local d=$CFS/core/iblock_$_hba_n/$1
	_hba_n=$((_hba_n + 1))
	mkdir -p "$d" || return 1
	echo "udev_path=$2" > "$d/control" || return 1
	echo 1 > "$d/enable" || return 1
	echo "$d"
}

# lun_add TPG LUN BACKSTORE: export BACKSTORE as LUN
lun_add() {
	mkdir "$1/lun/lun_$2" || return 1
	ln -s "$3" "$1/lun/lun_$2/$(basename "$3")"
}

# acl_add TPG NAME [LUN...]: an ACL for initiator NAME with the given TPG
# LUNs mapped to the same LUN numbers
acl_add() {
	local tpg=$1 name=$2 l
	shift 2
	mkdir "$tpg/acls/$name" || return 1
	for l in "$@"; do
		mkdir "$tpg/acls/$name/lun_$l" || return 1
		ln -s "$tpg/lun/lun_$l" "$tpg/acls/$name/lun_$l/lun_$l" || return 1
	done
}

# acl_del TPG NAME
acl_del() {
	local a=$1/acls/$2 l m
	for l in "$a"/lun_*; do
		[ -d "$l" ] || continue
		for m in "$l"/*; do
			[ -L "$m" ] && { rm -f "$m" || return 1; }
		done
		rmdir "$l" || return 1
	done
	rmdir "$a"
}

# tpg_demo_mode TPG: let any initiator in, all LUNs read-write
tpg_demo_mode() {
	local a=$1/attrib
	echo 1 > "$a/generate_node_acls" &&
		echo 1 > "$a/cache_dynamic_acls" &&
		echo 0 > "$a/demo_mode_write_protect"
}

tpg_enable() { echo 1 > "$1/enable"; }
tpg_disable() { echo 0 > "$1/enable"; }

# The initiator port ID as ib_srp sends it: initiator_ext then the port
# GUID; the ACL name for GID-named target ports.
iport_acl_name() {	# iport_acl_name INITIATOR_EXT(16 hex)
	echo "0x$1$INI_GUID_HEX"
}

# target_basic PORTNAME ACLNAME [MB [TPGNAME]]: the usual single-LUN
# target: a ramdisk as LUN 0, one ACL, listener on CM_PORT, TPG (default
# tpg_1) enabled. Sets TPG.
TPG=
target_basic() {
	local port=$1 acl=$2 mb=${3:-64} bs
	TPG=$(tpg_create "$port" "${4:-}") || return 1
	bs=$(backstore_rd rd0 "$mb") || return 1
	lun_add "$TPG" 0 "$bs" || return 1
	acl_add "$TPG" "$acl" 0 || return 1
	tpg_enable "$TPG" || return 1
	target_listen "$CM_PORT" || return 1
}

# setup_target MB [IB_SRP PARAMS...]: the usual first steps, each a
# "must" test point: soft-RoCE, ib_srpt, a GID-named port with a MB MiB
# ramdisk as LUN 0 and an ACL for initiator_ext 1 (named in $acl), then
# ib_srp loaded with the given module parameters
setup_target() {
	local mb=$1
	shift
	must "soft-RoCE rxe0 on dummy0" rxe_setup
	must "ib_srpt ($SRPT_MODULE) loaded" target_load
	acl=$(iport_acl_name 0000000000000001)
	must "target: port $RXE_GID, $mb MiB ramdisk LUN 0, ACL $acl" \
		target_basic "$RXE_GID" "$acl" "$mb"
	must "ib_srp loaded${*:+ ($*)}" initiator_load "$@"
}

# setup_two_luns RD_MB NB_MB [IB_SRP PARAMS...]: like setup_target, with
# LUN 0 a RD_MB MiB ramdisk and LUN 1 iblock on null_blk nb1 (NB_MB MiB,
# 512-byte blocks; its device in $nb), both in the ACL $acl
setup_two_luns() {
	local rd_mb=$1 nb_mb=$2 rd='' ib=''
	shift 2
	must "soft-RoCE rxe0 on dummy0" rxe_setup
	must "ib_srpt ($SRPT_MODULE) loaded" target_load
	acl=$(iport_acl_name 0000000000000001)
	TPG='' nb=''
	must "TPG on port $RXE_GID" eval 'TPG=$(tpg_create "$RXE_GID")'
	must "ramdisk backstore, $rd_mb MiB" eval 'rd=$(backstore_rd rd0 "$rd_mb")'
	must "null_blk device nb1, $nb_mb MiB, 512-byte blocks, memory backed" \
		eval 'nb=$(nullb_create nb1 "$nb_mb" 512)'
	at_end "nullb_remove nb1"
	must "iblock backstore on $nb" eval 'ib=$(backstore_iblock ib1 "$nb")'
	must "LUN 0 = ramdisk" lun_add "$TPG" 0 "$rd"
	must "LUN 1 = iblock" lun_add "$TPG" 1 "$ib"
	must "ACL $acl with LUNs 0 and 1" acl_add "$TPG" "$acl" 0 1
	must "TPG enabled, listening" eval 'tpg_enable "$TPG" && target_listen "$CM_PORT"'
	must "ib_srp loaded${*:+ ($*)}" initiator_load "$@"
}

# channels_sum FILE KEY: KEY's value summed over the lines of a
# channels file (an ACL's or a TPG's); fails if FILE cannot be read
channels_sum() {
	[ -r "$1" ] || return 1
	grep -o "\(^\| \)$2=[0-9]*" "$1" | awk -F= '{ n += $2 } END { print n + 0 }'
}

# field LINE KEY: the value of KEY in a line of a channels file
field() { grep -o "\(^\| \)$2=[^ ]*" <<< "$1" | sed 's/^ //; s/^[^=]*=//'; }

# chan_counter ACL KEY: KEY summed over the ACL's channels (the target's
# own count; fails for the reference driver, which has no such file)
chan_counter() { channels_sum "$TPG/acls/$1/channels" "$2"; }

# rport_tune RECONNECT FAST_IO_FAIL: reconnect_delay and fast_io_fail_tmo
# (seconds, or "off") of every ib_srp remote port
rport_tune() {
	local p
	for p in /sys/class/srp_remote_ports/port-*; do
		echo "$1" > "$p/reconnect_delay" &&
			echo "$2" > "$p/fast_io_fail_tmo" || return 1
	done
}

# login_disk [ADD_TARGET OPTIONS...]: log in; DISK is LUN 0 (must)
login_disk() {
	must "login${*:+ ($*)}" srp_login "$@"
	must "disk of LUN 0 appears" srp_get_disk "$SRP_HOST" 0
}

# ---------------------------------------------------------------------------
# Initiator (ib_srp)

# initiator_load [ib_srp PARAMS...]
initiator_load() {
	modprobe ib_srp "$@" || return 1
	modprobe sd_mod || return 1
	wait_for 10 test -e /sys/class/infiniband_srp/srp-$RXE-1/add_target
}

# ib_srp SCSI hosts, one per line (hostN)
srp_hosts() {
	local h n
	for h in /sys/class/scsi_host/host*; do
		[ -e "$h/proc_name" ] || continue
		n=$(_read1 "$h/proc_name")
		[ "$n" = ib_srp ] && echo "${h##*/}"
	done
	return 0
}

srp_no_hosts() { [ -z "$(srp_hosts)" ]; }

SRP_HOST=
SRP_LOGIN_ERR=
# srp_login [KEY=VALUE...]: log in. Defaults: id_ext and ioc_guid the
# target's GUID (TGT_GUID_HEX: rxe0's, or the target VM's in a pair),
# initiator_ext 0000000000000001, dest TGT_IP4:CM_PORT; arguments
# override or add to these. On success SRP_HOST is the new SCSI host.
srp_login() {
	local -A kv=([id_ext]=$TGT_GUID_HEX [ioc_guid]=$TGT_GUID_HEX
		[initiator_ext]=0000000000000001 [dest]=$TGT_IP4:$CM_PORT)
	local order=(id_ext ioc_guid initiator_ext dest) a k s before h err
	for a in "$@"; do
		k=${a%%=*}
		[ -n "${kv[$k]+x}" ] || order+=("$k")
		kv[$k]=${a#*=}
	done
	s=
	for k in "${order[@]}"; do
		s+=${s:+,}$k=${kv[$k]}
	done
	before=" $(srp_hosts | tr '\n' ' ') "
	SRP_HOST=
	SRP_LOGIN_ERR=
	if ! err=$( { echo "$s" > /sys/class/infiniband_srp/srp-$RXE-1/add_target; } 2>&1 ); then
		SRP_LOGIN_ERR=${err##*: }
		diag "login ($s) failed: $SRP_LOGIN_ERR"
		return 1
	fi
	for h in $(srp_hosts); do
		[[ $before == *" $h "* ]] || SRP_HOST=$h
	done
	if [ -z "$SRP_HOST" ]; then
		diag "login ($s) succeeded but no new ib_srp host"
		return 1
	fi
	# In a pair, ib_srpt runs in the other VM: its half checks that.
	[ "$SRPT_ROLE" = initiator ] || force_mr_in_use
}

# force_mr_asked: whether the kernel command line forces memory
# registration (ib_core exports no sysfs file for the parameter)
force_mr_asked() { grep -qw 'ib_core.force_mr=1' /proc/cmdline; }

# Under ib_core.force_mr=1, rdma_rw gives every QP of ib_srpt a pool of
# memory registrations; a run that registered nothing would prove
# nothing about the paths real HCAs take. Succeeds without force_mr.
# srp_login checks it, except in the initiator VM of a pair: there the
# target half checks it once the initiator is logged in.
force_mr_in_use() {
	local n
	force_mr_asked || return 0
	n=$(rdma res show mr 2>/dev/null | grep -c 'comm \[ib_srpt\]' || true)
	if [ "$n" -eq 0 ]; then
		diag "ib_core.force_mr=1, but ib_srpt has no memory registration"
		return 1
	fi
	diag "ib_core.force_mr=1: ib_srpt holds $n memory registrations"
}

# srp_disk HOST LUN: print /dev/sdX of LUN behind HOST, if present
srp_disk() {
	local b
	for b in /sys/class/scsi_host/"$1"/device/target*/*:*:*:"$2"/block/*; do
		[ -e "$b" ] || continue
		[ -b "/dev/${b##*/}" ] || continue
		echo "/dev/${b##*/}"
		return 0
	done
	return 1
}

# srp_wait_disk HOST LUN: wait for the disk and print it
srp_wait_disk() {
	wait_for 30 srp_disk "$1" "$2" >/dev/null || {
		# stderr: the caller captures stdout
		diag "no disk for LUN $2 behind $1;" \
			"devices: $(cd /sys/class/scsi_host/"$1"/device 2>&1 && echo target*/*:*:*:*/block/*);" \
			"nodes: $(ls -l /dev/sd* 2>&1 | tr '\n' ' ')" >&2
		return 1
	}
	srp_disk "$1" "$2"
}

# srp_get_disk HOST LUN: wait for the disk of LUN behind HOST, set DISK
DISK=
srp_get_disk() {
	DISK=$(srp_wait_disk "$1" "$2") && [ -n "$DISK" ]
}

# disk_vendor_is DISK VENDOR: the SCSI vendor of DISK
disk_vendor_is() {
	local v
	v=$(_read1 "/sys/block/${1#/dev/}/device/vendor")
	[ "${v%% *}" = "$2" ]
}

# srp_logout_all: remove every SRP remote port and wait until no ib_srp
# host is left. ib_srp may reconnect a port being deleted, so look again
# after a while and repeat if needed.
srp_logout_all() {
	local _ p
	for _ in 1 2 3 4 5; do
		for p in /sys/class/srp_remote_ports/port-*; do
			[ -e "$p/delete" ] && { echo 1 > "$p/delete" 2>/dev/null || true; }
		done
		wait_for 30 srp_no_hosts || continue
		nap_ms $(( _scale_milli / 2 ))
		srp_no_hosts && return 0
	done
	diag "ib_srp hosts still present: $(srp_hosts | tr '\n' ' ')"
	return 1
}

# rc_qps: RC queue pairs on the RDMA devices, the target's and the
# initiator's channels together (rdma res); 0 once everyone logged out
# and every channel is released
rc_qps() {
	rdma res show qp 2>/dev/null | grep -c 'type RC' || true
}
no_rc_qps() { [ "$(rc_qps)" -eq 0 ]; }

# all_released: after a logout, within a bound no RC QP is left
all_released() {
	wait_for 60 no_rc_qps || { diag "RC QPs left: $(rc_qps)"; return 1; }
}

# _module_qps MODULE: RC QPs of MODULE's connections: those it created
# itself (rdma res: comm [MODULE]) and those rdma_cm created for its
# RDMA/CM connections (comm [rdma_cm], known by the QP number of one of
# MODULE's cm_ids)
_module_qps() {
	{ rdma res show cm_id; echo '=='; rdma res show qp; } 2>/dev/null |
		awk -v m=" comm [$1]" '
		function lqpn(i) { for (i = 1; i < NF; i++) if ($i == "lqpn") return $(i + 1); return "" }
		$0 == "==" { qps = 1; next }
		!qps && index($0, m) && lqpn() != "" { cm[lqpn()] = 1 }
		qps && / type RC / && (index($0, m) || (lqpn() in cm)) { n++ }
		END { print n + 0 }'
}

# target_qps: QPs of ib_srpt's channels (0 once the target closed every
# session); initiator_qps: those of ib_srp
target_qps() { _module_qps ib_srpt; }
initiator_qps() { _module_qps ib_srp; }

# target_qps_become N [SECONDS]: within SECONDS (scaled, default 30)
# ib_srpt holds exactly N channel QPs
_qps_want=0
_target_qps_is() { [ "$(target_qps)" -eq "$_qps_want" ]; }
target_qps_become() {
	_qps_want=$1
	wait_for "${2:-30}" _target_qps_is ||
		{ diag "ib_srpt holds $(target_qps) QP(s), not $1"; return 1; }
}

# target_released [SECONDS]: the target closed every session: within
# SECONDS (scaled, default 30) ib_srpt holds no QP
target_released() { target_qps_become 0 "${1:-30}"; }

# target_matches_initiator [SECONDS]: the target closed the channels of
# ib_srp's earlier logins: within SECONDS (scaled, default 30) it holds
# as many QPs as ib_srp, and at least one
_qps_match() {
	local t i
	t=$(target_qps) i=$(initiator_qps)
	[ "$t" -eq "$i" ] && [ "$t" -gt 0 ]
}
target_matches_initiator() {
	wait_for "${1:-30}" _qps_match ||
		{ diag "ib_srpt holds $(target_qps) QP(s), ib_srp $(initiator_qps)"; return 1; }
}

# sectors_done [DEV]: sectors read and written on block device DEV
# (default $DISK) so far
sectors_done() {
	local r w mm
	mm=$(stat -Lc '%t %T' "${1:-$DISK}") || return 1
	read -r _ _ r _ _ _ w _ < "/sys/dev/block/$((16#${mm% *})):$((16#${mm#* }))/stat"
	echo $((r + w))
}

# io_flows [SECONDS [DEV]]: I/O completes on DEV (default $DISK) within
# SECONDS (scaled, default 10)
io_flows() {
	local s0 dev=${2:-$DISK}
	s0=$(sectors_done "$dev")
	wait_for "${1:-10}" eval '[ "$(sectors_done "$dev")" -gt "$s0" ]'
}

# Device-mapper devices without udev (dmsetup makes the /dev/mapper node
# itself): dm_create NAME TABLE, dm_reload NAME TABLE (the suspend first
# sends the bios that the old table holds back on their way),
# dm_remove NAME.
dm_create() {
	dmsetup create --noudevsync "$1" --table "$2" &&
		dmsetup mknodes "$1" && test -b "/dev/mapper/$1"
}
dm_reload() {
	dmsetup suspend --noudevsync "$1" && dmsetup load "$1" --table "$2" &&
		dmsetup resume --noudevsync "$1"
}
dm_remove() { dmsetup remove --noudevsync --retry "$1"; }

# A dm-delay device NAME over block device DEV: slow_create NAME DEV
# (no delay yet), slow_set NAME MS; dm_remove removes it.
declare -A _slow_dev
_slow_table() { echo "0 $(blockdev --getsz "${_slow_dev[$1]}") delay ${_slow_dev[$1]} 0 $2"; }
slow_create() {
	modprobe dm_delay || return 1
	_slow_dev[$1]=$2
	dm_create "$1" "$(_slow_table "$1" 0)"
}
slow_set() { dm_reload "$1" "$(_slow_table "$1" "$2")"; }

# setup_slow_backstore MB: a backstore that can be made slow (must):
# null_blk nb0 of MB MiB, memory backed, under dm-delay slow0 (no delay
# until slow_set slow0 MS) under the iblock backstore slow0, whose
# configfs path goes to SLOW_IB. The cleanups remove all three.
setup_slow_backstore() {
	local slow_mb=$1 slow_nb=''
	SLOW_IB=''
	must "null_blk nb0, $slow_mb MiB, memory backed" \
		eval 'slow_nb=$(nullb_create nb0 "$slow_mb" 512)'
	at_end "nullb_remove nb0"
	must "dm-delay device slow0 over $slow_nb (no delay yet)" slow_create slow0 "$slow_nb"
	at_end "target_clear >/dev/null 2>&1; dm_remove slow0"
	must "iblock backstore on /dev/mapper/slow0" \
		eval 'SLOW_IB=$(backstore_iblock slow0 /dev/mapper/slow0)'
}

# The user-space SRP initiator (tests/tools/srp-login.c), for what ib_srp
# never does (two logins of one initiator port, an ABORT TASK at a chosen
# moment). tool_build compiles it; after rxe_setup, srp_tool ARGS... runs
# it from INI_IP4 against the GUID-named target port (where both drivers
# look up RDMA/CM initiators by IP address) as initiator port TOOL_IPORT;
# with --exec first, the shell becomes the tool (for bg, whose BG_PID
# is then the tool's own).
TOOL=/tmp/srp-login
TOOL_IPORT=''
tool_build() {
	cc -O2 -Wall -o "$TOOL" "$TESTS_DIR/tools/srp-login.c" -lrdmacm -libverbs
}
srp_tool() {
	local args=(-d "$TGT_IP4:$CM_PORT" -s "$INI_IP4"
		-i "${TOOL_IPORT:-0000000000000042$INI_GUID_HEX}"
		-t "$TGT_GUID_HEX$TGT_GUID_HEX")
	if [ "${1:-}" = --exec ]; then
		shift
		exec "$TOOL" "${args[@]}" "$@"
	fi
	"$TOOL" "${args[@]}" "$@"
}

# Writes acknowledged during a race must read back afterwards
# (tests/tools/acked-writes.c: 64 KiB blocks whose content depends on
# their number only). acked_build compiles the tool; acked_start NAME
# DEV FIRST COUNT writes blocks FIRST..FIRST+COUNT-1 of DEV round and
# round in the background, noting each write that succeeded, until
# acked_stop NAME; acked_verify NAME DEV reads back those blocks. Keep
# other writers (load_start --size=...) away from the blocks.
ACKED=/tmp/acked-writes
declare -A _acked_pid _acked_range
acked_build() {
	cc -O2 -Wall -o "$ACKED" "$TESTS_DIR/tools/acked-writes.c"
}
acked_start() {
	rm -f "/tmp/acked-$1.stop" "$RESULTS/acked-$1.log"
	_acked_range[$1]="$3 $4"
	bg "$ACKED" write "$2" "$3" "$4" "$RESULTS/acked-$1.log" "/tmp/acked-$1.stop" \
		> "$RESULTS/acked-$1.out"
	_acked_pid[$1]=$BG_PID
}
# acked_stop NAME: the writer ends after its current write (killed if it
# is still stuck in one after 60 s, scaled); diag: its counts
acked_stop() {
	local pid=${_acked_pid[$1]}
	touch "/tmp/acked-$1.stop"
	if ! wait_for 60 _not_running "$pid"; then
		diag "acked writes $1: writer still in a write after $(scaled 60) s, killed"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	diag "acked writes $1: $(cat "$RESULTS/acked-$1.out" 2>/dev/null)"
}
# acked_verify NAME DEV: every block whose write NAME saw succeed reads
# back from DEV with its content; ACKED_N is how many blocks that was
ACKED_N=0
acked_verify() {
	local out rc=0
	# shellcheck disable=SC2086 # FIRST COUNT
	out=$("$ACKED" verify "$2" ${_acked_range[$1]} "$RESULTS/acked-$1.log" 2>&1) || rc=$?
	diag "acked writes $1 read back from $2: $(tail -n 5 <<< "$out")"
	ACKED_N=$(sed -n 's/^ACKED blocks=\([0-9]*\).*/\1/p' <<< "$out")
	ACKED_N=${ACKED_N:-0}
	return "$rc"
}

# The adversarial SRP initiator (tests/tools/srp-adversary.c): adv_build
# compiles it; srp_adversary ARGS... runs it like srp_tool (from ADV_SRC,
# default INI_IP4, to ADV_DEST, default the GUID-named port at TGT_IP4)
# as initiator port ADV_IPORT; adv_case NAME runs one of its cases.
ADV=/tmp/srp-adversary
ADV_SRC='' ADV_DEST='' ADV_IPORT=''
adv_build() {
	cc -O2 -Wall -Wextra -o "$ADV" "$TESTS_DIR/tools/srp-adversary.c" -lrdmacm -libverbs
}
srp_adversary() {
	"$ADV" -d "${ADV_DEST:-$TGT_IP4:$CM_PORT}" -s "${ADV_SRC:-$INI_IP4}" \
		-i "${ADV_IPORT:-0000000000000043$INI_GUID_HEX}" \
		-t "$TGT_GUID_HEX$TGT_GUID_HEX" -W "$WAIT_SCALE" "$@"
}

# adv_target_qps: target_qps of the target, asked across the link in
# the initiator VM of a pair
adv_target_qps() {
	if [ "$SRPT_ROLE" = initiator ]; then
		pair_ask target_qps
	else
		target_qps
	fi
}
_adv_qps_at_most() {
	local n
	n=$(adv_target_qps) && [ "$n" -le "$1" ]
}

# adv_case NAME: the tool's case NAME passes (output in adv-NAME.out, its
# failing lines as diag), and within 30 s (scaled) the target holds no
# more channel QPs than before it: every channel the case closed is
# released
adv_case() {
	local out=$RESULTS/adv-$1.out rc=0 before
	before=$(adv_target_qps) || return 1
	srp_adversary --case "$1" > "$out" 2>&1 < /dev/null || rc=$?
	[ "$rc" -eq 0 ] ||
		diag "exit status $rc; $(grep -A2 -E '^not ok' "$out" | head -n 30)"
	if ! wait_for 30 _adv_qps_at_most "$before"; then
		diag "the target's channel QPs: $(adv_target_qps) after the case, $before before"
		rc=1
	fi
	return "$rc"
}

# The SG_IO tool of the discontiguous-buffer scenario (tests/tools/
# sgio-scatter.c): sgio_build compiles it to SGIO.
SGIO=/tmp/sgio-scatter
sgio_build() {
	cc -O2 -Wall -o "$SGIO" "$TESTS_DIR/tools/sgio-scatter.c"
}
# The data the SG_IO helpers write (make_pattern "$SGIO_PATTERN" 1 first).
SGIO_PATTERN=/tmp/pattern.bin

# scatter_write LAYOUT LBA BYTES: the first BYTES of SGIO_PATTERN written
# by SG_IO from LAYOUT buffers at LBA; direct-I/O dd reads back the same
scatter_write() {
	local ss
	ss=$(blockdev --getss "$DISK") &&
		head -c "$3" "$SGIO_PATTERN" > /tmp/part.bin &&
		"$SGIO" write "$1" "$DISK" "$2" "$3" < /tmp/part.bin &&
		dd if="$DISK" bs="$ss" skip="$2" count=$(( $3 / ss )) \
			iflag=direct status=none | cmp - /tmp/part.bin
}

# rw_ctxs_for_write LAYOUT LBA BYTES: like scatter_write's SG_IO WRITE,
# counting the RDMA contexts the target set up for it (calls of
# rdma_rw_ctx_init, one per data descriptor, counted by the function
# tracer; nothing else uses the disk meanwhile). Leaves the count in
# SGIO_CTXS, the tool's output and exit status in SGIO_OUT and SGIO_RC.
SGIO_CTXS=0 SGIO_OUT='' SGIO_RC=0
rw_ctxs_for_write() {
	head -c "$3" "$SGIO_PATTERN" > /tmp/part.bin &&
		ftrace_start rdma_rw_ctx_init || return 1
	SGIO_RC=0
	SGIO_OUT=$("$SGIO" write "$1" "$DISK" "$2" "$3" < /tmp/part.bin) || SGIO_RC=$?
	# Count before the tracer stops: that empties the buffer.
	SGIO_CTXS=$(grep -c 'rdma_rw_ctx_init' "$TRACEFS/trace" || true)
	ftrace_stop
}

# setup_tool_target: what a scenario of the user-space initiator starts
# from (must): the tool built, soft-RoCE, ib_srpt loaded and a TPG (TPG)
# on the GUID-named port. Add LUNs to it, then tool_target_open LUN...
setup_tool_target() {
	TPG=''
	must "build the user-space SRP initiator" tool_build
	must "soft-RoCE rxe0 on dummy0" rxe_setup
	must "ib_srpt ($SRPT_MODULE) loaded" target_load
	must "TPG on port $RXE_GUID" eval 'TPG=$(tpg_create "$RXE_GUID")'
}

# setup_tool_rd_slow: a target for the user-space initiator (must) with
# LUN 0 a 16 MiB ramdisk and LUN 1 the slow backstore (16 MiB, no delay
# until slow_set slow0 MS), open to the tool
setup_tool_rd_slow() {
	local tool_rd=''
	setup_tool_target
	must "ramdisk backstore rd0, 16 MiB" eval 'tool_rd=$(backstore_rd rd0 16)'
	setup_slow_backstore 16
	must "LUN 0 = ramdisk, LUN 1 = iblock on slow0" \
		eval 'lun_add "$TPG" 0 "$tool_rd" && lun_add "$TPG" 1 "$SLOW_IB"'
	tool_target_open 0 1
}

# tool_target_open LUN...: ACLs mapping LUN... for the tool's address and
# for the target's own (the 6.12 driver names an RDMA/CM initiator after
# the target's address, ours after the initiator's), then the TPG
# enabled and listening (must)
tool_target_open() {
	local open_luns=("$@")
	must "ACLs $INI_IP4 and $TGT_IP4 with LUNs $*" \
		eval 'acl_add "$TPG" "$INI_IP4" "${open_luns[@]}" &&
			acl_add "$TPG" "$TGT_IP4" "${open_luns[@]}"'
	must "TPG enabled, listening" eval 'tpg_enable "$TPG" && target_listen "$CM_PORT"'
}

# credits_back OUT: the tool's CREDITS line in OUT shows every credit
# of the login back
credits_back() { grep -Eq '^CREDITS login=([0-9]+) now=\1$' "$1"; }

# tool_verify_luns LUN...: on each LUN, the tool writes a 2 MiB pattern
# at LBA 0 and reads it back the same (after a TEST UNIT READY, which
# takes any pending unit attention); outputs in verify<LUN>.out
tool_verify_luns() {
	local l
	for l in "$@"; do
		srp_tool -c tur -L "$l" -n 4096 -V > "$RESULTS/verify$l.out" &&
			grep -q "^VERIFY ok" "$RESULTS/verify$l.out" || return 1
	done
}

# login_reject_reason MARK: the SRP login reject reason logged by ib_srp
# since marker MARK (as 0x%08x), or nothing
login_reject_reason() {
	log_since "$1" | sed -n 's/.*SRP LOGIN REJECTED, reason \(0x[0-9a-fA-F]*\).*/\1/p' |
		tail -n1
}

# ---------------------------------------------------------------------------
# Data helpers

# make_pattern FILE MB: random data
make_pattern() {
	dd if=/dev/urandom of="$1" bs=1M count="$2" status=none
}

# write_dev DEV FILE [SEEK_MB]: write FILE to DEV, bypassing the cache
write_dev() {
	dd if="$2" of="$1" bs=1M seek="${3:-0}" oflag=direct conv=fsync status=none
}

# same_as_dev DEV FILE [SKIP_MB]: read back as many bytes as FILE has and
# compare, bypassing the cache
same_as_dev() {
	local dev=$1 file=$2 skip=${3:-0} size tmp rc
	size=$(stat -c %s "$file")
	tmp=$(mktemp /tmp/readback.XXXXXX)
	dd if="$dev" of="$tmp" bs=1M skip="$skip" count=$(( (size + 1048575) / 1048576 )) \
		iflag=direct status=none || { rm -f "$tmp"; return 1; }
	truncate -s "$size" "$tmp"
	rc=0
	if ! cmp -s "$file" "$tmp"; then
		diag "$dev (from $skip MiB) differs from $file: $(cmp "$file" "$tmp" 2>&1 | head -n1)"
		rc=1
	fi
	rm -f "$tmp"
	return $rc
}

# fio_verify NAME DEV SIZE [FIO ARGS...]: write SIZE of DEV with a mix of
# block sizes from 4k to 1M, read everything back and check crc32c; the
# JSON output is kept in the results directory. Fails on any fio error,
# verify failure or if less than SIZE was written or read back.
fio_verify() {
	local name=$1 dev=$2 size out bs=--bssplit=4k/30:16k/20:64k/20:256k/15:1m/15
	size=$(small_size "$3")
	shift 3
	[[ " $* " != *" --bs="* ]] || bs=--bs=4k	# overridden below
	out=$RESULTS/fio-$name.json
	if ! fio --name="$name" --filename="$dev" --direct=1 --ioengine=libaio \
		--iodepth=16 --rw=randwrite --size="$size" "$bs" \
		--verify=crc32c --do_verify=1 --verify_fatal=1 --randrepeat=0 \
		--output-format=json --output="$out" "$@" >/dev/null 2>"$out.err"; then
		diag "fio $name failed: $(tail -n5 "$out.err")"
		return 1
	fi
	fio_check_json "$out" "$size" verify
}

# fio_check_json JSON SIZE MODE: check fio's result. MODE verify: at
# least SIZE written and read back; MODE any: some I/O done.
fio_check_json() {
	local json=$1 size=$2 mode=$3 bytes
	bytes=$(numfmt --from=iec "${size^^}" 2>/dev/null || echo "$size")
	# fio's JSON is regular: pick the per job "error", "io_bytes" lines.
	awk -v want="$bytes" -v mode="$mode" '
		/"error"/ { gsub(/[^0-9]/, "", $0); if ($0 != "0") err = 1 }
		/^ *"read" *:/ { sec = "r" }
		/^ *"write" *:/ { sec = "w" }
		/^ *"trim" *:/ { sec = "t" }
		/"io_bytes"/ { v = $0; gsub(/[^0-9]/, "", v);
			if (sec == "r") rd += v; else if (sec == "w") wr += v; sec = "" }
		END {
			printf "# fio: written %d bytes, read %d bytes, error %d\n", wr, rd, err
			if (err) exit 1
			if (mode == "verify" && (wr < want || rd < want)) exit 1
			if (mode == "any" && wr + rd == 0) exit 1
		}' "$json"
}

# ---------------------------------------------------------------------------
# Background jobs and cleanup

# bg CMD...: start CMD in the background; killed at the end
bg() {
	"$@" &
	_bg_pids+=($!)
	BG_PID=$!
}

# load_start DEV [FIO ARGS...]: mixed random I/O on DEV in the background
# until load_stop, errors tolerated (the target may go away under it);
# LOAD_PID is fio's. FIO ARGS override the defaults (iodepth 32, 4 KiB
# to 1 MiB, report to /dev/null); fio's errors go to fio-load.err.
# fio must not create DEV: once a logout removed the device node, a
# reopen would leave a regular file in its place, and the next login's
# disk would get no node (seen in race-logout-login).
load_start() {
	local dev=$1
	shift
	bg fio --name=load --filename="$dev" --allow_file_create=0 --direct=1 --ioengine=libaio \
		--iodepth=32 --rw=randrw --bssplit=4k/40:64k/30:256k/20:1m/10 \
		--time_based --runtime=900 --continue_on_error=all \
		--output=/dev/null "$@" 2>>"$RESULTS/fio-load.err"
	LOAD_PID=$BG_PID
}

# load_stop [SECONDS]: stop the fio of load_start and wait for it; with
# SECONDS, at most that long (scaled), failing if it still runs
load_stop() {
	kill -TERM "$LOAD_PID" 2>/dev/null || true
	if [ $# -gt 0 ]; then
		wait_for "$1" _not_running "$LOAD_PID" || return 1
	fi
	wait "$LOAD_PID" 2>/dev/null || true
}

# at_end CMD: run CMD (a string) during cleanup, last registered first
at_end() { _cleanups=("$1" "${_cleanups[@]}"); }

# verify_rounds_start DEV SIZE STRIDE_MB: rounds of fio_verify (SIZE at
# offsets 0, STRIDE, 2 * STRIDE MiB in turn) on DEV in the background
# until verify_rounds_stop; every round must pass
verify_rounds_start() {
	rm -f /tmp/rounds-stop /tmp/rounds-done
	bg _verify_rounds "$@"
	_rounds_pid=$BG_PID
}
_verify_rounds() {
	local n=0
	while [ ! -e /tmp/rounds-stop ]; do
		n=$((n + 1))
		fio_verify "round-$n" "$1" "$2" --offset=$(( (n % 3) * $3 ))M || return 1
		echo "$n" > /tmp/rounds-done
	done
}

# verify_rounds_stop: let the current round finish; test points for it
verify_rounds_stop() {
	local rc=0 n
	touch /tmp/rounds-stop
	check "the verified writes finish" wait_for 300 _not_running "$_rounds_pid"
	wait "$_rounds_pid" || rc=$?
	n=$(cat /tmp/rounds-done 2>/dev/null || echo 0)
	check "every round of verified writes read back correctly (exit status $rc)" \
		test "$rc" -eq 0
	check "$n round(s) of verified writes" test "$n" -ge 1
}

_kill_bg() {
	local p
	for p in "${_bg_pids[@]}"; do
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	done
	for p in "${_bg_pids[@]}"; do
		wait_for 20 _not_running "$p" 2>/dev/null ||
			diag "background process $p does not go away"
	done
	_bg_pids=()
}

# ---------------------------------------------------------------------------
# Benchmarks (tests/bench/*.sh, tests/vm/scale-pair.sh): our ib_srpt and
# Debian's alternating in one boot, ours from BENCH_KO

# bench_load ours|ref: load the target core and that ib_srpt
bench_load() {
	modprobe -a ib_core ib_cm rdma_cm target_core_mod || return 1
	if [ "$1" = ours ]; then
		insmod "$BENCH_KO" || return 1
	elif [ -n "${BENCH_REF_KO:-}" ]; then
		insmod "$BENCH_REF_KO" || return 1
	else
		modprobe ib_srpt || return 1
	fi
	[ -d "$SRPT_CFS" ] || mkdir "$SRPT_CFS"
}

# bench_order ROUND: the drivers of ROUND in the order they run, ours
# first in odd rounds
bench_order() {
	if [ $(($1 % 2)) -eq 1 ]; then echo "ours ref"; else echo "ref ours"; fi
}

# used_kib: memory in use (MemTotal - MemAvailable), page cache and
# reclaimable slab dropped
used_kib() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	nap 2
	echo 3 > /proc/sys/vm/drop_caches
	awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 }
		END { print t - a }' /proc/meminfo
}

# target_port_acls EXT...: port RXE_GID with a 64 MiB ramdisk as LUN 0,
# an ACL with that LUN for each initiator_ext EXT (decimal), enabled
# and listening (Debian's driver has no demo mode). Sets TPG.
target_port_acls() {
	local bs i
	TPG=$(tpg_create "$RXE_GID") || return 1
	bs=$(backstore_rd rd0 64) || return 1
	lun_add "$TPG" 0 "$bs" || return 1
	for i in "$@"; do
		acl_add "$TPG" "$(iport_acl_name "$(printf %016x "$i")")" 0 || return 1
	done
	tpg_enable "$TPG" && target_listen "$CM_PORT"
}

# srp_logins FIRST COUNT [KEY=VALUE...]: COUNT logins one after the
# other, with initiator_ext FIRST, FIRST+1, ... (decimal)
srp_logins() {
	local first=$1 count=$2 i
	shift 2
	for i in $(seq "$first" $((first + count - 1))); do
		srp_login initiator_ext="$(printf %016x "$i")" "$@" || return 1
	done
}

# lun0_disks: how many ib_srp hosts show a disk for LUN 0
lun0_disks() { srp_hosts | while read -r h; do srp_disk "$h" 0; done | wc -l; }
_lun0_disks_are() { [ "$(lun0_disks)" -eq "$1" ]; }
# lun0_disks_become N [SECONDS]: within SECONDS (scaled, default 60)
lun0_disks_become() { wait_for "${2:-60}" _lun0_disks_are "$1"; }

# ---------------------------------------------------------------------------
# Kernel log check (and kmemleak): tests/kernel-log.sh

# shellcheck source=kernel-log.sh
. "$TESTS_DIR/kernel-log.sh"

# ---------------------------------------------------------------------------
# Scenario frame

_on_err() {
	local rc=$1 line=$2 cmd=$3
	[ "$_finished" -eq 0 ] || return 0
	tap_not_ok "unexpected failure (status $rc) at $SCENARIO_NAME line $line: $cmd"
}

_on_exit() {
	local rc=$?
	set +eu
	trap - ERR
	[ "$_finished" -eq 1 ] && return
	_finished=1
	[ "$rc" -eq 0 ] || [ "$_tap_fail" -gt 0 ] ||
		tap_not_ok "scenario exited with status $rc"
	_kill_bg
	local c
	for c in "${_cleanups[@]}"; do
		eval "$c" || diag "cleanup '$c' failed"
	done
	if [ "${SRPT_NO_FINAL_UNLOAD:-0}" != 1 ]; then
		srp_logout_all >/dev/null 2>&1
		if module_loaded ib_srpt; then
			# Leaks are found best while ib_srpt's symbols still
			# resolve: after its channels and configuration are gone.
			if [ -w "$KMEMLEAK" ]; then
				target_clear >/dev/null 2>&1
				kmemleak_check teardown
			fi
			check "final teardown: configfs cleared and ib_srpt unloaded" target_unload 60
		fi
		kmemleak_check unload
	fi
	_pair_exit "$rc"
	kernel_log_check
	echo "1..$_tap_n"
	diag "$SCENARIO_NAME ($SCENARIO_KIND, $SRPT_MODULE): $_tap_n tests, $_tap_fail failed, $_tap_todo expected failures (TODO)"
	{
		echo "name=$SCENARIO_NAME"
		echo "kind=$SCENARIO_KIND"
		echo "tests=$_tap_n"
		echo "failed=$_tap_fail"
		echo "todo=$_tap_todo"
	} > "$RESULTS/summary.txt"
	if [ "$_tap_fail" -gt 0 ]; then
		exit 1
	fi
	exit 0
}

# srpt_begin: start a scenario
srpt_begin() {
	_parse_scale
	set -E
	trap '_on_err $? $LINENO "$BASH_COMMAND"' ERR
	trap _on_exit EXIT
	_taint_start=$(_read1 /proc/sys/kernel/tainted)
	_jiffies_start=$(_jiffies)
	: "${_jiffies_start:=0}"
	kmsg "begin $SCENARIO_NAME"
	diag "scenario $SCENARIO_NAME ($SCENARIO_KIND), ib_srpt: $SRPT_MODULE, WAIT_SCALE=$WAIT_SCALE"
}

# srpt_skip REASON: the scenario cannot run here (before any test point)
srpt_skip() {
	_finished=1
	echo "1..0 # SKIP $*"
	echo "name=$SCENARIO_NAME" > "$RESULTS/summary.txt"
	echo "skipped=$*" >> "$RESULTS/summary.txt"
	exit 0
}

# srpt_end: normal end of a scenario
srpt_end() {
	exit 0
}
