#!/usr/bin/env bats
# core_format.bats - the report grammars: the JSON report has every key of
# README "What you get" (JSON) with its type; the text report has the lines of README "What you get",
# and nothing that is not one of the lines the report format names.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper

teardown() {
	fixture_teardown
}

# A jq program that prints one line per README "What you get" (JSON) violation in a report.
SCHEMA='
def hex: type == "string" and test("^0x[0-9a-f]+$");
def hex_or_null: . == null or hex;
def str_or_null: . == null or type == "string";
def num: type == "number";
def loc: (.pc | hex) and (.function | str_or_null) and (.offset | hex_or_null)
	and (.module | str_or_null) and (.module_offset | hex_or_null)
	and ((.function == null) == (.offset == null))
	and ((.module == null) == (.module_offset == null));
def check($what; ok): if ok then empty else $what end;
check("format"; .format == "crashdump/1"),
check("pid"; .pid | num),
check("exe"; .exe | type == "string" and startswith("/")),
check("time"; .time | num and . > 1600000000),
check("reason"; .reason == "signal" or .reason == "watchdog"),
check("signal"; .signal | type == "object"),
check("signal.number"; .signal.number | num),
check("signal.name"; .signal.name | type == "string"),
check("signal.code"; .signal.code | type == "string" or type == "number"),
check("signal.address"; .signal.address | hex_or_null),
check("signal.sender_pid"; .signal.sender_pid | . == null or num),
check("signal.reraised"; .signal.reraised | type == "boolean"),
check("signal.thread"; .signal.thread | num),
check("threads_real"; .threads_real | num),
check("threads_pooled"; .threads_pooled | num),
check("relayed"; .relayed | num),
check("elapsed_ms"; .elapsed_ms | num and . >= 0),
check("threads"; .threads | type == "array" and length > 0),
check("missing"; .missing | type == "array"),
check("modules"; .modules | type == "array" and length > 0),
check("deadlocks"; .deadlocks | type == "array" and all(.[]; (.threads | type == "array" and length > 0)
	and (.edges | type == "array" and length == (.threads | length)))),
check("groups"; .groups | type == "array" and length > 0 and all(.[]; . as $g | ($g.stack_id | num and . > 0)
	and ($g.count | num) and ($g.tids | type == "array" and length == $g.count))),
check("groups cover the threads"; ([.groups[].tids[]] | sort) == ([.threads[].tid] | sort)),
(.threads[] | . as $t | "thread \($t.tid // "?")" as $w |
	check("\($w).tid"; .tid | num),
	check("\($w).name"; .name | type == "string"),
	check("\($w).stack_id"; .stack_id | num and . > 0),
	check("\($w).signalled"; .signalled | type == "boolean"),
	check("\($w).crashed"; .crashed | type == "boolean"),
	check("\($w).origin"; .origin == "pthread" or .origin == "main" or .origin == "foreign"),
	check("\($w).truncated"; .truncated | type == "boolean"),
	check("\($w).created_by"; .created_by == null or (.created_by | type == "object" and loc)),
	check("\($w).registers"; .registers == null or (.registers | type == "object" and all(.[]; hex))),
	check("\($w).frames"; .frames | type == "array" and length > 0),
	check("\($w).state"; .state == "running" or .state == "blocked" or .state == "unknown"),
	check("\($w).cpu_ms"; .cpu_ms == null or (.cpu_ms | num and . >= 0)),
	check("\($w).wait"; .wait == null or (.wait | type == "object"
		and (.kind | IN("mutex", "rwlock", "join", "condvar", "semaphore", "futex", "syscall"))
		and (.syscall | str_or_null) and (.fd == null or (.fd | num))
		and (.address | hex_or_null) and (.module | str_or_null) and (.module_offset | hex_or_null)
		and (.owner == null or (.owner | num))
		and ((.owner == null) == (.owner_alive == null)))),
	(.frames[] | check("\($w) frame"; type == "object" and loc))),
(.missing[] | check("missing \(.tid // "?")"; (.tid | num) and (.reason | type == "string" and length > 0)
	and (.state | IN("running", "blocked", "unknown")) and (.wait == null or (.wait | type == "object")))),
(.modules[] | check("module \(.path // "?")"; (.path | type == "string") and (.base | hex)
	and (.build_id == null or (.build_id | type == "string" and test("^[0-9a-f]+$")))))
'

@test "the JSON report is one object with every contract key, each of its type" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_threadset 3
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	run jq -r "$SCHEMA" "$JSON"
	assert_success
	assert_output ""
	# one object then a newline, and nothing else on stderr
	assert_equal "$(wc -l <"$ERR")" 1
	assert_equal "$(tail -c 1 "$ERR" | od -An -c | tr -d ' ')" '\n'
}

@test "the JSON report describes the SIGQUIT: sender, receiving thread, no crash, no registers" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_threadset 3
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	assert_jq '.reason' signal
	assert_jq '.pid' "$PID"
	assert_jq '.exe' "$FIX/core_threadset"
	assert_jq '.signal' "{\"number\":3,\"name\":\"SIGQUIT\",\"code\":\"SI_USER\",\"address\":null,\"sender_pid\":$BASHPID,\"thread\":$(jqr '.threads[0].tid'),\"reraised\":false}"
	assert_jq '[.threads[].crashed] | unique' '[false]'
	assert_jq '[.threads[].registers] | unique' '[null]'
	assert_jq '[.threads[].truncated] | unique' '[false]'
	assert_jq '[.threads[] | select(.origin == "pthread") | .created_by.function] | unique' '["main"]'
	assert_jq '[.threads[] | select(.origin == "main") | .created_by]' '[null]'
}

