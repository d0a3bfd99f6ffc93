#!/usr/bin/env bats
# waits.bats - why each thread waits (README "Why each thread waits"): the
# primitive, its address and its owner as the object's own memory names it,
# the system call and descriptor, threads that run, and every cycle of the
# wait-for graph, in JSON and in the text report.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper
load lib/crash_suite

# wait_of ROLE: the JSON wait of ROLE's thread, as "KIND ADDRESS OWNER ALIVE".
wait_of() {
	jqr ".threads[] | select(.tid == $(out_tid "$1")) | .wait | \"\(.kind) \(.address) \(.owner) \(.owner_alive)\""
}

dump_waits() {
	start_fixture wait_kinds
	quit_fixture
}

@test "a waiter on a normal, timed, PI or robust mutex: the mutex, and the thread that holds it" {
	export CRASHDUMP_FORMAT=json
	dump_waits
	load_json "$ERR"
	assert_json_invariants
	local h
	h=$(out_tid holder)
	assert_equal "$(wait_of w-normal)" "mutex $(out_obj normal) $h true"
	assert_equal "$(wait_of w-timed)" "mutex $(out_obj normal) $h true"
	assert_equal "$(wait_of w-pi)" "mutex $(out_obj pi) $h true"
	assert_equal "$(wait_of w-robust)" "mutex $(out_obj robust) $h true"
}

@test "a writer waiting on a write-held rwlock: the rwlock and its writer" {
	export CRASHDUMP_FORMAT=json
	dump_waits
	load_json "$ERR"
	assert_equal "$(wait_of w-writer)" "rwlock $(out_obj rw) $(out_tid holder) true"
}

@test "a reader waiting on a write-held rwlock: its writer; a writer and a reader on a read-held one: no owner" {
	export CRASHDUMP_FORMAT=json
	dump_waits
	load_json "$ERR"
	assert_equal "$(wait_of w-reader)" "rwlock $(out_obj rw) $(out_tid holder) true"
	assert_equal "$(wait_of w-rd-writer)" "rwlock $(out_obj rw_read) null null"
	assert_equal "$(wait_of w-rd-reader)" "rwlock $(out_obj rw_read) null null"
}

@test "join, condvar, semaphore: the object, an owner only for the join" {
	export CRASHDUMP_FORMAT=json
	dump_waits
	load_json "$ERR"
	assert_equal "$(wait_of joiner)" "join $(jqr ".threads[] | select(.tid == $(out_tid joiner)) | .wait.address") $(out_tid joinee) true"
	assert_equal "$(wait_of w-cond)" "condvar $(out_obj cond) null null"
	assert_equal "$(wait_of w-sem)" "semaphore $(out_obj sem) null null"
}

@test "a program's own futex wait, in a function it calls app_join_workers: a futex, no owner" {
	export CRASHDUMP_FORMAT=json
	dump_waits
	load_json "$ERR"
	assert_equal "$(wait_of own-futex)" "futex $(out_obj own) null null"
}

@test "a read on a pipe: syscall read and its descriptor; a running thread: no wait, and CPU time" {
	export CRASHDUMP_FORMAT=json
	dump_waits
	load_json "$ERR"
	assert_jq ".threads[] | select(.tid == $(out_tid w-read)) | .wait | [.kind, .syscall, .fd, .owner]" "[\"syscall\",\"read\",$(out_obj read_fd),null]"
	assert_jq ".threads[] | select(.tid == $(out_tid runner)) | [.state, .wait]" '["running",null]'
	assert_jq ".threads[] | select(.tid == $(out_tid runner)) | .cpu_ms > 0" true
	assert_jq "[.threads[] | select(.state == \"blocked\") | .tid] | index($(out_tid w-read)) != null" true
}

@test "a mutex held by a thread that has exited: its tid, owner_alive false" {
	export CRASHDUMP_FORMAT=json
	dump_waits
	load_json "$ERR"
	assert_equal "$(wait_of w-abandoned)" "mutex $(out_obj abandoned) $(out_tid abandoner) false"
}

@test "a robust mutex whose owner died with its tid still in the lock word: that tid, owner_alive false" {
	export CRASHDUMP_FORMAT=json
	dump_waits
	load_json "$ERR"
	assert_equal "$(wait_of w-robust-dead)" "mutex $(out_obj robust_dead) $(out_tid robust-dier) false"
}

