#!/usr/bin/env bats
# core_creators.bats - threads whichever way they were created (README "Behaviour"):
# by libstdc++'s std::thread, and by another library's constructor that ran
# before libcrashdump's own (its pthread_create arms the library lazily).
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper

teardown() {
	fixture_teardown
}

@test "a std::thread pool of 4 is dumped: 4 pthread threads, each created by libstdc++" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_cxxpool 4
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '[.threads_real, .relayed, (.threads | length), (.missing | length)]' '[5,4,5,0]'
	assert_jq '[.threads[] | select(.origin == "pthread")] | length' 4
	assert_jq '[.threads[] | select(.origin == "pthread") | .created_by != null] | unique' '[true]'
	assert_jq '[.threads[] | select(.origin == "pthread") | .created_by.module | test("/libstdc\\+\\+\\.so")] | unique' '[true]'
	assert_jq '[.threads[] | select(.origin == "pthread") | any(.frames[]; .function == "pool_worker_parks")] | unique' '[true]'
	assert_jq '[.threads[] | select(.origin == "main") | .tid]' "[$PID]"
}

@test "a thread started by a library constructor before libcrashdump's is dumped as a pthread thread" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_ctor
	# the scenario really happened: libcrashdump had not armed itself yet
	assert_equal "$(cat "$OUT")" "ctor ran first: yes"
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '[.threads_real, .relayed, (.threads | length), (.missing | length)]' '[2,1,2,0]'
	assert_jq '[.threads[] | select(.name == "ctor-thread") | .origin]' '["pthread"]'
	assert_jq '.threads[] | select(.name == "ctor-thread") | .created_by.function' core_ctor_start
	assert_jq '.threads[] | select(.name == "ctor-thread") | .created_by.module | endswith("/libcore_ctor.so")' true
	assert_jq '.threads[] | select(.name == "ctor-thread") | any(.frames[]; .function == "ctor_thread_parks")' true
}

@test "the constructor's thread appears in the text report, and the process dies of SIGQUIT, not a crash" {
	start_fixture core_ctor
	kill -QUIT "$PID"
	wait_fixture
	assert_equal "$status" 131
	assert_text_invariants "$ERR"
	run grep -Ec '^thread [0-9]+ "ctor-thread" \(pthread, created by core_ctor_start\+0x[0-9a-f]+ \(.*/libcore_ctor\.so\+0x[0-9a-f]+\)\)$' "$ERR"
	assert_output 1
	run grep -Ec '^crashdump: 2 of 2 threads dumped in ' "$ERR"
	assert_output 1
}

@test "a thread made by libc's own pthread_create, past the library, is dumped as foreign with its stack" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_foreign
	local foreign
	foreign=$(sed -n 's/^foreign //p' "$OUT")
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '[.threads_real, .relayed, (.threads | length), (.missing | length)]' '[3,2,3,0]'
	assert_jq '[.threads[] | select(.origin == "foreign") | .tid]' "[$foreign]"
	assert_jq '.threads[] | select(.origin == "foreign") | [.name, .created_by]' '["foreign",null]'
	assert_jq '.threads[] | select(.origin == "foreign") | any(.frames[]; .function == "foreign_parks")' true
	assert_jq '[.threads[] | select(.origin == "pthread") | .name]' '["known"]'
}

@test "a thread gone by the exit system call, past every exit hook, is not reported, and the foreign one still is" {
	# The library's record of the raw-exited thread outlives it: counted
	# with the other records it would stand in for the foreign thread.
	export CRASHDUMP_FORMAT=json
	start_fixture core_foreign rawexit
	local foreign gone
	foreign=$(sed -n 's/^foreign //p' "$OUT")
	gone=$(sed -n 's/^rawexit //p' "$OUT")
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '[.threads_real, .relayed, (.threads | length), (.missing | length)]' '[3,2,3,0]'
	assert_jq '[.threads[] | select(.origin == "foreign") | .tid]' "[$foreign]"
	assert_jq "[.threads[].tid, .missing[].tid] | index($gone)" null
}
