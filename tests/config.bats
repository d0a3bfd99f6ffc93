#!/usr/bin/env bats
# config.bats - the CRASHDUMP_* variables (README "Configuration"): a bad value gives
# exactly one warning line and the default, and never disturbs the program.

bats_require_minimum_version 1.5.0
load test_helper

# hi [VAR=VALUE...]: runs `sh -c 'echo hi'` with the library preloaded and
# the given environment; the program's stdout in $output, stderr in $stderr.
hi() {
	run --separate-stderr env "$@" LD_PRELOAD="$LIB" sh -c 'echo hi'
}

# good VAR VALUE: the program runs normally and nothing is printed.
good() {
	hi "$1=$2"
	assert_success
	assert_output hi
	assert_equal "$stderr" ""
}

# bad VAR VALUE WHY DEFAULT: the program runs normally and stderr holds
# exactly one line, the warning.
bad() {
	hi "$1=$2"
	assert_success
	assert_output hi
	assert_equal "$stderr" "libcrashdump: warning: $1=$2: $3; using $4"
}

setup_file() {
	if [ ! -f "$LIB" ]; then
		echo "$LIB is not built (make)" >&2
		return 1
	fi
}

@test "no CRASHDUMP variable: the program runs silently" {
	hi
	assert_success
	assert_output hi
	assert_equal "$stderr" ""
}

@test "good CRASHDUMP_OUTPUT values give no warning and create no file at load" {
	local dir="$BATS_TEST_TMPDIR/reports"
	mkdir "$dir"
	cd "$dir"
	good CRASHDUMP_OUTPUT stderr
	good CRASHDUMP_OUTPUT fd:1
	good CRASHDUMP_OUTPUT fd:2
	good CRASHDUMP_OUTPUT "$dir/r.%p.%t.%e.%%"
	good CRASHDUMP_OUTPUT "r.%p"
	good CRASHDUMP_OUTPUT "sub/dir/%e"
	run ls -A "$dir"
	assert_output ""
}

@test "CRASHDUMP_OUTPUT=fd:N accepts a descriptor the program inherits open" {
	hi CRASHDUMP_OUTPUT=fd:8 8>/dev/null
	assert_success
	assert_output hi
	assert_equal "$stderr" ""
}

@test "bad CRASHDUMP_OUTPUT values give one warning each and stderr" {
	local long
	long="/$(printf 'a%.0s' {1..4200})"
	bad CRASHDUMP_OUTPUT "" "empty value" stderr
	bad CRASHDUMP_OUTPUT "fd:" '"fd:" must be followed by a file descriptor number' stderr
	bad CRASHDUMP_OUTPUT "fd:-1" '"fd:" must be followed by a file descriptor number' stderr
	bad CRASHDUMP_OUTPUT "fd:x" '"fd:" must be followed by a file descriptor number' stderr
	bad CRASHDUMP_OUTPUT "fd: 1" '"fd:" must be followed by a file descriptor number' stderr
	bad CRASHDUMP_OUTPUT "fd:99999999999" "file descriptor out of range" stderr
	bad CRASHDUMP_OUTPUT "fd:1000" "fd 1000 is not open" stderr
	bad CRASHDUMP_OUTPUT "/tmp/r.%x" "unknown code %x (only %p %t %e %% are allowed)" stderr
	bad CRASHDUMP_OUTPUT "/tmp/r.%P" "unknown code %P (only %p %t %e %% are allowed)" stderr
	bad CRASHDUMP_OUTPUT "/tmp/r.%" "a % at the end (write %% for a percent sign)" stderr

	# A template too long to be a path is quoted shortened, on one line.
	hi CRASHDUMP_OUTPUT="$long"
	assert_success
	assert_output hi
	assert_equal "$stderr" "libcrashdump: warning: CRASHDUMP_OUTPUT=${long:0:256}...: path longer than 4095 bytes; using stderr"
}

@test "a control character in a bad value cannot break the warning into two lines" {
	hi CRASHDUMP_FORMAT=$'te\nxt'
	assert_success
	assert_output hi
	assert_equal "$stderr" 'libcrashdump: warning: CRASHDUMP_FORMAT=te\x0axt: not text or json; using text'
}

