#!/usr/bin/env bats
# core_noanswer.bats - the dump is bounded in time (README "Behaviour"): a thread
# that cannot run its handler (here blocked in vfork() behind a child that
# never execs) is listed missing, "no answer", at CRASHDUMP_TIMEOUT_MS, and
# the process goes on to its end; a thread that never runs one (io_uring's
# kernel worker) is listed at once, "kernel worker", and not signalled.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper

setup() {
	export CRASHDUMP_TIMEOUT_MS=300
}

teardown() {
	fixture_teardown
}

# start_noanswer: starts core_noanswer; sets $VFORKER and $CHILD.
start_noanswer() {
	start_fixture core_noanswer
	VFORKER=$(sed -n 's/^vforker //p' "$OUT")
	CHILD=$(sed -n 's/^child //p' "$OUT")
	assert_regex "$VFORKER" '^[0-9]+$'
	assert_regex "$CHILD" '^[0-9]+$'
}

@test "a thread stuck in vfork is missing thread TID \"vforker\": no answer, after the timeout" {
	start_noanswer
	quit_fixture
	assert_text_invariants "$ERR"
	run grep '^missing thread ' "$ERR"
	assert_output "missing thread $VFORKER \"vforker\": no answer; waiting: syscall vfork"
	run grep -Ec '^crashdump: threads: 4 real, 0 pooled(, 3 relayed)?$' "$ERR"
	assert_output 1
	local ms
	ms=$(sed -nE 's/^crashdump: 3 of 4 threads dumped in ([0-9]+)(\.[0-9]+)? ms$/\1/p' "$ERR")
	assert_regex "$ms" '^[0-9]+$'
	# it waited for the deadline, and not much longer
	[ "$ms" -ge 300 ] && [ "$ms" -lt 5000 ] || fail "the dump took $ms ms, the timeout is 300 ms"
}

@test "in JSON the stuck thread is the one missing entry, with reason no answer" {
	export CRASHDUMP_FORMAT=json
	start_noanswer
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '.missing | map([.tid, .name, .reason, .state, .wait.syscall])' "[[$VFORKER,\"vforker\",\"no answer\",\"blocked\",\"vfork\"]]"
	assert_jq '[.threads_real, .relayed, (.threads | length)]' '[4,3,3]'
	assert_jq '.elapsed_ms >= 300 and .elapsed_ms < 5000' true
	assert_jq '[.threads[] | select(.origin == "pthread") | any(.frames[]; .function == "noanswer_parks")] | (length, all)' $'2\ntrue'
}

@test "an io_uring kernel worker in the thread group is missing as kernel worker, at once, and never signalled" {
	export CRASHDUMP_FORMAT=json CRASHDUMP_TIMEOUT_MS=60000
	start_fixture core_iouring || {
		grep -q '^no io_uring' "$OUT" && skip "$(cat "$OUT")"
		false
	}
	local worker
	worker=$(sed -n 's/^worker //p' "$OUT")
	# The 30 s bound of wait_fixture is below the 60 s deadline: a dump
	# that waited for the worker would not end in time.
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '[.threads_real, .relayed, (.threads | length)]' '[3,1,2]'
	assert_jq '[.missing[] | [.tid, .reason]]' "[[$worker,\"kernel worker\"]]"
	assert_jq '.missing[0].name | startswith("iou-wrk-")' true
}
