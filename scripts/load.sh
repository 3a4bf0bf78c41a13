#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The long load run: tests/vm/load-mixed.sh (verified I/O on two LUNs over
# two channels, logout/login between rounds) for MINUTES minutes (default
# 30), in one VM. CI runs the same scenario for 60 seconds.
#
# Usage: scripts/load.sh [--minutes N] [other scripts/test-vm.sh or
#                        scripts/test-debug.sh options, e.g. --ref]
#   --debug   run it on the debug kernel (scripts/test-debug.sh)
set -euo pipefail

REPO=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
minutes=30 runner=test-vm.sh
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) minutes=$2; shift 2 ;;
	--debug) runner=test-debug.sh; shift ;;
	*) args+=("$1"); shift ;;
	esac
done
[[ $minutes =~ ^[0-9]+$ ]] || { echo "load: bad --minutes" >&2; exit 2; }
secs=$(( minutes * 60 ))
exec "$REPO/scripts/$runner" --filter '^load-mixed$' \
	--env "SRPT_LOAD_SECONDS=$secs" --timeout $(( secs + 900 )) \
	${args[@]+"${args[@]}"}
