#!/usr/bin/env bats
# Memory checks: a whole dump under valgrind's memcheck, the library loaded
# as users load it, reports no error of ours.

bats_require_minimum_version 1.5.0
load test_helper

setup_file() {
	command -v valgrind >/dev/null || skip "valgrind is not installed"
}

# Runs build/fixtures/parked under valgrind with the library preloaded,
# waits for its readiness line, sends SIGQUIT, and leaves valgrind's own
# messages in $VG (valgrind -q prints nothing but errors).
run_parked_under_valgrind() {
	VG="$BATS_TEST_TMPDIR/valgrind.log"
	local fifo="$BATS_TEST_TMPDIR/ready"
	mkfifo "$fifo"
	env --default-signal=QUIT LD_PRELOAD="$LIB" CRASHDUMP_OUTPUT="$BATS_TEST_TMPDIR/report" \
		valgrind -q --log-file="$VG" \
		"$FIX/parked" 3 3>"$fifo" &
	PID=$!
	local line=""
	exec 4<"$fifo"
	# valgrind is slow to start: a minute bounds only a hang.
	read -r -t 60 line <&4 || true
	exec 4<&-
	[ "$line" = ready ]
	kill -QUIT "$PID"
	wait_fixture
}

@test "a SIGQUIT dump under valgrind: no memcheck error, the report complete, death by SIGQUIT" {
	run_parked_under_valgrind
	[ "$status" -eq 131 ]
	run cat "$VG"
	assert_output ""
	run tail -n 1 "$BATS_TEST_TMPDIR/report"
	assert_output --regexp '^crashdump: 4 of 4 threads dumped in [0-9.]+ ms$'
}

# What a CI job gets when crashdump-run preloads the library into a test
# run under valgrind: its own verdict, nothing of ours (no suppression file).
@test "a program run under valgrind --error-exitcode with the library: exit 0, not one memcheck error" {
	local vg="$BATS_TEST_TMPDIR/vg.log"
	LD_PRELOAD="$LIB" run -0 valgrind -q --error-exitcode=99 --log-file="$vg" /bin/true
	run cat "$vg"
	assert_output ""
}
