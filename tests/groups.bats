#!/usr/bin/env bats
# groups.bats - reports of many threads (README "Reports of many threads"):
# threads with the same stack and the same wait are one group, largest
# first, in JSON (stack_id, groups) and in the text report (one header and
# one stack a group, the signalled thread first and alone, a summary line);
# and crashdump-fold's folded stacks, exact, and read by flamegraph.pl.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper
load lib/crash_suite

# tids ROLE-PREFIX: the tids of the roles that start so, as a JSON list.
tids() {
	sed -n "s/^$1[^ ]* //p" "$OUT" | sort -n | paste -sd, | sed 's/^/[/; s/$/]/'
}

dump_pools() {
	start_fixture pools
	quit_fixture
}

@test "JSON groups: counts largest first, exact members, each thread's stack_id its group's" {
	export CRASHDUMP_FORMAT=json
	dump_pools
	load_json "$ERR"
	assert_json_invariants
	assert_jq '.threads[0].tid' "$(out_tid main)"
	assert_jq '.groups | map(.count)' '[5,4,3,2,2,1]'
	assert_jq '.groups | map(.stack_id)' '[1,2,3,4,5,6]'
	assert_jq '.groups[0].tids' "$(tids io-)"
	assert_jq '.groups[1].tids' "$(tids lock-a)"
	assert_jq '.groups[2].tids' "$(tids lock-b)"
	# the two pairs: by their first tid
	local cond holder
	cond=$(tids cond-) holder=$(tids holder-)
	if [ "$(jq -n "$cond[0] < $holder[0]")" = true ]; then
		assert_jq '[.groups[3].tids, .groups[4].tids]' "[$cond,$holder]"
	else
		assert_jq '[.groups[3].tids, .groups[4].tids]' "[$holder,$cond]"
	fi
	assert_jq '.groups[5].tids' "[$(out_tid main)]"
	# every thread is in exactly the group its stack_id names
	assert_jq '([.groups[].tids[]] | sort) == ([.threads[].tid] | sort)' true
	assert_jq '. as $r | [.threads[] | .tid as $t | .stack_id as $k | $r.groups[$k - 1].tids | index($t) != null] | all' true
	assert_jq '[.groups[] | .count == (.tids | length)] | all' true
}

@test "the same frames waiting on different mutexes are different groups" {
	export CRASHDUMP_FORMAT=json
	dump_pools
	load_json "$ERR"
	local a b
	a=$(jqr ".threads[] | select(.tid == $(out_tid lock-a1)) | .stack_id")
	b=$(jqr ".threads[] | select(.tid == $(out_tid lock-b1)) | .stack_id")
	[ "$a" != "$b" ] || fail "lock-a1 and lock-b1 share stack_id $a"
	# and their frames are the same, function for function
	assert_jq "[.threads[] | select(.tid == $(out_tid lock-a1) or .tid == $(out_tid lock-b1)) | [.frames[].function]] | .[0] == .[1]" true
	assert_jq "[.threads[] | select(.stack_id == $a) | .wait.address] | unique" "[\"$(out_obj lock_a)\"]"
	assert_jq "[.threads[] | select(.stack_id == $b) | .wait.address] | unique" "[\"$(out_obj lock_b)\"]"
}

