#!/usr/bin/env bats
# crash_quit.bats - an application that installs its own SIGQUIT handler
# owns SIGQUIT (README "Behaviour": the library never takes a signal back from the
# application): its handler runs once per SIGQUIT, no dump is written, and
# the process goes on to its normal end.

bats_require_minimum_version 1.5.0
load test_helper
load lib/crash_suite

# check_app_quit API: the handler installed with API runs exactly once on
# one SIGQUIT; no report; exit 0.
check_app_quit() {
	start_fixture crash_quit "$1"
	kill -QUIT "$PID"
	wait_fixture
	assert_equal "$status" 0
	run cat "$OUT"
	assert_output 'quit handler ran 1 time(s) on signal 3'
	run grep -c '^crashdump:' "$ERR"
	assert_output 0
	assert_equal "$(cat "$ERR")" ""
}

@test "SIGQUIT handler installed with sigaction: runs once, no dump, exit 0" {
	check_app_quit sigaction
}

@test "SIGQUIT handler installed with signal(): runs once, no dump, exit 0" {
	check_app_quit signal
}

@test "SIGQUIT handler with CRASHDUMP_ON_QUIT=continue: runs once, no dump, exit 0" {
	export CRASHDUMP_ON_QUIT=continue
	check_app_quit sigaction
}

@test "SIGQUIT handler with the report going to a file: no file is created" {
	export CRASHDUMP_OUTPUT="$DIR/r.%p"
	check_app_quit signal
	assert_dir_empty "$DIR"
}
