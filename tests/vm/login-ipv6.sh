#!/bin/bash
# common: RDMA/CM login over IPv6 with an ACL named by the fully expanded IPv6 address; data read back; logout
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
must "target: port $RXE_GUID, ramdisk LUN 0, ACL $TGT_IP6_NAME" \
	target_basic "$RXE_GUID" "$TGT_IP6_NAME" 32
must "ib_srp loaded" initiator_load
must "login to [$TGT_IP6]:$CM_PORT" srp_login dest="[$TGT_IP6]:$CM_PORT"
must "disk of LUN 0 appears" srp_get_disk "$SRP_HOST" 0
diag "disk $DISK behind $SRP_HOST"
check "disk is an LIO-ORG SCSI disk" disk_vendor_is "$DISK" LIO-ORG

make_pattern /tmp/pattern 8
check "8 MiB written at offset 16 MiB" write_dev "$DISK" /tmp/pattern 16
check "data read back matches" same_as_dev "$DISK" /tmp/pattern 16

check "logout: no ib_srp SCSI host left" srp_logout_all
# The IPv4 address of the same port must not be let in: there is no
# ACL for it.
check "login over IPv4 (no ACL for $TGT_IP4) is refused" not srp_login
check "no ib_srp SCSI host left after the refused login" wait_for 10 srp_no_hosts
srpt_end
