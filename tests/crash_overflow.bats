#!/usr/bin/env bats
# crash_overflow.bats - stack overflows are reported (README "Behaviour": handlers
# run on an alternate signal stack), in a worker and in the main thread,
# whose alternate stack the library installs at load.

bats_require_minimum_version 1.5.0
load test_helper
load lib/crash_suite

# check_overflow_json WHERE THREADS [FRAMES]: the JSON report of an
# overflow in WHERE: complete, the overflowing thread first, cut at the
# frame limit (FRAMES, default 128) inside the recursion.
check_overflow_json() {
	local where=$1 threads=$2 frames=${3:-128}
	run -139 --separate-stderr with_lib env CRASHDUMP_FORMAT=json \
		"$FIX/crash_overflow" "$where"
	refute_output --partial survived
	crash_json
	assert_jq '.signal.name' SIGSEGV
	assert_jq '.signal.code | test("^SEGV_(MAPERR|ACCERR)$")' true
	assert_jq '.threads_dumped' "$threads"
	assert_jq '.threads | length' "$threads"
	assert_jq '.missing' '[]'
	assert_jq '.threads[0] | [.tid == '"$(jqr .signal.thread)"', .signalled, .crashed]' \
		'[true,true,true]'
	if [ "$where" = main ]; then
		assert_jq '.threads[0].origin' main
	else
		assert_jq '.threads[0].name' overflower
	fi
	# Cut at the frame limit, and every frame is the recursion.
	assert_jq '.threads[0].truncated' true
	assert_jq '.threads[0].frames | length' "$frames"
	assert_jq '[.threads[0].frames[].function] | unique' '["crash_recurse"]'
	assert_jq '.threads[0].registers.rip == .threads[0].frames[0].pc' true
	# The fault is at the stack pointer, within a page.
	local addr rsp
	addr=$(jqr .signal.address)
	rsp=$(jqr .threads[0].registers.rsp)
	((addr >= rsp - 4096 && addr < rsp + 4096)) ||
		fail "fault address $addr is not next to rsp $rsp"
	# The other threads are whole stacks.
	assert_jq '[.threads[1:][] | .truncated or .crashed] | any' false
}

# check_overflow_text WHERE THREADS: the text report is complete (trailer)
# and says where the stack was cut.
check_overflow_text() {
	local where=$1 threads=$2
	run -139 --separate-stderr with_lib "$FIX/crash_overflow" "$where"
	local err="$BATS_TEST_TMPDIR/err"
	printf '%s\n' "$stderr" >"$err"
	assert_regex "$(head -n 1 "$err")" '^crashdump: SIGSEGV \(SEGV_(MAPERR|ACCERR), address 0x[0-9a-f]+\) in pid '
	assert_regex "$(tail -n 1 "$err")" "$TRAILER_RE"
	assert_regex "$(tail -n 1 "$err")" "^crashdump: $threads of $threads threads dumped in "
	run grep -c '^(truncated: frame limit 128)$' "$err"
	assert_output 1
	run grep -Ec '^#[0-9]+ 0x[0-9a-f]+ crash_recurse\+0x' "$err"
	assert_output 128
	run grep -Ec '^#127 ' "$err"
	assert_output 1
}

@test "stack overflow in a worker: status 139, complete JSON report, cut at the frame limit" {
	check_overflow_json worker 3
}

@test "stack overflow in the main thread: status 139, complete JSON report, cut at the frame limit" {
	check_overflow_json main 2
}

@test "stack overflow in a worker: the text report ends with its trailer" {
	check_overflow_text worker 3
}

@test "stack overflow in the main thread: the text report ends with its trailer" {
	check_overflow_text main 2
}

@test "stack overflow with CRASHDUMP_MAX_FRAMES=16: cut at 16 frames" {
	export CRASHDUMP_MAX_FRAMES=16
	check_overflow_json worker 3 16
}
