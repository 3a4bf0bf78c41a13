#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install everything needed to build ib_srpt and run its tests on a
# Debian 12 machine. Idempotent: a second run installs nothing new.
# Resolves the newest Debian 6.12 kernel that has both an unsigned image
# and matching headers, and prints its release on the last line as
# "KREL=<release>" so that callers can use it.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
STAMP_DIR=${SRPT_CACHE:-/var/cache/ib_srpt-dev}
mkdir -p "$STAMP_DIR"

apt_update_once() {
	local stamp=$STAMP_DIR/apt-updated
	if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
		apt-get update -qq
		touch "$stamp"
	fi
}

newest_krel() {
	local v
	for v in $(apt-cache search --names-only \
			'^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
		   sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-amd64\)-unsigned .*/\1/p' |
		   sort -rV); do
		if apt-cache show "linux-headers-$v" >/dev/null 2>&1; then
			echo "$v"
			return 0
		fi
	done
	return 1
}

apt_update_once
KREL=${KREL:-$(newest_krel)}
if [ -z "$KREL" ]; then
	echo "setup-deps: no Debian 6.12 kernel with headers found" >&2
	exit 1
fi

PKGS=(
	"linux-image-$KREL-unsigned" "linux-headers-$KREL"
	build-essential bc bison flex libelf-dev libssl-dev dwarves kmod cpio
	python3 python3-docutils sparse shellcheck git linux-source-6.12 xz-utils
	qemu-system-x86 busybox-static
	rdma-core ibverbs-utils iproute2 librdmacm-dev libibverbs-dev
	targetcli-fb python3-rtslib-fb dbus
	fio sg3-utils e2fsprogs util-linux dmsetup
	udev multipath-tools
)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "KREL=$KREL"
