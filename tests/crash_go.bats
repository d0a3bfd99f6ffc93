#!/usr/bin/env bats
# crash_go.bats - a Go program with cgo (Debian's golang-go) owns its
# signals: under the library it crashes, and dumps, as it does without it,
# and CRASHDUMP_WATCHDOG, which cannot work there, says so instead of
# doing nothing.  Debian's Go 1.19 keeps _cgo_init local: the library must
# know a Go program by its Go build note.

bats_require_minimum_version 1.5.0
load test_helper

teardown() {
	fixture_teardown
}

setup_file() {
	command -v go >/dev/null || return 0
	GDIR="$BATS_FILE_TMPDIR/go"
	mkdir -p "$GDIR"
	cat >"$GDIR/cgocrash.go" <<'EOF_GO'
// A Go program whose C thread, made by pthread_create through cgo,
// writes to address 0 when argv[1] is "crash"; otherwise it says
// "ready" on fd 3 and sleeps.
package main

/*
#include <pthread.h>
#include <unistd.h>
static void *crash(void *a) { (void)a; *(volatile int *)0 = 1; return 0; }
static void start_crasher(void) { pthread_t t; pthread_create(&t, 0, crash, 0); }
*/
import "C"

import (
	"os"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "crash" {
		C.start_crasher()
	} else {
		os.NewFile(3, "ready").WriteString("ready\n")
	}
	time.Sleep(30 * time.Second)
}
EOF_GO
	(cd "$GDIR" && HOME="$GDIR" GOPATH="$GDIR/gopath" GOCACHE="$GDIR/cache" GO111MODULE=off \
		go build -o cgocrash cgocrash.go) ||
		echo "go build failed" >"$GDIR/failed"
	export GDIR
}

setup() {
	command -v go >/dev/null || skip "go is not installed"
	[ ! -f "$GDIR/failed" ] || fail "the Go test program did not build"
	crash_setup
}

@test "a crash in a cgo thread of a Go program ends as it does without the library, no report" {
	local without=0
	timeout 30 env --default-signal=INT,QUIT "$GDIR/cgocrash" crash 2>/dev/null || without=$?
	run --separate-stderr with_lib "$GDIR/cgocrash" crash
	assert_equal "$status" "$without"
	run grep -Ec '^(crashdump|libcrashdump):' <<<"$stderr"
	assert_output 0
}

@test "CRASHDUMP_WATCHDOG in a Go program is refused with one warning, and the program runs on" {
	export CRASHDUMP_WATCHDOG=0.1
	start_cmd "$GDIR/cgocrash"
	run cat "$ERR"
	assert_output "libcrashdump: warning: CRASHDUMP_WATCHDOG=0.1: Go handles this process's signals itself; using off"
	kill -0 "$PID"
	kill -TERM "$PID"
	status=0
	wait "$PID" || status=$?
	assert_equal "$status" 143
}
