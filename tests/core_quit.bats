#!/usr/bin/env bats
# core_quit.bats - what SIGQUIT does to the process (README "Behaviour"): with
# CRASHDUMP_ON_QUIT=continue it dumps every time and keeps running; by
# default it dies of SIGQUIT (status 131) once the report is written.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper

setup() {
	core_setup
}

teardown() {
	fixture_teardown
}

# assert_whole_report FILE: one complete text report of the 3 threads.
assert_whole_report() {
	assert_regex "$(head -n 1 "$1")" "^crashdump: SIGQUIT .* in pid $PID \\(core_continue\\)"
	assert_text_invariants "$1"
	run grep -Ec '^crashdump: 3 of 3 threads dumped in ' "$1"
	assert_output 1
	run grep -Ec '^crashdump: threads: 3 real, 0 pooled(, 2 relayed)?$' "$1"
	assert_output 1
}

@test "CRASHDUMP_ON_QUIT=continue: two SIGQUITs give two whole reports and the process lives on" {
	export CRASHDUMP_ON_QUIT=continue CRASHDUMP_OUTPUT="$DIR/r.%p.%t"
	start_fixture core_continue "$CTL" 2
	quit_continue
	assert_files_hold "$DIR" 1 "$TRAILER_RE"
	local first second f
	first=$(ls "$DIR")
	assert_regex "$first" "^r\\.$PID\\.[0-9]+$"
	quit_continue
	assert_files_hold "$DIR" 2 "$TRAILER_RE"
	for f in "$DIR"/*; do
		[ "${f##*/}" = "$first" ] || second=${f##*/}
	done
	# a report made in the same second as the first gets the name .1
	if [ "$second" != "$first.1" ]; then
		assert_regex "$second" "^r\\.$PID\\.[0-9]+$"
		[ "${second##*.}" -gt "${first##*.}" ] || fail "second report $second is older than $first"
	fi
	assert_whole_report "$DIR/$first"
	assert_whole_report "$DIR/$second"
	kill -0 "$PID"
	send_command exit
	wait_fixture
	assert_equal "$status" 0
	# nothing else on stderr: reports went to the files
	assert_equal "$(cat "$ERR")" ""
}

@test "CRASHDUMP_ON_QUIT=continue: after a dump the process still dies of SIGTERM as usual (143)" {
	export CRASHDUMP_ON_QUIT=continue CRASHDUMP_OUTPUT="$DIR/r.%p"
	start_fixture core_continue "$CTL" 2
	quit_continue
	assert_file_line "$DIR/r.$PID" "$TRAILER_RE"
	assert_whole_report "$DIR/r.$PID"
	kill -0 "$PID"
	kill -TERM "$PID"
	wait_fixture
	assert_equal "$status" 143
}

@test "CRASHDUMP_ON_QUIT=exit ends the process with status 131 after one whole report" {
	export CRASHDUMP_ON_QUIT=exit CRASHDUMP_OUTPUT="$DIR/r.%p"
	start_fixture core_continue "$CTL" 2
	quit_fixture
	assert_whole_report "$DIR/r.$PID"
	assert_equal "$(ls "$DIR")" "r.$PID"
}
