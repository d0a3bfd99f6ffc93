#!/usr/bin/env bats
# core.bats - the thread set of a dump (README "Behaviour"): every thread the kernel
# lists, each once; threads that have exited are never counted or waited for,
# whatever the state of their pthread_t; the pool of records stays bounded.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper

teardown() {
	fixture_teardown
}

# tids_of_gone: the tids core_threadset printed for its five exited threads.
tids_of_gone() {
	sed -n 's/^gone //p' "$OUT"
}

@test "a JSON report holds the main thread and the K live threads, none of the five exited ones" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_threadset 4
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '.threads | length' 5
	assert_jq '.threads_real' 5
	assert_jq '.threads_pooled' 5
	assert_jq '.relayed' 4
	assert_jq '.missing' '[]'
	assert_jq '[.threads[].tid] | unique | length' 5
	assert_jq '[.threads[] | select(.origin == "main") | .tid]' "[$PID]"
	assert_jq '[.threads[] | select(.origin == "pthread")] | length' 4
	assert_jq '[.threads[].name] | sort' '["core_threadset","worker-0","worker-1","worker-2","worker-3"]'
	run tids_of_gone
	assert_equal "${#lines[@]}" 5
	local tid
	for tid in "${lines[@]}"; do
		assert_jq "[.threads[].tid, .missing[].tid] | index($tid)" null
	done
}

@test "each live worker's frames hold its parking function, and main's hold main" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_threadset 4
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '[.threads[] | select(.origin == "pthread") | any(.frames[]; .function == "worker_parks")] | unique' '[true]'
	assert_jq '[.threads[] | select(.origin == "main") | any(.frames[]; .function == "main")]' '[true]'
}

@test "the text report counts K+1 real threads and 5 pooled, and dumps K+1 of K+1" {
	start_fixture core_threadset 4
	quit_fixture
	assert_text_invariants "$ERR"
	run grep -Ec '^crashdump: threads: 5 real, 5 pooled(, 4 relayed)?$' "$ERR"
	assert_output 1
	run grep -Ec '^crashdump: 5 of 5 threads dumped in ' "$ERR"
	assert_output 1
	run text_tids "$ERR"
	assert_equal "${#lines[@]}" 5
	run grep -c '^missing thread ' "$ERR"
	assert_output 0
	for tid in $(tids_of_gone); do
		run grep -Ec "^missing thread $tid " "$ERR"
		assert_output 0
		run text_group_of "$ERR" "$tid"
		assert_output ""
	done
}

@test "with no live worker only the main thread is listed, and nothing is relayed" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_threadset 0
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '[.threads_real, .threads_pooled, .relayed, (.threads | length)]' '[1,5,0,1]'
	assert_jq '.threads[0].tid' "$PID"
}

@test "SIGQUIT with the default CRASHDUMP_ON_QUIT ends the process with status 131, after the whole report" {
	start_fixture core_threadset 2
	kill -QUIT "$PID"
	wait_fixture
	assert_equal "$status" 131
	assert_regex "$(tail -n 1 "$ERR")" "^crashdump: 3 of 3 threads dumped in "
	assert_text_invariants "$ERR"
}

@test "after 10,000 create/join cycles the pool holds one record and only live threads are real" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_churn 10000 2
	assert_equal "$(cat "$OUT")" "joined 10000"
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '[.threads_real, .threads_pooled, .relayed, (.threads | length)]' '[3,1,2,3]'
	assert_jq '.missing' '[]'
}

@test "1,000 parked threads are dumped, exactly 1,001 with main" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_many 1000
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '[.threads_real, .relayed, (.threads | length), (.missing | length)]' '[1001,1000,1001,0]'
	assert_jq '[.threads[] | select(.origin == "pthread") | any(.frames[]; .function == "many_parks")] | (length, all)' $'1000\ntrue'
}

@test "1,000 parked threads in a text report: 1001 of 1001 dumped" {
	start_fixture core_many 1000
	quit_fixture
	assert_text_invariants "$ERR"
	run grep -Ec '^crashdump: 1001 of 1001 threads dumped in ' "$ERR"
	assert_output 1
}
