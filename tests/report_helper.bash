# report_helper.bash - reading crashdump reports in the core suite: the JSON
# report of a run, the invariants every report keeps (each listed thread once,
# dumped + missing == real), and the fixtures' control FIFO and answer
# channel, the events that tell a test a report is complete.
# Load after test_helper (it uses bats-assert).

TRAILER_RE='^crashdump: [0-9]+ of [0-9]+ threads dumped in [0-9]+(\.[0-9]+)? ms$'
FRAME_RE='^#[0-9]+ 0x[0-9a-f]+ (\S+\+0x[0-9a-f]+|\?\?) \((.+\+0x[0-9a-f]+|\?\?)\)$'

# A fixture a failed test left running (only this shell's own jobs), a
# fixture's child a test named in $CHILD, if that pid is still a fixture's,
# and the answer channel.
core_teardown() {
	local job comm
	for job in $(jobs -p); do
		kill -KILL "$job" 2>/dev/null || true
	done
	if [ -n "${CHILD:-}" ]; then
		comm=$(cat "/proc/$CHILD/comm" 2>/dev/null || true)
		if [[ $comm == core_* ]]; then
			kill -KILL "$CHILD" 2>/dev/null || true
		fi
	fi
	close_answers
}

# quit_fixture: SIGQUITs the fixture started last and waits for it to die
# of SIGQUIT (the default CRASHDUMP_ON_QUIT=exit: status 131).
quit_fixture() {
	kill -QUIT "$PID"
	wait_fixture
	assert_equal "$status" 131
}

# load_json FILE: the JSON report is FILE's last line (program output may
# come before it on stderr); copies it to $JSON and checks it parses as one
# object.
load_json() {
	JSON="$BATS_TEST_TMPDIR/report.$RANDOM.json"
	tail -n 1 "$1" >"$JSON"
	run jq -e 'type == "object"' "$JSON"
	assert_success
	export JSON
}

# assert_json_invariants: in $JSON every listed tid appears once (dumped or
# missing), dumped + missing == threads_real, threads_dumped agrees, and the
# first thread, and only it, is the signalled one (for a signal report).
assert_json_invariants() {
	assert_jq '(.threads | length) + (.missing | length) == .threads_real' true
	assert_jq '[.threads[].tid, .missing[].tid] | length == (unique | length)' true
	assert_jq '(.threads_dumped // (.threads | length)) == (.threads | length)' true
	if [ "$(jqr .reason)" = signal ]; then
		assert_jq '[.threads[] | select(.signalled)] | length' 1
		assert_jq '.threads[0].signalled and .threads[0].tid == .signal.thread' true
	fi
}

# text_counts FILE: "HEADERS MISSING REAL DUMPED LISTED" from a text report:
# thread headers, missing lines, the threads line's N, the trailer's D and N.
text_counts() {
	local headers missing real trailer
	headers=$(grep -Ec '^thread [0-9]+ ' "$1")
	missing=$(grep -Ec '^missing thread [0-9]+ ' "$1")
	real=$(sed -nE 's/^crashdump: threads: ([0-9]+) real, .*/\1/p' "$1")
	trailer=$(sed -nE 's/^crashdump: ([0-9]+) of ([0-9]+) threads dumped in .*/\1 \2/p' "$1")
	echo "$headers $missing $real $trailer"
}

# assert_text_invariants FILE: one text report in FILE (from its first
# "crashdump: " line on): the trailer once and last, D thread headers, and
# D + missing lines == N == the threads line's count, each tid once.
assert_text_invariants() {
	local c
	run grep -Ec "$TRAILER_RE" "$1"
	assert_output 1
	assert_regex "$(tail -n 1 "$1")" "$TRAILER_RE"
	read -r -a c <<<"$(text_counts "$1")"
	[ "${#c[@]}" -eq 5 ] || fail "no threads line or trailer in $1: ${c[*]}"
	assert_equal "${c[0]}" "${c[3]}"             # headers == D
	assert_equal "$((c[0] + c[1]))" "${c[2]}"    # dumped + missing == real
	assert_equal "${c[4]}" "${c[2]}"             # trailer's N == real
	run bash -c "grep -Eo '^(missing )?thread [0-9]+ ' '$1' | grep -Eo '[0-9]+' | sort | uniq -d"
	assert_output ""
}

# fixture_alive: the fixture started last ($PID) has not ended.
fixture_alive() {
	kill -0 "$PID" 2>/dev/null
}

# assert_file_line FILE REGEX: a line of FILE matches REGEX.
assert_file_line() {
	[ -f "$1" ] || fail "no file $1"
	grep -Eq "$2" "$1" || fail "no line matching '$2' in $1: $(cat "$1")"
}

# assert_files_hold DIR COUNT REGEX: DIR holds exactly COUNT files, and each
# has a line matching REGEX.
assert_files_hold() {
	local f n=0
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		grep -Eq "$3" "$f" || fail "no line matching '$3' in $f: $(cat "$f")"
	done
	[ "$n" -eq "$2" ] || fail "$1 holds $n files, not $2: $(ls "$1")"
}

# The fixtures' answer channel: a FIFO the test shell holds open read-write
# on this descriptor; fixtures started afterwards inherit it and write one
# line per answer (core_answer in tests/fixtures/core_util.h, same number).
ANSWER_FD=6

# open_answers: opens the answer channel; before start_fixture.
open_answers() {
	local fifo="$BATS_TEST_TMPDIR/answers.fifo"
	mkfifo "$fifo"
	eval "exec $ANSWER_FD<>\"\$fifo\""
}

# close_answers: closes it (teardown).
close_answers() {
	eval "exec $ANSWER_FD>&-"
}

# await_answer REGEX: reads the fixture's next answer (10 s at most, a bound
# that only catches a hang: the test shell holds a write end, so a dead
# fixture gives no end of file) into $ANSWER; it must match REGEX.
await_answer() {
	ANSWER=""
	IFS= read -r -t 10 ANSWER <&"$ANSWER_FD" ||
		fail "no answer from the fixture in 10 s ($(fixture_alive && echo 'it runs' || echo 'it died'))"
	[[ $ANSWER =~ $1 ]] || fail "the fixture answered '$ANSWER', not '$1'"
}

# ask CMD REGEX: sends CMD on the control FIFO $CTL and waits for the
# fixture's answer, which must match REGEX.
ask() {
	send_command "$1"
	await_answer "$2"
}

# quit_continue: SIGQUITs the fixture $PID (CRASHDUMP_ON_QUIT=continue, its
# threads but main blocking SIGQUIT: core_block_quit) and returns once the
# dump has ended.  The kernel runs main's SIGQUIT handler, which makes the
# whole dump and report, before main reads anything more from $CTL: the
# answer to a ping sent after the signal comes after the report.
quit_continue() {
	kill -QUIT "$PID"
	ask ping '^pong$'
}

# send_command CMD: writes the line CMD to the control FIFO $CTL.  Opened
# read-write, so the write never waits for a reader: a fixture that died
# leaves the command unread, and the wait for its answer fails instead of
# hanging.
send_command() {
	echo "$1" 1<>"$CTL"
}

# core_setup: a report directory $DIR, a control FIFO $CTL for commands to
# the fixture, and the answer channel (open_answers).
core_setup() {
	DIR="$BATS_TEST_TMPDIR/reports"
	mkdir "$DIR"
	CTL="$BATS_TEST_TMPDIR/control"
	mkfifo "$CTL"
	open_answers
}
