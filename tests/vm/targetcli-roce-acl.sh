#!/bin/bash
# improvement: RoCE ACLs with targetcli alone: an ACL named by the initiator's IPv4-mapped or IPv6 address in the ib. form targetcli accepts admits an RDMA/CM initiator from that address whatever its port ID (and no other), sessions list it, its data reads back, and saveconfig/restoreconfig keep it; an address-named ACL made in configfs makes saveconfig fail loudly, leaving the saved file as it was
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
targetcli_ready
SAVE=/etc/rtslib-fb-target/saveconfig.json
rm -f "$SAVE"

# hex4 A.B.C.D: the address as 8 hex digits
hex4() { local IFS=.; set -- $1; printf '%02x%02x%02x%02x' "$@"; }
wwn=ib.${RXE_GID#0x}
v4acl=ib.00000000000000000000ffff$(hex4 "$INI_IP4")
v6acl=ib.$(python3 -c 'import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).exploded.replace(":", ""))' "$INI_IP6")
tpg=$SRPT_CFS/$RXE_GID/tpgt_1
create() {
	tcli create <<EOT
set global auto_save_on_exit=false
/backstores/fileio create name=acl0 file_or_dev=/tmp/acl0.img size=64M write_back=false
/srpt create $wwn
/srpt/$wwn/luns create /backstores/fileio/acl0
/srpt/$wwn/acls create $v4acl
/srpt/$wwn/acls create $v6acl
saveconfig
exit
EOT
}
must "targetcli: fileio LUN, ACLs $v4acl and $v6acl (the initiator's addresses), saveconfig" create
must "RDMA/CM listener" target_listen "$CM_PORT"
must "ib_srp loaded" initiator_load

# login_as NAME ARGS...: log in, write 4 MiB at offset N MiB and read it
# back, the ACL's info file names the initiator, log out
login_as() {
	local name=$1 acl=0x${1#ib.} off=$2
	shift 2
	srp_login "$@" || return 1
	srp_get_disk "$SRP_HOST" 0 || return 1
	make_pattern "/tmp/p$off" 4
	write_dev "$DISK" "/tmp/p$off" "$off" && same_as_dev "$DISK" "/tmp/p$off" "$off" || return 1
	grep -qx "InitiatorName: $acl" "$tpg/acls/$acl/info" ||
		{ diag "info: $(cat "$tpg/acls/$acl/info" 2>&1)"; return 1; }
	srp_logout_all
}
improvement "from $INI_IP4 with a port ID no ACL names: admitted by $v4acl, 4 MiB read back" \
	login_as "$v4acl" 8 src="$INI_IP4" initiator_ext=00000000000000a1
improvement "from [$INI_IP6]: admitted by $v6acl" \
	login_as "$v6acl" 16 dest="[$TGT_IP6]:$CM_PORT" src="[$INI_IP6]" initiator_ext=00000000000000a2
mark other
improvement "from $TGT_IP4 (no ACL names it): rejected, 0x00010003" \
	eval '! srp_login src="$TGT_IP4" initiator_ext=00000000000000a3 &&
	      wait_for 10 srp_no_hosts && [ "$(login_reject_reason other)" = 0x00010003 ]'

check "clearconfig, restoreconfig" eval 'tcli_clear && tcli_restore "$SAVE"'
must "RDMA/CM listener" target_listen "$CM_PORT"
check "both address ACLs are back" eval '[ -d "$tpg/acls/0x${v4acl#ib.}/lun_0" ] && [ -d "$tpg/acls/0x${v6acl#ib.}/lun_0" ]'
improvement "after the restore, $INI_IP4 is admitted and its data reads back" \
	eval 'srp_login src="$INI_IP4" initiator_ext=00000000000000a1 && srp_get_disk "$SRP_HOST" 0 &&
	      same_as_dev "$DISK" /tmp/p8 8 && srp_logout_all'

# An ACL named by address in configfs: targetcli cannot name it, and must
# not save a configuration without it as if nothing happened.
cp "$SAVE" /tmp/saved.json
check "an address-named ACL $INI_IP4 made in configfs" acl_add "$tpg" "$INI_IP4" 0
save() { printf 'saveconfig\nexit\n' | tcli save; }
check "targetcli saveconfig fails loudly with it (names the ACL), the saved file unchanged" \
	eval 'save; grep -q "WWN not valid as: ib" "$RESULTS/targetcli-save.log" &&
	      cmp -s "$SAVE" /tmp/saved.json'
check "the configfs ACL removed" acl_del "$tpg" "$INI_IP4"
check "targetcli clearconfig at the end" tcli_clear
srpt_end
