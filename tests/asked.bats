#!/usr/bin/env bats
# asked.bats - CRASHDUMP_DUMP_ON (README "Configuration"): the signals a
# runner or a user sends to stop a program dump every thread first, then
# take their own course: the application's handler runs (and its read
# returns EINTR as it would), the default still ends the process, and
# without the variable nothing changes.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper
load lib/crash_suite

term_fixture() {
	kill -TERM "$PID"
	wait_fixture
}

@test "CRASHDUMP_DUMP_ON=TERM with the application's handler: a report of every thread, then the handler, EINTR, status 0" {
	export CRASHDUMP_DUMP_ON=TERM
	start_fixture asked handler
	term_fixture
	assert_equal "$status" 0
	run cat "$OUT"
	assert_output stopping
	assert_text_invariants "$ERR"
	run grep -E '^crashdump: SIGTERM \(SI_USER\) in pid [0-9]+ \(asked\), sent by pid [0-9]+$' "$ERR"
	assert_success
	run grep -Ec '^crashdump: 3 of 3 threads dumped in ' "$ERR"
	assert_output 1
}

@test "CRASHDUMP_DUMP_ON=SIGTERM,HUP without a handler: the report, then death by SIGTERM (143)" {
	export CRASHDUMP_DUMP_ON=SIGTERM,HUP CRASHDUMP_FORMAT=json
	start_fixture asked default
	term_fixture
	assert_equal "$status" 143
	load_json "$ERR"
	assert_json_invariants
	assert_jq '[.signal.name, .threads_real, (.threads | length)]' '["SIGTERM",3,3]'
}

@test "CRASHDUMP_DUMP_ON=TERM and a handler that resets the default and raises again: one report, then 143" {
	export CRASHDUMP_DUMP_ON=TERM
	start_fixture asked reraise
	term_fixture
	assert_equal "$status" 143
	run grep -c '^crashdump: SIGTERM ' "$ERR"
	assert_output 1
	assert_text_invariants "$ERR"
}

@test "without CRASHDUMP_DUMP_ON a SIGTERM gives no report and the handler runs as before" {
	start_fixture asked handler
	term_fixture
	assert_equal "$status" 0
	run cat "$OUT"
	assert_output stopping
	run grep -c '^crashdump: ' "$ERR"
	assert_output 0
}

@test "CRASHDUMP_DUMP_ON naming a signal it cannot take: one warning, none, and SIGTERM ends the process as usual" {
	export CRASHDUMP_DUMP_ON=TERM,KILL
	start_fixture asked default
	term_fixture
	assert_equal "$status" 143
	run cat "$ERR"
	assert_output 'libcrashdump: warning: CRASHDUMP_DUMP_ON=TERM,KILL: "KILL" is not one of TERM,INT,HUP,USR1,USR2,ALRM,VTALRM,PWR or their numbers; using none'
}
