#!/usr/bin/env bats
# host.bats - never break the host: programs that take the relay signal's
# action into their own hands, share or shrink their alternate stacks,
# churn tiny threads, confine themselves with seccomp, run out of
# descriptors or memory, or name their threads oddly, behave as they would
# without the library, and still get an exact report.
# bats file_tags=host

bats_require_minimum_version 1.5.0
load test_helper

setup() {
	ulimit -c 0
	core_setup
}

teardown() {
	fixture_teardown
	fixture_teardown
}

# --- the relay signal's action is the application's to see and set --------

@test "a program that resets every signal to SIG_DFL still dumps all its threads on SIGQUIT" {
	export CRASHDUMP_FORMAT=json
	start_fixture host_signals dfl
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '.threads_real' 3
	assert_jq '[.threads[].name] | sort' '["host-worker","host-worker","host_signals"]'
	assert_jq '.missing' '[]'
}

@test "a program that resets every signal to SIG_DFL and crashes dies by SIGSEGV with a report" {
	export CRASHDUMP_FORMAT=json
	run --separate-stderr with_lib "$FIX/host_signals" dfl crash
	assert_equal "$status" 139
	crash_json
	assert_jq '.signal.name' SIGSEGV
	assert_jq '.threads_dumped' 3
}

@test "the watchdog in a program that resets every signal dumps once and the program runs on" {
	open_report_pipe
	export CRASHDUMP_FORMAT=json CRASHDUMP_WATCHDOG=0.2
	start_fixture host_signals dfl
	local report="$BATS_TEST_TMPDIR/watchdog.json"
	read_report "$report" "$JSON_RE"
	load_json "$report"
	assert_jq '.reason' watchdog
	assert_jq '.threads_dumped' 3
	fixture_alive
	kill -TERM "$PID"
	wait_fixture
	assert_equal "$status" 143
}

@test "a program that ignores every real-time signal gets every thread dumped, none 'no answer'" {
	export CRASHDUMP_FORMAT=json CRASHDUMP_TIMEOUT_MS=60000
	start_fixture host_signals ign
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '.threads_dumped' 3
	assert_jq '.missing' '[]'
	# every thread answered: nothing waited for the 60 s deadline
	assert_jq '.elapsed_ms < 30000' true
}

@test "a program's own handlers for the real-time signals, the relay's number among them, get their signals" {
	export CRASHDUMP_FORMAT=json
	start_fixture host_signals own
	run cat "$OUT"
	assert_output --regexp '^own ([0-9]+) of \1$'
	quit_fixture
	load_json "$ERR"
	assert_jq '.threads_dumped' 3
}

# --- alternate stacks are the program's memory -------------------------------

@test "16 threads sharing one alternate stack (varnishd) are dumped, and die by SIGQUIT" {
	export CRASHDUMP_FORMAT=json
	start_fixture host_altstack shared
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '.threads_dumped' 17
	assert_jq '.missing' '[]'
}

@test "a dump writes nothing below a thread's own 4 KiB alternate stack" {
	open_report_pipe
	export CRASHDUMP_ON_QUIT=continue
	start_fixture host_altstack small "$CTL"
	kill -QUIT "$PID"
	read_report "$BATS_TEST_TMPDIR/report" "$TRAILER_RE"
	assert_file_line "$BATS_TEST_TMPDIR/report" '^crashdump: 2 of 2 threads dumped in '
	ask check '^below [0-9]+$'
	assert_equal "$ANSWER" "below 0"
}

@test "sigaltstack shows a program its own stack as the kernel would, in its handler too" {
	local without
	without=$("$FIX/host_altstack" view)
	assert_equal "$(printf '%s\n' "$without" | sed -n 2p)" "set: same 1 flags 0"
	run -0 --separate-stderr with_lib "$FIX/host_altstack" view
	assert_equal "$output" "$without"
}

@test "threads of PTHREAD_STACK_MIN created and joined without end survive 30 dumps they take part in" {
	local report="$BATS_TEST_TMPDIR/reports.txt"
	: >"$report"
	export CRASHDUMP_ON_QUIT=continue CRASHDUMP_OUTPUT=fd:8
	run --separate-stderr with_lib "$FIX/host_churn" 30 "$report" 8>>"$report"
	assert_success
	assert_output "survived 30"
	run grep -Ec "$TRAILER_RE" "$report"
	assert_output 30
}

# --- seccomp -----------------------------------------------------------------

@test "getpid refused by seccomp (EPERM): SIGQUIT still dumps every thread" {
	start_fixture host_seccomp getpid-eperm
	quit_fixture
	assert_text_invariants "$ERR"
	assert_file_line "$ERR" '^crashdump: 3 of 3 threads dumped in '
}

