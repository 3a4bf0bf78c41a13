#!/bin/bash
# improvement: a login from an initiator missing from the ACLs is rejected (ours: reason 0x00010003), no disk appears; it works once the ACL exists
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
must "ib_srp loaded" initiator_load

# expect_reject TAG DESC LOGIN-ARGS...: the login must fail with an SRP
# login reject, leave no SCSI host or disk behind; then the reason code.
expect_reject() {
	local tag=$1 desc=$2 reason disks_before disks_after
	shift 2
	disks_before=$(ls /sys/block)
	mark "$tag"
	check "$desc: login is rejected" not srp_login "$@"
	check "$desc: no ib_srp SCSI host is left" wait_for 10 srp_no_hosts
	nap "$(scaled 1)"
	disks_after=$(ls /sys/block)
	check "$desc: no new disk" test "$disks_before" = "$disks_after"
	reason=$(login_reject_reason "$tag")
	diag "$desc: reject reason ${reason:-none}"
	check "$desc: the target sent an SRP_LOGIN_REJ (reason 0x0001xxxx)" \
		eval '[[ $reason == 0x0001???? ]]'
	improvement "$desc: reason is $SRP_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL (unable to associate the channel with the I_T nexus)" \
		test "$reason" = "$SRP_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL"
}

# 1. GUID-named port, RDMA/CM initiator named by IP address.
must "target: port $RXE_GUID, ramdisk LUN 0, ACL for 192.0.2.99 only" \
	target_basic "$RXE_GUID" 192.0.2.99 32
tpg_guid=$TPG
expect_reject ip "unknown IPv4 initiator" dest="$TGT_IP4:$CM_PORT"
expect_reject ip6 "unknown IPv6 initiator" dest="[$TGT_IP6]:$CM_PORT"

check "ACL for $TGT_IP4 added" acl_add "$tpg_guid" "$TGT_IP4" 0
check "login is accepted once the ACL exists" srp_login dest="$TGT_IP4:$CM_PORT"
if [ "$CHECK_OK" = 1 ]; then
	check "its disk appears" srp_get_disk "$SRP_HOST" 0
	check "logout" srp_logout_all
fi
check "ACL for $TGT_IP4 removed" acl_del "$tpg_guid" "$TGT_IP4"
expect_reject ip-again "initiator whose ACL was removed" dest="$TGT_IP4:$CM_PORT"
check "GUID-named port removed" target_clear

# 2. GID-named port, initiator named by its SRP initiator port ID.
known=$(iport_acl_name 0000000000000001)
must "target: port $RXE_GID, ramdisk LUN 0, ACL $known" target_basic "$RXE_GID" "$known" 32
expect_reject iport "unknown initiator port ID (initiator_ext 0000000000000002)" \
	initiator_ext=0000000000000002
check "login with the known initiator port ID is accepted" srp_login initiator_ext=0000000000000001
if [ "$CHECK_OK" = 1 ]; then
	check "its disk appears" srp_get_disk "$SRP_HOST" 0
	check "logout" srp_logout_all
fi
srpt_end
