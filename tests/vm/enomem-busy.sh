#!/bin/bash
# improvement: commands whose buffers cannot be allocated (-ENOMEM injected into srpt_cmd_map() by fail_function, debug kernel only) are answered BUSY and retried by the initiator: verified I/O completes without an I/O error
# tcg: single
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

FF=/sys/kernel/debug/fail_function
[ -d "$FF" ] || srpt_skip "no fail_function in this kernel (the debug kernel of scripts/debug-kernel.sh has it)"
setup_target 64
login_disk

# inject PROBABILITY: srpt_cmd_map() fails with -ENOMEM that often (%)
inject() {
	echo srpt_cmd_map > "$FF/inject" &&
		printf %#x -12 > "$FF/srpt_cmd_map/retval" &&
		echo "$1" > "$FF/probability" && echo -1 > "$FF/times" &&
		echo 0 > "$FF/verbose"
}
at_end "echo > $FF/inject"
must "fail_function injects -ENOMEM into 20% of srpt_cmd_map() calls" inject 20
mark enomem
check "fio verify 16 MiB while buffers fail to allocate" \
	fio_verify enomem "$DISK" 16M --iodepth=16
must "injection off" eval 'echo > "$FF/inject"'
check "the target answered BUSY (logged)" \
	eval 'log_since enomem | grep -q "out of memory for its buffers; answering BUSY"'
improvement "no I/O error reached the block layer" \
	eval '! log_since enomem | grep -qE "I/O error|critical medium error|Sense Key : Not Ready"'
check "fio verify 8 MiB after the injection" fio_verify after "$DISK" 8M --offset=24M
check "logout" srp_logout_all
srpt_end
