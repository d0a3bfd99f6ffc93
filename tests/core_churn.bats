#!/usr/bin/env bats
# core_churn.bats - dumps while threads come and go (README "Behaviour": every
# live thread once, never a wait for a thread that is gone): with
# CRASHDUMP_ON_QUIT=continue, twenty dumps of a process whose churner
# threads create and join short-lived threads without end.  Each report
# accounts for every thread listed exactly once, holds every parked thread
# with its stack, and the process lives on.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper

setup() {
	crash_setup
	export CRASHDUMP_ON_QUIT=continue CRASHDUMP_FORMAT=json
	open_report_pipe
}

teardown() {
	fixture_teardown
}

@test "twenty dumps during thread churn: each thread once, every parked one dumped, the process lives" {
	start_fixture core_churn 0 8 4
	local round
	for round in $(seq 20); do
		kill -QUIT "$PID"
		read_report "$BATS_TEST_TMPDIR/report" "$JSON_RE"
		crash_json "$(cat "$BATS_TEST_TMPDIR/report")"
		assert_jq '(.threads | length) + (.missing | length) == .threads_real' true
		assert_jq '[.threads[].tid, .missing[].tid] | length == (unique | length)' true
		assert_jq '.threads_dumped == (.threads | length)' true
		assert_jq '[.threads[] | select(any(.frames[]; .function == "churn_parks"))] | length' 8
		assert_jq '[.threads[] | select(any(.frames[]; .function == "churner"))] | length' 4
		assert_jq '[.missing[].reason] - ["exited"]' '[]'
	done
	kill -0 "$PID"
	kill -TERM "$PID"
	wait_fixture
	assert_equal "$status" 143
}
