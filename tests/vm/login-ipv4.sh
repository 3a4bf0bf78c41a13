#!/bin/bash
# common: RDMA/CM login over IPv4 with an ACL named by IPv4 address; data written is read back; logout
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
# The GUID-named port (xxxx:xxxx:xxxx:xxxx) is the one whose ACLs name
# RDMA/CM initiators by IP address.
must "target: port $RXE_GUID, ramdisk LUN 0, ACL $TGT_IP4, RDMA/CM port $CM_PORT" \
	target_basic "$RXE_GUID" "$TGT_IP4" 64
must "ib_srp loaded" initiator_load
must "login to $TGT_IP4:$CM_PORT" srp_login dest="$TGT_IP4:$CM_PORT"
must "disk of LUN 0 appears" srp_get_disk "$SRP_HOST" 0
diag "disk $DISK behind $SRP_HOST"
check "disk is an LIO-ORG SCSI disk" disk_vendor_is "$DISK" LIO-ORG
check "disk size is 64 MiB" test "$(blockdev --getsize64 "$DISK")" -eq $((64 << 20))

make_pattern /tmp/pattern 8
check "8 MiB written at offset 0" write_dev "$DISK" /tmp/pattern 0
check "8 MiB written at offset 48 MiB" write_dev "$DISK" /tmp/pattern 48
check "data read back at offset 0 matches" same_as_dev "$DISK" /tmp/pattern 0
check "data read back at offset 48 MiB matches" same_as_dev "$DISK" /tmp/pattern 48

check "logout: no ib_srp SCSI host left" srp_logout_all
check "the disk is gone" test ! -e "/sys/block/${DISK#/dev/}"
srpt_end
