#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel log check of the VM scenarios (tests/kernel-log.sh), tried
# on the host without a VM: sample logs, written after the formats of the
# 6.12 sources (mm/slub.c, mm/kasan, mm/kfence, lib/ubsan.c, lockdep,
# kernel/panic.c), go through the report splitter and the judge, and
# taint masks through the taint judge. Prints TAP; exits 1 when a case
# does not come out as expected. Run by scripts/static-checks.sh.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../kernel-log.sh
. "$HERE/../kernel-log.sh"

WORK=$(mktemp -d /tmp/kernel-log-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results
mkdir -p "$RESULTS"
REAL_ALLOWLIST=$ALLOWLIST
SRPT_MODULE=ours

# The TAP helpers of tests/lib.sh, writing to OUT for the cases to read.
OUT=$WORK/out
diag() { echo "# $*" >> "$OUT"; }
tap_ok() { echo "ok - $1" >> "$OUT"; }
tap_not_ok() { echo "not ok - $1" >> "$OUT"; [ $# -lt 2 ] || diag "$2"; }
tap_todo() { echo "$1 - $2 # TODO $3" >> "$OUT"; }

# shellcheck source=tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

# stamp: prefix each line of stdin with a dmesg timestamp
stamp() { awk '{ printf "[%5d.%06d] %s\n", 100 + NR / 1000, NR % 1000 * 997, $0 }'; }

# log_case DESC RC REPORTS PATTERN...: the log on stdin (timestamped)
# through judge_log_reports must return RC, find REPORTS reports and
# print a line matching each PATTERN (grep -E)
log_case() {
	local desc=$1 want_rc=$2 want_n=$3 rc=0 p bad=0 miss=''
	shift 3
	stamp > "$WORK/log"
	: > "$OUT"
	judge_log_reports "$WORK/log" || rc=$?
	[ "$rc" = "$want_rc" ] || { bad=1; miss+="returned $rc, not $want_rc; "; }
	[ "$LOG_REPORTS" = "$want_n" ] ||
		{ bad=1; miss+="$LOG_REPORTS report(s), not $want_n; "; }
	for p in "$@"; do
		grep -qE -- "$p" "$OUT" || { bad=1; miss+="no line matching '$p'; "; }
	done
	result "$desc" "$bad" "${miss:+$miss
$(cat "$OUT")}"
}

# taint_case DESC RC START NOW REPORTS BADPAGE [PATTERN]
taint_case() {
	local desc=$1 want_rc=$2 rc=0 bad=0
	: > "$OUT"
	judge_taint "$3" "$4" "$5" "$6" || rc=$?
	[ "$rc" = "$want_rc" ] || bad=1
	[ -z "${7:-}" ] || grep -qE -- "$7" "$OUT" || bad=1
	result "$desc" "$bad" "returned $rc; output: $(cat "$OUT")"
}

# ---------------------------------------------------------------------------
log_case "a clean log passes" 0 0 <<'EOF'
srpt-test: begin sample
rdma_rxe: loaded
ib_srpt: loading out-of-tree module taints kernel.
scsi host2: ib_srp: REJ received
scsi host2: SRP.T10:0200000000000000
sd 2:0:0:0: [sdb] 131072 512-byte logical blocks: (67.1 MB/64.0 MiB)
INFO: lockdep is turned off.
------------------------------------------------------
srpt-test: mark done
EOF

log_case "SLUB redzone report (6.12.117 format) involving ib_srpt fails" 1 2 \
	'^not ok - kernel log: involving ib_srpt: BUG kmalloc-128 \(Tainted: G +E +\): Object corrupt$' \
	'^not ok - kernel log: involving ib_srpt: WARNING: CPU: 1 PID: 342 at mm/slub.c' <<'EOF'
[Redzone overwritten] 0xffff888004a1c480-0xffff888004a1c483 @offset=1152. First byte 0x0 instead of 0xcc
=============================================================================
BUG kmalloc-128 (Tainted: G            E     ): Object corrupt
-----------------------------------------------------------------------------

Allocated in srpt_sample_alloc+0x5a/0x1c0 [ib_srpt] age=12 cpu=1 pid=342
 __kmalloc_noprof+0x1a5/0x430
 srpt_sample_alloc+0x5a/0x1c0 [ib_srpt]
Slab 0xffffea0000128700 objects=32 used=20 fp=0xffff888004a1c800 flags=0xfffffc0000200(workingset|node=0|zone=1)
Object 0xffff888004a1c400 @offset=1024 fp=0x0000000000000000

Redzone  ffff888004a1c3f8: cc cc cc cc cc cc cc cc                          ........
Object   ffff888004a1c400: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
Redzone  ffff888004a1c480: 00 00 00 00 cc cc cc cc                          ........
Padding  ffff888004a1c4d4: 5a 5a 5a 5a                                      ZZZZ
------------[ cut here ]------------
WARNING: CPU: 1 PID: 342 at mm/slub.c:1129 object_err+0x3a/0x50
Modules linked in: ib_srpt(OE) rdma_rxe ib_core
CPU: 1 UID: 0 PID: 342 Comm: kworker/1:2 Tainted: G    B       OE      6.12.117+deb12-amd64 #1
Workqueue: ib-comp-wq ib_cq_poll_work [ib_core]
RIP: 0010:object_err+0x3a/0x50
Call Trace:
 <TASK>
 check_bytes_and_report+0xd2/0x130
 kfree+0x26a/0x310
 srpt_sample_free+0x40/0x90 [ib_srpt]
 </TASK>
---[ end trace 0000000000000000 ]---
FIX kmalloc-128: Restoring Redzone 0xffff888004a1c480-0xffff888004a1c483=0xcc
EOF
result "SLUB report counts as one that taints with B" "$(( LOG_BADPAGE != 1 ))"

log_case "SLUB redzone report (older format, no WARNING) involving ib_srpt fails" 1 1 \
	'^not ok - kernel log: involving ib_srpt: BUG kmalloc-128 \(Not tainted\): Redzone overwritten$' <<'EOF'
=============================================================================
BUG kmalloc-128 (Not tainted): Redzone overwritten
-----------------------------------------------------------------------------

INFO: 0xffff888004a1c480-0xffff888004a1c483 @offset=1152. First byte 0x0 instead of 0xcc
INFO: Allocated in srpt_sample_alloc+0x5a/0x1c0 [ib_srpt] age=12 cpu=1 pid=342
INFO: Slab 0xffffea0000128700 objects=32 used=20 fp=0xffff888004a1c800 flags=0x200
INFO: Object 0xffff888004a1c400 @offset=1024 fp=0x0000000000000000
Redzone  ffff888004a1c480: 00 00 00 00 cc cc cc cc                          ........
FIX kmalloc-128: Restoring Redzone 0xffff888004a1c480-0xffff888004a1c483=0xcc
EOF

log_case "SLUB double free without allocation tracking fails (twice)" 1 2 \
	'^not ok - kernel log: not in the allowlist: BUG kmalloc-64 \(Tainted: G    B   OE     \): Object already free$' \
	'^not ok - kernel log: involving ib_srpt: WARNING: ' <<'EOF'
=============================================================================
BUG kmalloc-64 (Tainted: G    B   OE     ): Object already free
-----------------------------------------------------------------------------

Slab 0xffffea0000128700 objects=32 used=20 fp=0xffff888004a1c800 flags=0x200
Object 0xffff888004a1c400 @offset=1024 fp=0x0000000000000000

Object   ffff888004a1c400: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b a5  kkkkkkkkkkkkkkk.
------------[ cut here ]------------
WARNING: CPU: 0 PID: 77 at mm/slub.c:1129 object_err+0x3a/0x50
Call Trace:
 <TASK>
 free_to_partial_list+0x2d1/0x4f0
 srpt_sample_release+0x31/0x80 [ib_srpt]
 </TASK>
---[ end trace 0000000000000000 ]---
EOF

log_case "a SLUB detail line without its header still fails" 1 1 \
	'^not ok - kernel log: not in the allowlist: Object 0xffff888004a1c400 @offset=1024' <<'EOF'
Object 0xffff888004a1c400 @offset=1024 fp=0x0000000000000000
Object   ffff888004a1c400: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b a5  kkkkkkkkkkkkkkk.
EOF

RXE_WARNING='------------[ cut here ]------------
WARNING: CPU: 0 PID: 17 at drivers/infiniband/sw/rxe/rxe_comp.c:123 rxe_completer+0x3b1/0xd40 [rdma_rxe]
Modules linked in: ib_srpt(OE) ib_srp rdma_rxe ib_core
CPU: 0 UID: 0 PID: 17 Comm: ksoftirqd/0 Tainted: G           OE      6.12.117+deb12-amd64 #1
RIP: 0010:rxe_completer+0x3b1/0xd40 [rdma_rxe]
Call Trace:
 <TASK>
 rxe_completer+0x3b1/0xd40 [rdma_rxe]
 do_task+0x6a/0x200 [rdma_rxe]
 </TASK>
---[ end trace 0000000000000000 ]---
ib_srpt: a line of ours after the report'
log_case "an rdma_rxe WARNING not in the allowlist fails" 1 1 \
	'^not ok - kernel log: not in the allowlist: WARNING: CPU: 0 PID: 17 at drivers/infiniband/sw/rxe/rxe_comp.c:123 rxe_completer' \
	<<< "$RXE_WARNING"

ALLOWLIST=$WORK/allowlist
cat > "$ALLOWLIST" <<'EOF'
# sample entries
^WARNING: .* at drivers/infiniband/sw/rxe/rxe_comp\.c:[0-9]+ rxe_completer ## sample: rxe completer
^BUG: sleeping function called from invalid context at drivers/infiniband/sw/rxe/ ## sample: rxe sleeps
EOF
log_case "an allowlisted rdma_rxe WARNING passes" 0 1 \
	'^# kernel log: allowlisted: WARNING: .*rxe_completer.*\(sample: rxe completer\)' \
	<<< "$RXE_WARNING"

log_case "an allowlisted report ends with its stack dump: ib_srpt's next line is not in it" 0 1 \
	'^# kernel log: allowlisted: BUG: sleeping function' <<'EOF'
BUG: sleeping function called from invalid context at drivers/infiniband/sw/rxe/rxe_sample.c:42
in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 17, name: ksoftirqd/0
CPU: 0 UID: 0 PID: 17 Comm: ksoftirqd/0 Tainted: G           OE      6.12.117+deb12-amd64 #1
Call Trace:
 <TASK>
 __might_resched+0x15a/0x200
 rxe_sample+0x20/0x90 [rdma_rxe]
 </TASK>
ib_srpt: srpt_sample_log: a line of ours after the report
EOF
ALLOWLIST=$REAL_ALLOWLIST

# The real allowlist's entry for ib_srp's use-after-free on reconnect
# names a frame: the same title from another stack (the target's CQ
# work, whose completion handlers are ib_srpt's) is not allowlisted.
IB_SRP_UAF_HEAD='==================================================================
BUG: KASAN: use-after-free in __ib_process_cq+0x3af/0x420 [ib_core]
Read of size 8 at addr ffff888012363ba0 by task kworker/1:1/36

Call Trace:
 <TASK>
 dump_stack_lvl+0x66/0xa0
 kasan_report+0xe0/0x110
 __ib_process_cq+0x3af/0x420 [ib_core]'
IB_SRP_UAF_TAIL=' </TASK>

The buggy address belongs to the physical page:
=================================================================='
log_case "ib_srp's use-after-free polling its old send CQ on reconnect is allowlisted" 0 1 \
	'^# kernel log: allowlisted: BUG: KASAN: use-after-free in __ib_process_cq.*\(ib_srp' \
	<<< "$IB_SRP_UAF_HEAD
 ib_process_cq_direct+0x94/0xd0 [ib_core]
 srp_create_ch_ib+0x69b/0x1880 [ib_srp]
 srp_rport_reconnect+0x384/0x8b0 [ib_srp]
$IB_SRP_UAF_TAIL"
log_case "the same use-after-free while ib_srp removes a remote port is allowlisted" 0 1 \
	'^# kernel log: allowlisted: BUG: KASAN: use-after-free in __ib_process_cq.*\(ib_srp' \
	<<< "$IB_SRP_UAF_HEAD
 ib_process_cq_direct+0x94/0xd0 [ib_core]
 srp_free_ch_ib+0x2a7/0xc50 [ib_srp]
 srp_remove_work+0x301/0x6b0 [ib_srp]
$IB_SRP_UAF_TAIL"
log_case "the same use-after-free in the CQ work (the target's CQs) is not" 1 1 \
	'^not ok - kernel log: not in the allowlist: BUG: KASAN: use-after-free in __ib_process_cq' \
	<<< "$IB_SRP_UAF_HEAD
 ib_cq_poll_work+0x4d/0x160 [ib_core]
 process_one_work+0x859/0x1820
$IB_SRP_UAF_TAIL"

log_case "KASAN report: ib_srpt in the allocation stack after the first stack dump fails" 1 1 \
	'^not ok - kernel log: involving ib_srpt: BUG: KASAN: slab-use-after-free in ib_sample_fn' <<'EOF'
==================================================================
BUG: KASAN: slab-use-after-free in ib_sample_fn+0x25/0x40 [ib_core]
Read of size 8 at addr ffff888004a1c408 by task kworker/0:1/12

CPU: 0 UID: 0 PID: 12 Comm: kworker/0:1 Not tainted 6.12.117-srpt-debug #1
Call Trace:
 <TASK>
 kasan_report+0xb9/0xf0
 ib_sample_fn+0x25/0x40 [ib_core]
 </TASK>

Allocated by task 342:
 kasan_save_stack+0x20/0x40
 srpt_sample_alloc+0x5a/0x1c0 [ib_srpt]

Freed by task 12:
 kfree+0x10a/0x310

The buggy address belongs to the object at ffff888004a1c400
 which belongs to the cache kmalloc-64 of size 64
==================================================================
Disabling lock debugging due to kernel taint
EOF

log_case "KFENCE report involving ib_srpt fails" 1 1 \
	'^not ok - kernel log: involving ib_srpt: BUG: KFENCE: out-of-bounds read in srpt_sample_read' <<'EOF'
==================================================================
BUG: KFENCE: out-of-bounds read in srpt_sample_read+0x31/0x60 [ib_srpt]

Out-of-bounds read at 0x00000000c3b4e0a2 (32B right of kfence-#72):
 srpt_sample_read+0x31/0x60 [ib_srpt]
 process_one_work+0x174/0x330

kfence-#72: 0x000000004d3f7a1b-0x00000000a9b1c6d2, size=64, cache=kmalloc-64

CPU: 1 UID: 0 PID: 88 Comm: kworker/1:1 Tainted: G           OE      6.12.117+deb12-amd64 #1
==================================================================
EOF

log_case "lockdep circular locking report involving ib_srpt fails" 1 1 \
	'^not ok - kernel log: involving ib_srpt: WARNING: possible circular locking dependency detected$' <<'EOF'

======================================================
WARNING: possible circular locking dependency detected
6.12.117-srpt-debug #1 Tainted: G           O
------------------------------------------------------
kworker/0:2/99 is trying to acquire lock:
ffff888004a1c400 (&sport->mutex){+.+.}-{3:3}, at: srpt_sample_lock+0x20/0x50 [ib_srpt]

but task is already holding lock:
ffff888004a1c800 (&ch->mutex){+.+.}-{3:3}, at: srpt_sample_work+0x40/0x90 [ib_srpt]

stack backtrace:
CPU: 0 UID: 0 PID: 99 Comm: kworker/0:2 Tainted: G           O       6.12.117-srpt-debug #1
Call Trace:
 <TASK>
 dump_stack_lvl+0x5d/0x80
 srpt_sample_lock+0x20/0x50 [ib_srpt]
 </TASK>
EOF

REF_WARNING='------------[ cut here ]------------
WARNING: CPU: 1 PID: 55 at drivers/infiniband/ulp/srpt/ib_srpt.c:158 srpt_cache_put+0x5b/0x70 [ib_srpt]
Call Trace:
 <TASK>
 srpt_release_channel_work+0x1e2/0x300 [ib_srpt]
 </TASK>
---[ end trace 0000000000000000 ]---'
SRPT_MODULE=ref
log_case "a known reference driver bug is an expected failure with --ref" 0 1 \
	'^not - kernel log: WARNING: .*srpt_cache_put.* # TODO known reference driver bug' <<< "$REF_WARNING"
SRPT_MODULE=ours
log_case "the same report fails with our driver" 1 1 \
	'^not ok - kernel log: involving ib_srpt: WARNING: .*srpt_cache_put' <<< "$REF_WARNING"

log_case "WARN() with a message: one report, titled by its WARNING line" 1 1 \
	'^not ok - kernel log: involving ib_srpt: WARNING: CPU: 0 PID: 3 at lib/refcount.c:28 refcount_warn_saturate' <<'EOF'
------------[ cut here ]------------
refcount_t: underflow; use-after-free.
WARNING: CPU: 0 PID: 3 at lib/refcount.c:28 refcount_warn_saturate+0xba/0x110
Call Trace:
 <TASK>
 srpt_sample_put+0x44/0x50 [ib_srpt]
 </TASK>
---[ end trace 0000000000000000 ]---
EOF

log_case "kernel BUG at ... with its Oops: one report" 1 1 \
	'^not ok - kernel log: involving ib_srpt: kernel BUG at drivers/infiniband/ulp/srpt/ib_srpt.c:1234!' <<'EOF'
------------[ cut here ]------------
kernel BUG at drivers/infiniband/ulp/srpt/ib_srpt.c:1234!
Oops: invalid opcode: 0000 [#1] PREEMPT SMP NOPTI
CPU: 1 UID: 0 PID: 88 Comm: kworker/1:1 Tainted: G           OE      6.12.117+deb12-amd64 #1
RIP: 0010:srpt_sample+0x10/0x20 [ib_srpt]
Call Trace:
 <TASK>
 process_one_work+0x174/0x330
 </TASK>
Modules linked in: ib_srpt(OE)
---[ end trace 0000000000000000 ]---
EOF

log_case "UBSAN report in ib_srpt fails" 1 1 \
	'^not ok - kernel log: involving ib_srpt: UBSAN: array-index-out-of-bounds in drivers/infiniband/ulp/srpt/ib_srpt.c:321:9' <<'EOF'
------------[ cut here ]------------
UBSAN: array-index-out-of-bounds in drivers/infiniband/ulp/srpt/ib_srpt.c:321:9
index 8 is out of range for type 'u8 [8]'
CPU: 1 UID: 0 PID: 88 Comm: kworker/1:1 Tainted: G           OE      6.12.117+deb12-amd64 #1
Call Trace:
 <TASK>
 __ubsan_handle_out_of_bounds+0xc6/0x100
 </TASK>
---[ end trace ]---
EOF

log_case "bad page state fails and counts as a B taint report" 1 1 \
	'^not ok - kernel log: not in the allowlist: BUG: Bad page state in process kworker/0:1  pfn:04a1c' <<'EOF'
BUG: Bad page state in process kworker/0:1  pfn:04a1c
page: refcount:0 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x4a1c
page dumped because: nonzero mapcount
Call Trace:
 <TASK>
 bad_page+0x6b/0x110
 </TASK>
EOF
result "bad page state counts as one that taints with B" "$(( LOG_BADPAGE != 1 ))"

log_case "scheduling while atomic fails" 1 1 \
	'^not ok - kernel log: .*BUG: scheduling while atomic: kworker/0:1/12/0x00000002' <<'EOF'
BUG: scheduling while atomic: kworker/0:1/12/0x00000002
Call Trace:
 <TASK>
 __schedule_bug+0x5a/0x70
 srpt_sample_wait+0x20/0x50 [ib_srpt]
 </TASK>
EOF

# ---------------------------------------------------------------------------
B=$(( 1 << 5 )) D=$(( 1 << 7 )) W=$(( 1 << 9 )) O=$(( 1 << 12 )) E=$(( 1 << 13 ))
result "taint letters of B|W|O are BWO" "$([ "$(taint_letters $(( B | W | O )))" = BWO ]; echo $?)"
taint_case "new taint B without a report fails and names B" 1 0 "$B" 0 0 'newly tainted B .*: B without'
taint_case "new taint D without a report fails and names D" 1 0 "$D" 0 0 'newly tainted D '
taint_case "new taint W with a report passes" 0 0 "$W" 1 0
taint_case "new taint B with only a WARNING report fails" 1 0 $(( W | B )) 1 0 'newly tainted BW .*B without'
taint_case "new taint B with a SLUB report passes" 0 0 $(( W | B )) 2 1
taint_case "taint O and E (our unsigned module) alone pass" 0 0 $(( O | E )) 0 0
taint_case "W present before the scenario passes" 0 "$W" "$W" 0 0

tap_end kernel-log-check
