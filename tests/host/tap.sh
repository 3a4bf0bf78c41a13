# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# TAP for the host tests (tests/host/*.sh): result DESC STATUS [DETAIL]
# is one test point (STATUS 0 passes; DETAIL is shown on a failure),
# tap_end NAME prints the plan and "NAME: N passed, N failed" and
# returns 1 when a point failed.

_n=0 _nfail=0

result() {
	_n=$((_n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $_n - $1"
	else
		_nfail=$((_nfail + 1))
		echo "not ok $_n - $1"
		[ -z "${3:-}" ] || sed 's/^/#   /' <<< "$3"
	fi
}

tap_end() {
	echo "1..$_n"
	echo "$1: $((_n - _nfail)) passed, $_nfail failed"
	[ "$_nfail" -eq 0 ]
}
