#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# install-boot.sh [--rdma-cm-port PORT] [--root DIR]: make an SRP target
# configured with targetcli come back after a reboot.
#   - /etc/modprobe.d/ib_srpt.conf: "options ib_srpt rdma_cm_port=PORT",
#     so that ib_srpt listens for RDMA/CM logins from load (rtslib-fb
#     does not save discovery_auth/rdma_cm_port); only with
#     --rdma-cm-port;
#   - /usr/local/sbin/srpt-wait-ports and a drop-in for
#     rtslib-fb-targetctl.service (target.service) that runs it before
#     "targetctl restore", so that the restore waits for the HCA ports
#     its srpt targets are named after.
# --root DIR installs under DIR instead of / (for tests and images).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=
port=
while [ $# -gt 0 ]; do
	case $1 in
	--rdma-cm-port) port=$2; shift 2 ;;
	--root) root=$2; shift 2 ;;
	*) echo "usage: $0 [--rdma-cm-port PORT] [--root DIR]" >&2; exit 2 ;;
	esac
done
if [ -n "$port" ] && ! [[ $port =~ ^[0-9]+$ && $port -le 65535 ]]; then
	echo "install-boot: --rdma-cm-port takes 0..65535, not '$port'" >&2
	exit 2
fi

install -D -m 755 "$here/srpt-wait-ports" "$root/usr/local/sbin/srpt-wait-ports"
install -D -m 644 "$here/systemd/ib_srpt.conf" \
	"$root/etc/systemd/system/rtslib-fb-targetctl.service.d/ib_srpt.conf"
if [ -n "$port" ]; then
	mkdir -p "$root/etc/modprobe.d"
	echo "options ib_srpt rdma_cm_port=$port" > "$root/etc/modprobe.d/ib_srpt.conf"
fi
if [ -z "$root" ] && [ -d /run/systemd/system ]; then
	systemctl daemon-reload
fi
echo "install-boot: srpt-wait-ports and the target.service drop-in installed${port:+; ib_srpt listens on RDMA/CM port $port from load}"
