#!/usr/bin/env bats
# deadlock_watch.bats - CRASHDUMP_DEADLOCK_WATCH (README "Using in CI"): a
# deadlock that lasts the watch's period gives one report, reason deadlock,
# with the cycle, and the program goes on (or ends by SIGABRT with
# ",abort"); a program whose threads merely sleep is never sent a signal.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper

setup() {
	# The report arrives on a FIFO the fixture inherits (fd:7): its last
	# line is the event the test waits for, no file is polled.
	open_report_pipe
}

teardown() {
	fixture_teardown
}

@test "a two-thread deadlock: one report within N+2 s, reason deadlock, the cycle, and the program goes on" {
	export CRASHDUMP_DEADLOCK_WATCH=1
	local t0 ms
	start_fixture watch_locks cycle
	t0=$(date +%s%N)
	read_until '^crashdump: [0-9]+ of [0-9]+ threads dumped in '
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -lt 3000 ] || fail "the report came $ms ms after the deadlock; the watch is 1 s"
	assert_regex "$(head -n 1 "$REPORT")" "^crashdump: deadlock for [0-9]+\\.[0-9] s in pid $PID \\(watch_locks\\)\$"
	run grep -c '^crashdump: deadlock: ' "$REPORT"
	assert_output 1
	run grep '^crashdump: deadlock: ' "$REPORT"
	assert_output --regexp '^crashdump: deadlock: thread [0-9]+ "dl-[ab]" waits for mutex 0x[0-9a-f]+ .*held by thread [0-9]+ "dl-[ab]"; thread [0-9]+ "dl-[ab]" waits for mutex .* held by thread [0-9]+ "dl-[ab]"$'
	assert_text_invariants "$REPORT"
	# the watch's own thread is the library's: not in the report
	run grep -c 'crashdump-watch' "$REPORT"
	assert_output 0
	run text_tids "$REPORT"
	assert_equal "${#lines[@]}" 6
	kill -0 "$PID"
}

@test "with ,abort the process ends by SIGABRT after the one deadlock report, in JSON" {
	export CRASHDUMP_DEADLOCK_WATCH=0.5,abort CRASHDUMP_FORMAT=json
	start_fixture watch_locks cycle
	read_until '^\{"format":"crashdump/1"'
	wait_fixture
	assert_equal "$status" 134
	tail -n 1 "$REPORT" >"$BATS_TEST_TMPDIR/r.json"
	load_json "$BATS_TEST_TMPDIR/r.json"
	assert_jq '[.reason, .signal, (.deadlocks | length), (.deadlocks[0].threads | length)]' '["deadlock",null,1,2]'
	assert_jq '[.threads[] | select(.name | startswith("dl-")) | .wait.kind] | unique' '["mutex"]'
	# one report only: nothing more on the pipe
	run timeout 1 cat <&7
	assert_output ""
}

@test "a calm program (poll, sleep, condvar, two waiters on a held mutex) is never signalled by the watch" {
	export CRASHDUMP_DEADLOCK_WATCH=0.5
	start_fixture watch_locks calm 3
	wait_fixture
	assert_equal "$status" 0
	run cat "$OUT"
	assert_output "eintr 0"
	run timeout 1 cat <&7
	assert_output ""
}

@test "CRASHDUMP_DEADLOCK_WATCH with a bad value: one warning, and off" {
	export CRASHDUMP_DEADLOCK_WATCH=5,kill
	start_fixture watch_locks calm 1
	wait_fixture
	assert_equal "$status" 0
	run cat "$ERR"
	assert_output 'libcrashdump: warning: CRASHDUMP_DEADLOCK_WATCH=5,kill: only ",abort" may follow the seconds; using off'
}
