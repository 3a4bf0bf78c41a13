#!/bin/bash
# common: the initiator half of scale-pair: SCALE_LOGINS logins (ch_count=1, distinct initiator ports) per round, logged out once the target VM has measured
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
srpt_begin

ROUNDS=${SCALE_ROUNDS:-3}
LOGINS=${SCALE_LOGINS:-8}

login_all() {
	local i
	for i in $(seq "$LOGINS"); do
		printf 'id_ext=%s,ioc_guid=%s,initiator_ext=%016x,dest=%s,ch_count=1\n' \
			"$TGT_GUID_HEX" "$TGT_GUID_HEX" "$i" "$TGT_IP4:$CM_PORT" \
			> "/sys/class/infiniband_srp/srp-$RXE-1/add_target" || return 1
	done
}
n_disks() { srp_hosts | while read -r h; do srp_disk "$h" 0; done | wc -l; }
_disks_are() { [ "$(n_disks)" -eq "$1" ]; }

must "network link to the target VM, soft-RoCE rxe0 on it" pair_net_setup
must "ib_srp loaded" initiator_load
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then drivers="ours ref"; else drivers="ref ours"; fi
	for d in $drivers; do
		must "$d: the target VM is ready" eval 'pair_wait "ready-$r-$d" 600 >/dev/null'
		must "$d: $LOGINS logins" login_all
		must "$d: $LOGINS disks" wait_for 60 _disks_are "$LOGINS"
		pair_set "in-$r-$d"
		must "$d: the target VM measured" eval 'pair_wait "measured-$r-$d" 300 >/dev/null'
		must "$d: logout" srp_logout_all
		pair_set "out-$r-$d"
	done
done
must "the target VM is done" eval 'pair_wait target-done 300 >/dev/null'
srpt_end
