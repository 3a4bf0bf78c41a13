#!/bin/bash
# improvement: a RoCE target configured with targetcli alone survives a "reboot" with no manual step: scripts/install-boot.sh puts rdma_cm_port in modprobe.d (listening from load; configfs overrides it), saveconfig, everything torn down and unloaded, then restored as target.service does: before rxe0 exists the port is refused by name, and with the shipped drop-in the restore waits for rxe0 and an initiator reads back the data
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

SCRIPTS=$TESTS_DIR/../scripts
DROPIN=/etc/systemd/system/rtslib-fb-targetctl.service.d/ib_srpt.conf
# shellcheck disable=SC2034 # used in an eval string
UNIT=/lib/systemd/system/rtslib-fb-targetctl.service
SAVE=/etc/rtslib-fb-target/saveconfig.json

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "scripts/install-boot.sh --rdma-cm-port $CM_PORT" \
	bash "$SCRIPTS/install-boot.sh" --rdma-cm-port "$CM_PORT"
check "modprobe.d sets rdma_cm_port" grep -qx "options ib_srpt rdma_cm_port=$CM_PORT" /etc/modprobe.d/ib_srpt.conf
must "ib_srpt ($SRPT_MODULE) loaded by modprobe" target_load

# listening: ib_srpt has an RDMA/CM ID listening on PORT
# on rxe0 (rdma res lists a listener per device)
listening() {
	rdma res show cm_id 2>/dev/null | grep "state LISTEN" |
		grep "comm \[ib_srpt\]" | grep -q "src-addr [^ ]*:$1\( \|$\)"
}
cfs_port() { _read1 "$SRPT_CFS/discovery_auth/rdma_cm_port"; }
improvement "listening on $CM_PORT from load: the parameter and discovery_auth/rdma_cm_port show it" \
	eval '[ "$(_read1 /sys/module/ib_srpt/parameters/rdma_cm_port)" = "$CM_PORT" ] &&
	      [ "$(cfs_port)" = "$CM_PORT" ] && listening "$CM_PORT"'
improvement "discovery_auth/rdma_cm_port overrides it: 0 stops the listener, $CM_PORT starts it again" \
	eval 'target_listen 0 && [ "$(cfs_port)" = 0 ] && ! listening "$CM_PORT" &&
	      target_listen "$CM_PORT" && listening "$CM_PORT"'
if [ "$SRPT_MODULE" = ref ]; then
	target_listen 0
fi

targetcli_ready
rm -f "$SAVE"
wwn=ib.${RXE_GID#0x}
iwwn=ib.0000000000000001$RXE_GUID_HEX
acl=0x${iwwn#ib.}
img=/tmp/reboot0.img
create() {
	tcli create <<EOT
set global auto_save_on_exit=false
/backstores/fileio create name=reboot0 file_or_dev=$img size=64M write_back=false
/srpt create $wwn
/srpt/$wwn/luns create /backstores/fileio/reboot0
/srpt/$wwn/acls create $iwwn
saveconfig
exit
EOT
}
must "targetcli only: fileio backstore, srpt target $wwn, LUN, ACL, saveconfig" create
config_present() {
	local t=$SRPT_CFS/$RXE_GID/tpgt_1
	[ -d "$t/lun/lun_0" ] && [ -d "$t/acls/$acl/lun_0" ] &&
		[ "$(_read1 "$t/enable")" = 1 ] && ls "$CFS"/core/fileio_*/reboot0 > /dev/null 2>&1 ||
		{ diag "configfs: $(find "$SRPT_CFS" -maxdepth 3 2>&1 | head -20)"; return 1; }
}
check "configfs holds the port, LUN, ACL and backstore" config_present

must "ib_srp loaded" initiator_load
make_pattern /tmp/pattern 8
improvement "login with no step beyond targetcli" srp_login
if [ "$CHECK_OK" = 1 ]; then
	must "disk appears" srp_get_disk "$SRP_HOST" 0
	check "8 MiB written at offset 8 MiB" write_dev "$DISK" /tmp/pattern 8
	check "logout" srp_logout_all
fi

# The "reboot": configuration, module and HCA gone.
clear_all() { targetctl clear > "$RESULTS/targetctl-clear.log" 2>&1; }
check "targetctl clear" clear_all
# The fabric's configfs directory holds a reference on the module.
must "ib_srpt unloaded" eval 'rmdir "$SRPT_CFS" && modprobe -r ib_srpt && ! module_loaded ib_srpt'
check "rdma link delete rxe0" rdma link delete "$RXE"
must "ib_srpt loaded by modprobe, before rxe0 exists" target_load
improvement "rdma_cm_port is $CM_PORT from load again" eval '[ "$(cfs_port)" = "$CM_PORT" ]'

# targetctl restore as it is, before the port exists: the port is refused
# by name (and the rest restored).
mark early
restore() { targetctl restore > "$RESULTS/targetctl-$1.log" 2>&1; }
check "targetctl restore before rxe0 exists runs" restore early
check "the port is not created" eval '[ ! -d "$SRPT_CFS/$RXE_GID" ]'
improvement "the refusal names the port" \
	eval 'log_since early | grep -q "$RXE_GID: no HCA port has that GUID or GID"'
check "targetctl clear" clear_all

# The shipped wait script gives up after its timeout, naming the port.
check "srpt-wait-ports -t 2 without rxe0: exits 0 and names the missing port" \
	eval '/usr/local/sbin/srpt-wait-ports -t 2 2> "$RESULTS/wait-timeout.log" &&
	      grep -q "no HCA port has the GID or GUID of: $wwn" "$RESULTS/wait-timeout.log"'

# target.service with the drop-in: ExecStartPre waits, rxe0 comes up 3 s
# later, then ExecStart restores.
pre=$(sed -n 's/^ExecStartPre=//p' "$DROPIN")
check "the drop-in runs srpt-wait-ports before the unit's targetctl restore" \
	eval '[ "$pre" = /usr/local/sbin/srpt-wait-ports ] &&
	      grep -qx "ExecStart=/usr/bin/targetctl restore" "$UNIT"'
SRPT_WAIT_PORTS_TIMEOUT=$(scaled 60) $pre 2> "$RESULTS/wait.log" &
wait_pid=$!
sleep 3
check "srpt-wait-ports still waits for the port" kill -0 "$wait_pid"
must "rxe0 added again" eval 'rdma link add "$RXE" type rxe netdev "$NETDEV" && rxe_read_ids'
check "srpt-wait-ports returns once rxe0 is there" \
	eval 'wait "$wait_pid" && grep -q "all 1 srpt ports present" "$RESULTS/wait.log"'
check "targetctl restore" restore boot
check "configfs: the port, LUN, ACL and backstore are back" config_present
improvement "the listener from load serves the new rxe0" wait_for 10 listening "$CM_PORT"

must "ib_srp sees rxe0 again" wait_for 15 test -e "/sys/class/infiniband_srp/srp-$RXE-1/add_target"
improvement "login after the reboot with no manual step" srp_login
if [ "$CHECK_OK" = 1 ]; then
	must "disk appears" srp_get_disk "$SRP_HOST" 0
	check "the data written before the reboot reads back" same_as_dev "$DISK" /tmp/pattern 8
	check "fio verify 8 MiB from 32 MiB" fio_verify reboot "$DISK" 8M --offset=32M
	check "logout" srp_logout_all
fi
check "targetctl clear at the end" clear_all
rm -f /etc/modprobe.d/ib_srpt.conf
srpt_end
