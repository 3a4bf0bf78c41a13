#!/bin/bash
# improvement: demo mode (generate_node_acls=1, cache_dynamic_acls=1, demo_mode_write_protect=0): any initiator logs in without an ACL, read-write
# SPDX-License-Identifier: GPL-2.0-only
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
srpt_begin

# demo_channel_listed SRC: every line of $TPG/channels is a live channel
# of one generated ACL (no directory), from SRC, and together they
# received the 2 MiB written (ib_srp opens a channel per CPU)
demo_channel_listed() {
	local f=$TPG/channels names bytes
	diag "channels: $(cat "$f")"
	[ -n "$(cat "$f")" ] || return 1
	names=$(sed 's/^acl=\([^ ]*\) .*/\1/' "$f" | sort -u)
	bytes=$(channels_sum "$f" bytes_in)
	[ "$(grep -c . <<< "$names")" = 1 ] && [ ! -d "$TPG/acls/$names" ] &&
		! grep -v " state=live .* remote=$1:" "$f" &&
		[ "$bytes" -ge $((2 << 20)) ]
}

must "soft-RoCE rxe0 on dummy0" rxe_setup
must "ib_srpt ($SRPT_MODULE) loaded" target_load
# shellcheck disable=SC2034 # used in eval strings
TPG='' bs=''
must "TPG on port $RXE_GUID with a ramdisk LUN 0, no ACL" \
	eval 'TPG=$(tpg_create "$RXE_GUID") && bs=$(backstore_rd rd0 32) && lun_add "$TPG" 0 "$bs"'
improvement "demo mode attributes set" tpg_demo_mode "$TPG"
if [ "$CHECK_OK" = 1 ]; then
	must "TPG enabled, listening" eval 'tpg_enable "$TPG" && target_listen "$CM_PORT"'
	must "ib_srp loaded" initiator_load
	for src in "$TGT_IP4" "$INI_IP4"; do
		improvement "login from $src without an ACL" srp_login src="$src" \
			initiator_ext="000000000000000${src##*.}"
		[ "$CHECK_OK" = 1 ] || continue
		improvement "disk appears" srp_get_disk "$SRP_HOST" 0
		[ "$CHECK_OK" = 1 ] || continue
		make_pattern /tmp/pattern 2
		improvement "the disk is writable: 2 MiB written" write_dev "$DISK" /tmp/pattern 4
		improvement "and read back" same_as_dev "$DISK" /tmp/pattern 4
		# The generated ACL has no directory; the TPG's channels file
		# lists its channel with the 2 MiB just written.
		improvement "the TPG's channels file lists the demo-mode channels from $src, with the 2 MiB in bytes_in" \
			demo_channel_listed "$src"
		check "logout" srp_logout_all
	done
	# Demo mode off again: a new login needs an ACL.
	improvement "demo mode switched off" eval 'echo 0 > "$TPG/attrib/generate_node_acls"'
	improvement "login without an ACL is now rejected" not srp_login initiator_ext=0000000000000009
	srp_logout_all >/dev/null || true
fi
srpt_end
