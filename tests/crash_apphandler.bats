#!/usr/bin/env bats
# crash_apphandler.bats - an application that handles SIGSEGV itself keeps
# its handler (README "Behaviour"): a fault it recovers from (the handler makes
# the page writable, or siglongjmps out) is no crash and gives no report;
# a handler that falls back to the default gets the report and the death by
# SIGSEGV.  sigaction(SIGSEGV, NULL, &old) shows the application its own
# action.  Each signal API installs the handler in turn.

bats_require_minimum_version 1.5.0
load test_helper
load lib/crash_suite

# assert_app_view: the fixture's own view of its SIGSEGV action (stdout).
assert_app_view() {
	assert_line --index 0 'before: SIG_DFL'
	assert_line --index 1 'previous: SIG_DFL'
	assert_line --index 2 'after: app handler'
	assert_line --index 3 --regexp '^page 0x[0-9a-f]+$'
}

# check_recovers API HOW: 1000 faults recovered, exit 0, no report on
# stderr, and no report file either.
check_recovers() {
	local api=$1 how=$2
	run -0 --separate-stderr with_lib "$FIX/crash_recover" "$api" "$how"
	assert_app_view
	assert_line --index 4 'end: app handler'
	assert_line --index 5 'recovered 1000 faults'
	assert_equal "${#lines[@]}" 6
	assert_equal "$stderr" ""

	CRASHDUMP_OUTPUT="$DIR/r.%p" run -0 --separate-stderr with_lib \
		"$FIX/crash_recover" "$api" "$how"
	assert_line 'recovered 1000 faults'
	assert_equal "$stderr" ""
	assert_dir_empty "$DIR"
}

