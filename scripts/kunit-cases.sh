# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Counting KUnit cases, for scripts/kunit.sh (and tests/host/): how many
# a test source defines and how many reported a result in a KTAP log.

# kunit_cases_defined FILE: "SUITE COUNT" for each suite that FILE
# registers with kunit_test_suites()/kunit_test_suite(), COUNT being the
# KUNIT_CASE*() entries (KUNIT_CASE, KUNIT_CASE_PARAM, ..._SLOW, ..._ATTR)
# of its test_cases array; entries in comments do not count
kunit_cases_defined() {
	awk '
	{ sub(/\/\/.*/, "") }
	/\/\*/ && !/\*\// { cmt = 1 }
	cmt { if (/\*\//) cmt = 0; next }
	{ gsub(/\/\*.*\*\//, "") }
	/struct kunit_case [A-Za-z0-9_]+\[\] *= *\{/ {
		arr = $0; sub(/.*struct kunit_case /, "", arr); sub(/\[.*/, "", arr)
		inarr = 1; cnt[arr] = 0; next
	}
	inarr { l = $0; cnt[arr] += gsub(/KUNIT_CASE[A-Z_]*\(/, "", l) }
	inarr && /^};/ { inarr = 0 }
	/struct kunit_suite [A-Za-z0-9_]+ *= *\{/ {
		s = $0; sub(/.*struct kunit_suite /, "", s); sub(/[ =].*/, "", s)
		insuite = 1; next
	}
	insuite && /\.name *=/ { v = $0; sub(/[^"]*"/, "", v); sub(/".*/, "", v); sname[s] = v }
	insuite && /\.test_cases *=/ {
		v = $0; sub(/.*\.test_cases *= */, "", v); sub(/[ ,].*/, "", v); scases[s] = v
	}
	insuite && /^};/ { insuite = 0 }
	/kunit_test_suite\(/ {
		v = $0; sub(/.*kunit_test_suite\( */, "", v); sub(/[ )].*/, "", v); reg[++nreg] = v
	}
	/kunit_test_suites\(/ { inreg = 1 }
	inreg {
		l = $0
		while (match(l, /&[A-Za-z0-9_]+/)) {
			reg[++nreg] = substr(l, RSTART + 1, RLENGTH - 1)
			l = substr(l, RSTART + RLENGTH)
		}
		if (l ~ /\)/) inreg = 0
	}
	END { for (i = 1; i <= nreg; i++) print sname[reg[i]], cnt[scases[reg[i]]] + 0 }' "$1"
}

# kunit_cases_ran LOG SUITE: how many cases of SUITE reported a result
# in the KTAP output in LOG. Each case, parameterised or not, prints one
# "ok N name" / "not ok N name" at case level (four spaces in); the
# results of a parameterised case's parameters sit one level deeper.
kunit_cases_ran() {
	awk -v s="$2" '
	{ sub(/^\[ *[0-9]+\.[0-9]+\] /, "") }
	$0 == "    # Subtest: " s { ins = 1; next }
	ins && /^    (ok|not ok) [0-9]+ / { n++ }
	ins && /^(ok|not ok) [0-9]+ / { ins = 0 }
	END { print n + 0 }' "$1"
}

# kunit_compare_cases SOURCE LOG: per suite of SOURCE, cases defined
# against cases with a result in LOG; prints a line for each suite that
# differs and one with the totals, which are left in KUNIT_DEFINED and
# KUNIT_RAN. Returns 1 when a suite had fewer results than cases (or
# more: the log would not be of this source), or SOURCE defines none.
KUNIT_DEFINED=0 KUNIT_RAN=0
kunit_compare_cases() {
	local suite def ran rc=0
	KUNIT_DEFINED=0 KUNIT_RAN=0
	while read -r suite def; do
		[ -n "$suite" ] || continue
		ran=$(kunit_cases_ran "$2" "$suite")
		KUNIT_DEFINED=$((KUNIT_DEFINED + def)) KUNIT_RAN=$((KUNIT_RAN + ran))
		if [ "$ran" != "$def" ]; then
			echo "kunit: suite $suite: $def cases defined, $ran reported a result"
			rc=1
		fi
	done < <(kunit_cases_defined "$1")
	echo "kunit: $KUNIT_DEFINED cases defined in $(basename "$1"), $KUNIT_RAN with a result in the KTAP output"
	[ "$KUNIT_DEFINED" -gt 0 ] || rc=1
	return $rc
}