@test "CRASHDUMP_FORMAT takes text or json" {
	good CRASHDUMP_FORMAT text
	good CRASHDUMP_FORMAT json
	bad CRASHDUMP_FORMAT "" "empty value" text
	bad CRASHDUMP_FORMAT xml "not text or json" text
	bad CRASHDUMP_FORMAT JSON "not text or json" text
	bad CRASHDUMP_FORMAT " json" "not text or json" text
}

@test "good CRASHDUMP_SIGNALS values give no warning" {
	local v
	for v in SEGV,BUS,FPE,ILL,ABRT,TRAP,SYS SEGV,ABRT SIGSEGV sigabrt segv,sigbus \
		11 4,5,6,7,8,11,31 ABRT,6 none NONE; do
		good CRASHDUMP_SIGNALS "$v"
	done
}

@test "bad CRASHDUMP_SIGNALS values give one warning each and the default list" {
	local d=SEGV,BUS,FPE,ILL,ABRT,TRAP,SYS
	local not="is not one of SEGV,BUS,FPE,ILL,ABRT,TRAP,SYS or their numbers"
	bad CRASHDUMP_SIGNALS "" "empty value" $d
	bad CRASHDUMP_SIGNALS SEGV,QUIT '"QUIT" is not a fatal signal (SIGQUIT is always handled)' $d
	bad CRASHDUMP_SIGNALS SIGQUIT '"SIGQUIT" is not a fatal signal (SIGQUIT is always handled)' $d
	bad CRASHDUMP_SIGNALS 3 '"3" is not a fatal signal (SIGQUIT is always handled)' $d
	bad CRASHDUMP_SIGNALS KILL "\"KILL\" $not" $d
	bad CRASHDUMP_SIGNALS SIGSTOP "\"SIGSTOP\" $not" $d
	bad CRASHDUMP_SIGNALS 9 "\"9\" $not" $d
	bad CRASHDUMP_SIGNALS FOO "\"FOO\" $not" $d
	bad CRASHDUMP_SIGNALS SEGV,FOO "\"FOO\" $not" $d
	bad CRASHDUMP_SIGNALS 0 "\"0\" $not" $d
	bad CRASHDUMP_SIGNALS 32 "\"32\" $not" $d
	bad CRASHDUMP_SIGNALS 99 "\"99\" $not" $d
	bad CRASHDUMP_SIGNALS 0x0b "\"0x0b\" $not" $d
	bad CRASHDUMP_SIGNALS SIG11 "\"SIG11\" $not" $d
	bad CRASHDUMP_SIGNALS "SEGV, ABRT" "\" ABRT\" $not" $d
	bad CRASHDUMP_SIGNALS "SEGV " "\"SEGV \" $not" $d
	bad CRASHDUMP_SIGNALS SEGV, "empty item in the list" $d
	bad CRASHDUMP_SIGNALS ,SEGV "empty item in the list" $d
	bad CRASHDUMP_SIGNALS SEGV,,BUS "empty item in the list" $d
	bad CRASHDUMP_SIGNALS none,SEGV '"none" cannot be combined with signals' $d
}

@test "CRASHDUMP_ON_QUIT takes exit or continue" {
	good CRASHDUMP_ON_QUIT exit
	good CRASHDUMP_ON_QUIT continue
	bad CRASHDUMP_ON_QUIT "" "empty value" exit
	bad CRASHDUMP_ON_QUIT Continue "not exit or continue" exit
	bad CRASHDUMP_ON_QUIT abort "not exit or continue" exit
}

