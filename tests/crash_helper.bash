# crash_helper.bash - the crash suite's shared set-up: running a fixture that
# crashes by itself under the library, reading its JSON report, and reading
# the report of a fixture that keeps running through an inherited pipe.
# Load after test_helper (it uses bats-assert).

CRASH_TRAILER_RE='^crashdump: [0-9]+ of [0-9]+ threads dumped in [0-9]+(\.[0-9]+)? ms$'
# A JSON report is one line, this object.
CRASH_JSON_RE='^\{"format":"crashdump/1".*\}$'
# The report pipe's descriptor in the test shell and in the fixtures it starts.
CRASH_FD=7

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

# crash_teardown: a fixture a failed test left running (this shell's jobs,
# and $PID while it is still one of our fixtures: a fixture run under
# strace is not a job of ours), and the report pipe.
crash_teardown() {
	local job comm
	for job in $(jobs -p); do
		kill -KILL "$job" 2>/dev/null || true
	done
	if [ -n "${PID:-}" ]; then
		comm=$(cat "/proc/$PID/comm" 2>/dev/null || true)
		if [[ $comm == crash_* ]]; then
			kill -KILL "$PID" 2>/dev/null || true
		fi
	fi
	eval "exec $CRASH_FD>&-"
}

# with_lib CMD [ARG...]: CMD with the library preloaded and SIGINT/SIGQUIT
# at their defaults; its exit status as a shell reports it (128+N for a
# death by signal N).  Killed after 30 s, a bound that only catches a hang.
with_lib() {
	local pid guard rc=0
	env --default-signal=INT,QUIT LD_PRELOAD="$LIB${LD_PRELOAD:+:$LD_PRELOAD}" "$@" &
	pid=$!
	# The watchdog holds none of CMD's output pipes (run waits for them),
	# and its sleep is killed by pid when it is no longer needed.
	(
		trap 'kill "$nap" 2>/dev/null; exit 0' TERM
		sleep 30 &
		nap=$!
		wait "$nap"
		kill -KILL "$pid" 2>/dev/null
	) </dev/null >/dev/null 2>&1 &
	guard=$!
	wait "$pid" 2>/dev/null || rc=$? # no "Segmentation fault" job notice
	kill -TERM "$guard" 2>/dev/null || true
	wait "$guard" 2>/dev/null || true
	return "$rc"
}

# start_cmd CMD [ARG...]: start_fixture for any command (a JVM, a static
# binary): CMD in the background under the library, stdout in $OUT, stderr
# in $ERR, ready when it writes "ready" on its fd 3 (10 s at most).
start_cmd() {
	OUT="$BATS_TEST_TMPDIR/out"
	ERR="$BATS_TEST_TMPDIR/err"
	local fifo="$BATS_TEST_TMPDIR/ready.$$.$RANDOM" line=""
	mkfifo "$fifo"
	env --default-signal=INT,QUIT LD_PRELOAD="$LIB${LD_PRELOAD:+:$LD_PRELOAD}" \
		"$@" >"$OUT" 2>"$ERR" 3>"$fifo" &
	PID=$!
	exec 4<"$fifo"
	read -r -t 10 line <&4 || true
	exec 4<&-
	rm -f "$fifo"
	if [ "$line" != "ready" ]; then
		kill -KILL "$PID" 2>/dev/null || true
		fail "$1 did not get ready (got '$line'): $(cat "$ERR")"
	fi
	export OUT ERR PID
}

# crash_json [TEXT]: the JSON report is the last line of TEXT (default: the
# $stderr of the last `run --separate-stderr`); copies it to $JSON and
# checks it is one object.
crash_json() {
	JSON="$BATS_TEST_TMPDIR/report.$RANDOM.json"
	printf '%s\n' "${1-$stderr}" | tail -n 1 >"$JSON"
	jq -e 'type == "object"' "$JSON" >/dev/null ||
		fail "the last line is not a JSON object: $(cat "$JSON")"
	export JSON
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

# assert_dir_empty DIR: no report file was created.
assert_dir_empty() {
	local left
	left=$(ls -A "$1")
	[ -z "$left" ] || fail "$1 is not empty: $left"
}

# The suite's own setup and teardown; a file that needs more defines its
# own and calls crash_setup / crash_teardown from them.
setup() {
	crash_setup
}

teardown() {
	crash_teardown
}
