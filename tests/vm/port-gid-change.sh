#!/bin/bash
# improvement: an IP address of the soft-RoCE port is removed while a channel uses it as its GID: the target closes that channel within seconds with a log line naming it and the reason, its other channel (another address) keeps serving verified data on the same QP, and a login to a newly added address serves its data; that address deleted and added again at once (as a bonding failover does) closes nothing; a new MAC closes every channel (peers address the old one) and a login after it serves its data
# timeout: 600
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

ADDR_B=192.0.2.11
ADDR_C=192.0.2.12
setup_target 64
acl_b=$(iport_acl_name 0000000000000002)
must "ACL $acl_b for initiator_ext 2, LUN 0" acl_add "$TPG" "$acl_b" 0
CH_A=$TPG/acls/$acl/channels
CH_B=$TPG/acls/$acl_b/channels

# gid_indexes ADDR: the indexes of ADDR's IPv4-mapped GIDs in rxe0's
# table, sorted; empty if it has none
gid_indexes() {
	local hex
	local -a b
	IFS=. read -ra b <<< "$1"
	hex=$(printf '%02x%02x:%02x%02x' "${b[@]}")
	grep -lx "0000:0000:0000:0000:0000:ffff:$hex" \
		/sys/class/infiniband/"$RXE"/ports/1/gids/* 2>/dev/null |
		sed 's|.*/||' | sort -n | paste -sd ' '
}
gid_present() { [ -n "$(gid_indexes "$1")" ]; }
# live_qp FILE: the QP number of the one live channel listed in FILE
live_qp() {
	local l
	l=$(grep 'state=live' "$1") || return 1
	[ "$(wc -l <<< "$l")" -eq 1 ] || return 1
	field "$l" qp
}
b_live_on() { grep 'state=live' "$CH_B" | grep -q " local=$1:"; }
b_closed() { [ -r "$CH_B" ] && ! grep -q 'state=live' "$CH_B"; }
a_same_qp() { [ "$(live_qp "$CH_A")" = "$QP_A" ]; }
a_closed() { [ -r "$CH_A" ] && ! grep -q 'state=live' "$CH_A"; }
remote_port_of() {	# remote_port_of HOST: its SRP remote port in sysfs
	local p
	for p in /sys/class/srp_remote_ports/port-"${1#host}":*; do
		[ -e "$p" ] && { echo "$p"; return 0; }
	done
	return 1
}

must "$ADDR_B added to $NETDEV" ip addr add "$ADDR_B/24" dev "$NETDEV"
must "rxe0 has a GID for $ADDR_B" wait_for 10 gid_present "$ADDR_B"
login_disk initiator_ext=0000000000000001 ch_count=1
DISK_A=$DISK
must "login to $ADDR_B" srp_login initiator_ext=0000000000000002 ch_count=1 \
	"dest=$ADDR_B:$CM_PORT"
HOST_B=$SRP_HOST
must "its disk appears" srp_get_disk "$HOST_B" 0
DISK_B=$DISK
check "the target lists B's channel on $ADDR_B" b_live_on "$ADDR_B"
QP_A='' QP_B=''
must "A has one live channel" eval 'QP_A=$(live_qp "$CH_A")'
must "B has one live channel" eval 'QP_B=$(live_qp "$CH_B")'
make_pattern /tmp/pattern 8
check "8 MiB written through B" write_dev "$DISK_B" /tmp/pattern 48
# B's reconnects would go to an address nobody has: keep them rare.
check "B reconnects only after 60 s" \
	eval 'echo 60 > "$(remote_port_of "$HOST_B")/reconnect_delay"'

FAILED_A=$(chan_counter "$acl" failed)
verify_rounds_start "$DISK_A" 8M 8
check "I/O flows on A" io_flows 10 "$DISK_A"
mark gid
check "$ADDR_B removed from $NETDEV" ip addr del "$ADDR_B/24" dev "$NETDEV"
check "rxe0 has no GID for $ADDR_B" wait_for 10 not gid_present "$ADDR_B"
improvement "within 10 s the target lists no live channel for B" \
	wait_for 10 b_closed
