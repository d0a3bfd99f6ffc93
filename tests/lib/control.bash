# control.bash - talking with a running fixture and cleaning up after it:
# the answer channel and the control FIFO (core fixtures), the report pipe
# (a fixture that writes its report to an inherited descriptor), SIGQUIT,
# each suite's set-up, and the one teardown.
# Loaded by test_helper.bash (uses bats-assert and lib/run.bash).

# The fixtures' answer channel: a FIFO the test shell holds open read-write
# on this descriptor; fixtures started afterwards inherit it and write one
# line per answer (core_answer in tests/fixtures/core_util.h, same number).
ANSWER_FD=6
# The report pipe's descriptor in the test shell and in the fixtures it starts.
CRASH_FD=7

# open_answers: opens the answer channel; before start_fixture.
open_answers() {
	local fifo="$BATS_TEST_TMPDIR/answers.fifo"
	mkfifo "$fifo"
	eval "exec $ANSWER_FD<>\"\$fifo\""
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

# send_command CMD: writes the line CMD to the control FIFO $CTL.  Opened
# read-write, so the write never waits for a reader: a fixture that died
# leaves the command unread, and the wait for its answer fails instead of
# hanging.
send_command() {
	echo "$1" 1<>"$CTL"
}

# ask CMD REGEX: sends CMD on the control FIFO $CTL and waits for the
# fixture's answer, which must match REGEX.
ask() {
	send_command "$1"
	await_answer "$2"
}

# quit_fixture: SIGQUITs the fixture started last and waits for it to die
# of SIGQUIT (the default CRASHDUMP_ON_QUIT=exit: status 131).
quit_fixture() {
	kill -QUIT "$PID"
	wait_fixture
	assert_equal "$status" 131
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

# open_report_pipe: a FIFO held open read-write on fd $CRASH_FD by the test
# shell; fixtures started afterwards inherit it and write their report
# there (CRASHDUMP_OUTPUT=fd:N), so the test can wait for the report's
# last line as an event, without polling a file.
open_report_pipe() {
	local fifo="$BATS_TEST_TMPDIR/report.fifo"
	mkfifo "$fifo"
	eval "exec $CRASH_FD<>\"\$fifo\""
	export CRASHDUMP_OUTPUT="fd:$CRASH_FD"
}

# read_report FILE REGEX: copies lines from the report pipe into FILE until
# one matches REGEX (the trailer, or the JSON object's line).  The 10 s per
# line only catches a hang.
read_report() {
	local line
	: >"$1"
	while IFS= read -r -t 10 line <&"$CRASH_FD"; do
		printf '%s\n' "$line" >>"$1"
		[[ $line =~ $2 ]] && return 0
	done
	fail "no line matching '$2' on the report pipe; got: $(cat "$1")"
}

# out_tid ROLE, out_obj NAME: what a fixture printed on its stdout, as
# "ROLE TID" and "obj NAME VALUE" lines.
out_tid() {
	sed -n "s/^$1 //p" "$OUT"
}
out_obj() {
	sed -n "s/^obj $1 //p" "$OUT"
}

# read_until REGEX: read_report into $REPORT (a file of the test's own).
read_until() {
	REPORT="$BATS_TEST_TMPDIR/report"
	read_report "$REPORT" "$1"
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

# crash_setup: no core files from the crashes the tests cause, the usual
# 8 MiB stack (stack overflow tests rely on a bounded main stack), and an
# empty report directory $DIR.
crash_setup() {
	ulimit -c 0
	ulimit -S -s 8192 2>/dev/null || true
	DIR="$BATS_TEST_TMPDIR/reports"
	mkdir -p "$DIR"
	export DIR
}

# fixture_teardown: a fixture a failed test left running (this shell's
# jobs; and $PID and $CHILD while each is still one of our fixtures: a
# fixture run under strace, or a fixture's child, is not a job of ours),
# and the answer channel and report pipe.
fixture_teardown() {
	local job pid comm
	for job in $(jobs -p); do
		kill -KILL "$job" 2>/dev/null || true
	done
	for pid in ${PID:-} ${CHILD:-}; do
		comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
		case $comm in
		core_* | crash_* | host_* | run_* | wait_* | watch_* | demo | parked | pools | asked)
			kill -KILL "$pid" 2>/dev/null || true ;;
		esac
	done
	eval "exec $ANSWER_FD>&- $CRASH_FD>&-"
}
