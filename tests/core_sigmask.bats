#!/usr/bin/env bats
# core_sigmask.bats - threads that block every signal (README "Behaviour"): dumped
# when they block through pthread_sigmask or sigprocmask; listed missing,
# "blocks signal", at once (not at the deadline) when they block through the
# raw system call, which no library can interpose.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper

teardown() {
	fixture_teardown
}

raw_tid() {
	sed -n 's/^raw //p' "$OUT"
}

@test "threads that block all signals through pthread_sigmask or sigprocmask are dumped" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_sigblock
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '[.threads[].name] | sort' '["blk-pthread","blk-setmask","blk-sigproc","core_sigblock"]'
	assert_jq '[.threads[] | select(.origin == "pthread") | any(.frames[]; .function == "blocker_parks")] | (length, all)' $'3\ntrue'
	assert_jq '.threads_real' 5
	# the raw blocker is a registry thread: it is sent the relay, and only
	# then found to block it
	assert_jq '.relayed' 4
}

@test "a thread that blocks every signal with the raw syscall is missing: blocks signal" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_sigblock
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	local tid
	tid=$(raw_tid)
	assert_regex "$tid" '^[0-9]+$'
	# what the kernel says of it: asleep in pause(2)
	assert_jq '.missing | map([.tid, .name, .reason, .state, .wait.kind, .wait.syscall])' "[[$tid,\"blk-raw\",\"blocks signal\",\"blocked\",\"syscall\",\"pause\"]]"
}

@test "the text report lists the raw blocker as missing thread TID \"blk-raw\": blocks signal" {
	start_fixture core_sigblock
	quit_fixture
	assert_text_invariants "$ERR"
	run grep '^missing thread ' "$ERR"
	assert_output "missing thread $(raw_tid) \"blk-raw\": blocks signal; waiting: syscall pause"
	run grep -Ec '^crashdump: 4 of 5 threads dumped in ' "$ERR"
	assert_output 1
}

@test "with CRASHDUMP_TIMEOUT_MS=60000 the dump does not wait for the raw blocker" {
	# A regression waits 60 s: wait_fixture's 30 s bound kills the fixture
	# (status 137), and elapsed_ms gives the wait away.
	export CRASHDUMP_FORMAT=json CRASHDUMP_TIMEOUT_MS=60000
	start_fixture core_sigblock
	local t0=$SECONDS
	quit_fixture
	[ $((SECONDS - t0)) -lt 10 ] || fail "the dump took $((SECONDS - t0)) s"
	load_json "$ERR"
	assert_json_invariants
	assert_jq '.elapsed_ms < 5000' true
	assert_jq '[.missing[].reason]' '["blocks signal"]'
}
