#!/bin/bash
# demo: soft-RoCE, target with a ramdisk LUN, ib_srp login, fio random read/write; prints IOPS and bandwidth
# SPDX-License-Identifier: GPL-2.0-only
#
# Run inside the VM by scripts/demo.sh. DEMO_RUNTIME: fio seconds.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

RUNTIME=${DEMO_RUNTIME:-25}
must "soft-RoCE: rxe0 on dummy0 ($TGT_IP4, $TGT_IP6)" rxe_setup
must "target module ib_srpt ($SRPT_MODULE) loaded" target_load
must "target: port $RXE_GUID, 256 MiB ramdisk as LUN 0, ACL $TGT_IP4, RDMA/CM port $CM_PORT" \
	target_basic "$RXE_GUID" "$TGT_IP4" 256
must "initiator ib_srp loaded" initiator_load
must "login to $TGT_IP4:$CM_PORT" srp_login dest="$TGT_IP4:$CM_PORT"
must "SCSI disk of LUN 0 appears" srp_get_disk "$SRP_HOST" 0
read -r vendor < "/sys/block/${DISK#/dev/}/device/vendor"
read -r model < "/sys/block/${DISK#/dev/}/device/model"
diag "disk: $DISK ($vendor $model), $(( $(blockdev --getsize64 "$DISK") >> 20 )) MiB, host $SRP_HOST with $(_read1 "/sys/class/scsi_host/$SRP_HOST/ch_count") RDMA channels"

json=$RESULTS/fio-demo.json
check "fio: 70/30 random read/write, 4k, iodepth 32, 2 jobs, ${RUNTIME} s" \
	fio --name=randrw --filename="$DISK" --direct=1 --ioengine=libaio \
	--rw=randrw --rwmixread=70 --bs=4k --iodepth=32 --numjobs=2 \
	--group_reporting=1 --time_based --runtime="$RUNTIME" --size=256M \
	--output-format=json --output="$json"
# One "demo-result" line per direction: IOPS and MiB/s, from fio's JSON.
awk '
	/^ *"read" *:/ { sec = "read" }
	/^ *"write" *:/ { sec = "write" }
	/^ *"trim" *:/ { sec = "" }
	sec != "" && /"bw_bytes"/ { v = $0; gsub(/[^0-9]/, "", v); bw[sec] = v }
	sec != "" && /"iops"/ && !(sec in iops) { v = $0; sub(/.*: */, "", v); sub(/,.*/, "", v); iops[sec] = v }
	END {
		for (d in iops)
			printf "demo-result %s %.0f IOPS %.1f MiB/s\n", d, iops[d], bw[d] / 1048576
	}' "$json" | sort
check "logout" srp_logout_all
srpt_end
