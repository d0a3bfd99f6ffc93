#!/usr/bin/env bats
# output.bats - where a report goes (README "Configuration"): a new 0600 file from the
# CRASHDUMP_OUTPUT template, never through a symlink, stderr when no file can
# be created, or an inherited fd.  Every test here needs a working dump.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper

setup() {
	DIR="$BATS_TEST_TMPDIR/reports"
	mkdir "$DIR"
}

teardown() {
	fixture_teardown
}

# assert_report FILE THREADS: FILE holds one whole text report of THREADS
# threads, all dumped.
assert_report() {
	local first last
	first=$(head -n 1 "$1")
	last=$(tail -n 1 "$1")
	assert_regex "$first" '^crashdump: '
	assert_regex "$last" "$TRAILER_RE"
	assert_regex "$last" "^crashdump: $2 of $2 threads dumped in "
	run grep -Ec "$TRAILER_RE" "$1"
	assert_output 1
}

# refute_report_on_stderr: the fixture's stderr holds no report line.
refute_report_on_stderr() {
	run grep -c '^crashdump: ' "$ERR"
	assert_output 0
}

@test "a report file is created at dump time, new, mode 0600, with the whole text report" {
	export CRASHDUMP_OUTPUT="$DIR/r.%p"
	start_fixture parked 3
	run ls -A "$DIR"
	assert_output ""
	quit_fixture
	local f="$DIR/r.$PID"
	[ -f "$f" ] && [ ! -L "$f" ]
	assert_equal "$(stat -c %a "$f")" 600
	assert_report "$f" 4
	refute_report_on_stderr
	run ls -A "$DIR"
	assert_output "r.$PID"
}

@test "a relative template names a file in the directory the program started in" {
	cd "$DIR"
	export CRASHDUMP_OUTPUT="r.%p"
	start_fixture parked 1
	quit_fixture
	assert_report "$DIR/r.$PID" 2
}

@test "the template's codes expand at dump time: %e program, %p pid, %% percent, %t seconds" {
	export CRASHDUMP_OUTPUT="$DIR/%e.%p.%%.%t"
	start_fixture parked 2
	local t0 t1 f t
	t0=$(date +%s)
	quit_fixture
	t1=$(date +%s)
	run ls -A "$DIR"
	assert_regex "$output" "^parked\.$PID\.%\.[0-9]+$"
	f=$output
	t=${f##*.}
	[ "$t" -ge "$t0" ] && [ "$t" -le "$t1" ]
	assert_report "$DIR/$f" 3
}

@test "a symlink planted at the report's name is left alone: the report goes to NAME.1" {
	echo precious >"$BATS_TEST_TMPDIR/victim"
	ln -s "$BATS_TEST_TMPDIR/victim" "$DIR/report"
	export CRASHDUMP_OUTPUT="$DIR/report"
	start_fixture parked 2
	quit_fixture
	[ -L "$DIR/report" ]
	assert_equal "$(readlink "$DIR/report")" "$BATS_TEST_TMPDIR/victim"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/victim")" precious
	assert_equal "$(stat -c %a "$DIR/report.1")" 600
	assert_report "$DIR/report.1" 3
	refute_report_on_stderr
}

@test "a dangling symlink at the report's name is not followed" {
	ln -s "$BATS_TEST_TMPDIR/not-to-be-created" "$DIR/report"
	export CRASHDUMP_OUTPUT="$DIR/report"
	start_fixture parked 1
	quit_fixture
	[ ! -e "$BATS_TEST_TMPDIR/not-to-be-created" ]
	assert_report "$DIR/report.1" 2
}

@test "an existing report is never overwritten: the next name is used" {
	echo old >"$DIR/report"
	echo old >"$DIR/report.1"
	export CRASHDUMP_OUTPUT="$DIR/report"
	start_fixture parked 1
	quit_fixture
	assert_equal "$(cat "$DIR/report")" old
	assert_equal "$(cat "$DIR/report.1")" old
	assert_report "$DIR/report.2" 2
}

# assert_fallback WHY: the report is on stderr, with the line WHY once.
assert_fallback() {
	run grep -c 'cannot create' "$ERR"
	assert_output 1
	run grep -Fx "$1" "$ERR"
	assert_success
	assert_regex "$(tail -n 1 "$ERR")" "$TRAILER_RE"
	# the reason comes before the report it explains
	run sed -n '1p' "$ERR"
	assert_output "$1"
}

@test "a missing directory: the report goes to stderr after one line saying why" {
	export CRASHDUMP_OUTPUT="$BATS_TEST_TMPDIR/missing/r.%p"
	start_fixture parked 2
	quit_fixture
	assert_fallback "crashdump: cannot create report file $BATS_TEST_TMPDIR/missing/r.$PID: No such file or directory; writing to stderr"
}

@test "a path through a regular file: the report goes to stderr after one line saying why" {
	touch "$DIR/file"
	export CRASHDUMP_OUTPUT="$DIR/file/r.%p"
	start_fixture parked 2
	quit_fixture
	assert_fallback "crashdump: cannot create report file $DIR/file/r.$PID: Not a directory; writing to stderr"
}

@test "an unwritable directory: the report goes to stderr after one line saying why" {
	[ "$(id -u)" -ne 0 ] || skip "root may create files in any directory"
	chmod 0500 "$DIR"
	export CRASHDUMP_OUTPUT="$DIR/r.%p"
	start_fixture parked 2
	quit_fixture
	chmod 0700 "$DIR"
	assert_fallback "crashdump: cannot create report file $DIR/r.$PID: Permission denied; writing to stderr"
}

@test "CRASHDUMP_OUTPUT=fd:N writes the report to that inherited descriptor" {
	export CRASHDUMP_OUTPUT=fd:8
	start_fixture parked 2 8>"$BATS_TEST_TMPDIR/fd8"
	quit_fixture
	assert_report "$BATS_TEST_TMPDIR/fd8" 3
	refute_report_on_stderr
}
