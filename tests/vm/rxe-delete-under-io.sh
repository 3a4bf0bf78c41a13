#!/bin/bash
# common: "rdma link delete rxe0" while fio runs: the RDMA device goes away, then the target still tears down and unloads cleanly
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_target 128
login_disk

load_start "$DISK" --output="$RESULTS/fio-load.txt"
s0=$(sectors_done)
nap "$(scaled 5)"
check "I/O is flowing" test "$(sectors_done)" -gt "$s0"

check "rdma link delete rxe0 completes (within $(scaled 120) s)" \
	run_bounded 120 "rdma link delete" rdma link delete "$RXE"
check "rxe0 is gone" wait_for 30 test ! -e "/sys/class/infiniband/$RXE"
check "the ib_srp SCSI host went away with the device" wait_for 60 srp_no_hosts
check "fio ends" load_stop 60

check "configfs cleared (port, TPG, LUN, ACL, backstore) after the device removal" \
	run_bounded 60 "configfs teardown" target_clear
check "srpt fabric directory removed" rmdir "$SRPT_CFS"
check "modprobe -r ib_srpt (within $(scaled 60) s)" \
	run_bounded 60 "modprobe -r ib_srpt" modprobe -r ib_srpt
check "ib_srpt is gone" not module_loaded ib_srpt

# And it comes back: the module again, then a new rxe device appearing
# while it is loaded (the ib_client add path), a login.
check "ib_srpt loaded again (no RDMA device yet)" target_load
check "a new rxe0 while ib_srpt is loaded" eval 'rdma link add "$RXE" type rxe netdev "$NETDEV" && wait_for 15 rxe_port_active'
check "target configured again" target_basic "$RXE_GID" "$acl" 16
check "login again" srp_login
[ "$CHECK_OK" = 1 ] && check "disk appears" srp_get_disk "$SRP_HOST" 0
check "the target serves the login: ib_srpt holds as many QPs as ib_srp" target_matches_initiator
check "logout" srp_logout_all
check "the target closed the session: ib_srpt holds no QP" target_released
srpt_end