improvement "a log line names B's channel (QP $QP_B) and says why it closed" \
	eval 'log_since gid | grep -Eq "ib_srpt: [^ ]+-$QP_B: closing the channel: its GID left the port"'
improvement "a log line counts the channels closed on the port" \
	eval 'log_since gid | grep -q "HCA port $RXE/1: closing 1 channels whose GID, MAC address, P_Key or LID changed"'
check "A's channel is live on the same QP $QP_A" a_same_qp
check "I/O still flows on A" io_flows 10 "$DISK_A"
verify_rounds_stop
check "A's channel answered every command since GOOD (failed=$FAILED_A)" \
	eval '[ "$(chan_counter "$acl" failed)" -eq "$FAILED_A" ]'
check "B's remote port removed" eval 'echo 1 > "$(remote_port_of "$HOST_B")/delete"'

# New logins take the port's new GIDs.
must "$ADDR_C added to $NETDEV" ip addr add "$ADDR_C/24" dev "$NETDEV"
must "rxe0 has a GID for $ADDR_C" wait_for 10 gid_present "$ADDR_C"
# The disconnect request of B's channel had no source address; the
# device's CM still works.
check "login to $ADDR_C as B" srp_login initiator_ext=0000000000000002 ch_count=1 \
	"dest=$ADDR_C:$CM_PORT"
check "its disk appears" srp_get_disk "$SRP_HOST" 0
check "the target lists B's channel on $ADDR_C" b_live_on "$ADDR_C"
check "the 8 MiB written through B before read back" same_as_dev "$DISK" /tmp/pattern 48
check "fio verify 8 MiB through $ADDR_C" fio_verify via-c "$DISK" 8M --offset=32M

# A GID deleted and added again at once, as a bonding failover does:
# the core keeps the old entry while B's QP holds it, so the GID comes
# back at other indexes with the same value, and B's channel stays.
QP_C='' IDX_C=''
must "B has one live channel" eval 'QP_C=$(live_qp "$CH_B")'
must "the indexes of $ADDR_C's GIDs" eval 'IDX_C=$(gid_indexes "$ADDR_C")'
mark readd
check "$ADDR_C deleted and added again in one ip batch" \
	ip -batch - <<< "addr del $ADDR_C/24 dev $NETDEV
addr add $ADDR_C/24 dev $NETDEV"
check "rxe0 has $ADDR_C's GIDs again, at other indexes than $IDX_C" \
	wait_for 10 eval 'gid_present "$ADDR_C" &&
		[ "$(gid_indexes "$ADDR_C")" != "$IDX_C" ]'
# The port work runs within a second and settles for 100 ms.
nap 3
check "B's channel is live on the same QP $QP_C" \
	eval '[ "$(live_qp "$CH_B")" = "$QP_C" ]'
check "no channel was closed" \
	eval '! log_since readd | grep -Eq "ib_srpt: .*closing"'
check "fio verify 8 MiB through $ADDR_C after the GID came back" \
	fio_verify readd "$DISK" 8M --offset=40M

# A new MAC: the peers' address vectors name the old one, so every
# RoCE channel of the network device is closed, although the GIDs of
# their IPv4 addresses come back with the same values.
mark mac
check "$NETDEV gets a new MAC" ip link set "$NETDEV" address 52:54:00:12:34:57
improvement "within 10 s the target lists no live channel for A or B" \
	wait_for 10 eval 'a_closed && b_closed'
improvement "a log line gives the new MAC as the reason" \
	eval 'log_since mac | grep -q "closing the channel: its network device has a new MAC address"'
check "ib_srp logs out" srp_logout_all
# The initiator's port ID follows its GID, and so the MAC.
check "ACL for A's port ID under the new MAC" \
	acl_add "$TPG" 0x0000000000000001505400fffe123457 0
check "A logs in again" srp_login initiator_ext=0000000000000001 ch_count=1
check "its disk appears" srp_get_disk "$SRP_HOST" 0
check "fio verify 8 MiB on A after the new MAC" fio_verify after-mac "$DISK" 8M --offset=16M
check "logout" srp_logout_all
check "the target closed every channel" target_released
srpt_end
