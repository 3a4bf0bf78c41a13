#!/bin/bash
# common: ib_srp ch_count=2: two RDMA channels to one target, I/O from both CPUs goes through both, data verified
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_target 128 ch_count=2
mark login
login_disk
h=/sys/class/scsi_host/$SRP_HOST
check "the SCSI host has 2 channels (ch_count)" test "$(_read1 "$h/ch_count")" = 2
check "the SCSI host has 2 hardware queues" test "$(_read1 "$h/nr_hw_queues")" = 2
check "ib_srp reported no failed connection" not eval 'log_since login | grep -q "Connection .* failed"'
# Consecutive channels of a device take consecutive completion vectors
# of the CQ pool (soft-RoCE has one per CPU); the channels file shows it.
improvement "the target put the two channels on both completion vectors (channels: comp_vector=0 and 1)" \
	eval '[ "$(grep -o "comp_vector=[0-9]*" "$TPG/acls/$acl/channels" | sort | tr "\n" " ")" = "comp_vector=0 comp_vector=1 " ]'

# rc_qp_psns: "QPN SQ-PSN" for every RC queue pair (both ends of every
# SRP channel live in this VM)
rc_qp_psns() {
	rdma res show qp | awk '/type RC/ {
		for (i = 1; i < NF; i++) { if ($i == "lqpn") q = $(i + 1); if ($i == "sq-psn") p = $(i + 1) }
		print q, p }'
}
rc_qp_psns > /tmp/psn.before
check "4 RC queue pairs: 2 channels x (initiator end + target end)" \
	test "$(wc -l < /tmp/psn.before)" -eq 4

# One job per CPU, each on its own part of the disk, so both hardware
# queues (= both RDMA channels) carry I/O.
check "fio: 2 jobs, one per CPU, 2 x 48 MiB random writes 4k..1M, crc32c verify" \
	fio_verify mc "$DISK" 48M --numjobs=2 --cpus_allowed=0-1 \
	--cpus_allowed_policy=split --offset_increment=64M
rc_qp_psns > /tmp/psn.after

# Packets each queue pair sent during fio (PSNs are 24 bits).
awk 'NR == FNR { b[$1] = $2; next }
	($1 in b) { print $1, ($2 - b[$1] + 16777216) % 16777216 }' \
	/tmp/psn.before /tmp/psn.after > /tmp/psn.delta
while read -r qp n; do
	diag "queue pair $qp sent $n packets"
done < /tmp/psn.delta
# An idle queue pair sends next to nothing; a busy one at least 1000
# packets at full size (fewer with the debug kernel's smaller sizes).
min=$(small 1000)
busy=$(awk -v min="$min" '$2 >= min { n++ } END { print n + 0 }' /tmp/psn.delta)
check "all 4 queue pairs carried I/O, $min packets or more (both channels used)" test "$busy" -eq 4
check "logout" srp_logout_all
srpt_end