# check_falls_back API HOW: the handler gives the fault back to the
# default action: one whole report, then death by SIGSEGV.
check_falls_back() {
	local api=$1 how=$2 page first
	run -139 --separate-stderr with_lib "$FIX/crash_recover" "$api" "$how"
	assert_app_view
	refute_output --partial survived
	page=${lines[3]#page }
	first=$(head -n 1 <<<"$stderr")
	if [ "$how" = default ]; then
		# The same fault, back with the default action.
		assert_equal "$first" \
			"crashdump: SIGSEGV (SEGV_ACCERR, address $page) in pid ${first##* in pid }"
	else
		# The fault itself, not the handler's raise(): its address, and
		# the stack from the faulting write in main.
		assert_regex "$first" "^crashdump: SIGSEGV \\(SEGV_ACCERR, address $page\\) in pid [0-9]+ \\(crash_recover\\), raised again by the program's handler\$"
		assert_regex "$(grep -m 1 '^#0 ' <<<"$stderr")" '^#0 0x[0-9a-f]+ main\+0x[0-9a-f]+ \('
	fi
	run grep -Ec "$TRAILER_RE" <<<"$stderr"
	assert_output 1
	assert_regex "$(tail -n 1 <<<"$stderr")" '^crashdump: 1 of 1 threads dumped in '
	run grep -c '^crashdump: SIGSEGV' <<<"$stderr"
	assert_output 1

	# The same to a file: the report is there, and only there.
	CRASHDUMP_OUTPUT="$DIR/r.%p" run -139 --separate-stderr with_lib \
		"$FIX/crash_recover" "$api" "$how"
	assert_equal "$stderr" ""
	run ls "$DIR"
	assert_equal "${#lines[@]}" 1
	assert_regex "$(tail -n 1 "$DIR/${lines[0]}")" "$TRAILER_RE"
}

@test "sigaction handler that mprotects the page back: 1000 faults, no report, exit 0" {
	check_recovers sigaction mprotect
}

@test "sigaction handler that siglongjmps out: 1000 faults, no report, exit 0" {
	check_recovers sigaction longjmp
}

@test "sigaction handler that resets SIG_DFL and returns: report, status 139" {
	check_falls_back sigaction default
}

@test "sigaction handler that resets SIG_DFL and re-raises: report, status 139" {
	check_falls_back sigaction reraise
}

@test "signal() handler that mprotects the page back: 1000 faults, no report, exit 0" {
	check_recovers signal mprotect
}

@test "signal() handler that siglongjmps out: 1000 faults, no report, exit 0" {
	check_recovers signal longjmp
}

@test "signal() handler that resets SIG_DFL and returns: report, status 139" {
	check_falls_back signal default
}

@test "signal() handler that resets SIG_DFL and re-raises: report, status 139" {
	check_falls_back signal reraise
}

@test "sysv_signal handler (reinstalled each time) that mprotects the page back: no report, exit 0" {
	check_recovers sysv_signal mprotect
}

@test "sysv_signal handler (reinstalled each time) that siglongjmps out: no report, exit 0" {
	check_recovers sysv_signal longjmp
}

@test "sysv_signal handler that resets SIG_DFL and returns: report, status 139" {
	check_falls_back sysv_signal default
}

@test "sysv_signal handler that resets SIG_DFL and re-raises: report, status 139" {
	check_falls_back sysv_signal reraise
}

@test "sigset handler that mprotects the page back: 1000 faults, no report, exit 0" {
	check_recovers sigset mprotect
}

@test "sigset handler that siglongjmps out: 1000 faults, no report, exit 0" {
	check_recovers sigset longjmp
}

@test "sigset handler that resets SIG_DFL and returns: report, status 139" {
	check_falls_back sigset default
}

@test "sigset handler that resets SIG_DFL and re-raises: report, status 139" {
	check_falls_back sigset reraise
}

@test "bsd_signal handler that mprotects the page back: 1000 faults, no report, exit 0" {
	check_recovers bsd_signal mprotect
}

@test "bsd_signal handler that siglongjmps out: 1000 faults, no report, exit 0" {
	check_recovers bsd_signal longjmp
}

@test "bsd_signal handler that resets SIG_DFL and returns: report, status 139" {
	check_falls_back bsd_signal default
}

@test "bsd_signal handler that resets SIG_DFL and re-raises: report, status 139" {
	check_falls_back bsd_signal reraise
}

@test "JSON: a fault raised again by the program's handler has its own code and address, reraised true; a raise of its own, false" {
	CRASHDUMP_FORMAT=json run -139 --separate-stderr with_lib "$FIX/crash_recover" sigaction reraise
	crash_json
	assert_jq '.signal.code' SEGV_ACCERR
	assert_jq '.signal.address' "${lines[3]#page }"
	assert_jq '.signal.sender_pid' null
	assert_jq '.signal.reraised' true
	assert_jq '.threads[0].frames[0].function' main

	CRASHDUMP_FORMAT=json run -139 --separate-stderr with_lib "$FIX/crash_recover" sigaction longjmp-raise
	crash_json
	assert_jq '.signal.code' SI_TKILL
	assert_jq '.signal.reraised' false
}

@test "a handler that siglongjmps out, then a raise(SIGSEGV) of main's own: the raise is reported, not the old fault" {
	run -139 --separate-stderr with_lib "$FIX/crash_recover" sigaction longjmp-raise
	assert_line 'recovered 1000 faults'
	assert_regex "$(head -n 1 <<<"$stderr")" '^crashdump: SIGSEGV \(SI_TKILL\) in pid ([0-9]+) \(crash_recover\), sent by pid \1$'
	assert_regex "$(grep -m 1 '^#1 ' <<<"$stderr")" '^#1 0x[0-9a-f]+ raise\+0x[0-9a-f]+ \('
	assert_regex "$(tail -n 1 <<<"$stderr")" '^crashdump: 1 of 1 threads dumped in '
}

@test "Python's faulthandler (pytest turns it on): its traceback, then the report of the fault itself, status 139" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	run -139 --separate-stderr with_lib python3 -X faulthandler -c 'import ctypes; ctypes.string_at(0)'
	assert_regex "$stderr" 'Fatal Python error: Segmentation fault'
	assert_regex "$(grep -m 1 '^crashdump: SIG' <<<"$stderr")" \
		"^crashdump: SIGSEGV \\(SEGV_MAPERR, address 0x0\\) in pid [0-9]+ \\(python3[.0-9]*\\), raised again by the program's handler\$"
	# The stack starts at the faulting read: no frame of the handler's
	# raise(), nor of ours.
	refute_regex "$stderr" $'\n#[0-9]+ [^\n]*(raise|pthread_kill|on_fatal)'
	refute_regex "$stderr" $'\n#[0-9]+ [^\n]*libcrashdump'
	assert_regex "$(tail -n 1 <<<"$stderr")" '^crashdump: 1 of 1 threads dumped in '
}

@test "without the library the fixture behaves the same (its expectations are libc's)" {
	run -0 "$FIX/crash_recover" sigaction mprotect
	assert_app_view
	assert_line 'recovered 1000 faults'
	run -0 "$FIX/crash_recover" sysv_signal longjmp
	assert_line 'end: app handler'
	assert_line 'recovered 1000 faults'
	run -139 "$FIX/crash_recover" signal default
	assert_app_view
	run -139 "$FIX/crash_recover" sigaction longjmp-raise
	assert_line 'recovered 1000 faults'
}
