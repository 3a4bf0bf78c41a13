#!/bin/bash
# common: target and initiator in two VMs joined only by a network link (soft-RoCE on virtio-net): the initiator VM's ib_srp logs in over RDMA/CM, the target VM holds its channel, 32 MiB of verified fio I/O, logout; then no ib_srpt channel is left
# pair: pair/pair-smoke-initiator.sh
# SPDX-License-Identifier: GPL-2.0-only
# The target half; the initiator half is tests/vm/pair/pair-smoke-initiator.sh.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

must "network link to the initiator VM, soft-RoCE rxe0 on it" pair_net_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
# Our driver names an RDMA/CM initiator after its own (source) address;
# the 6.12 driver names logins to a GID-named port after the initiator
# port ID: an ACL for each, the address first (ours takes the first ACL
# that matches).
acl=$(iport_acl_name 0000000000000001)
must "target: port $RXE_GID, 64 MiB ramdisk LUN 0, ACL $INI_IP4, RDMA/CM port $CM_PORT" \
	target_basic "$RXE_GID" "$INI_IP4" 64
must "ACL $acl with LUN 0" acl_add "$TPG" "$acl" 0
mark login
pair_set target-ready

# The initiator VM publishes how many channels (RC queue pairs) ib_srp
# opened; every RC queue pair in this VM is one of ib_srpt's channels
# (made through RDMA/CM, "rdma res" shows them as rdma_cm's).
chans=''
must "the initiator VM logged in" eval 'chans=$(pair_wait initiator-logged-in 300)'
check "the target holds as many channels as ib_srp opened ($chans)" \
	eval '[ "$(rc_qps)" -eq "$chans" ] && [ "$chans" -ge 1 ]'
check "memory registrations in use if ib_core.force_mr=1 asks for them" force_mr_in_use
improvement "the login is admitted under the ACL of the initiator VM's address $INI_IP4" \
	eval 'log_since login | grep -q ": logged in to $INI_IP4 "'
pair_set target-checked

must "the initiator VM is done" eval 'pair_wait initiator-done 600 >/dev/null'
check "no channel is left after its logout" all_released
srpt_end
