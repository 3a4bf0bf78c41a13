#!/bin/bash
# common: ext4 on the SRP disk: copy a 50 MiB random file, unmount, log out and in again, fsck, remount, compare
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

setup_target 256
login_disk

mnt=/tmp/mnt
mkdir -p "$mnt"
at_end "umount $mnt 2>/dev/null || true"
must "mkfs.ext4 on $DISK" mkfs.ext4 -q -F -E nodiscard "$DISK"
must "mount" mount -t ext4 "$DISK" "$mnt"
mib=$(small 50)
make_pattern /tmp/random.bin "$mib"
check "copy a $mib MiB random file onto it" cp /tmp/random.bin "$mnt/random.bin"
check "and a directory tree of small files" cp -a /usr/share/doc/fio "$mnt/doc"
check "sync" sync -f "$mnt/random.bin"
check "unmount" umount "$mnt"

# Log out and in again so that everything is read back from the target,
# not from the initiator's page cache.
must "logout" srp_logout_all
must "login again" srp_login
must "disk of LUN 0 appears again" srp_get_disk "$SRP_HOST" 0
fsck_clean() { e2fsck -f -n "$DISK" > "$RESULTS/e2fsck.log" 2>&1; }
check "e2fsck finds the file system clean" fsck_clean
must "mount again" mount -t ext4 -o ro "$DISK" "$mnt"
check "the $mib MiB file is identical" cmp /tmp/random.bin "$mnt/random.bin"
check "the small files are identical" diff -r /usr/share/doc/fio "$mnt/doc"
check "unmount" umount "$mnt"
check "logout" srp_logout_all
srpt_end