@test "CRASHDUMP_WATCHDOG takes seconds, decimals allowed, more than 0, at most 1000000" {
	local v
	for v in 30 2.5 0.001 0.0001 .5 1000000 1000000.000; do
		good CRASHDUMP_WATCHDOG "$v"
	done
	local nan="not a number of seconds (like 30 or 2.5)"
	bad CRASHDUMP_WATCHDOG "" "empty value" off
	bad CRASHDUMP_WATCHDOG 0 "must be more than 0 seconds" off
	bad CRASHDUMP_WATCHDOG 0.000 "must be more than 0 seconds" off
	bad CRASHDUMP_WATCHDOG 1000001 "must be at most 1000000 seconds" off
	bad CRASHDUMP_WATCHDOG 1000000.5 "must be at most 1000000 seconds" off
	bad CRASHDUMP_WATCHDOG 99999999999999999999999 "must be at most 1000000 seconds" off
	local v
	for v in -5 12ms 1e3 0x10 " 5" "5 " . 1.2.3 off; do
		bad CRASHDUMP_WATCHDOG "$v" "$nan" off
	done
}

@test "CRASHDUMP_TIMEOUT_MS takes whole milliseconds 1..600000" {
	good CRASHDUMP_TIMEOUT_MS 1
	good CRASHDUMP_TIMEOUT_MS 1000
	good CRASHDUMP_TIMEOUT_MS 600000
	bad CRASHDUMP_TIMEOUT_MS "" "empty value" 1000
	bad CRASHDUMP_TIMEOUT_MS 0 "must be 1..600000" 1000
	bad CRASHDUMP_TIMEOUT_MS 600001 "must be 1..600000" 1000
	bad CRASHDUMP_TIMEOUT_MS 99999999999999999999999 "must be 1..600000" 1000
	local v
	for v in -5 12ms 1e3 0x10 " 5" "5 " 1.5; do
		bad CRASHDUMP_TIMEOUT_MS "$v" "not a whole number of milliseconds" 1000
	done
}

@test "CRASHDUMP_MAX_FRAMES takes 1..1024" {
	good CRASHDUMP_MAX_FRAMES 1
	good CRASHDUMP_MAX_FRAMES 128
	good CRASHDUMP_MAX_FRAMES 1024
	bad CRASHDUMP_MAX_FRAMES "" "empty value" 128
	bad CRASHDUMP_MAX_FRAMES 0 "must be 1..1024" 128
	bad CRASHDUMP_MAX_FRAMES 1025 "must be 1..1024" 128
	local v
	for v in -5 12x 1e3 0x10 " 5" "5 " 1.5; do
		bad CRASHDUMP_MAX_FRAMES "$v" "not a whole number" 128
	done
}

@test "CRASHDUMP_DISABLE takes 1, 0 or nothing" {
	good CRASHDUMP_DISABLE 1
	good CRASHDUMP_DISABLE 0
	good CRASHDUMP_DISABLE ""
	local v
	for v in yes true 2 " 1" "1 " 01; do
		bad CRASHDUMP_DISABLE "$v" "not 1 or 0" "0 (enabled)"
	done
}

@test "CRASHDUMP_DISABLE=1 silences every bad value" {
	hi CRASHDUMP_DISABLE=1 CRASHDUMP_OUTPUT=/x/%z CRASHDUMP_FORMAT=xml \
		CRASHDUMP_SIGNALS=QUIT CRASHDUMP_ON_QUIT=maybe CRASHDUMP_WATCHDOG=0 \
		CRASHDUMP_TIMEOUT_MS=-1 CRASHDUMP_MAX_FRAMES=0
	assert_success
	assert_output hi
	assert_equal "$stderr" ""
}

@test "several bad values give one warning each, and the program still runs" {
	hi CRASHDUMP_DISABLE=no CRASHDUMP_OUTPUT=/x/%z CRASHDUMP_FORMAT=xml \
		CRASHDUMP_SIGNALS=QUIT CRASHDUMP_ON_QUIT=maybe CRASHDUMP_WATCHDOG=0 \
		CRASHDUMP_TIMEOUT_MS=-1 CRASHDUMP_MAX_FRAMES=0
	assert_success
	assert_output hi
	assert_equal "${#stderr_lines[@]}" 8
	local var
	for var in DISABLE OUTPUT FORMAT SIGNALS ON_QUIT WATCHDOG TIMEOUT_MS MAX_FRAMES; do
		run grep -c "^libcrashdump: warning: CRASHDUMP_$var=" <<<"$stderr"
		assert_output 1
	done
}