@test "frames start at the interrupted code, never inside the library, and name known modules" {
	export CRASHDUMP_FORMAT=json
	start_fixture core_threadset 3
	quit_fixture
	load_json "$ERR"
	assert_json_invariants
	# (each thread is parked, or on its way there: frame 0 may be pause()
	# or the last call before it, never the library's handler)
	assert_jq '[.threads[].frames[].module // empty | select(endswith("libcrashdump.so"))]' '[]'
	assert_jq '[.threads[].frames[].function // empty | select(test("^(cd_|on_quit|on_relay|_ULx86_64|_Ux86_64)"))]' '[]'
	assert_jq '.exe as $exe | [.threads[].frames[0].module | select(. != $exe and (endswith("/libc.so.6") | not))]' '[]'
	assert_jq '([.threads[].frames[].module, .threads[].created_by.module // empty] | unique) - [.modules[].path]' '[]'
	assert_jq "[.modules[].path] | index(\"$FIX/core_threadset\") != null" true
}

# classify FILE: the kind of each line of a text report, or "BAD: line"
# (bash regexes: mawk knows neither \S nor {n}).
classify() {
	local line
	local -a kinds=(
		first '^crashdump: SIGQUIT \(SI_USER\) in pid [0-9]+ \(core_threadset\), sent by pid [0-9]+$'
		executable '^crashdump: executable /.*, [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
		threads '^crashdump: threads: [0-9]+ real, [0-9]+ pooled(, [0-9]+ relayed)?$'
		summary '^crashdump: summary: [0-9]+ threads: [0-9]+ running, [0-9]+ blocked( \([0-9]+ [a-z_0-9]+(, [0-9]+ [a-z_0-9]+)*\))?(, [0-9]+ unknown)?(, [0-9]+ missing)?, [0-9]+ deadlocks?, [0-9]+ distinct stacks?$'
		header_signalled '^thread [0-9]+ "[^"]*" \((main|pthread|foreign)(, created by .*)?\) \[signalled\]$'
		header '^thread [0-9]+ "[^"]*" \((main|pthread|foreign)(, created by .*)?\)$'
		group "$GROUP_RE"
		frame "$FRAME_RE"
		truncated '^\(truncated: .*\)$'
		missing '^missing thread [0-9]+ "[^"]*": .+$'
		waiting '^waiting: (mutex|rwlock|join|condvar|semaphore|futex|syscall)( .+)?$'
		deadlock '^crashdump: deadlock: thread [0-9]+ .+$'
		module '^module /.* 0x[0-9a-f]+ ([0-9a-f]+|-)$'
		trailer "$TRAILER_RE"
		blank '^$'
	)
	while IFS= read -r line; do
		local i kind="BAD: $line"
		for ((i = 0; i < ${#kinds[@]}; i += 2)); do
			if [[ $line =~ ${kinds[i + 1]} ]]; then
				kind=${kinds[i]}
				break
			fi
		done
		echo "$kind"
	done <"$1"
}

# count_kinds FILE: "KIND COUNT" for the report's one-off lines.
count_kinds() {
	classify "$1" | grep -Ev '^(frame|blank|module|missing|truncated|waiting|header|group)$' | sort | uniq -c |
		awk '{ print $2 " " $1 }'
}

@test "the text report has the contract's lines: first, threads, headers, frames, trailer last" {
	start_fixture core_threadset 3
	quit_fixture
	local r="$ERR"
	assert_text_invariants "$r"
	run classify "$r"
	refute_line --partial 'BAD: '
	assert_equal "${lines[0]}" first
	assert_equal "${lines[-1]}" trailer
	run count_kinds "$r"
	assert_output $'executable 1\nfirst 1\nheader_signalled 1\nsummary 1\nthreads 1\ntrailer 1'
	# the summary right after the threads line, then the signalled thread
	run classify "$r"
	assert_equal "${lines[2]}" threads
	assert_equal "${lines[3]}" summary
	run grep -Ec '^crashdump: summary: 4 threads: 0 running, 4 blocked \(4 pause\), 0 deadlocks, [12] distinct stacks?$' "$r"
	assert_output 1
	run grep -E -m 1 '^(thread|group) ' "$r"
	assert_regex "$output" '\[signalled\]$'
	# the three workers, under thread or group headers
	run text_tids "$r" '\(pthread, created by '
	assert_equal "${#lines[@]}" 3
}

@test "every thread header is followed by its frame lines up to a blank line" {
	start_fixture core_threadset 3
	quit_fixture
	assert_text_invariants "$ERR"
	local line inside=0 n=0 bad=() frames=0 waits=0 stacks=0
	while IFS= read -r line; do
		if [[ $line == "thread "* || $line =~ $GROUP_RE ]]; then
			inside=1 n=0 waits=0 stacks=$((stacks + 1))
		elif ((inside)) && ((n == 0 && waits == 0)) && [[ $line == "waiting: "* ]]; then
			waits=1 # a blocked thread's wait, right after its header
		elif ((inside)) && [ -z "$line" ]; then
			((n > 0)) || bad+=("a thread without frames")
			inside=0
		elif ((inside)); then
			[[ $line =~ $FRAME_RE || $line == "(truncated: "* ]] || bad+=("not a frame: $line")
			n=$((n + 1)) frames=$((frames + 1))
		fi
	done <"$ERR"
	assert_equal "${bad[*]}" ""
	[ "$frames" -ge 6 ] || fail "only $frames frame lines"
	# each stack once: under each thread or group header
	run grep -Ec '^#0 ' "$ERR"
	assert_output "$stacks"
	run grep -Ec '^#[0-9]+ .*libcrashdump\.so' "$ERR"
	assert_output 0
}
