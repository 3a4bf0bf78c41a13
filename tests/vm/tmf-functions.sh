#!/bin/bash
# common: each SRP task management function (user-space initiator, tests/tools/srp-login.c) gets its SRP response code: LUN RESET 00h and then a unit attention, ABORT TASK SET, CLEAR TASK SET, CLEAR ACA and an unknown code 04h, a LUN RESET of an unmapped LUN 05h, ABORT TASK of an unknown tag 00h; a LUN RESET ends the WRITE held in a slow backstore without a response, an ABORT TASK SET lets it complete; every credit comes back and data verifies
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_tool_rd_slow

# has_code OUT FN CODE: the tool's request of function FN got CODE
has_code() {
	local got
	got=$(sed -n "s/^TMF fn=$2 code=//p" "$1")
	[ "$got" = "$3" ] || { diag "function $2 got response code ${got:-none}, not $3"; return 1; }
}
# nth_rsp OUT N: the Nth SRP_RSP line of a command in OUT
nth_rsp() { grep '^RSP ' "$1" | sed -n "${2}p"; }

# The core reports one unit attention per command and clears the rest:
# collect the one from mapping the LUNs first.
must "a TEST UNIT READY collects the unit attention of the LUN mapping" \
	eval 'srp_tool -c tur -L 0 > "$RESULTS/tur.out" && grep -q "^RSP .* key=0x6 " "$RESULTS/tur.out"'

# Each function on LUN 0, idle; LUN RESET last, then TEST UNIT READYs.
out=$RESULTS/functions.out
mark functions
check "six task management requests on LUN 0 are answered, then the TEST UNIT READYs" \
	eval 'srp_tool -L 0 -T 0x02,0x04,0x40,0x7f,0x01,0x08 -c tur -r 2 > "$out" &&
	      test "$(grep -c "^TMF " "$out")" -eq 6 && grep -q "^CREDITS" "$out"'
diag "$(grep -E '^(TMF|RSP|CREDITS)' "$out")"
check "LUN RESET: 00h (TASK MANAGEMENT FUNCTION COMPLETE)" has_code "$out" 0x08 0x00
improvement "ABORT TASK SET, CLEAR TASK SET, CLEAR ACA (not supported by the core): 04h (NOT SUPPORTED)" \
	eval 'has_code "$out" 0x02 0x04 && has_code "$out" 0x04 0x04 && has_code "$out" 0x40 0x04'
check "an unknown function code 7fh: 04h (NOT SUPPORTED)" has_code "$out" 0x7f 0x04
improvement "ABORT TASK of a tag never used: 00h (SAM: FUNCTION COMPLETE)" has_code "$out" 0x01 0x00
check "the first command after the LUN RESET gets a unit attention (06h, 29h/03h)" \
	eval 'nth_rsp "$out" 1 | grep -q "status=0x02 .* key=0x6 asc=0x29 ascq=0x03"'
check "the next one gets GOOD status" eval 'nth_rsp "$out" 2 | grep -q "status=0x00 "'
check "every credit came back" credits_back "$out"
improvement "the unknown function is logged with the channel's name" \
	eval 'log_since functions | grep -q "unknown task management function 0x7f"'

out=$RESULTS/unmapped.out
check "LUN RESET of an unmapped LUN 5: 05h (FAILED); a command to it: ILLEGAL REQUEST, 25h" \
	eval 'srp_tool -L 5 -T 0x08 -c tur > "$out" && has_code "$out" 0x08 0x05 &&
	      nth_rsp "$out" 1 | grep -q "status=0x02 .* key=0x5 asc=0x25"'

# A WRITE held by dm-delay on LUN 1, then a request for its LUN after a
# quarter of the delay; the tool waits twice the delay for a late
# response to the WRITE.
delay_ms=$(( $(scaled 2) * 1000 ))
must "backstore delay $delay_ms ms" slow_set slow0 "$delay_ms"
# shellcheck disable=SC2034 # used in the eval strings below
slow_args=(-c write -L 1 -n 8 -a $(( delay_ms / 4 )) -g $(( 2 * delay_ms )))
out=$RESULTS/lun-reset.out
check "LUN RESET behind a WRITE in the backstore: 00h, the WRITE ends without a response" \
	eval 'srp_tool "${slow_args[@]}" -A 0x08 > "$out" &&
	      grep -q "^ROUND 0 cmd_rsp=0 status=0x00 tmf_rsp=1 code=0x00$" "$out"'
diag "$(grep -E '^(ROUND|CREDITS)' "$out")"
check "the command after it gets the unit attention; every credit came back" \
	eval 'nth_rsp "$out" 1 | grep -q "key=0x6 asc=0x29 ascq=0x03" && credits_back "$out"'
out=$RESULTS/abort-task-set.out
check "ABORT TASK SET behind a WRITE in the backstore: the WRITE completes with GOOD status" \
	eval 'srp_tool "${slow_args[@]}" -A 0x02 > "$out" &&
	      grep -q "^ROUND 0 cmd_rsp=1 status=0x00 tmf_rsp=1 " "$out" && credits_back "$out"'
diag "$(grep -E '^(ROUND|CREDITS)' "$out")"
improvement "ABORT TASK SET behind a WRITE: 04h (NOT SUPPORTED)" \
	grep -q "^ROUND 0 .* code=0x04$" "$out"
must "backstore fast again" slow_set slow0 0

check "afterwards a 2 MiB pattern written to each LUN reads back the same" \
	tool_verify_luns 0 1
check "no RC QP is left once the tool's channels are gone" all_released
srpt_end
