#!/usr/bin/env bats
# crash_config.bats - CRASHDUMP_SIGNALS chooses the fatal signals the
# library handles (README "Configuration"): a signal left out dies as without the
# library, with no report; one named gets its report.

bats_require_minimum_version 1.5.0
load test_helper
load lib/crash_suite

@test "CRASHDUMP_SIGNALS=none: SIGSEGV gives no report, status 139" {
	export CRASHDUMP_SIGNALS=none
	run -139 --separate-stderr with_lib "$FIX/crash_signal" segv main 1
	assert_equal "$stderr" ""
	run -139 --separate-stderr with_lib "$FIX/crash_signal" segv worker 1
	assert_equal "$stderr" ""
}

@test "CRASHDUMP_SIGNALS=none: abort gives no report, status 134" {
	export CRASHDUMP_SIGNALS=none
	run -134 --separate-stderr with_lib "$FIX/crash_signal" abrt main 1
	assert_equal "$stderr" ""
}

@test "CRASHDUMP_SIGNALS=none: a report file is not created either" {
	export CRASHDUMP_SIGNALS=none CRASHDUMP_OUTPUT="$DIR/r.%p"
	run -139 --separate-stderr with_lib "$FIX/crash_signal" segv main 1
	assert_equal "$stderr" ""
	assert_dir_empty "$DIR"
}

@test "CRASHDUMP_SIGNALS=none still dumps on SIGQUIT (always handled)" {
	export CRASHDUMP_SIGNALS=none
	start_fixture crash_signal wait - 1
	kill -QUIT "$PID"
	wait_fixture
	assert_equal "$status" 131
	assert_regex "$(head -n 1 "$ERR")" "^crashdump: SIGQUIT \\(SI_USER\\) in pid $PID "
	assert_regex "$(tail -n 1 "$ERR")" '^crashdump: 2 of 2 threads dumped in '
}

@test "CRASHDUMP_SIGNALS=ABRT: SIGSEGV gives no report, status 139" {
	export CRASHDUMP_SIGNALS=ABRT
	run -139 --separate-stderr with_lib "$FIX/crash_signal" segv main 1
	assert_equal "$stderr" ""
}

@test "CRASHDUMP_SIGNALS=ABRT: abort gives a report, status 134" {
	export CRASHDUMP_SIGNALS=ABRT CRASHDUMP_FORMAT=json
	run -134 --separate-stderr with_lib "$FIX/crash_signal" abrt worker 1
	crash_json
	assert_jq '.signal | [.name, .code]' '["SIGABRT","SI_TKILL"]'
	assert_jq '.threads[0] | [.name, .crashed]' '["crasher",true]'
	assert_jq '.threads | length' 3
}

@test "CRASHDUMP_SIGNALS=SIGFPE,11: both named forms work, SIGILL is left alone" {
	export CRASHDUMP_SIGNALS=SIGFPE,11
	run -136 --separate-stderr with_lib "$FIX/crash_signal" fpe main 0
	assert_regex "$(head -n 1 <<<"$stderr")" '^crashdump: SIGFPE \(FPE_INTDIV, address 0x[0-9a-f]+\) in pid '
	run -139 --separate-stderr with_lib "$FIX/crash_signal" segv main 0
	assert_regex "$(head -n 1 <<<"$stderr")" '^crashdump: SIGSEGV \(SEGV_MAPERR, address 0x0\) in pid '
	run -132 --separate-stderr with_lib "$FIX/crash_signal" ill main 0
	assert_equal "$stderr" ""
}

# CRASHDUMP_DISABLE=1: loaded, nothing installed; the program must run as
# it would without the library.

@test "CRASHDUMP_DISABLE=1: a crash gives no report, status 139" {
	export CRASHDUMP_DISABLE=1
	run -139 --separate-stderr with_lib "$FIX/crash_signal" segv main 0
	assert_equal "$stderr" ""
}

@test "CRASHDUMP_DISABLE=1: the program can still create threads" {
	export CRASHDUMP_DISABLE=1
	run -139 --separate-stderr with_lib "$FIX/crash_signal" segv worker 2
	assert_equal "$stderr" ""
	run -7 --separate-stderr with_lib "$FIX/crash_spawn" fork /bin/sh -c 'exit 7'
	assert_output 'child exited 7'
	assert_equal "$stderr" ""
}

@test "CRASHDUMP_DISABLE=1: signal() installs the program's handler" {
	export CRASHDUMP_DISABLE=1
	start_fixture crash_quit signal
	kill -QUIT "$PID"
	wait_fixture
	assert_equal "$status" 0
	assert_equal "$(cat "$OUT")" 'quit handler ran 1 time(s) on signal 3'
	assert_equal "$(cat "$ERR")" ""
}
