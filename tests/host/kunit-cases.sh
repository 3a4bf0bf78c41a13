#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The case count of scripts/kunit.sh (scripts/kunit-cases.sh), tried on
# the host: a sample test source with plain, parameterised and commented
# out cases and a suite it does not register, against KTAP logs in the
# layout of lib/kunit/test.c (6.12): complete, with a parameterised
# case's parameters one level deeper, and cut short by a crash. Prints
# TAP; exits 1 when a case does not come out as expected. Run by
# scripts/static-checks.sh.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/kunit-cases.sh
. "$HERE/../../scripts/kunit-cases.sh"
WORK=$(mktemp -d /tmp/kunit-cases.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

cat > "$WORK/sample_test.c" <<'EOF'
static struct kunit_case alpha_cases[] = {
	KUNIT_CASE(alpha_one),
	KUNIT_CASE(alpha_two), KUNIT_CASE(alpha_three),
	KUNIT_CASE_PARAM(alpha_param, alpha_gen_params),
	// KUNIT_CASE(alpha_disabled),
	/* KUNIT_CASE(alpha_disabled_too), */
	/*
	 * KUNIT_CASE(alpha_in_a_block_comment),
	 */
	KUNIT_CASE_SLOW(alpha_slow),
	{}
};

static struct kunit_suite alpha_suite = {
	.name = "sample_alpha",
	.test_cases = alpha_cases,
};

static struct kunit_case beta_cases[] = {
	KUNIT_CASE(beta_one),
	KUNIT_CASE_PARAM_ATTR(beta_param, beta_gen_params, {}),
	{}
};

static struct kunit_suite beta_suite = {
	.name = "sample_beta",
	.init = beta_init,
	.test_cases = beta_cases,
};

static struct kunit_case unused_cases[] = {
	KUNIT_CASE(unused_one),
	{}
};

static struct kunit_suite unused_suite = {
	.name = "sample_unused",
	.test_cases = unused_cases,
};

kunit_test_suites(&alpha_suite,
		  &beta_suite);
EOF

defined=$(kunit_cases_defined "$WORK/sample_test.c" | paste -sd' ')
result "defined: 5 cases in sample_alpha, 2 in sample_beta, unregistered suite left out" \
	"$([ "$defined" = "sample_alpha 5 sample_beta 2" ]; echo $?)" "got: $defined"

# The KTAP of the two suites, every case reporting; the parameterised
# cases with three and two parameters.
cat > "$WORK/full.log" <<'EOF'
Linux version 6.12.117 (sample)
KTAP version 1
1..2
    KTAP version 1
    # Subtest: sample_alpha
    # module: sample_test
    1..5
    ok 1 alpha_one
    ok 2 alpha_two
    ok 3 alpha_three
        KTAP version 1
        # Subtest: alpha_param
        ok 1 param-0
        ok 2 param-1
        not ok 3 param-2
    # alpha_param: pass:2 fail:1 skip:0 total:3
    not ok 4 alpha_param
    ok 5 alpha_slow # SKIP slow
# sample_alpha: pass:3 fail:1 skip:1 total:5
# Totals: pass:5 fail:1 skip:1 total:7
not ok 1 sample_alpha
    KTAP version 1
    # Subtest: sample_beta
    1..2
    ok 1 beta_one
        KTAP version 1
        # Subtest: beta_param
        ok 1 first
        ok 2 second
    # beta_param: pass:2 fail:0 skip:0 total:2
    ok 2 beta_param
# sample_beta: pass:2 fail:0 skip:0 total:2
# Totals: pass:3 fail:0 skip:0 total:3
ok 2 sample_beta
reboot: Restarting system
EOF
rc=0
kunit_compare_cases "$WORK/sample_test.c" "$WORK/full.log" > "$WORK/out" || rc=$?
out=$(cat "$WORK/out")
result "every case with a result (failed and skipped ones too): 7 of 7, passes" \
	"$([ "$rc" = 0 ] && [ "$KUNIT_DEFINED" = 7 ] && [ "$KUNIT_RAN" = 7 ]; echo $?)" \
	"rc $rc: $out"
result "the totals are printed" \
	"$(grep -qx 'kunit: 7 cases defined in sample_test.c, 7 with a result in the KTAP output' <<< "$out"; echo $?)" "$out"

# With dmesg timestamps, as a raw console log has them.
awk '{ printf "[%5d.%06d] %s\n", 1, NR, $0 }' "$WORK/full.log" > "$WORK/stamped.log"
rc=0
kunit_compare_cases "$WORK/sample_test.c" "$WORK/stamped.log" > "$WORK/out" || rc=$?
out=$(cat "$WORK/out")
result "timestamped KTAP counts the same" \
	"$([ "$rc" = 0 ] && [ "$KUNIT_RAN" = 7 ]; echo $?)" "rc $rc: $out"

# Cut short: the kernel dies in the second parameter of alpha_param.
sed -n '1,/ok 2 param-1/p' "$WORK/full.log" > "$WORK/crash.log"
echo "BUG: kernel NULL pointer dereference, address: 0000000000000008" >> "$WORK/crash.log"
rc=0
kunit_compare_cases "$WORK/sample_test.c" "$WORK/crash.log" > "$WORK/out" || rc=$?
out=$(cat "$WORK/out")
result "a run cut short fails: 3 of 7 with a result" \
	"$([ "$rc" = 1 ] && [ "$KUNIT_DEFINED" = 7 ] && [ "$KUNIT_RAN" = 3 ]; echo $?)" "rc $rc: $out"
result "  ... naming the suites that fell short" \
	"$(grep -q 'suite sample_alpha: 5 cases defined, 3 reported a result' <<< "$out" &&
		grep -q 'suite sample_beta: 2 cases defined, 0 reported a result' <<< "$out"; echo $?)" "$out"

# A case left out of the run (e.g. the source has more than was built).
grep -v 'ok 1 beta_one' "$WORK/full.log" > "$WORK/short.log"
rc=0
kunit_compare_cases "$WORK/sample_test.c" "$WORK/short.log" > "$WORK/out" || rc=$?
out=$(cat "$WORK/out")
result "one case without a result fails" \
	"$([ "$rc" = 1 ] && [ "$KUNIT_RAN" = 6 ]; echo $?)" "rc $rc: $out"

rc=0
kunit_compare_cases "$WORK/sample_test.c" /dev/null > "$WORK/out" || rc=$?
out=$(cat "$WORK/out")
result "no KTAP at all fails" "$([ "$rc" = 1 ] && [ "$KUNIT_RAN" = 0 ]; echo $?)" "rc $rc: $out"

echo 'static int x;' > "$WORK/empty_test.c"
rc=0
kunit_compare_cases "$WORK/empty_test.c" "$WORK/full.log" > "$WORK/out" || rc=$?
out=$(cat "$WORK/out")
result "a source that defines no case fails" "$([ "$rc" = 1 ]; echo $?)" "rc $rc: $out"

# The real test source: its suites are registered and define cases.
real=$(kunit_cases_defined "$HERE/../../ib_srpt_test.c")
result "ib_srpt_test.c: every registered suite defines cases" \
	"$([ -n "$real" ] && ! grep -qE '^[^ ]* 0$|^ ' <<< "$real"; echo $?)" "$real"

tap_end kunit-cases
