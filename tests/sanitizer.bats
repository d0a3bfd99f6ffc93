#!/usr/bin/env bats
# sanitizer.bats - the library built with UndefinedBehaviorSanitizer (make
# ubsan: every finding is fatal) goes through the riskiest paths a user's
# process can take it through: a SIGQUIT dump, stacks that cannot be read
# (unaligned reads straddling into unmapped memory), a crash report; each
# ends as it must, with no "runtime error" on the way.

bats_require_minimum_version 1.5.0
load test_helper

setup() {
	crash_setup
	LIB="$ROOT/build/ubsan/libcrashdump.so"
	[ -f "$LIB" ] || fail "$LIB is missing (make ubsan)"
	export LIB
}

teardown() {
	fixture_teardown
}

# assert_no_ubsan FILE: UBSan wrote no finding into FILE (a fixture's stderr).
assert_no_ubsan() {
	run grep -c 'runtime error' "$1"
	assert_output 0
}

@test "UBSan build: a SIGQUIT dump of parked threads is whole and ends by SIGQUIT" {
	export CRASHDUMP_FORMAT=json CRASHDUMP_OUTPUT=stderr
	start_fixture parked 8
	kill -QUIT "$PID"
	wait_fixture
	assert_equal "$status" 131
	assert_no_ubsan "$ERR"
	crash_json "$(cat "$ERR")"
	assert_jq '[.threads_real, .threads_dumped, (.missing | length)]' '[9,9,0]'
}

@test "UBSan build: every corrupt stack is cut, twice, and the process lives" {
	export CRASHDUMP_FORMAT=json CRASHDUMP_ON_QUIT=continue
	open_report_pipe
	start_fixture crash_corrupt ra rbp rsp straddle masked intact
	local round
	for round in 1 2; do
		kill -QUIT "$PID"
		read_report "$BATS_TEST_TMPDIR/report" "$JSON_RE"
		crash_json "$(cat "$BATS_TEST_TMPDIR/report")"
		assert_jq '.threads_dumped == .threads_real and (.missing | length) == 0' true
		assert_jq '[.threads[] | select(.truncated) | .name] | sort' \
			'["bad-masked","bad-ra","bad-rbp","bad-rsp","bad-straddle"]'
	done
	kill -0 "$PID"
	kill -TERM "$PID"
	wait_fixture
	assert_equal "$status" 143
	assert_no_ubsan "$ERR"
}

@test "UBSan build: a crash on a stack that cannot be read gives one report and death by SIGILL" {
	run -132 --separate-stderr with_lib env CRASHDUMP_FORMAT=json CRASHDUMP_OUTPUT=stderr \
		"$FIX/crash_corrupt" intact crash
	[[ $stderr != *"runtime error"* ]] || fail "UBSan: $stderr"
	crash_json
	assert_jq '.threads[0] | [.name, .crashed, .truncated]' '["bad-crash",true,true]'
	assert_jq '.threads_dumped == .threads_real' true
}
