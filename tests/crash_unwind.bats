#!/usr/bin/env bats
# crash_unwind.bats - a stack the unwinder cannot walk (README "Behaviour": a
# second fault while dumping never loops or hangs; §5: `truncated` is true
# when the stack was cut by an unreadable frame): with
# CRASHDUMP_ON_QUIT=continue, SIGQUIT gives a complete report in which the
# corrupt thread is cut and the others are whole, and the process lives on.

bats_require_minimum_version 1.5.0
load test_helper

setup() {
	crash_setup
	export CRASHDUMP_ON_QUIT=continue
	open_report_pipe
}

teardown() {
	fixture_teardown
}

# quit_json: SIGQUIT to the fixture; its JSON report, read from the pipe,
# becomes $JSON.
quit_json() {
	kill -QUIT "$PID"
	read_report "$BATS_TEST_TMPDIR/report" "$JSON_RE"
	crash_json "$(cat "$BATS_TEST_TMPDIR/report")"
}

# assert_cut KIND: thread bad-KIND is truncated, its frame 0 exact in
# corrupt_KIND; every other thread is whole (down to _start or clone3).
assert_cut() {
	assert_jq '.threads_dumped == .threads_real and (.missing | length) == 0' true
	assert_jq '[.threads[] | select(.name == "bad-'"$1"'") | .truncated]' '[true]'
	assert_jq '[.threads[] | select(.name == "bad-'"$1"'") | .frames[0].function]' "[\"corrupt_$1\"]"
	assert_jq '[.threads[] | select(.name | startswith("bad-") | not) |
		.truncated or (.frames[-1].function | IN("_start", "clone3") | not)] | any' false
}

# assert_survives_then_term: the process is alive after the dump, and dies
# by SIGTERM (143) when told; nothing went to its stderr.
assert_survives_then_term() {
	kill -0 "$PID"
	kill -TERM "$PID"
	wait_fixture
	assert_equal "$status" 143
	assert_equal "$(cat "$ERR")" ""
}

@test "return address 0x10: that thread is cut at 0x10, the others whole, the process lives" {
	export CRASHDUMP_FORMAT=json
	start_fixture crash_corrupt ra intact
	quit_json
	assert_jq '.threads | length' 3
	assert_cut ra
	assert_jq '[.threads[] | select(.name == "bad-ra") | .frames[1].pc]' '["0x10"]'
	assert_survives_then_term
}

@test "rbp-based frame whose rbp points into a PROT_NONE page: cut, others whole, process lives" {
	export CRASHDUMP_FORMAT=json
	start_fixture crash_corrupt rbp intact
	quit_json
	assert_jq '.threads | length' 3
	assert_cut rbp
	assert_jq '[.threads[] | select(.name == "bad-rbp") | .frames | length]' '[1]'
	assert_survives_then_term
}

@test "rsp pointing into a PROT_NONE page: cut, others whole, process lives" {
	export CRASHDUMP_FORMAT=json
	start_fixture crash_corrupt rsp intact
	quit_json
	assert_jq '.threads | length' 3
	assert_cut rsp
	assert_jq '[.threads[] | select(.name == "bad-rsp") | .frames | length]' '[1]'
	assert_survives_then_term
}

@test "return address straddling into a PROT_NONE page: the read faults, the thread is cut" {
	export CRASHDUMP_FORMAT=json
	start_fixture crash_corrupt straddle intact
	quit_json
	assert_jq '.threads | length' 3
	assert_cut straddle
	assert_jq '[.threads[] | select(.name == "bad-straddle") | .frames | length]' '[1]'
	assert_survives_then_term
}

@test "the same in a thread that blocks every signal, SIGSEGV too: cut, others whole, process lives" {
	# The read that faults must reach the library's handler although the
	# thread had blocked SIGSEGV: with it blocked the kernel would kill.
	export CRASHDUMP_FORMAT=json
	start_fixture crash_corrupt masked intact
	quit_json
	assert_jq '.threads_dumped == .threads_real and (.missing | length) == 0' true
	assert_jq '[.threads[] | select(.name == "bad-masked") | [.truncated, .frames[0].function]]' \
		'[[true,"corrupt_straddle"]]'
	assert_jq '[.threads[] | select(.name != "bad-masked") | .truncated] | any' false
	assert_survives_then_term
}