@test "text: the summary, the signalled thread first and alone, then one header a group, largest first" {
	dump_pools
	assert_text_invariants "$ERR"
	run grep '^crashdump: summary: ' "$ERR"
	assert_output 'crashdump: summary: 17 threads: 0 running, 17 blocked (7 mutex, 5 read, 3 pause, 2 condvar), 0 deadlocks, 6 distinct stacks'
	run grep -E '^(thread|group) [0-9]+' "$ERR"
	assert_equal "${#lines[@]}" 6
	assert_regex "${lines[0]}" "^thread $(out_tid main) \"pools\" \\(main\\) \\[signalled\\]$"
	local io a b
	io=$(tids io- | tr -d '[]' | tr , ' ')
	assert_regex "${lines[1]}" "^group 1: 5 threads \"io-\\*\" \\(pthread, created by main\\+0x[0-9a-f]+ \\(.*/pools\\+0x[0-9a-f]+\\)\\): "
	assert_equal "$(text_tids "$ERR" '^group 1: ' | paste -sd' ')" "$io"
	assert_regex "${lines[2]}" '^group 2: 4 threads "lock-a1", "lock-a2", "lock-a3", "lock-a4" \(pthread, created by '
	assert_regex "${lines[3]}" '^group 3: 3 threads "lock-b1", "lock-b2", "lock-b3" \(pthread, created by '
	assert_regex "${lines[4]}" '^group [45]: 2 threads '
	assert_regex "${lines[5]}" '^group [45]: 2 threads '
	# the shared wait once, after its group's header: who holds each mutex
	run grep -A1 -E '^group 2: ' "$ERR"
	assert_line --index 1 "waiting: mutex $(out_obj lock_a) ($FIX/pools+0x$(printf %x $(($(out_obj lock_a) - $(exe_base))))) held by thread $(out_tid holder-a) \"holder-a\""
	run grep -A1 -E '^group 3: ' "$ERR"
	assert_line --index 1 --regexp "^waiting: mutex $(out_obj lock_b) .* held by thread $(out_tid holder-b) \"holder-b\"$"
	# consecutive tids as a run: the five readers were made one after another
	run grep -E '^group 1: ' "$ERR"
	local first last
	first=$(tids io- | jq '.[0]') last=$(tids io- | jq '.[-1]')
	if [ $((last - first)) -eq 4 ]; then
		assert_regex "$output" "\\): $first-$last\$"
	fi
}

# exe_base: the load address of the fixture's executable, from its module line.
exe_base() {
	sed -nE "s#^module $FIX/pools (0x[0-9a-f]+) .*#\\1#p" "$ERR"
}

@test "2,000 parked threads: the summary line counts them all, in two distinct stacks" {
	start_fixture parked 2000
	quit_fixture
	assert_text_invariants "$ERR"
	run grep '^crashdump: summary: ' "$ERR"
	assert_output 'crashdump: summary: 2001 threads: 0 running, 2001 blocked (2001 pause), 0 deadlocks, 2 distinct stacks'
	run grep -Ec '^group 1: 2000 threads "parked" \(pthread, created by .*\): [0-9]+' "$ERR"
	assert_output 1
}

