#!/bin/bash
# improvement: SCSI persistent reservations through ib_srpt (sg_persist): two initiators with port ID ACLs register, one reserves WRITE EXCLUSIVE - REGISTRANTS ONLY, READ FULL STATUS shows both SRP TransportIDs (their 16-byte port IDs), the other preempts and aborts, the preempted one gets RESERVATION CONFLICT and the winner writes; the registration and reservation survive a logout and login; an initiator admitted by an address ACL registers too, and its TransportID is the ACL's 16 bytes (the 6.12 core takes it from the ACL name)
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
ida=0000000000000001$INI_GUID_HEX
idb=0000000000000002$INI_GUID_HEX
addr_id=00000000000000000000ffff$(printf '%02x' ${INI_IP4//./ })
must "target: ramdisk LUN 0, ACL 0x$ida" target_basic "$RXE_GUID" "0x$ida" 32
must "ACLs 0x$idb and 0x$addr_id (192.0.2.2 as 16 bytes) with LUN 0" \
	eval 'acl_add "$TPG" "0x$idb" 0 && acl_add "$TPG" "0x$addr_id" 0'
# The 6.12 core writes its APTPL file under dbroot on every PR OUT and
# answers NOT READY when the directory is missing.
must "dbroot's pr/ directory" eval 'mkdir -p "$(cat "$CFS/dbroot")/pr"'
must "ib_srp loaded" initiator_load

login() {	# login VAR ARGS...: log in, put the disk's name in VAR
	local -n _disk=$1
	shift
	srp_login "$@" && srp_get_disk "$SRP_HOST" 0 && _disk=$DISK
}
# Debian's driver admits RDMA/CM initiators only by (the target's)
# address, so it cannot tell A and B apart: the rest is ours only.
improvement "initiators A (port ID ...0001) and B (...0002) log in, admitted by their port ID ACLs" \
	eval 'login DA initiator_ext=0000000000000001 && login DB initiator_ext=0000000000000002'
[ "$CHECK_OK" = 1 ] || srpt_end

pr() {	# pr NAME DEV ARGS...: sg_persist, output kept in pr-NAME.out
	local name=$1 dev=$2
	shift 2
	sg_persist "$@" "$dev" > "$RESULTS/pr-$name.out" 2>&1
}
check "A registers key 0xa" pr reg-a "$DA" --out --register --param-sark=0xa
check "B registers key 0xb" pr reg-b "$DB" --out --register --param-sark=0xb
check "A reserves WRITE EXCLUSIVE - REGISTRANTS ONLY" \
	pr res-a "$DA" --out --reserve --param-rk=0xa --prout-type=5
# tids NAME: the SRP TransportIDs in pr-NAME.out (sg_persist prints each
# as a hex dump on the line after "RDMA initiator port identifier:"),
# sorted, space-separated
tids() {
	awk 'f { gsub(/ /, ""); print tolower($0); f = 0 }
	     /RDMA initiator port identifier:/ { f = 1 }' "$RESULTS/pr-$1.out" |
		sort | tr '\n' ' '
}
check "READ FULL STATUS: two registrants, TransportIDs the port IDs of A and B" \
	eval 'pr full "$DB" --in --read-full-status &&
	      [ "$(tids full)" = "$(printf "%s\n" "$ida" "$idb" | sort | tr "\n" " ")" ] ||
	      { diag "$(cat "$RESULTS/pr-full.out")"; false; }'
check "A holds the reservation" \
	eval 'pr rr "$DB" --in --read-reservation && grep -q "Key=0xa" "$RESULTS/pr-rr.out" &&
	      grep -q "Write Exclusive, registrants only" "$RESULTS/pr-rr.out"'
check "B preempts A and aborts" \
	pr preempt "$DB" --out --preempt-abort --param-rk=0xb --param-sark=0xa --prout-type=5

write_block() {	# write_block DEV: one 4 KiB WRITE(10) to LBA 64; its sg_raw output
	head -c 4096 /dev/urandom > /tmp/blk
	sg_raw -s 4096 -i /tmp/blk "$1" 2a 00 00 00 00 40 00 00 08 00 2>&1 || true
}
# A's first command may collect the unit attention of the preemption.
conflict() {
	local i out
	for i in 1 2 3; do
		out=$(write_block "$DA")
		grep -qi "Reservation Conflict" <<< "$out" && return 0
	done
	diag "$out"
	return 1
}
check "A's WRITE: RESERVATION CONFLICT" conflict
check "B's WRITE succeeds" \
	eval 'out=$(write_block "$DB"); ! grep -qi "status" <<< "$out" || grep -qi "Good" <<< "$out" || { diag "$out"; false; }'
check "READ KEYS: only 0xb is left" \
	eval 'pr keys "$DB" --in --read-keys && grep -q "0xb" "$RESULTS/pr-keys.out" &&
	      ! grep -q "0xa$" "$RESULTS/pr-keys.out"'

# B logs out and in again: the registration and reservation stay.
check "all initiators log out" srp_logout_all
must "B logs in again" login DB initiator_ext=0000000000000002
check "after B's new login: key 0xb registered, B holds the reservation" \
	eval 'pr keys2 "$DB" --in --read-keys && grep -q "0xb" "$RESULTS/pr-keys2.out" &&
	      pr rr2 "$DB" --in --read-reservation && grep -q "Key=0xb" "$RESULTS/pr-rr2.out"'

# C: from 192.0.2.2 with a port ID no ACL names, admitted by the address
# ACL. The core builds its TransportID from the ACL's name.
DC=
improvement "C (src $INI_IP4, port ID ...00c3) logs in" \
	login DC src="$INI_IP4" initiator_ext=00000000000000c3
if [ "$CHECK_OK" = 1 ]; then
	check "C registers key 0xc" pr reg-c "$DC" --out --register --param-sark=0xc
	check "READ FULL STATUS: B's port ID, and for C the ACL's 16 bytes" \
		eval 'pr full2 "$DB" --in --read-full-status &&
		      [ "$(tids full2)" = "$(printf "%s\n" "$addr_id" "$idb" | sort | tr "\n" " ")" ] ||
		      { diag "$(cat "$RESULTS/pr-full2.out")"; false; }'
	check "C unregisters" pr unreg-c "$DC" --out --register --param-rk=0xc --param-sark=0
fi
check "B releases and unregisters" \
	eval 'pr rel "$DB" --out --release --param-rk=0xb --prout-type=5 &&
	      pr unreg-b "$DB" --out --register --param-rk=0xb --param-sark=0'
check "logout" srp_logout_all
check "the target closed the channels" target_released
srpt_end