@test "every corruption at once, dumped twice: each cut, main and the intact thread whole" {
	export CRASHDUMP_FORMAT=json
	start_fixture crash_corrupt ra rbp rsp straddle intact
	local round
	for round in 1 2; do
		quit_json
		assert_jq '.threads | length' 6
		assert_jq '[.threads[] | select(.truncated) | .name] | sort' \
			'["bad-ra","bad-rbp","bad-rsp","bad-straddle"]'
		assert_cut straddle
	done
	assert_survives_then_term
}

@test "text report: 'unreadable frame' for a frame that cannot be read, the straddling one too" {
	start_fixture crash_corrupt rsp straddle intact
	kill -QUIT "$PID"
	local r="$BATS_TEST_TMPDIR/report"
	read_report "$r" "$TRAILER_RE"
	assert_regex "$(tail -n 1 "$r")" '^crashdump: 4 of 4 threads dumped in '
	run awk '/^thread [0-9]+ "bad-straddle"/ {t = 1; next} /^thread / {t = 0} t && /^\(/' "$r"
	assert_output '(truncated: unreadable frame)'
	run awk '/^thread [0-9]+ "bad-rsp"/ {t = 1; next} /^thread / {t = 0} t && /^\(/' "$r"
	assert_output '(truncated: unreadable frame)'
	run grep -c '^(truncated' "$r"
	assert_output 2
	assert_survives_then_term
}

@test "straddle: strace sees the SIGSEGV at the PROT_NONE page inside the dump" {
	command -v strace >/dev/null || skip "strace is not installed"
	export CRASHDUMP_FORMAT=json
	local fifo="$BATS_TEST_TMPDIR/ready" trace="$BATS_TEST_TMPDIR/strace" line="" bad
	OUT="$BATS_TEST_TMPDIR/out"
	ERR="$BATS_TEST_TMPDIR/err"
	mkfifo "$fifo"
	env --default-signal=INT,QUIT timeout -k 5 30 strace -f -qq -e trace=none -e signal=SIGSEGV -o "$trace" \
		-E LD_PRELOAD="$LIB" "$FIX/crash_corrupt" straddle intact >"$OUT" 2>"$ERR" 3>"$fifo" &
	local tracer=$!
	exec 4<"$fifo"
	read -r -t 10 line <&4 || true
	exec 4<&-
	[ "$line" = ready ] || fail "the fixture did not get ready under strace: $(cat "$ERR")"
	PID=$(sed -n 's/^pid //p' "$OUT")
	bad=$(sed -n 's/^bad straddle //p' "$OUT")
	[ -n "$PID" ] && [ -n "$bad" ] || fail "no pid or page in: $(cat "$OUT")"

	quit_json
	assert_cut straddle
	local tid
	tid=$(jqr '.threads[] | select(.name == "bad-straddle") | .tid')

	kill -0 "$PID"
	kill -TERM "$PID"
	status=0
	wait "$tracer" || status=$?
	assert_equal "$status" 143
	# Read once strace is gone and its output flushed: one fault, in the
	# thread whose stack is being walked (it answers the relay itself), at
	# the first byte of the PROT_NONE page.
	run grep -F 'SIGSEGV' "$trace"
	assert_equal "${#lines[@]}" 1
	assert_regex "${lines[0]}" "^$tid +--- SIGSEGV \\{si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=$bad\\} ---\$"
}

@test "a crash on a stack that faults the unwinder: one report, the crasher cut, death by SIGILL" {
	# No SIGQUIT here: the fixture's own ud2 starts the dump.
	run -132 --separate-stderr with_lib env CRASHDUMP_FORMAT=json CRASHDUMP_OUTPUT=stderr \
		"$FIX/crash_corrupt" intact crash
	crash_json
	assert_jq '.signal | [.name, .code]' '["SIGILL","ILL_ILLOPN"]'
	assert_jq '.threads[0] | [.name, .signalled, .crashed, .truncated]' '["bad-crash",true,true,true]'
	assert_jq '[.threads[0].frames[].function]' '["corrupt_crash"]'
	assert_jq '.threads[0].registers.rip == .threads[0].frames[0].pc' true
	assert_jq '.threads_dumped == .threads_real and (.missing | length) == 0' true
	assert_jq '[.threads[1:][] | .truncated or .crashed] | any' false
	run -132 --separate-stderr with_lib env CRASHDUMP_OUTPUT=stderr "$FIX/crash_corrupt" intact crash
	assert_regex "$(tail -n 1 <<<"$stderr")" '^crashdump: 3 of 3 threads dumped in '
	run grep -c '^(truncated: unreadable frame)$' <<<"$stderr"
	assert_output 1
}
