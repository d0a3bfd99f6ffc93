# run.bash - running programs under the library: paths, one way to start a
# program in the background and wait until it is ready, one bound that
# catches a hang, and running a program to its end.
# Loaded by test_helper.bash.

ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
# CRASHDUMP_TEST_LIB: another build of the library to test (an older one,
# to see a new test fail without its fix).
LIB="${CRASHDUMP_TEST_LIB:-$ROOT/build/libcrashdump.so}"
FIX="$ROOT/build/fixtures"
export ROOT LIB FIX

# guard_start PID: kills PID after 30 s, a bound that only catches a hang;
# prints the guard's pid for guard_stop.  The guard holds none of the
# caller's output pipes (run waits for them).
guard_start() {
	(
		trap 'kill "$nap" 2>/dev/null; exit 0' TERM
		sleep 30 &
		nap=$!
		wait "$nap"
		kill -KILL "$1" 2>/dev/null
	) </dev/null >/dev/null 2>&1 3>&- &
	echo $!
}

guard_stop() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# start_cmd CMD [ARG...]: CMD in the background with the library preloaded
# (plus whatever CRASHDUMP_* the test exported), SIGINT and SIGQUIT at their
# defaults (bash starts background commands with them ignored), stdout in
# $OUT, stderr in $ERR; waits (10 s at most) until it writes "ready" on its
# fd 3.  Sets $PID.
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
		fail "$(basename "$1") did not get ready (got '$line'): $(cat "$ERR")"
	fi
	export OUT ERR PID
}

# start_fixture NAME [ARG...]: start_cmd for build/fixtures/NAME.
start_fixture() {
	local name=$1
	shift
	start_cmd "$FIX/$name" "$@"
}

# wait_fixture: waits for the program started last; sets $status to its
# exit status as a shell reports it (128+N for a death by signal N).
wait_fixture() {
	local guard
	guard=$(guard_start "$PID")
	status=0
	wait "$PID" || status=$?
	guard_stop "$guard"
}

# with_lib CMD [ARG...]: CMD in the foreground with the library preloaded
# and SIGINT/SIGQUIT at their defaults; its exit status as a shell reports
# it.  For `run`.
with_lib() {
	local pid guard rc=0
	env --default-signal=INT,QUIT LD_PRELOAD="$LIB${LD_PRELOAD:+:$LD_PRELOAD}" "$@" &
	pid=$!
	guard=$(guard_start "$pid")
	wait "$pid" 2>/dev/null || rc=$? # no "Segmentation fault" job notice
	guard_stop "$guard"
	return "$rc"
}

# fixture_alive: the program started last ($PID) has not ended.
fixture_alive() {
	kill -0 "$PID" 2>/dev/null
}
