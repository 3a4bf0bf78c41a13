# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Kernel log and kmemleak checks of the VM scenarios, sourced by
# tests/lib.sh. Nothing here runs when the file is sourced, so the
# splitting and judging functions can be tried on sample logs on the
# host (tests/host/kernel-log-check.sh). They print TAP through diag,
# tap_ok, tap_not_ok and tap_todo, read SRPT_MODULE (ours|ref), ALLOWLIST
# and leave copies of the reports in RESULTS.
#
# Reports (BUG, WARNING, Oops, KASAN, KFENCE, SLUB, UBSAN, lockdep,
# refcount, hung task, ...) in the kernel log since srpt_begin. One that
# involves ib_srpt (its module tag, srpt_ symbols or lines it printed)
# fails, except a known bug of the reference driver in reference mode
# (TODO). Any other report must match tests/dmesg-allowlist.txt.

ALLOWLIST=${ALLOWLIST:-$(dirname "${BASH_SOURCE[0]}")/dmesg-allowlist.txt}

# _split_reports DIR: kernel log on stdin (with or without dmesg's
# timestamps); writes each report to DIR/report.N and its title (the line
# that names it, matched against the allowlist) to DIR/title.N.
#
# A report begins with one of its header lines (WARNING:, BUG:, Oops,
# SLUB's "BUG <cache> (Tainted: ...): ...", ...), or with the lines that
# come before the header: a frame (SLUB, KASAN, KFENCE and lockdep put a
# row of '=' before it), "[ cut here ]" before WARN/BUG, the message of
# WARN(), SLUB's "[Redzone overwritten] ..." line. Such a report takes
# the next header line as its title (the first non-blank line after an
# '=' frame; the first line after the opener if no header comes within
# ten lines). A SLUB detail line (Slab/Object/Allocated in) outside any
# report starts one too. The report ends where the kernel ends it: at
# "---[ end trace" for WARNING, Oops, kernel BUG and UBSAN, at the closing
# frame for KASAN, KFENCE, KCSAN and KMSAN, at the end of the first stack
# dump (</TASK>) for the others (hung task, lockdep, sleeping in atomic
# context, bad page state, ...), at the next report or after 400 lines.
_split_reports() {
	awk -v dir="$1" '
	function header(l) {
		return l ~ /^(WARNING:|BUG:|kernel BUG at|Oops|general protection fault|KASAN:|KFENCE:|UBSAN:|INFO: task .* blocked for more than|INFO: rcu|rcu: INFO:|INFO: trying to register non-static key|watchdog: BUG:|NMI watchdog:|Unable to handle|Kernel panic|Bad pagetable)/ ||
		    l ~ /^BUG [^ ]+ \((Not tainted|Tainted:)/ ||
		    l ~ /page allocation failure|invoked oom-killer|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage/
	}
	# printed just before a WARNING or BUG header
	function lead(l) {
		return l ~ /^(refcount_t:|list_(add|del) corruption|DEBUG_LOCKS_WARN_ON|kernel tried to execute|stack-protector:|ODEBUG:|usercopy:|\[[A-Za-z ]+ overwritten\] )/
	}
	# inside a SLUB report; a report of its own when outside one
	function detail(l) {
		return l ~ /^(INFO: )?(Slab 0x[0-9a-f]+ objects=|Object 0x[0-9a-f]+ @offset|(Allocated|Freed) in .* age=)/
	}
	function is_frame(l) {
		return (length(l) >= 20 && l ~ /^=+$/) || l ~ /^-+\[ cut here \]-+$/
	}
	function oopsish(t) {
		return t ~ /^(Oops|kernel BUG at|BUG: (unable to handle|kernel NULL pointer)|general protection fault|Unable to handle|kernel tried to execute|stack-protector)/
	}
	function set_title(t) {
		title = t; pend = 0
		print t > (dir "/title." n); close(dir "/title." n)
		if (oopsish(t) || t ~ /^(WARNING: CPU:|UBSAN:)/)
			mode = "trace"
		else if (opener == "frame" && t ~ /^BUG: K[A-Z]+:/)
			mode = "frame"
		else
			mode = "task"
	}
	function end_report() {
		if (inrep && pend && fallback != "") set_title(fallback)
		if (inrep) close(f)
		inrep = 0; pend = 0
	}
	function begin_report(kind, l) {
		end_report()
		n++; f = dir "/report." n; inrep = 1; len = 0; plen = 0
		title = ""; fallback = ""; pend = 1; mode = "task"
		opener = kind; framelen = 0
		if (kind == "frame") {
			if (l ~ /cut here/) opener = "cut"
			else framelen = length(l)
		} else if (kind == "header") {
			set_title(l)
		} else {
			fallback = l
		}
	}
	{
		line = $0
		sub(/^\[ *[0-9]+\.[0-9]+\] /, "", line)
		sub(/^\[ *[TC][0-9]+\] /, "", line)
		frm = is_frame(line)
	}
	# the frame that closes a KASAN/KFENCE/... report
	inrep && mode == "frame" && frm && length(line) == framelen {
		print line > f
		end_report()
		next
	}
	# before the title: a header names the report
	inrep && pend {
		print line > f
		len++
		if (header(line)) { set_title(line); next }
		if (frm || line ~ /^ *$/) next
		if (fallback == "") fallback = line
		plen++
		if (opener == "frame" || plen >= 10) set_title(fallback)
		next
	}
	{
		kind = ""
		if (frm) kind = "frame"
		else if (header(line)) kind = "header"
		else if (lead(line)) kind = "lead"
		else if (!inrep && detail(line)) kind = "detail"
		# Oops after "kernel BUG at" or a page fault header
		if (kind == "header" && inrep && oopsish(title) && len < 10 &&
		    line ~ /^(Oops|KASAN: .* in range|general protection fault)/)
			kind = ""
		if (kind != "") begin_report(kind, line)
	}
	inrep {
		print line > f
		len++
		if (line ~ /---\[ end trace/ || len >= 400 ||
		    (mode == "task" && line ~ /<\/TASK>/))
			end_report()
	}
	END { end_report() }'
}

# _report_involves_srpt FILE
_report_involves_srpt() {
	grep -v 'Modules linked in:' "$1" | grep -qE 'ib_srpt|srpt_'
}

# _allowlisted TITLE KIND [FILE] -> prints the reason of the first entry
# of KIND ("any" or "ref-bug") whose regular expression matches TITLE and,
# for an entry "REGEX @ FRAME ## reason", whose FRAME regular expression
# matches a line of the report FILE (a function on the stack, say)
_allowlisted() {
	local title=$1 kind=$2 file=${3:-/dev/null} line re frame reason
	[ -f "$ALLOWLIST" ] || return 1
	while IFS= read -r line; do
		case $line in ''|'#'*) continue ;; esac
		if [[ $line == "ref-bug "* ]]; then
			[ "$kind" = ref-bug ] || continue
			line=${line#ref-bug }
		else
			[ "$kind" = any ] || continue
		fi
		re=${line%% ## *}
		reason=${line#* ## }
		frame=''
		if [[ $re == *" @ "* ]]; then
			frame=${re#* @ }
			re=${re%% @ *}
		fi
		if [[ $title =~ $re ]] &&
		   { [ -z "$frame" ] || grep -qE -- "$frame" "$file"; }; then
			echo "$reason"
			return 0
		fi
	done < "$ALLOWLIST"
	return 1
}

# _judge WHAT FILE TITLE OURS: one kernel report or leak (FILE, first
# line or summary TITLE); OURS is 1 when it involves ib_srpt. Prints the
# test point; returns 1 when it fails the scenario: ours (except a known
# bug of the reference driver, run as such: TODO), or someone else's not
# in the allowlist.
_judge() {
	local what=$1 f=$2 title=$3 ours=$4 reason
	if [ "$ours" = 1 ]; then
		if [ "$SRPT_MODULE" = ref ] && reason=$(_allowlisted "$title" ref-bug); then
			tap_todo not "$what: $title" "known reference driver bug: $reason"
			return 0
		fi
		tap_not_ok "$what: involving ib_srpt: $title" "$(head -n 40 "$f")"
		return 1
	fi
	if reason=$(_allowlisted "$title" any "$f"); then
		diag "$what: allowlisted: $title ($reason)"
		return 0
	fi
	tap_not_ok "$what: not in the allowlist: $title" "$(head -n 40 "$f")"
	return 1
}

# A report that taints the kernel with B (bad page): SLUB's object and
# slab checks, bad page state and map, KASAN, KFENCE
_BADPAGE_TITLE='^BUG( [^ ]+ \((Not tainted|Tainted:)|: (KASAN|KFENCE|Bad page))'

# judge_log_reports LOG: split the kernel log in file LOG into reports
# and judge each one (a test point for each failure); copies of them go
# to RESULTS/kernel-report-N.txt. Sets LOG_REPORTS (how many) and
# LOG_BADPAGE (1 when one of them taints with B). Returns 1 when one
# fails the scenario.
LOG_REPORTS=0 LOG_BADPAGE=0
judge_log_reports() {
	local dir t f title ours bad=0
	LOG_REPORTS=0 LOG_BADPAGE=0
	dir=$(mktemp -d /tmp/reports.XXXXXX)
	_split_reports "$dir" < "$1"
	for t in "$dir"/title.*; do
		[ -e "$t" ] || continue
		f=$dir/report.${t##*.}
		LOG_REPORTS=$((LOG_REPORTS + 1))
		title=$(head -n1 "$t")
		[[ $title =~ $_BADPAGE_TITLE ]] && LOG_BADPAGE=1
		ours=0
		_report_involves_srpt "$f" && ours=1
		_judge "kernel log" "$f" "$title" "$ours" || bad=1
		cp "$f" "$RESULTS/kernel-report-$LOG_REPORTS.txt"
	done
	rm -rf "$dir"
	return $bad
}

# Taint flags, bit N being letter N of _TAINT_LETTERS (kernel/panic.c);
# those that only a report explains: B (bad page), D (died), W (warning),
# L (soft lockup).
_TAINT_LETTERS=PFSRMBUDAWCIOELKXTN
TAINT_BAD=$(( (1 << 5) | (1 << 7) | (1 << 9) | (1 << 14) ))
_taint_start=0	# the flags when the scenario began (srpt_begin)

# taint_letters MASK -> the letters of the flags set in MASK
taint_letters() {
	local i s=''
	for (( i = 0; i < ${#_TAINT_LETTERS}; i++ )); do
		(( ($1 >> i) & 1 )) && s+=${_TAINT_LETTERS:i:1}
	done
	echo "$s"
}

# judge_taint START NOW REPORTS BADPAGE: the taint flags that appeared
# between START and NOW (masks) need a report in the log: any of the
# REPORTS for D, W and L, one that taints with B (BADPAGE 1) for B.
# Prints a failed test point and returns 1 otherwise.
judge_taint() {
	local new=$(( ($2 & ~$1) & TAINT_BAD )) why=()
	[ "$new" -ne 0 ] || return 0
	if (( new & (1 << 5) )) && [ "$4" != 1 ]; then
		why+=("B without a SLUB, KASAN, KFENCE or bad page report")
	fi
	if (( new & ~(1 << 5) )) && [ "$3" -eq 0 ]; then
		why+=("$(taint_letters $(( new & ~(1 << 5) ))) without any report")
	fi
	if [ ${#why[@]} -eq 0 ]; then
		diag "kernel log: new taint flags $(taint_letters "$new"), explained by the reports"
		return 0
	fi
	tap_not_ok "kernel log: kernel newly tainted $(taint_letters "$new") (now $2: $(taint_letters "$2")): ${why[*]}"
	return 1
}

# kmemleak (debug kernels): objects allocated since srpt_begin (by
# jiffies) that a scan finds unreferenced. One whose allocation trace
# involves ib_srpt fails (after ib_srpt is unloaded its frames are bare
# addresses, which count as ib_srpt's); others need an allowlist entry,
# titled "kmemleak: unreferenced object (size N) from F1 < F2 < F3".
KMEMLEAK=/sys/kernel/debug/kmemleak
_jiffies_start=0
_jiffies() { awk '/^jiffies:/ { print $2; exit }' /proc/timer_list 2>/dev/null; }

# _split_leaks START DIR: kmemleak report on stdin, one file per object
# allocated at jiffies >= START
_split_leaks() {
	awk -v start="$1" -v dir="$2" '
	/^unreferenced object/ { if (f) close(f); f = ""; hdr = $0; next }
	/^  comm / && hdr != "" {
		j = $0; sub(/.*jiffies /, "", j); sub(/[^0-9].*/, "", j)
		if (j + 0 >= start + 0) { n++; f = dir "/leak." n; print hdr > f }
		hdr = ""
	}
	f != "" { print > f }'
}

_leak_title() {	# _leak_title FILE
	local size frames
	size=$(sed -n '1s/.*(size \([0-9]*\)).*/\1/p' "$1")
	frames=$(sed -n '/backtrace/,$p' "$1" | tail -n +2 | sed 's/^ *//; s/+0x.*//' |
		grep -vE '^(kmemleak_|__kmalloc|kmalloc|kmem_cache_alloc|__kmem_cache|slab_|__alloc|alloc_pages|__vmalloc|vmalloc|kvmalloc|__kvmalloc|kzalloc|krealloc|__kasan|kasan_|\[)' |
		head -n3 | paste -sd'<' | sed 's/</ < /g')
	echo "kmemleak: unreferenced object (size $size) from $frames"
}

# kmemleak_check STAGE: scan and judge the leaks (no-op without kmemleak)
kmemleak_check() {
	local stage=$1 dir f title ours n=0 bad=0 out
	[ -w "$KMEMLEAK" ] || return 0
	# Objects younger than 5 s are never reported; scan twice so that
	# objects in flight (checksum changing) are not taken for leaks.
	nap 6
	echo scan > "$KMEMLEAK" 2>/dev/null || true
	echo scan > "$KMEMLEAK" 2>/dev/null || true
	out=$RESULTS/kmemleak-$stage.txt
	cat "$KMEMLEAK" > "$out" 2>/dev/null || true
	dir=$(mktemp -d /tmp/leaks.XXXXXX)
	_split_leaks "$_jiffies_start" "$dir" < "$out"
	for f in "$dir"/leak.*; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		title=$(_leak_title "$f")
		ours=0
		grep -qE 'srpt_|ib_srpt|^ +0x[0-9a-f]+$' "$f" && ours=1
		_judge "kmemleak ($stage)" "$f" "$title" "$ours" || bad=1
	done
	rm -rf "$dir"
	[ "$bad" -eq 0 ] && tap_ok "kmemleak ($stage): no unexpected leak ($n object(s) since the scenario began)"
	return $bad
}

# The complete kernel log of the boot: dmesg --follow, started by the
# VM's init before any scenario, copies it to RESULTS/kmsg-live.txt as it
# is written, so a ring buffer that wrapped during the scenario hides
# nothing. _log_follower_pid prints the follower's PID.
_log_follower_pid() {
	local p a
	for p in /proc/[0-9]*; do
		a=()
		mapfile -d '' -t a < "$p/cmdline" 2>/dev/null || continue
		[ ${#a[@]} -ge 2 ] || continue
		[ "${a[0]##*/}" = dmesg ] && [ "${a[1]}" = --follow ] &&
			{ echo "${p#/proc/}"; return 0; }
	done
	return 1
}

# _log_ts LINE -> the timestamp of a dmesg line in microseconds, or -1
_log_ts() {
	if [[ $1 =~ ^\[\ *([0-9]+)\.([0-9]{6})\] ]]; then
		echo $(( 10#${BASH_REMATCH[1]} * 1000000 + 10#${BASH_REMATCH[2]} ))
	else
		echo -1
	fi
}

# _live_log_usable LIVE BEGIN_TS: the follower still runs and started
# before the scenario began (BEGIN_TS, microseconds since boot), and
# LIVE holds the end marker (written last); diag says what is wrong
_live_log_usable() {
	local live=$1 begin=$2 pid stat start hz
	[ -s "$live" ] || { diag "kernel log: no $live"; return 1; }
	if ! pid=$(_log_follower_pid); then
		diag "kernel log: the dmesg --follow writing $live is not running"
		return 1
	fi
	stat=$(< "/proc/$pid/stat")
	stat=${stat##*) }
	read -ra stat <<< "$stat"
	hz=$(getconf CLK_TCK)
	start=$(( stat[19] * 1000000 / hz ))	# field 22: start time in ticks
	if [ "$begin" -lt 0 ] || [ "$start" -ge "$begin" ]; then
		diag "kernel log: dmesg --follow (PID $pid) started at $start us, the scenario at $begin us"
		return 1
	fi
	if ! wait_for 10 eval 'tail -c 65536 "$live" | grep -qF "srpt-test: end $SCENARIO_NAME"'; then
		diag "kernel log: $live does not catch up with the end marker"
		return 1
	fi
}

# _live_log_missing LIVE: sets LIVE_LOST to how many records the kernel
# logged up to the end marker that LIVE has no line for: the follower
# misses records when the ring buffer wraps before it reads them
# (/dev/kmsg numbers records from 0; dmesg prints a line for each). 0
# when the marker's number cannot be read.
LIVE_LOST=0
_live_log_missing() {
	local m="srpt-test: end $SCENARIO_NAME" seq lines
	LIVE_LOST=0
	seq=$(dd if=/dev/kmsg iflag=nonblock bs=16384 2>/dev/null |
		awk -F '[,;]' -v m="$m" 'index($0, m) { s = $2 } END { print s }')
	[ -n "$seq" ] || { diag "kernel log: no end marker in /dev/kmsg"; return 0; }
	lines=$(grep -n -m1 -F "$m" "$1" | cut -d: -f1)
	lines=${lines:-0}
	diag "kernel log: the end marker is record $seq, line $lines of $1"
	[ $(( seq + 1 )) -le "$lines" ] || LIVE_LOST=$(( seq + 1 - lines ))
}

# kernel_log_check: judge the kernel log since srpt_begin (a test point)
# and the taint flags that appeared meanwhile. The log read is
# kmsg-live.txt when it is complete, else dmesg when it still goes back to
# the scenario's begin; when neither holds all of it, the check fails
# (after judging what there is).
kernel_log_check() {
	local bad=0 live=$RESULTS/kmsg-live.txt ring=$RESULTS/dmesg-end.txt
	local log=$RESULTS/dmesg-scenario.txt src first_ring first_live begin taint
	local lost=0 ring_has_begin=0
	kmsg "end $SCENARIO_NAME"
	dmesg > "$ring" 2>/dev/null
	grep -qF "srpt-test: begin $SCENARIO_NAME" "$ring" && ring_has_begin=1
	begin=$(_log_ts "$(grep -F -m1 "srpt-test: begin $SCENARIO_NAME" "$ring" || true)")
	if [ "$begin" -lt 0 ] && [ -s "$live" ]; then
		begin=$(_log_ts "$(grep -F -m1 "srpt-test: begin $SCENARIO_NAME" "$live" || true)")
	fi
	src=$ring
	if _live_log_usable "$live" "$begin"; then
		src=$live
		_live_log_missing "$live"
		lost=$LIVE_LOST
		if [ "$lost" -gt 0 ]; then
			diag "kernel log: $live misses $lost record(s): the follower fell behind"
			[ "$ring_has_begin" = 1 ] && { src=$ring; lost=0; }
		fi
	fi
	# The boot's first line is stamped 0 (kmsg-live.txt has it).
	first_ring=$(head -n1 "$ring")
	first_live='[    0.000000]'
	[ -s "$live" ] && first_live=$(head -n1 "$live")
	if [ "$(_log_ts "$first_ring")" -gt "$(_log_ts "$first_live")" ]; then
		diag "kernel log: the ring buffer wrapped: dmesg begins with '${first_ring:0:72}', the boot with '${first_live:0:72}'"
	fi
	sed -n "/srpt-test: begin $SCENARIO_NAME\$/,\$p" "$src" > "$log"
	diag "kernel log: read $src, $(wc -l < "$src") lines, $(wc -l < "$log") since the scenario began"
	if [ ! -s "$log" ]; then
		tap_not_ok "kernel log: incomplete, the scenario's begin marker is not in $src"
		return 1
	fi
	judge_log_reports "$log" || bad=1
	if [ "$lost" -gt 0 ]; then
		tap_not_ok "kernel log: incomplete, $lost record(s) lost and the ring buffer no longer reaches back to the scenario's begin"
		bad=1
	fi
	taint=$(_read1 /proc/sys/kernel/tainted)
	judge_taint "$_taint_start" "$taint" "$LOG_REPORTS" "$LOG_BADPAGE" || bad=1
	[ "$bad" -eq 0 ] && tap_ok "kernel log: no unexpected BUG/WARNING/Oops/SLUB/KASAN/lockdep/hung task reports ($LOG_REPORTS report(s) seen)"
	return $bad
}
