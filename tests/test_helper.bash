# test_helper.bash - shared set-up for the bats suite: paths, and the
# bats-support / bats-assert libraries from Debian's packages.
bats_load_library bats-support
bats_load_library bats-assert

ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
# CRASHDUMP_TEST_LIB: another build of the library to test (an older one,
# to see a new test fail without its fix).
LIB="${CRASHDUMP_TEST_LIB:-$ROOT/build/libcrashdump.so}"
FIX="$ROOT/build/fixtures"
export ROOT LIB FIX

# start_fixture NAME [ARG...]: runs build/fixtures/NAME in the background
# with the library preloaded (plus whatever CRASHDUMP_* the test exported),
# stdout in $OUT, stderr in $ERR, and waits (10 s at most, to catch a hang)
# until the fixture writes "ready" on its fd 3.  Sets $PID.
start_fixture() {
	local name=$1
	shift
	OUT="$BATS_TEST_TMPDIR/out"
	ERR="$BATS_TEST_TMPDIR/err"
	local fifo="$BATS_TEST_TMPDIR/ready.$$.$RANDOM"
	mkfifo "$fifo"
	# bash starts background commands with SIGINT and SIGQUIT ignored (no job
	# control); the fixture gets them at their defaults, as from a terminal.
	env --default-signal=INT,QUIT LD_PRELOAD="$LIB${LD_PRELOAD:+:$LD_PRELOAD}" \
		"$FIX/$name" "$@" >"$OUT" 2>"$ERR" 3>"$fifo" &
	PID=$!
	local line=""
	exec 4<"$fifo"
	read -r -t 10 line <&4 || true
	exec 4<&-
	rm -f "$fifo"
	if [ "$line" != "ready" ]; then
		echo "fixture $name did not get ready (got '$line')" >&2
		cat "$ERR" >&2
		kill -KILL "$PID" 2>/dev/null || true
		return 1
	fi
	export OUT ERR PID
}

# wait_fixture: waits for the fixture started last (killed after 30 s, a
# bound that only catches a hang); sets $status to its exit status as a
# shell reports it (128+N for a death by signal N).
wait_fixture() {
	{ sleep 30; kill -KILL "$PID"; } >/dev/null 2>&1 3>&- &
	local guard=$!
	status=0
	wait "$PID" || status=$?
	pkill -P "$guard" sleep 2>/dev/null || true
	kill "$guard" 2>/dev/null || true
	wait "$guard" 2>/dev/null || true
}

# jqr EXPR: EXPR over $JSON, raw compact output.
jqr() {
	jq -rc "$1" "$JSON"
}

# assert_jq EXPR EXPECTED: EXPR over $JSON prints exactly EXPECTED.  Does
# not use `run`, so $status, $output and $stderr of the fixture's run stay.
assert_jq() {
	local got
	got=$(jq -rc "$1" "$JSON") || fail "jq failed on: $1"
	[ "$got" = "$2" ] ||
		fail "$(printf 'jq %s\n  expected: %s\n  actual  : %s' "$1" "$2" "$got")"
}