@test "a thread that blocks the relay while it waits on a mutex: missing, with the futex the kernel names" {
	export CRASHDUMP_FORMAT=json
	dump_waits
	load_json "$ERR"
	assert_jq '.missing | map([.name, .reason, .state, .wait.kind, .wait.syscall, .wait.address, .wait.owner])' \
		"[[\"w-masked\",\"blocks signal\",\"blocked\",\"futex\",\"futex\",\"$(out_obj normal)\",null]]"
	assert_jq '.missing[0].cpu_ms >= 0' true
}

@test "deadlocks: a two-thread cycle without the thread behind it, a three-thread ring, a thread that waits for itself" {
	export CRASHDUMP_FORMAT=json
	dump_waits
	load_json "$ERR"
	local a b s
	a=$(out_tid dl-a)
	b=$(out_tid dl-b)
	s=$(out_tid self)
	assert_jq '.deadlocks | length' 3
	local want
	want=$(printf '[[%s],[%s,%s],[%s,%s,%s]]' "$s" "$a" "$b" "$(out_tid ring-0)" "$(out_tid ring-1)" "$(out_tid ring-2)" |
		jq -c 'map(sort) | sort')
	assert_jq "[.deadlocks[] | .threads | sort] | sort" "$want"
	assert_jq "[.deadlocks[].edges[] | select(.tid == $a) | [.kind, .address, .owner]]" "[[\"mutex\",\"$(out_obj dl_b)\",$b]]"
	assert_jq "[.deadlocks[].edges[] | select(.tid == $s) | [.kind, .address, .owner]]" "[[\"mutex\",\"$(out_obj self)\",$s]]"
	assert_equal "$(wait_of dl-behind)" "mutex $(out_obj dl_a) $a true"
	local k
	for k in 0 1 2; do
		assert_equal "$(wait_of ring-$k)" "mutex $(out_obj ring$(((k + 1) % 3))) $(out_tid ring-$(((k + 1) % 3))) true"
	done
}

@test "the text report: a waiting line after each blocked thread's header, one deadlock line a cycle" {
	dump_waits
	assert_text_invariants "$ERR"
	run grep -A1 -E "^thread $(out_tid w-normal) " "$ERR"
	assert_line -n 1 --regexp "^waiting: mutex $(out_obj normal) \(.*/wait_kinds\+0x[0-9a-f]+\) held by thread $(out_tid holder) \"holder\"\$"
	run grep -A1 -E "^thread $(out_tid runner) " "$ERR"
	assert_line -n 1 --regexp '^#0 '
	run grep -c '^crashdump: deadlock: ' "$ERR"
	assert_output 3
	assert_file_line "$ERR" "^crashdump: deadlock: thread $(out_tid self) \"self\" waits for mutex $(out_obj self) .*held by thread $(out_tid self) \"self\"\$"
}

@test "CRASHDUMP_ON_QUIT=continue: twenty dumps disturb no untimed mutex, condvar, semaphore, join or read" {
	export CRASHDUMP_ON_QUIT=continue CRASHDUMP_FORMAT=json
	CTL="$BATS_TEST_TMPDIR/control"
	mkfifo "$CTL"
	open_answers
	start_fixture wait_calm "$CTL"
	local i
	for ((i = 0; i < 20; i++)); do
		quit_continue
	done
	# no call returned early: the next answer is the ping's, not a "returned"
	ask ping '^pong$'
	send_command release
	local got=()
	for ((i = 0; i < 5; i++)); do
		await_answer '^returned [a-z]+ -?[0-9]+$'
		got+=("$ANSWER")
	done
	run bash -c 'printf "%s\n" "$@" | sort' _ "${got[@]}"
	assert_output $'returned cond 0\nreturned join 0\nreturned mutex 0\nreturned read 0\nreturned sem 0'
	run grep -c "crashdump/1" "$ERR"
	assert_output 20
}

@test "crashdump-symbolize names the global a thread waits on, in the text report and in JSON" {
	command -v eu-addr2line >/dev/null || skip "eu-addr2line (elfutils) is not installed"
	dump_waits
	local text="$BATS_TEST_TMPDIR/symbolized"
	"$ROOT/scripts/crashdump-symbolize" <"$ERR" >"$text"
	run grep -A1 -E "^thread $(out_tid w-normal) " "$text"
	assert_line -n 1 --regexp "^waiting: mutex $(out_obj normal) \(.*\) held by thread $(out_tid holder) \"holder\" object normal\$"
	export CRASHDUMP_FORMAT=json
	dump_waits
	"$ROOT/scripts/crashdump-symbolize" <"$ERR" >"$text"
	load_json "$text"
	assert_jq ".threads[] | select(.tid == $(out_tid w-normal)) | .wait.object" normal
	assert_jq ".threads[] | select(.tid == $(out_tid w-cond)) | .wait.object" cond
}
