#!/bin/bash
# improvement: a new MAC under soft-RoCE (a new GID at index 0 of rxe0) is logged for the GID-named target port, which keeps serving logins (from the initiator's new port ID) and its data
# timeout: 600
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
must "ib_srp loaded" initiator_load
must "target: port $RXE_GID, ramdisk LUN 0" \
	target_basic "$RXE_GID" "$(iport_acl_name 0000000000000001)" 64
must "login" srp_login initiator_ext=0000000000000001 ch_count=1
must "its disk appears" srp_get_disk "$SRP_HOST" 0
make_pattern /tmp/pattern 8
check "8 MiB written" write_dev "$DISK" /tmp/pattern 8
check "logout" srp_logout_all

# A new MAC: rxe0's GID at index 0 changes under the GID-named port.
mark mac
check "$NETDEV gets a new MAC" eval 'ip link set "$NETDEV" address 52:54:00:12:34:56'
improvement "a log line reports the target port's GID change" \
	wait_for 10 eval 'log_since mac | grep -q "target port $RXE_GID: HCA port $RXE/1 now has GID"'
# The initiator's port ID follows the GID too: it needs a new ACL.
check "ACL for the initiator's new port ID" acl_add "$TPG" 0x0000000000000001505400fffe123456 0
improvement "the target port still serves logins; the data reads back" \
	eval 'srp_login initiator_ext=0000000000000001 ch_count=1 && srp_get_disk "$SRP_HOST" 0 &&
	      same_as_dev "$DISK" /tmp/pattern 8 && srp_logout_all'
check "the target closed every channel" target_released
srpt_end
