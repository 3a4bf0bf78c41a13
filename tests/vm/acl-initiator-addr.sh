#!/bin/bash
# improvement: RDMA/CM initiators are named by their own (source) address, not the target's: src=192.0.2.2 matches ACL 192.0.2.2 only
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
must "ib_srp loaded" initiator_load
must "target: port $RXE_GUID, ramdisk LUN 0, ACL $TGT_IP4" target_basic "$RXE_GUID" "$TGT_IP4" 32

# try_login DESC LOGIN-ARGS...: log in; on success check the disk and
# log out again. Leaves LOGIN_OK 1/0 and the reject reason in REASON.
try_login() {
	local desc=$1
	shift
	mark "$desc"
	LOGIN_OK=0
	REASON=
	if srp_login "$@"; then
		LOGIN_OK=1
		check "$desc: disk appears" srp_get_disk "$SRP_HOST" 0
		check "$desc: logout" srp_logout_all
	else
		wait_for 10 srp_no_hosts || true
		REASON=$(login_reject_reason "$desc")
		diag "$desc: rejected, reason ${REASON:-none}"
	fi
}

# Common ground: with src = dest both drivers see 192.0.2.1.
try_login "src=dest=$TGT_IP4, ACL $TGT_IP4"
check "login from $TGT_IP4 to $TGT_IP4 with ACL $TGT_IP4 is accepted" test "$LOGIN_OK" = 1

# ACL only for the initiator's real address.
check "ACL $TGT_IP4 removed" acl_del "$TPG" "$TGT_IP4"
check "ACL $INI_IP4 added" acl_add "$TPG" "$INI_IP4" 0
try_login "src=$INI_IP4, ACL $INI_IP4" src="$INI_IP4" initiator_ext=0000000000000002
improvement "login from $INI_IP4 with an ACL for $INI_IP4 is accepted" test "$LOGIN_OK" = 1

# ACL only for the target's address: the initiator at .2 is unknown.
check "ACL $INI_IP4 removed" acl_del "$TPG" "$INI_IP4"
check "ACL $TGT_IP4 added" acl_add "$TPG" "$TGT_IP4" 0
try_login "src=$INI_IP4, ACL $TGT_IP4 only" src="$INI_IP4" initiator_ext=0000000000000003
improvement "login from $INI_IP4 with only an ACL for the target's address is rejected" \
	test "$LOGIN_OK" = 0
improvement "... with reason $SRP_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL" \
	test "$REASON" = "$SRP_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL"
srp_logout_all >/dev/null || true

# The same over IPv6.
check "ACL $TGT_IP4 removed" acl_del "$TPG" "$TGT_IP4"
check "ACL $INI_IP6_NAME added" acl_add "$TPG" "$INI_IP6_NAME" 0
try_login "src=[$INI_IP6], ACL $INI_IP6_NAME" src="[$INI_IP6]" dest="[$TGT_IP6]:$CM_PORT" \
	initiator_ext=0000000000000004
improvement "login from $INI_IP6 with an ACL for $INI_IP6_NAME is accepted" test "$LOGIN_OK" = 1
srpt_end
