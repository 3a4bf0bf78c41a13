#!/bin/bash
# common: fio random writes, block sizes 4k..1M, every block read back and checked with crc32c
# timeout: 900
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# A GID-named port (0x + 32 hex digits): ACLs name the initiator by its
# SRP initiator port ID, i.e. 0x + initiator_ext + port GUID.
setup_target 160
must "login" srp_login initiator_ext=0000000000000001
must "disk of LUN 0 appears" srp_get_disk "$SRP_HOST" 0
diag "disk $DISK behind $SRP_HOST"

check "fio: 96 MiB random writes 4k..1M (bssplit), crc32c verify" \
	fio_verify bssplit "$DISK" 96M
# Large sequential writes: 1 MiB requests use the largest RDMA transfers
# (several RDMA READ work requests per command on the target).
check "fio: 48 MiB sequential 1M writes at iodepth 4, crc32c verify" \
	fio_verify seq1m "$DISK" 48M --rw=write --bs=1M --iodepth=4 --offset=100M
check "logout" srp_logout_all
srpt_end
