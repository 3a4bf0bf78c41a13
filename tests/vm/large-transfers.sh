#!/bin/bash
# common: large and awkward transfers (blktests srp 005-010): direct and buffered I/O with 4 MiB and 8 MiB blocks, with cmd_sg_entries 255 (8 MiB requests) and 1 (one descriptor, 1 MiB requests), buffers not page aligned; data verified
# timeout: 1200
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_target 128

mib=$(small 32)
make_pattern /tmp/pattern.bin "$mib"
# buffered_copy BS: write the pattern through the page cache with BS
# blocks, drop the cache, read it back and compare
buffered_copy() {
	dd if=/tmp/pattern.bin of="$DISK" bs="$1" conv=fsync status=none &&
		echo 3 > /proc/sys/vm/drop_caches &&
		blockdev --flushbufs "$DISK" &&
		cmp -n $((mib << 20)) /tmp/pattern.bin "$DISK"
}

# big_requests KB: let the block layer send requests as large as ib_srp
# takes (max_sect), at least KB
big_requests() {
	local q=/sys/block/${DISK#/dev/}/queue hw
	hw=$(_read1 "$q/max_hw_sectors_kb")
	echo "$hw" > "$q/max_sectors_kb" && [ "$hw" -ge "$1" ]
}

# With one descriptor ib_srp needs the whole request in one memory
# registration, so the requests are kept to 1 MiB there.
for cfg in 255:16384 1:2048; do
	sg=${cfg%:*} sect=${cfg#*:}
	login_disk cmd_sg_entries=$sg max_sect=$sect
	check "cmd_sg_entries=$sg: the disk takes $((sect / 2)) KiB requests" \
		big_requests $((sect / 2))
	for bs in 4M 8M; do
		check "cmd_sg_entries=$sg: direct I/O, bs=$bs, crc32c verify" \
			fio_verify "sg$sg-$bs" "$DISK" 64M --bs="$bs" --rw=write --iodepth=4
		check "cmd_sg_entries=$sg: buffered I/O, bs=$bs, compared" buffered_copy "$bs"
	done
	check "cmd_sg_entries=$sg: direct I/O from buffers at odd 512-byte offsets, 4k..1M" \
		fio_verify "sg$sg-unaligned" "$DISK" 32M --iomem_align=512 \
		--mem_align=512 --offset=64M
	check "logout" srp_logout_all
done
srpt_end
