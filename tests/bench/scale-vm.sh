#!/bin/bash
# bench: memory per channel, login rate and many channels, our ib_srpt against Debian's, in one VM boot
# SPDX-License-Identifier: GPL-2.0-only
#
# Run by scripts/scale.sh in reference mode (the distribution's module
# tree is untouched), with BENCH_KO pointing at our ib_srpt.ko. Rounds
# alternate between the drivers; each round loads one driver, sets up
# the same target (an ACL with LUN 0, a ramdisk, for each initiator port
# used: Debian's driver has no demo mode) and
# runs the parts SCALE_PARTS names, then unloads it:
#
#   mem    SCALE_LOGINS logins (ch_count=1, distinct initiator ports):
#          "result DRIVER ROUND mem-per-channel KIB" is the growth of the
#          VM's used memory (MemTotal - MemAvailable, page cache dropped)
#          divided by the channels, initiator's share included.
#   rate   SCALE_BURST logins at once (ch_count=1): "result ... login-rate
#          PER-SECOND" and "result ... login-refused N".
#   many   SCALE_MANY logins with ch_count=2: every disk written and read
#          back, "result ... many-channels N" (target QPs seen), then all
#          logged out: "result ... many-kept KIB" (used memory after the
#          driver is unloaded, minus before it was loaded) and
#          "result ... many-left N" (QPs and MRs of ib_srpt left before
#          unloading, CQs of the device pool aside).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
srpt_begin

ROUNDS=${SCALE_ROUNDS:-2}
PARTS=${SCALE_PARTS:-mem rate}
LOGINS=${SCALE_LOGINS:-8}
BURST=${SCALE_BURST:-64}
MANY=${SCALE_MANY:-128}

# initiator_exts: the initiator_ext values of every part (decimal)
initiator_exts() {
	seq 1 "$(( LOGINS > MANY ? LOGINS : MANY ))"
	seq $((0x1000 + 1)) $((0x1000 + BURST))
}

# login_one N [OPTIONS]: log in with initiator_ext N, without waiting
# for the SCSI host (srp_login's way, for logins started together)
login_one() {
	printf 'id_ext=%s,ioc_guid=%s,initiator_ext=%016x,dest=%s%s\n' \
		"$TGT_GUID_HEX" "$TGT_GUID_HEX" "$1" "$TGT_IP4:$CM_PORT" \
		"${2:+,$2}" > "/sys/class/infiniband_srp/srp-$RXE-1/add_target"
}

result() { echo "result $*"; }

part_mem() {
	local drv=$1 r=$2 m0 m1
	m0=$(used_kib)
	must "$drv: $LOGINS logins" srp_logins 1 "$LOGINS" ch_count=1
	must "$drv: $LOGINS disks" lun0_disks_become "$LOGINS"
	must "$drv: $LOGINS target channels" target_qps_become "$LOGINS" 30
	m1=$(used_kib)
	result "$drv" "$r" mem-per-channel $(( (m1 - m0) / LOGINS ))
	must "$drv: logout" srp_logout_all
	must "$drv: channels released" target_released 60
}

part_rate() {
	local drv=$1 r=$2 i t0 t1 fails=0 pids=()
	t0=$(date +%s%N)
	for i in $(seq 1 "$BURST"); do
		login_one $((0x1000 + i)) ch_count=1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || fails=$((fails + 1))
	done
	t1=$(date +%s%N)
	result "$drv" "$r" login-rate "$(awk -v n=$((BURST - fails)) -v ns=$((t1 - t0)) \
		'BEGIN { printf "%.2f", n / (ns / 1e9) }')"
	result "$drv" "$r" login-refused "$fails"
	check "$drv: a storm of $BURST logins: none refused" test "$fails" -eq 0
	check "$drv: $BURST target channels" target_qps_become $((BURST - fails)) 60
	must "$drv: logout" srp_logout_all
	must "$drv: channels released" target_released 120
}

# every disk gets its own 1 MiB at an offset of its own, written then
# read back and compared
many_io() {
	local h d i=0 ok=0
	for h in $(srp_hosts); do
		d=$(srp_disk "$h" 0) || continue
		i=$((i + 1))
		head -c 1048576 /dev/urandom > /tmp/many.in
		dd if=/tmp/many.in of="$d" bs=1M seek=$((i % 60)) oflag=direct \
			conv=nocreat status=none || continue
		dd if="$d" of=/tmp/many.out bs=1M skip=$((i % 60)) count=1 \
			iflag=direct status=none || continue
		cmp -s /tmp/many.in /tmp/many.out && ok=$((ok + 1))
	done
	diag "$ok of $i disks read back what was written"
	[ "$ok" -eq "$MANY" ]
}

part_many() {
	local drv=$1 r=$2 qps mrs left
	must "$drv: $MANY logins with ch_count=2" srp_logins 1 "$MANY" ch_count=2
	must "$drv: $MANY disks" lun0_disks_become "$MANY" 120
	qps=$(target_qps)
	result "$drv" "$r" many-channels "$qps"
	check "$drv: $((2 * MANY)) target channels" test "$qps" -eq $((2 * MANY))
	check "$drv: every disk reads back what was written to it" many_io
	must "$drv: logout" srp_logout_all
	check "$drv: channels released" target_released 180
	qps=$(target_qps)
	mrs=$(rdma res show mr 2>/dev/null | grep -c 'comm \[ib_srpt\]' || true)
	diag "$drv: after logout ib_srpt holds $qps QPs and $mrs MRs"
	left=$((qps + mrs))
	result "$drv" "$r" many-left "$left"
	check "$drv: no QP or MR of ib_srpt left" test "$left" -eq 0
}

scale_round() {
	local drv=$1 r=$2 p base
	base=$(used_kib)
	must "$drv: ib_srpt loaded" bench_load "$drv"
	# shellcheck disable=SC2046 # one argument per initiator_ext
	must "$drv: target with an ACL per initiator port" \
		target_port_acls $(initiator_exts)
	for p in $PARTS; do
		"part_$p" "$drv" "$r"
	done
	must "$drv: unloaded" target_unload
	[[ " $PARTS " == *" many "* ]] &&
		result "$drv" "$r" many-kept $(( $(used_kib) - base ))
	return 0
}

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srp loaded" initiator_load
for r in $(seq "$ROUNDS"); do
	for d in $(bench_order "$r"); do
		scale_round "$d" "$r"
	done
done
srpt_end
