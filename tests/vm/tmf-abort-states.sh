#!/bin/bash
# common: ABORT TASK (user-space initiator, tests/tools/srp-login.c) hits commands waiting for their RDMA READ, executing in a slow backstore, and with their response queued; the function tracer shows which state each abort met; each command then gets exactly one response or none, each context is released exactly once, every credit comes back, and data still verifies
# timeout: 900
# tcg: single
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_tool_rd_slow
# Mapping LUN 1 leaves a unit attention (REPORTED LUNS DATA HAS CHANGED)
# for the first command to LUN 0; for a WRITE the core reports it once
# the data is in. Collect it now: a round whose WRITE completes before
# its abort arrives must then get GOOD status.
must "a TEST UNIT READY on each LUN collects the unit attentions of the LUN mapping" \
	eval 'srp_tool -c tur -L 0 > "$RESULTS/tur0.out" && srp_tool -c tur -L 1 > "$RESULTS/tur1.out"'

# The function tracer orders what the driver and the core did around
# each abort; the tool marks where each round begins.
TRACED="srpt_write_pending srpt_rdma_read_done srpt_queue_data_in
srpt_queue_status srpt_send_done srpt_aborted_task srpt_release_cmd
srpt_queue_tm_rsp core_tmr_abort_task"
at_end "ftrace_stop 2>/dev/null || true"
# shellcheck disable=SC2086 # one function name per word
must "function tracer on the driver's command path and core_tmr_abort_task" \
	ftrace_start $TRACED

# judge_rounds TRACE TOOL-OUTPUT: one line per round of the tool that
# sent an abort,
#   ROUND N STATE cmd_rsp=N status=0xNN tmf_rsp=N code=0xNN aborted=N released=N
# where STATE is what the command was doing when the core looked for it
# (the last of its events before core_tmr_abort_task): rdma-read (after
# srpt_write_pending), backstore (before any response, RDMA READ done),
# rsp-queued (srpt_queue_* called, no send completion yet) or done.
judge_rounds() {
	awk -v out="$2" '
	function flush() {
		if (round >= 0)
			states[round] = state " aborted=" aborted " released=" released
	}
	BEGIN { round = -1 }
	/tracing_mark_write: srp-login round [0-9]+ cmd/ {
		flush()
		round = $(NF - 1)
		state = "none"; last = ""; seen = 0; aborted = 0; released = 0
		next
	}
	round < 0 { next }
	/tracing_mark_write: srp-login round [0-9]+ abort/ { tried[round] = 1; next }
	/ core_tmr_abort_task/ {
		if (!seen) state = last ? last : "backstore"
		seen = 1
		next
	}
	/ srpt_write_pending/ { if (!seen) last = "rdma-read"; next }
	/ srpt_rdma_read_done/ { if (!seen) last = "backstore"; next }
	/ srpt_queue_(data_in|status)/ { if (!seen) last = "rsp-queued"; next }
	/ srpt_send_done/ { if (!seen && last == "rsp-queued") last = "done"; next }
	/ srpt_aborted_task/ { aborted++; next }
	/ srpt_release_cmd/ { released++; next }
	END {
		flush()
		while ((getline line < out) > 0) {
			if (line !~ /^ROUND /)
				continue
			split(line, f, " ")
			if (!(f[2] in tried))
				continue
			sub(/^ROUND [0-9]+ /, "", line)
			print "ROUND " f[2] " " states[f[2]] " " line
		}
	}' "$1"
}

# Every command ends exactly once: the abort got one response, and the
# command either got one GOOD response or, if the core caught it first
# (calling srpt_aborted_task), none; both contexts were released once
# (two srpt_release_cmd calls in the round). A command still waiting for
# its data cannot have completed, and once its response was being sent
# it can no longer be aborted.
round_once() {
	local l=$1
	[[ $l =~ tmf_rsp=1\  ]] && [[ $l =~ released=2 ]] || return 1
	[[ $l =~ aborted=1 ]] && [[ $l =~ cmd_rsp=0 ]] ||
		{ [[ $l =~ aborted=0 ]] && [[ $l =~ cmd_rsp=1\ status=0x00 ]]; } ||
		return 1
	case $l in
	*" rdma-read "*) [[ $l =~ aborted=1 ]] ;;
	*" rsp-queued "*|*" done "*) [[ $l =~ aborted=0 ]] ;;
	*" backstore "*) ;;
	*) return 1 ;;
	esac
}

# all_rounds PRED FILE: PRED holds for every round line of FILE (and
# there is at least one)
all_rounds() {
	local l n=0
	while read -r l; do
		"$1" "$l" || { diag "$1 fails: $l"; return 1; }
		n=$((n + 1))
	done < "$2"
	[ "$n" -gt 0 ]
}

# SAM: ABORT TASK answers FUNCTION COMPLETE whether or not the task was
# still there.
round_complete() { [[ $1 =~ code=0x00 ]]; }

# run_phase NAME STATE TOOL-ARGS...: rounds of the tool; every round must
# end exactly once, at least one must have met STATE, and the credits
# must all have come back.
run_phase() {
	local name=$1 state=$2 out=$RESULTS/$1.out judged=$RESULTS/$1.rounds
	shift 2
	local args=(-m -g "$GRACE_MS" "$@")
	echo > "$TRACEFS/trace"
	check "$name: the tool logs in and completes its rounds" \
		eval 'srp_tool "${args[@]}" > "$out" &&
		      grep -q "^CREDITS" "$out"'
	cp "$TRACEFS/trace" "$RESULTS/$name.trace"
	judge_rounds "$RESULTS/$name.trace" "$out" > "$judged"
	diag "$(cat "$judged")"
	check "$name: every command got one response or was aborted, and both contexts were released once" \
		all_rounds round_once "$judged"
	check "$name: at least one abort met a command in state $state" \
		grep -q " $state " "$judged"
	improvement "$name: every abort was answered FUNCTION COMPLETE" \
		all_rounds round_complete "$judged"
	check "$name: every credit came back" credits_back "$out"
}

# Under ib_core.force_mr=1 (the force-mr part of scripts/test.sh) the
# RDMA READs and WRITEs go through memory registrations.
if force_mr_asked; then
	bg srp_tool -w "$(scaled 5)" > "$RESULTS/mr.out"
	must "a channel is up" wait_for 15 grep -q '^LOGIN_RSP' "$RESULTS/mr.out"
	check "ib_srpt's channel uses memory registrations" force_mr_in_use
	wait "$BG_PID" || true
fi

GRACE_MS=$(( $(scaled 1) * 1000 ))
ROUNDS=6
# 2 MiB WRITEs to the ramdisk, each aborted right behind it: the core
# looks for the command while its data is still being fetched.
run_phase rdma-read rdma-read -c write -L 0 -n 4096 -a 0 -r "$ROUNDS"
# 2 MiB READs from the ramdisk: the data and response are being sent
# when the abort comes, so the core finds nothing to abort.
run_phase rsp-queued rsp-queued -c read -L 0 -n 4096 -a 0 -r "$ROUNDS"
# WRITEs held by dm-delay: the abort waits for the backstore.
delay_ms=$(( $(scaled 2) * 1000 ))
must "backstore delay $delay_ms ms" slow_set slow0 "$delay_ms"
run_phase backstore backstore -c write -L 1 -n 8 -a $(( delay_ms / 4 )) -r 2
must "backstore fast again" slow_set slow0 0

check "after the aborts, a 2 MiB pattern written to each LUN reads back the same" \
	tool_verify_luns 0 1
ftrace_stop
check "no RC QP is left once the tool's channels are gone" all_released
srpt_end
