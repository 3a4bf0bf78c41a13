#!/bin/bash
# bench: the same fio jobs against our ib_srpt and Debian's, in one VM boot
# SPDX-License-Identifier: GPL-2.0-only
#
# Run by scripts/bench.sh in reference mode (the distribution's module
# tree is untouched), with BENCH_KO pointing at our ib_srpt.ko. Each
# round loads one driver, configures the same target, logs in, runs
# every job, logs out and unloads; rounds alternate between the
# drivers. Prints one "result" line per driver, job and round.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
srpt_begin

ROUNDS=${BENCH_ROUNDS:-2}
RUNTIME=${BENCH_RUNTIME:-15}
JOBS=(
	"randread-4k   --rw=randread  --bs=4k   --iodepth=32"
	"randwrite-4k  --rw=randwrite --bs=4k   --iodepth=32"
	"read-256k     --rw=read      --bs=256k --iodepth=8"
	"write-256k    --rw=write     --bs=256k --iodepth=8"
)

bench_load() {
	modprobe -a ib_core ib_cm rdma_cm target_core_mod || return 1
	if [ "$1" = ours ]; then
		insmod "$BENCH_KO" || return 1
	else
		modprobe ib_srpt || return 1
	fi
	[ -d "$SRPT_CFS" ] || mkdir "$SRPT_CFS"
}

# bench_job DRIVER ROUND NAME FIO-ARGS...: print "result" with IOPS and MiB/s
bench_job() {
	local drv=$1 round=$2 name=$3 out
	shift 3
	out=$(fio --name="$name" --filename="$DISK" --direct=1 \
		--ioengine=libaio --time_based --runtime="$RUNTIME" \
		--size=192M --output-format=json "$@" 2>/dev/null) || return 1
	python3 -c '
import json, sys
j = json.loads(sys.stdin.read())["jobs"][0]
iops = j["read"]["iops"] + j["write"]["iops"]
bw = (j["read"]["bw"] + j["write"]["bw"]) / 1024
print("result %s %s %s %.1f %.2f" % (sys.argv[1], sys.argv[2], sys.argv[3], iops, bw))
' "$drv" "$round" "$name" <<<"$out"
}

bench_round() {
	local drv=$1 round=$2 j
	must "$drv: ib_srpt loaded" bench_load "$drv"
	must "$drv: target configured" target_basic "$RXE_GUID" "$TGT_IP4" 256
	must "$drv: login" srp_login dest="$TGT_IP4:$CM_PORT"
	must "$drv: disk appears" srp_get_disk "$SRP_HOST" 0
	for j in "${JOBS[@]}"; do
		# shellcheck disable=SC2086
		check "$drv round $round: fio ${j%% *}" bench_job "$drv" "$round" $j
	done
	check "$drv: logout" srp_logout_all
	check "$drv: unloaded" target_unload
}

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srp loaded" initiator_load
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then pair="ours ref"; else pair="ref ours"; fi
	for d in $pair; do
		bench_round "$d" "$r"
	done
done
srpt_end
