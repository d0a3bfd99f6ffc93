#!/usr/bin/env bats
# crash_concurrent.bats - threads that fault at the same moment (contract
# §2): one report, not one per thread, that marks every thread that
# received a fatal signal as crashed; death by SIGSEGV; no hang.

bats_require_minimum_version 1.5.0
load test_helper
load lib/crash_suite

# skip_unless_realtime: the fixture could keep its crashers from being
# preempted before their fault (see crash_concurrent.c); without that, a
# crasher may take the relay first, and then rightly is not "crashed".
skip_unless_realtime() {
	[[ $1 == *"realtime on"* ]] ||
		skip "no SCHED_FIFO or not enough CPUs: both faults cannot be made simultaneous"
}

@test "two threads fault at once: one JSON report, status 139, both crashed" {
	run -139 --separate-stderr with_lib env CRASHDUMP_FORMAT=json "$FIX/crash_concurrent" 2
	refute_output --partial survived
	local fixture_out=$output
	crash_json
	run grep -c . <<<"$stderr"
	assert_output 1 # one JSON line, nothing else
	assert_jq '.signal | [.name, .code, .address]' '["SIGSEGV","SEGV_MAPERR","0x0"]'
	assert_jq '.threads | length' 4
	assert_jq '.missing' '[]'
	assert_jq '[.threads[] | select(.signalled)] | length' 1
	assert_jq '.threads[0] | [.signalled, .tid == '"$(jqr .signal.thread)"']' '[true,true]'
	# Both stacks start at the fault.
	assert_jq '[.threads[] | select(.name | startswith("crasher-")) | .frames[0].function]' \
		'["crash_together","crash_together"]'
	skip_unless_realtime "$fixture_out"
	assert_jq '[.threads[] | select(.crashed) | .name] | sort' '["crasher-0","crasher-1"]'
	assert_jq '[.threads[] | select(.name | startswith("crasher-") | not) | .crashed] | any' false
}

@test "two threads fault at once: one text report whose second crasher is marked [crashed]" {
	run -139 --separate-stderr with_lib "$FIX/crash_concurrent" 2
	local fixture_out=$output
	local err="$BATS_TEST_TMPDIR/err"
	printf '%s\n' "$stderr" >"$err"
	run grep -Ec '^crashdump: SIGSEGV \(SEGV_MAPERR, address 0x0\) in pid [0-9]+ \(crash_concurrent\)$' "$err"
	assert_output 1
	run grep -Ec "$TRAILER_RE" "$err"
	assert_output 1
	assert_regex "$(tail -n 1 "$err")" '^crashdump: 4 of 4 threads dumped in '
	run grep -E '^thread [0-9]+ ' "$err"
	assert_equal "${#lines[@]}" 4
	assert_regex "${lines[0]}" '^thread [0-9]+ "crasher-[01]" .* \[signalled, crashed\]$'
	run grep -Ec '^thread [0-9]+ .*\[signalled' "$err"
	assert_output 1
	skip_unless_realtime "$fixture_out"
	run grep -E '^thread [0-9]+ .*\[' "$err"
	assert_equal "${#lines[@]}" 2
	assert_regex "${lines[0]}" '^thread [0-9]+ "crasher-[01]" .* \[signalled, crashed\]$'
	assert_regex "${lines[1]}" '^thread [0-9]+ "crasher-[01]" .* \[crashed\]$'
}

@test "four threads fault at once: one report, status 139, no hang" {
	local i
	for i in 1 2 3; do
		run -139 --separate-stderr with_lib env CRASHDUMP_FORMAT=json \
			"$FIX/crash_concurrent" 4
		crash_json
		run grep -c . <<<"$stderr"
		assert_output 1
		assert_jq '.threads | length' 6
		assert_jq '.threads_dumped' 6
		assert_jq '.missing' '[]'
		assert_jq '[.threads[] | select(.signalled)] | length' 1
		assert_jq '.threads[0].crashed' true
		assert_jq '[.threads[] | select(.crashed)] | length >= 1' true
		assert_jq '[.threads[] | select(.crashed) | .name | startswith("crasher-")] | all' true
		assert_jq '[.threads[] | select(.name | startswith("crasher-")) | .frames[0].function] | unique' \
			'["crash_together"]'
	done
}
