#!/bin/bash
# common: the ACL removed and later the TPG disabled while I/O runs: the target closes the sessions, logins are refused until the admin restores them, writes acknowledged meanwhile read back, verified I/O works again and nothing is left behind
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_target 64
# no_reconnect: ib_srp does not try to reconnect its remote ports. When
# the target closes a channel, ib_srp's reconnect polls the old send CQ
# in srp_create_ch_ib() and, on the debug kernel, KASAN reports an
# out-of-bounds read there followed by an oops in the initiator (its
# completion handler is freed memory). The scenario logs out and in by
# itself, so the reconnects only exercised that initiator bug.
no_reconnect() {
	local p
	for p in /sys/class/srp_remote_ports/port-*; do
		echo off > "$p/reconnect_delay" || return 1
	done
}
login_disk
must "ib_srp will not reconnect (reconnect_delay off)" no_reconnect

must "build the acked-writes tool" acked_build

# load NAME FIRST: mixed I/O on the first 48 MiB and, from 64 KiB block
# FIRST (48 MiB and up) on, writes whose acknowledgement is noted
load() {
	load_start "$DISK" --size=48M && acked_start "$1" "$DISK" "$2" 64 &&
		nap "$(scaled 3)"
}
# login_refused: a login attempt fails (target reject or no answer)
login_refused() { ! srp_login 2>/dev/null; }
# acked_back NAME: the writes acknowledged to NAME read back, some at least
acked_back() { acked_verify "$1" "$DISK" && [ "$ACKED_N" -gt 0 ]; }

# 1. The ACL goes away under I/O.
load acl 768
check "ACL removed during I/O (bounded)" run_bounded 60 "acl_del" acl_del "$TPG" "$acl"
check "the target closes the session: ib_srpt holds no QP" target_released
load_stop
check "the initiator's hosts can be removed" srp_logout_all
acked_stop acl
check "no RC QP is left" all_released
check "a login without an ACL is refused" login_refused
must "ACL $acl back" acl_add "$TPG" "$acl" 0
must "login with the ACL back" srp_login
must "disk appears" srp_get_disk "$SRP_HOST" 0
must "ib_srp will not reconnect" no_reconnect
check "the writes acknowledged while the ACL went away read back" acked_back acl
check "fio verify 16 MiB after the ACL came back" fio_verify acl "$DISK" 16M

# 2. The TPG is disabled under I/O.
load tpg 832
check "TPG disabled during I/O (bounded)" run_bounded 60 "tpg_disable" tpg_disable "$TPG"
check "the target closes the session: ib_srpt holds no QP" target_released
load_stop
check "the initiator's hosts can be removed" srp_logout_all
acked_stop tpg
check "no RC QP is left" all_released
check "a login to a disabled TPG is refused" login_refused
must "TPG enabled again" tpg_enable "$TPG"
must "login with the TPG enabled" srp_login
must "disk appears" srp_get_disk "$SRP_HOST" 0
must "ib_srp will not reconnect" no_reconnect
check "the writes acknowledged while the TPG was disabled read back" acked_back tpg
check "fio verify 16 MiB after the TPG came back" fio_verify tpg "$DISK" 16M --offset=20M
check "logout" srp_logout_all
check "no RC QP is left" all_released
srpt_end
