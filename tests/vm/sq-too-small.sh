#!/bin/bash
# improvement: a command that needs more work requests than its channel's whole send queue holds (srp_sq_size 16, a 240-descriptor WRITE from ib_srp with never_register) ends at once with CHECK CONDITION, NOT READY, LOGICAL UNIT COMMUNICATION FAILURE and one log line naming the channel and the tag; the channel keeps working and is released at logout (the 6.12 driver retries the command for ever, floods the log and never releases the channel)
# timeout: 900
# tcg: single
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# With never_register ib_srp sends one descriptor per piece of the
# buffer; sg_tablesize=255 and max_sect=2048 let a 240-page SG_IO
# through. On srp_sq_size 16 (8 credits) the send queue also has room for
# 8 commands' RDMA: 127 work requests on soft-RoCE, while the WRITE needs
# an RDMA READ per descriptor. With memory registration forced
# (ib_core.force_mr=1) it needs more MRs than the channel's pool has,
# which must end the same way.
must "build the SG_IO scatter tool" sgio_build
setup_target 16 never_register=Y
make_pattern "$SGIO_PATTERN" 1
must "srp_sq_size 16 on the TPG" eval 'echo 16 > "$TPG/attrib/srp_sq_size"'
login_disk cmd_sg_entries=255 sg_tablesize=255 max_sect=2048

BIG=$((240 * 4096))
# too_big_write: the 240-page WRITE gets 02h/08h/00h before its (scaled
# 30 s) SG_IO timeout
too_big_write() {
	SGIO_TIMEOUT_S=$(scaled 30) rw_ctxs_for_write pages 16384 "$BIG" || return 1
	diag "240-page WRITE: $SGIO_CTXS RDMA context(s), exit $SGIO_RC, ${SGIO_OUT:-no sense}"
	[ "$SGIO_RC" -eq 3 ] && [ "$SGIO_OUT" = "SENSE key=0x2 asc=0x08 ascq=0x00" ]
}
# one_log_line: exactly one warning for it, naming the channel (the
# initiator and the QP number) and the tag
one_log_line() {
	local n
	n=$(log_since too-big | grep -Ec 'ib_srpt: [^ ]+-[0-9]+: tag 0x[0-9a-f]+ needs ' || true)
	diag "warnings since the WRITE: $n"
	[ "$n" -eq 1 ]
}

mark too-big
check "a 240-descriptor WRITE ends with CHECK CONDITION, NOT READY, 08h/00h" too_big_write
check "one log line names the channel and the tag" one_log_line
check "a 4-page WRITE still works on the channel" scatter_write pages 2048 16384
check "logout" srp_logout_all
check "no RC QP is left" all_released
srpt_end