@test "prctl trapped by seccomp (SIGSYS): the dump goes on and the process dies by SIGQUIT" {
	export CRASHDUMP_FORMAT=json
	start_fixture host_seccomp prctl-trap
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '.threads_dumped' 3
}

# --- the kernel's list, descriptors and memory -------------------------------

@test "no descriptor left: the registry's threads are reported, and the listing says it is incomplete" {
	export CRASHDUMP_FORMAT=json
	run --separate-stderr with_lib "$FIX/host_limits" nofile
	assert_equal "$status" 131
	crash_json
	assert_json_invariants
	assert_jq '.threads_real' 4
	assert_jq '.threads_dumped' 4
	assert_jq '.threads_listed_incomplete' true
	assert_jq '[.threads[] | select(.name == "limited")] | length' 3
}

@test "openat refused by seccomp: every thread is reported, in a text report that says the list is incomplete" {
	start_fixture host_seccomp openat-eperm
	quit_fixture
	assert_text_invariants "$ERR"
	assert_file_line "$ERR" '^crashdump: 3 of 3 threads dumped in '
	assert_file_line "$ERR" "^crashdump: threads listed incomplete: the kernel's thread list could not be read"
}

@test "a crash with the address space used up still reports the crashing thread's stack" {
	export CRASHDUMP_FORMAT=json
	run --separate-stderr with_lib "$FIX/host_limits" memory
	assert_equal "$status" 139
	refute_output --partial "no memory"
	crash_json
	assert_jq '.signal.name' SIGSEGV
	assert_jq '.threads[0].crashed' true
	assert_jq '[.threads[0].frames[] | select(.module != null and (.module | endswith("/host_limits")))] | length > 0' true
}

# --- report paths that name what exists already ------------------------------

# new_beside PATH: the files named PATH.N, one a line (none: empty).
new_beside() {
	ls -d "$1".* 2>/dev/null || true
}

@test "CRASHDUMP_OUTPUT=/dev/stderr writes the report to stderr, a regular file here, and creates nothing" {
	local before
	before=$(new_beside /dev/stderr)
	export CRASHDUMP_OUTPUT=/dev/stderr
	start_fixture host_names
	quit_fixture
	assert_text_invariants "$ERR"
	assert_equal "$(new_beside /dev/stderr)" "$before"
}

@test "CRASHDUMP_OUTPUT=/dev/null discards the report and creates nothing" {
	local before
	before=$(new_beside /dev/null)
	export CRASHDUMP_OUTPUT=/dev/null
	start_fixture host_names
	quit_fixture
	run grep -c '^crashdump: ' "$ERR"
	assert_output 0
	assert_equal "$(new_beside /dev/null)" "$before"
}

@test "CRASHDUMP_OUTPUT naming a FIFO with a reader sends the report through it" {
	local fifo="$BATS_TEST_TMPDIR/collector" got="$BATS_TEST_TMPDIR/collected"
	mkfifo "$fifo"
	# the bound only catches a report that never comes
	timeout 10 cat "$fifo" >"$got" &
	local reader=$!
	export CRASHDUMP_OUTPUT="$fifo"
	start_fixture host_names
	quit_fixture
	wait "$reader"
	assert_text_invariants "$got"
	assert_equal "$(new_beside "$fifo")" ""
}

@test "CRASHDUMP_OUTPUT naming a FIFO nobody reads: one line says why, the report goes to stderr" {
	local fifo="$BATS_TEST_TMPDIR/nobody"
	mkfifo "$fifo"
	export CRASHDUMP_OUTPUT="$fifo"
	start_fixture host_names
	quit_fixture
	assert_file_line "$ERR" "^crashdump: cannot create report file $fifo: No such device or address; writing to stderr$"
	assert_equal "$(new_beside "$fifo")" ""
}

# --- names -------------------------------------------------------------------

@test "thread names with a newline, a tab, a quote and a backslash keep the text report's grammar" {
	start_fixture host_names
	quit_fixture
	assert_text_invariants "$ERR"
	assert_file_line "$ERR" '^thread [0-9]+ "two\\x0alines" \(main\) \[signalled\]$'
	# the workers under a header of their own each, or of their group
	assert_file_line "$ERR" '^(thread [0-9]+|group [0-9]+: 2 threads( "[^"]*",)?) "tab\\x09here"[ ,]'
	assert_file_line "$ERR" '^(thread [0-9]+|group [0-9]+: 2 threads( "[^"]*",)?) "q\\x22uote\\x5c"[ ,]'
	run grep -Evc "^(crashdump: |thread [0-9]+ |group [0-9]+: |waiting: |#[0-9]+ |module |\(truncated|$)" "$ERR"
	assert_output 0
}
