#!/usr/bin/env bats
# core_zombie.bats - a main thread gone through pthread_exit (README "Behaviour"):
# the kernel still lists it as a zombie; it is never waited for, and is
# listed missing with reason "zombie".
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper

teardown() {
	fixture_teardown
}

@test "a zombie main thread is missing thread PID: zombie, and 3 of 4 threads are dumped" {
	start_fixture core_zombie
	quit_fixture
	assert_text_invariants "$ERR"
	run grep '^missing thread ' "$ERR"
	assert_output "missing thread $PID \"core_zombie\": zombie"
	run grep -Ec '^crashdump: threads: 4 real, 0 pooled(, 2 relayed)?$' "$ERR"
	assert_output 1
	run text_tids "$ERR" '"zworker-[0-2]"(, "zworker-[0-2]")* \(pthread, created by main\+0x[0-9a-f]+ \(.*/core_zombie\+0x[0-9a-f]+\)\)'
	assert_equal "${#lines[@]}" 3
	run grep -Ec '^crashdump: 3 of 4 threads dumped in ' "$ERR"
	assert_output 1
}

@test "in JSON the zombie main thread is the one missing entry, and a worker took the signal" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_zombie
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '.missing' "[{\"tid\":$PID,\"name\":\"core_zombie\",\"reason\":\"zombie\",\"state\":\"unknown\",\"cpu_ms\":null,\"wait\":null}]"
	assert_jq '[.threads_real, .relayed, (.threads | length)]' '[4,2,3]'
	assert_jq '[.threads[].name] | sort' '["zworker-0","zworker-1","zworker-2"]'
	assert_jq '[.threads[] | any(.frames[]; .function == "zombie_worker_parks")] | unique' '[true]'
	assert_jq '.signal.thread != .pid' true
}
