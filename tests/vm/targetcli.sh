#!/bin/bash
# common: targetcli-fb drives the setup (fileio LUN, ACL), saveconfig, clearconfig, restoreconfig; data written before the clear is read back after the restore
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

# targetcli names srpt ports and initiators "ib." + 32 hex digits and
# writes them to configfs as "0x" + 32 hex digits.
wwn=ib.${RXE_GID#0x}
iwwn=ib.0000000000000001$RXE_GUID_HEX
acl=0x${iwwn#ib.}
img=/tmp/tcli0.img

create() {
	tcli create <<EOT
set global auto_save_on_exit=false
/backstores/fileio create name=tcli0 file_or_dev=$img size=64M write_back=false
/srpt create $wwn
/srpt/$wwn/luns create /backstores/fileio/tcli0
/srpt/$wwn/acls create $iwwn
saveconfig
exit
EOT
}
must "targetcli: fileio backstore, srpt target $wwn, LUN, ACL $iwwn, saveconfig" create

tpg_dir() {	# the port's TPG directory (targetcli calls it tpgt_1)
	local t
	for t in "$SRPT_CFS/$RXE_GID"/tpg*; do
		[ -d "$t" ] && { echo "$t"; return 0; }
	done
	return 1
}
config_present() {
	local t
	t=$(tpg_dir) || { diag "no TPG under $SRPT_CFS/$RXE_GID"; return 1; }
	[ -d "$t/lun/lun_0" ] || { diag "no lun_0 in $t"; return 1; }
	[ -d "$t/acls/$acl/lun_0" ] || { diag "no ACL $acl with lun_0 in $t"; return 1; }
	[ "$(_read1 "$t/enable")" = 1 ] || { diag "$t not enabled"; return 1; }
	ls "$CFS"/core/fileio_*/tcli0 >/dev/null 2>&1 || { diag "no backstore tcli0"; return 1; }
}
check "configfs: port $RXE_GID, TPG enabled, LUN 0, ACL $acl with LUN 0, backstore" config_present
check "saveconfig.json names the srpt target and the ACL" \
	eval 'grep -q "\"$wwn\"" "$SAVE" && grep -q "\"$iwwn\"" "$SAVE"'
cp "$SAVE" /tmp/saved.json
# rtslib does not know the RDMA/CM listener: set it by hand.
must "RDMA/CM listener on port $CM_PORT" target_listen "$CM_PORT"

must "ib_srp loaded" initiator_load
must "login" srp_login
must "disk appears" srp_get_disk "$SRP_HOST" 0
make_pattern /tmp/pattern 8
check "8 MiB written at offset 20 MiB" write_dev "$DISK" /tmp/pattern 20
check "logout" srp_logout_all

check "targetcli clearconfig" tcli_clear
check "configfs has no srpt port and no backstore left" \
	eval '! ls -d "$SRPT_CFS"/0x* "$CFS"/core/fileio_*/* >/dev/null 2>&1'

check "clearconfig left saveconfig.json alone (auto_save_on_exit=false)" cmp -s "$SAVE" /tmp/saved.json
check "targetcli restoreconfig" tcli_restore "$SAVE"
check "configfs: the same port, TPG, LUN, ACL and backstore are back" config_present
if [ -e "$SRPT_CFS/discovery_auth/rdma_cm_port" ]; then
	target_listen "$CM_PORT" || true
fi
must "login after the restore" srp_login
must "disk appears" srp_get_disk "$SRP_HOST" 0
check "the data written before the clear reads back" same_as_dev "$DISK" /tmp/pattern 20
check "fio verify 16 MiB from 32 MiB" fio_verify tcli "$DISK" 16M --offset=32M
check "logout" srp_logout_all
check "targetcli clearconfig at the end" tcli_clear
srpt_end
