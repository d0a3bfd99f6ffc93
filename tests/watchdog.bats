#!/usr/bin/env bats
# CRASHDUMP_WATCHDOG: one dump of every thread when the process has run
# that long, then the program goes on; the watchdog is a timer, not a
# thread, so it is never in the report.

load test_helper

setup() {
	# The report arrives on a FIFO the fixture inherits (fd:7): its last
	# line is the event the test waits for, no file is polled.
	open_report_pipe
	export CRASHDUMP_WATCHDOG=0.2
}

teardown() {
	fixture_teardown
}

@test "the watchdog dumps every thread once, with reason watchdog and no signal, and the program goes on" {
	export CRASHDUMP_FORMAT=json
	start_fixture parked 3
	read_until '^\{"format":"crashdump/1"'
	run jq -c '[.reason, .signal, .threads_real, .relayed, (.threads | length), (.missing | length)]' "$REPORT"
	assert_output '["watchdog",null,4,3,4,0]'
	# Every tid once, main among them, and no thread of the library's own.
	run jq -r '[.threads[].tid] | (length == (unique | length)) and (index('"$PID"') != null)' "$REPORT"
	assert_output true
	run jq -r '[.threads[].origin] | sort | join(",")' "$REPORT"
	assert_output "main,pthread,pthread,pthread"
	# Still running after the report; it ends when told to, as it would have.
	kill -0 "$PID"
	kill -TERM "$PID"
	wait_fixture
	[ "$status" -eq 143 ]
}

@test "a watchdog text report names its reason on the first line and ends with the trailer" {
	start_fixture parked 2
	read_until '^crashdump: [0-9]+ of [0-9]+ threads dumped in '
	run head -n 1 "$REPORT"
	assert_output "crashdump: watchdog after 0.2 s in pid $PID (parked)"
	run tail -n 1 "$REPORT"
	assert_output --regexp '^crashdump: 3 of 3 threads dumped in [0-9.]+ ms$'
	run text_tids "$REPORT"
	assert_equal "${#lines[@]}" 3
	kill -0 "$PID"
}

@test "the watchdog fires once: the next report is the SIGQUIT's" {
	export CRASHDUMP_ON_QUIT=exit
	start_fixture parked 1
	read_until '^crashdump: [0-9]+ of [0-9]+ threads dumped in '
	kill -QUIT "$PID"
	read_until '^crashdump: [0-9]+ of [0-9]+ threads dumped in '
	run head -n 1 "$REPORT"
	assert_output --partial "crashdump: SIGQUIT (SI_USER) in pid $PID"
	wait_fixture
	[ "$status" -eq 131 ]
}
