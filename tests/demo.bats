#!/usr/bin/env bats
# demo.bats - the `make demo` program under the library: SIGQUIT dumps the
# main thread and six named threads, each inside its own state function.

bats_require_minimum_version 1.5.0
load test_helper

NAMES=(locker waiter condvar cruncher sleeper reader)

dump_demo() {
	start_fixture demo
	kill -QUIT "$PID"
	wait_fixture
}

# frames_of NAME: the frame lines of the thread whose header names NAME.
frames_of() {
	awk -v name="\"$1\"" '
		/^thread [0-9]+ / { inside = ($3 == name); next }
		/^waiting: / { next }
		/^#[0-9]+ / { if (inside) print; next }
		{ inside = 0 }' "$ERR"
}

# assert_frame_in NAME FUNCTION: a frame of thread NAME is in FUNCTION.
assert_frame_in() {
	run frames_of "$1"
	assert_success
	[ -n "$output" ] || fail "no frames under a header for thread \"$1\""
	assert_line --regexp "^#[0-9]+ 0x[0-9a-f]+ $2\+0x[0-9a-f]+ \("
}

@test "SIGQUIT kills the demo with status 131 after a complete report" {
	dump_demo
	assert_equal "$status" 131
	run grep -c '^crashdump: 7 of 7 threads dumped' "$ERR"
	assert_output 1
}

@test "the report lists exactly the main thread and the six named threads" {
	dump_demo
	run grep -Ec '^thread [0-9]+ ' "$ERR"
	assert_output 7
	run grep -Ec '^missing thread ' "$ERR"
	assert_output 0
	run grep -E "^thread $PID \"demo\"" "$ERR"
	assert_success
	for name in "${NAMES[@]}"; do
		run grep -Ec "^thread [0-9]+ \"$name\"" "$ERR"
		assert_output 1
	done
}

@test "each named thread's frames show its own state function" {
	dump_demo
	assert_frame_in locker hold_lock
	assert_frame_in waiter wait_for_lock
	assert_frame_in condvar wait_for_event
	assert_frame_in cruncher crunch_numbers
	assert_frame_in sleeper take_a_nap
	assert_frame_in reader wait_for_input
	assert_frame_in demo main
	for name in "${NAMES[@]}"; do
		assert_frame_in "$name" thread_main
	done
}

@test "each state function appears in one thread only" {
	dump_demo
	for fn in hold_lock wait_for_lock wait_for_event crunch_numbers take_a_nap wait_for_input; do
		run grep -Ec "^#[0-9]+ 0x[0-9a-f]+ $fn\+0x" "$ERR"
		assert_output 1
	done
}

@test "scripts/run-demo shows the report and exits 0" {
	run "$ROOT/scripts/run-demo" "$FIX/demo" 3>&-
	assert_success
	assert_output --partial 'crashdump: 7 of 7 threads dumped'
	assert_output --partial 'status 131'
	assert_output --partial 'CRASHDUMP_FORMAT=json'
}

@test "scripts/run-demo shows a JSON report with CRASHDUMP_FORMAT=json" {
	CRASHDUMP_FORMAT=json run "$ROOT/scripts/run-demo" "$FIX/demo" 3>&-
	assert_success
	assert_output --regexp '"format": *"crashdump/1"'
}

@test "scripts/run-demo fails, saying why, when the program never gets ready" {
	run -1 "$ROOT/scripts/run-demo" /bin/true 3>&-
	assert_output --partial 'exited with status 0 before it got ready'
}
