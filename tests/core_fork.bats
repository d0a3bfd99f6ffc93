#!/usr/bin/env bats
# core_fork.bats - after fork() the child starts with a clean count (contract
# §2): its report lists its one thread, no pooled records, nothing relayed;
# the parent's report, taken afterwards, still lists all of its own threads.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper

setup() {
	core_setup
	export CRASHDUMP_OUTPUT="$DIR/r.%p"
}

teardown() {
	fixture_teardown
}

JSON_END='"elapsed_ms":[0-9]+\.[0-9]+\}$'

# quit_child: SIGQUITs the fixture's child $CHILD and waits until the
# fixture has reaped it: the child dies of SIGQUIT (CRASHDUMP_ON_QUIT=exit)
# only after its report is written.
quit_child() {
	kill -QUIT "$CHILD"
	await_answer "^reaped $CHILD\$"
}

# fork_and_quit_child WHO: starts core_fork WHO 3, SIGQUITs the child and
# waits for the end of its JSON report; sets $CHILD.
fork_and_quit_child() {
	export CRASHDUMP_FORMAT=json
	start_fixture core_fork "$1" 3
	CHILD=$(sed -n 's/^child //p' "$OUT")
	assert_regex "$CHILD" '^[0-9]+$'
	quit_child
	assert_file_line "$DIR/r.$CHILD" "$JSON_END"
}

# assert_child_report: the child's report lists exactly its one thread.
assert_child_report() {
	load_json "$DIR/r.$CHILD"
	assert_json_invariants
	assert_jq '.pid' "$CHILD"
	assert_jq '[.threads_real, .threads_pooled, .relayed]' '[1,0,0]'
	assert_jq '[.threads[].tid]' "[$CHILD]"
	assert_jq '.missing' '[]'
	assert_jq 'any(.threads[0].frames[]; .function == "child_parks")' true
}

# assert_parent_report: the parent's own report, after the child's: main,
# the three workers, the one joined thread's record in the pool.
assert_parent_report() {
	quit_fixture
	load_json "$DIR/r.$PID"
	assert_json_invariants
	assert_jq '[.threads_real, .threads_pooled, .relayed, (.threads | length)]' '[4,1,3,4]'
	assert_jq '.missing' '[]'
	assert_jq "[.threads[].tid] | index($CHILD)" null
	assert_jq '[.threads[] | select(.origin == "pthread") | any(.frames[]; .function == "fork_worker_parks")] | (length, all)' $'3\ntrue'
}

@test "a child forked by main dumps only its own thread, with a clean count" {
	fork_and_quit_child main
	assert_child_report
	assert_jq '.threads[0].origin' main
	assert_parent_report
}

@test "a child forked by a worker thread dumps only that thread, with a clean count" {
	fork_and_quit_child worker
	assert_child_report
	assert_parent_report
}

@test "the child's text report reads 1 real, 0 pooled, and 1 of 1 threads dumped" {
	start_fixture core_fork main 3
	CHILD=$(sed -n 's/^child //p' "$OUT")
	quit_child
	assert_file_line "$DIR/r.$CHILD" "$TRAILER_RE"
	assert_text_invariants "$DIR/r.$CHILD"
	run grep -Ec '^crashdump: threads: 1 real, 0 pooled(, 0 relayed)?$' "$DIR/r.$CHILD"
	assert_output 1
	run grep -Ec "^thread $CHILD \"core_fork\" \(main\) \[signalled\]$" "$DIR/r.$CHILD"
	assert_output 1
	run grep -Ec '^crashdump: 1 of 1 threads dumped in ' "$DIR/r.$CHILD"
	assert_output 1
	quit_fixture
	assert_text_invariants "$DIR/r.$PID"
	run grep -Ec '^crashdump: 4 of 4 threads dumped in ' "$DIR/r.$PID"
	assert_output 1
}