@test "crashdump-fold: the folded stacks of a known text report and its JSON twin, exact" {
	cat >"$BATS_TEST_TMPDIR/r.txt" <<-'REPORT'
	crashdump: SIGQUIT (SI_USER) in pid 100 (app), sent by pid 99
	crashdump: executable /opt/app, 2026-12-02T00:00:00Z
	crashdump: threads: 4 real, 0 pooled, 3 relayed
	crashdump: summary: 4 threads: 0 running, 4 blocked (3 mutex, 1 pause), 0 deadlocks, 2 distinct stacks

	thread 100 "app" (main) [signalled]
	waiting: syscall pause
	#0 0x7f0000001000 pause+0x32 (/lib/libc.so.6+0x1000)
	#1 0x555500001100 main+0x10 (/opt/app+0x1100) at /src/app.c:9
	    inlined: helper at /src/app.c:3

	group 1: 3 threads "worker-*" (pthread, created by main+0x5a (/opt/app+0x115a)): 101-102 104
	waiting: mutex 0x555500004040 (/opt/app+0x4040) held by thread 100 "app"
	#0 0x7f0000002000 __lll_lock_wait+0x29 (/lib/libc.so.6+0x2000)
	#1 0x555500001200 ?? (/opt/app+0x1200)
	#2 0x7f0000003000 start_thread+0x305 (/lib/libc.so.6+0x3000)

	module /lib/libc.so.6 0x7f0000000000 -
	module /opt/app 0x555500000000 -
	crashdump: 4 of 4 threads dumped in 1.0 ms
	REPORT
	run -0 "$ROOT/scripts/crashdump-fold" "$BATS_TEST_TMPDIR/r.txt"
	assert_output $'main;pause 1\nstart_thread;app+0x1200;__lll_lock_wait 3'
	run -0 "$ROOT/scripts/crashdump-fold" --names --waits - <"$BATS_TEST_TMPDIR/r.txt"
	assert_output $'app;[pause];main;pause 1\nworker-*;[mutex];start_thread;app+0x1200;__lll_lock_wait 3'
	# the same threads in JSON: one line each, merged
	jq -c . >"$BATS_TEST_TMPDIR/r.json" <<-'JSON'
	{"format":"crashdump/1","threads":[
	 {"tid":100,"name":"app","wait":{"kind":"syscall","syscall":"pause"},"frames":[
	  {"function":"pause","offset":"0x32","module":"/lib/libc.so.6","module_offset":"0x1000"},
	  {"function":"main","offset":"0x10","module":"/opt/app","module_offset":"0x1100"}]},
	 {"tid":101,"name":"worker-1","wait":{"kind":"mutex","syscall":"futex"},"frames":[
	  {"function":"__lll_lock_wait","offset":"0x29","module":"/lib/libc.so.6","module_offset":"0x2000"},
	  {"function":null,"offset":null,"module":"/opt/app","module_offset":"0x1200"}]},
	 {"tid":102,"name":"worker-2","wait":{"kind":"mutex","syscall":"futex"},"frames":[
	  {"function":"__lll_lock_wait","offset":"0x29","module":"/lib/libc.so.6","module_offset":"0x2000"},
	  {"function":null,"offset":null,"module":"/opt/app","module_offset":"0x1200"}]}],
	 "missing":[{"tid":103,"name":"gone","reason":"exited"}]}
	JSON
	run -0 "$ROOT/scripts/crashdump-fold" --waits "$BATS_TEST_TMPDIR/r.json"
	assert_output $'[mutex];app+0x1200;__lll_lock_wait 2\n[pause];main;pause 1'
}

@test "crashdump-fold: a report without stacks, an unreadable file and a bad option are errors" {
	printf 'nothing here\n' >"$BATS_TEST_TMPDIR/empty"
	run -1 --separate-stderr "$ROOT/scripts/crashdump-fold" "$BATS_TEST_TMPDIR/empty"
	assert_output ""
	assert_regex "$stderr" '^crashdump-fold: no thread stacks found in '
	run -1 --separate-stderr "$ROOT/scripts/crashdump-fold" "$BATS_TEST_TMPDIR/none"
	assert_regex "$stderr" 'crashdump-fold: .*/none: No such file or directory'
	run -2 --separate-stderr "$ROOT/scripts/crashdump-fold" --bogus
	assert_regex "$stderr" '^crashdump-fold: unknown option: --bogus'
	run -0 "$ROOT/scripts/crashdump-fold" --help
	assert_line --index 0 --partial 'crashdump-fold - folded stacks'
}

@test "flamegraph.pl (Debian's libdevel-nytprof-perl) draws the folded stacks of a real dump" {
	local fg=/usr/share/perl5/Devel/NYTProf/flamegraph.pl
	[ -f "$fg" ] || fail "$fg is missing (scripts/install-deps installs libdevel-nytprof-perl)"
	dump_pools
	"$ROOT/scripts/crashdump-fold" --waits "$ERR" >"$BATS_TEST_TMPDIR/folded"
	run -0 perl "$fg" --countname threads "$BATS_TEST_TMPDIR/folded"
	assert_regex "${lines[0]}" '^<\?xml '
	# the readers' frame, with their count, and all 17 threads at the root
	assert_output --regexp '<title>reader_blocks \(5 threads, [0-9.]+%\)</title>'
	assert_output --regexp '<title>locker_waits \(7 threads, [0-9.]+%\)</title>'
	assert_output --regexp '<title>all \(17 threads, 100%\)</title>'
}
