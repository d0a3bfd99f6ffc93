#!/usr/bin/env bats
# scripts.bats - the tools of README "Using in CI": crashdump-run (a command tree under
# the library, -t, the summary, --github) and crashdump-symbolize (text and JSON,
# in place and as a filter).  Tests of crashdump-run need a working dump.

bats_require_minimum_version 1.5.0
load test_helper

RUN="$ROOT/scripts/crashdump-run"
SYM="$ROOT/scripts/crashdump-symbolize"
CRASH_SRC="$ROOT/tests/fixtures/run_crash.c"
HANG_SRC="$ROOT/tests/fixtures/run_hang.c"

setup() {
	DIR="$BATS_TEST_TMPDIR/reports"
	WORK="$BATS_TEST_TMPDIR/work"
	mkdir "$WORK"
	cd "$WORK"
}

# A failed -t test may leave its command's process group running: end it.
teardown() {
	local group
	for group in $(sed -n 's/^crashdump-run: timed out after .* process group \([0-9]*\)$/\1/p' \
		"$BATS_TEST_TMPDIR/output" 2>/dev/null); do
		kill -KILL -- "-$group" 2>/dev/null || true
	done
}

# run_detached STATUS COMMAND...: `run -STATUS COMMAND...` for a command that
# could leave processes behind (a broken -t): its output goes through a file,
# which such processes may hold open without holding up the test.
run_detached() {
	local want=$1
	shift
	run "-$want" bash -c '"$@" >"$0" 2>&1 3>&-' "$BATS_TEST_TMPDIR/output" "$@"
	run cat "$BATS_TEST_TMPDIR/output"
}

# marker FILE MARKER: the number of the one line of FILE holding MARKER.
marker() {
	local n
	n=$(grep -n -F -- "$2" "$1" | cut -d: -f1)
	[[ $n =~ ^[0-9]+$ ]] || { echo "marker $2: not exactly once in $1" >&2; return 1; }
	echo "$n"
}

# the_report PATTERN: sets REPORT to the one file of $DIR named PATTERN.
the_report() {
	local files=("$DIR"/$1)
	assert_equal "${#files[@]}" 1
	[ -f "${files[0]}" ]
	REPORT=${files[0]}
}

# ERE-quotes a literal string.
re() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'
}

# nm_start SYMBOL / nm_end SYMBOL: where SYMBOL of run_crash starts and
# ends, in hex without 0x (from nm, as a report's module offsets).
nm_start() {
	nm "$FIX/run_crash" | sed -n "s/^\([0-9a-f]*\) T $1\$/\1/p" |
		{ read -r start && printf '%x' $((0x$start)); }
}
nm_end() {
	nm -S "$FIX/run_crash" | sed -n "s/^\([0-9a-f]*\) \([0-9a-f]*\) T $1\$/\1 \2/p" |
		{ read -r start size && printf '%x' $((0x$start + 0x$size)); }
}

build_id() {
	eu-readelf -n "$1" | sed -n 's/^ *Build ID: //p'
}

# A text report made by hand from the fixture's symbols: frame #0 at the
# faulting store (the first instruction of run_crash_here), frame #1 at the
# return address of run_abort_here's last instruction, a call (it lies past
# the function's end: only a lookup at offset - 1 finds the call's line).
# A second thread has that same offset as exact pcs (#0, and #2 after a signal
# frame), which must not be taken back by one.
make_text_report() {
	local crash ret bid
	crash=$(nm_start run_crash_here)
	ret=$(nm_end run_abort_here)
	bid=${1:-$(build_id "$FIX/run_crash")}
	cat <<-EOF
		crashdump: SIGSEGV (SEGV_MAPERR, address 0x0) in pid 4242 (run_crash)
		crashdump: executable $FIX/run_crash, 2026-11-27T11:00:00Z
		crashdump: threads: 2 real, 0 pooled, 1 relayed

		thread 4242 "run_crash" (main) [signalled, crashed]
		registers: rip 0x555555555$crash rsp 0x7ffc00001000
		#0 0x555555554$crash run_crash_here+0x0 ($FIX/run_crash+0x$crash)
		#1 0x555555554$ret run_abort_here+0x9 ($FIX/run_crash+0x$ret)
		#2 0x7f0000001000 ?? (??)
		#3 0x7f0000002000 ?? (/nonexistent/libgone.so+0x1000)
		#4 this is no frame ($FIX/run_crash+0x$crash

		thread 4243 "run_crash" (pthread, created by main+0x1 ($FIX/run_crash+0x$crash))
		#0 0x555555554$ret run_abort_here+0x9 ($FIX/run_crash+0x$ret)
		#1 0x7f0000003000 __restore_rt+0x0 (??)
		#2 0x555555554$ret run_abort_here+0x9 ($FIX/run_crash+0x$ret)

		missing thread 4250 "helper": blocks signal

		module $FIX/run_crash 0x555555554000 $bid
		module /nonexistent/libgone.so 0x7f0000000000 -
		crashdump: 2 of 2 threads dumped in 0.1 ms
	EOF
}

# assert_symbolized_text FILE: FILE is make_text_report's report with exactly
# the lines that can be resolved resolved.
assert_symbolized_text() {
	local crash_line abort_line
	crash_line=$(marker "$CRASH_SRC" run-crash-line)
	abort_line=$(marker "$CRASH_SRC" run-abort-line)
	make_text_report >"$BATS_TEST_TMPDIR/plain"
	run diff "$BATS_TEST_TMPDIR/plain" "$1"
	assert_failure 1
	# only the frame lines of the fixture changed, each by an appended location
	run grep -c '^[<>]' <<<"$output"
	assert_output 8
	run grep -v '^#[0-9] .*/run_crash+0x[0-9a-f]*) at .*' "$1"
	assert_output "$(grep -v '^#[0-9] .*/run_crash+0x[0-9a-f]*)$' "$BATS_TEST_TMPDIR/plain")"
	run grep -E '^#[0-9] .*/run_crash\+0x[0-9a-f]+\)' "$1"
	assert_line -n 0 --regexp "^#0 0x[0-9a-f]+ run_crash_here\+0x0 \(.*\) at $(re "$CRASH_SRC"):$crash_line\$"
	assert_line -n 1 --regexp "^#1 0x[0-9a-f]+ run_abort_here\+0x9 \(.*\) at $(re "$CRASH_SRC"):$abort_line\$"
	assert_line -n 2 --regexp "^#0 0x[0-9a-f]+ run_abort_here\+0x9 \(.*\) at .*:[0-9]+\$"
	refute_line -n 2 --regexp ":$abort_line\$"
	assert_line -n 3 --regexp "^#2 0x[0-9a-f]+ run_abort_here\+0x9 \(.*\) at .*:[0-9]+\$"
	refute_line -n 3 --regexp ":$abort_line\$"
}

@test "crashdump-symbolize adds FILE:LINE to a text report's frames, return addresses looked up at offset - 1" {
	make_text_report >report
	run -0 "$SYM" <report
	printf '%s\n' "$output" >symbolized
	assert_symbolized_text symbolized
}

@test "crashdump-symbolize with binutils addr2line gives the same text" {
	make_text_report >report
	run -0 "$SYM" --symbolizer addr2line - <report
	printf '%s\n' "$output" >by-binutils
	assert_symbolized_text by-binutils
	run -0 "$SYM" <report
	assert_output "$(cat by-binutils)"
}

@test "crashdump-symbolize leaves a module alone when its file has another build-id" {
	make_text_report 0123456789abcdef0123456789abcdef01234567 >report
	run -0 "$SYM" <report
	assert_output "$(cat report)"
}

@test "crashdump-symbolize FILE rewrites in place, keeps the mode, and a second run changes nothing" {
	make_text_report >r1
	chmod 0600 r1
	echo "no report here" >r2
	make_text_report >r3
	chmod 0640 r3
	local inode
	inode=$(stat -c %i r2)
	run -0 "$SYM" r1 r2 r3
	assert_output ""
	assert_symbolized_text r1
	assert_symbolized_text r3
	assert_equal "$(stat -c %a r1)" 600
	assert_equal "$(stat -c %a r3)" 640
	assert_equal "$(stat -c %i r2)" "$inode"
	assert_equal "$(cat r2)" "no report here"
	cp r1 r1.before
	run -0 "$SYM" r1
	cmp r1 r1.before
	# and no temporary file is left behind
	run ls -A
	assert_output "$(printf '%s\n' r1 r1.before r2 r3)"
}

@test "crashdump-symbolize keeps a JSON report valid, adds file, line and inlined, after other output" {
	local crash ret bid crash_line abort_line
	crash=$(nm_start run_crash_here)
	ret=$(nm_end run_abort_here)
	bid=$(build_id "$FIX/run_crash")
	crash_line=$(marker "$CRASH_SRC" run-crash-line)
	abort_line=$(marker "$CRASH_SRC" run-abort-line)
	{
		echo "the program's own output"
		printf '{"format":"crashdump/1","pid":4242,"exe":"%s","time":1795000000,"reason":"signal",' "$FIX/run_crash"
		printf '"signal":{"number":11,"name":"SIGSEGV","code":"SEGV_MAPERR","address":"0x0","sender_pid":null,"thread":4242},'
		printf '"threads_real":1,"threads_pooled":0,"relayed":0,"elapsed_ms":1.4,"threads":[{"tid":4242,"name":"run\\u00e9","signalled":true,'
		printf '"crashed":true,"origin":"main","truncated":false,"created_by":null,"registers":null,"frames":['
		printf '{"pc":"0x1","function":"run_crash_here","offset":"0x0","module":"%s","module_offset":"0x%s"},' "$FIX/run_crash" "$crash"
		printf '{"pc":"0x2","function":"run_abort_here","offset":"0x9","module":"%s","module_offset":"0x%s"},' "$FIX/run_crash" "$ret"
		printf '{"pc":"0x3","function":null,"offset":null,"module":null,"module_offset":null}]}],'
		printf '"missing":[],"modules":[{"path":"%s","base":"0x555555554000","build_id":"%s"}]}\n' "$FIX/run_crash" "$bid"
	} >report
	run -0 "$SYM" <report
	assert_line -n 0 "the program's own output"
	printf '%s\n' "${lines[1]}" >symbolized.json
	run -0 jq -c '[.threads[0].frames[] | [.file, .line, .inlined]]' symbolized.json
	assert_output "[[\"$CRASH_SRC\",$crash_line,[]],[\"$CRASH_SRC\",$abort_line,[]],[null,null,null]]"
	run -0 jq -c '.threads[0].frames[2] | has("file")' symbolized.json
	assert_output false
	# nothing else changed
	run -0 jq -S 'del(.threads[].frames[].file, .threads[].frames[].line, .threads[].frames[].inlined)' symbolized.json
	assert_output "$(sed -n 2p report | jq -S .)"
}

@test "crashdump-run keeps a child's SIGSEGV status and symbolizes its report" {
	local line
	line=$(marker "$CRASH_SRC" run-crash-line)
	run -139 "$RUN" -o "$DIR" -- "$FIX/run_crash" segv
	the_report 'run_crash.*'
	assert_line --regexp "^crashdump-run: $(re "$REPORT"): run_crash pid [0-9]+: SIGSEGV \(SEGV_MAPERR, address 0x0\); 1 of 1 threads dumped\$"
	assert_line "crashdump-run:     #0 run_crash_here+0x0 at $CRASH_SRC:$line"
	assert_equal "${lines[-1]}" "crashdump-run: 1 report in $DIR; exit status 139 (SIGSEGV)"
	refute_line --regexp '^::'
	assert_equal "$(stat -c %a "$REPORT")" 600
	run grep -E "^#0 0x[0-9a-f]+ run_crash_here\+0x0 \(.*/run_crash\+0x[0-9a-f]+\) at $(re "$CRASH_SRC"):$line\$" "$REPORT"
	assert_success
}

@test "crashdump-run -t 1 dumps every thread of a hung command, exits 124, within seconds" {
	local t0 ms call_line wait_line
	call_line=$(marker "$HANG_SRC" run-hang-call)
	wait_line=$(marker "$HANG_SRC" run-hang-wait)
	t0=$(date +%s%N)
	run_detached 124 "$RUN" -o "$DIR" -t 1 -- "$FIX/run_hang"
	ms=$((($(date +%s%N) - t0) / 1000000))
	# SIGKILL would come 5 s after the SIGQUIT
	[ "$ms" -ge 1000 ] && [ "$ms" -lt 5000 ] || fail "took $ms ms"
	assert_line -n 0 --regexp '^crashdump-run: timed out after 1 s: SIGQUIT to process group [0-9]+$'
	refute_line --partial SIGKILL
	assert_equal "${lines[-1]}" "crashdump-run: 1 report in $DIR; exit status 124 (timed out)"
	the_report 'run_hang.*'
	run text_tids "$REPORT"
	assert_equal "${#lines[@]}" 4
	run tail -n 1 "$REPORT"
	assert_output --regexp '^crashdump: 4 of 4 threads dumped in '
	# main's frames, with the function inlined into run_hang_here
	run grep -m 1 -A 1 ' run_hang_here+' "$REPORT"
	assert_line -n 0 --regexp "^#1 0x[0-9a-f]+ run_hang_here\+0x[0-9a-f]+ \(.*\) at $(re "$HANG_SRC"):$call_line\$"
	assert_line -n 1 "    inlined: run_wait_forever at $HANG_SRC:$wait_line"
}

@test "crashdump-run -t sends SIGQUIT to the whole process group: every process dumps (JSON)" {
	run_detached 124 "$RUN" -o "$DIR" -t 1 --format json -- "$FIX/run_forker" 2 "$FIX/run_hang"
	assert_equal "${lines[-1]}" "crashdump-run: 3 reports in $DIR; exit status 124 (timed out)"
	assert_line --regexp "^crashdump-run: $(re "$DIR")/run_forker\.[0-9]+\.[0-9]+: run_forker pid [0-9]+: SIGQUIT \(SI_USER\), sent by pid [0-9]+; 1 of 1 threads dumped\$"
	assert_line "crashdump-run:         inlined: run_wait_forever at $HANG_SRC:$(marker "$HANG_SRC" run-hang-wait)"
	run ls "$DIR"
	assert_equal "${#lines[@]}" 3
	assert_equal "$(ls "$DIR" | grep -c '^run_hang\.')" 2
	assert_equal "$(ls "$DIR" | grep -c '^run_forker\.')" 1
	local f
	for f in "$DIR"/run_hang.*; do
		run -0 jq -r '.threads | length' "$f"
		assert_output 4
		run -0 jq -r '.threads[0].frames[] | select(.function == "run_hang_here") | "\(.file):\(.line) \(.inlined[0].function)"' "$f"
		assert_output "$HANG_SRC:$(marker "$HANG_SRC" run-hang-call) run_wait_forever"
	done
}

# stop_run SIGNAL ARG...: crashdump-run ARG... in the background, SIGNAL
# sent to it once both run_hang processes of its tree are in place; sets
# $run_status to its exit status, and $lines to its stderr.
stop_run() {
	local sig=$1 fifo="$BATS_TEST_TMPDIR/ready" line runpid
	shift
	mkfifo "$fifo"
	# (started with & by a script, it would ignore SIGINT, as would a trap)
	RUN_READY_FD=5 env --default-signal=INT "$RUN" "$@" >"$BATS_TEST_TMPDIR/output" 2>&1 3>&- 5>"$fifo" &
	runpid=$!
	exec 6<"$fifo"
	read -r -t 10 line <&6 && read -r -t 10 line <&6 || fail "the tree did not get ready"
	exec 6<&-
	kill "-$sig" "$runpid"
	run_status=0
	wait "$runpid" || run_status=$?
	run cat "$BATS_TEST_TMPDIR/output"
}

@test "crashdump-run sent SIGTERM: every process of the tree dumps first, then the signal ends them (143)" {
	local t0 ms
	t0=$(date +%s%N)
	stop_run TERM -o "$DIR" -- "$FIX/run_forker" 2 "$FIX/run_hang"
	ms=$((($(date +%s%N) - t0) / 1000000))
	assert_equal "$run_status" 143
	assert_line -n 0 --regexp '^crashdump-run: got SIGTERM: 3 of 3 processes dumped; SIGTERM to process group [0-9]+$'
	assert_equal "${lines[-1]}" "crashdump-run: 3 reports in $DIR; exit status 143 (SIGTERM)"
	assert_equal "$(ls "$DIR" | grep -c '^run_hang\.')" 2
	assert_equal "$(ls "$DIR" | grep -c '^run_forker\.')" 1
	local f
	for f in "$DIR"/run_hang.*; do
		assert_file_line "$f" '^crashdump: SIGQUIT \(SI_QUEUE\) in pid [0-9]+ \(run_hang\), sent by pid [0-9]+$'
		assert_file_line "$f" '^crashdump: 4 of 4 threads dumped in '
	done
	assert_file_line "$DIR"/run_forker.* '^crashdump: 1 of 1 threads dumped in '
	# a hang bound, not a speed test
	[ "$ms" -lt 10000 ] || fail "took $ms ms"
}

@test "crashdump-run sent SIGINT: the tree dumps as JSON, then SIGINT ends it (130)" {
	stop_run INT -o "$DIR" --format json -- "$FIX/run_forker" 2 "$FIX/run_hang"
	# run_hang dies of SIGINT's default; so does run_forker
	assert_equal "$run_status" 130
	assert_line -n 0 --regexp '^crashdump-run: got SIGINT: 3 of 3 processes dumped; SIGINT to process group [0-9]+$'
	run ls "$DIR"
	assert_equal "${#lines[@]}" 3
	for f in "$DIR"/run_hang.*; do
		run -0 jq -r '[.signal.name, .signal.code, (.threads | length)] | @tsv' "$f"
		assert_output $'SIGQUIT\tSI_QUEUE\t4'
	done
}

@test "crashdump-run --dump-on TERM: a process its own harness sends SIGTERM dumps, then dies of it" {
	run_detached 0 "$RUN" -o "$DIR" --dump-on TERM -- sh -c \
		'mkfifo "$1/r"; "$0" default 3>"$1/r" & pid=$!; read -r _ <"$1/r"; kill -TERM $pid; wait $pid; echo "child status $?"' \
		"$FIX/asked" "$BATS_TEST_TMPDIR"
	assert_line "child status 143"
	the_report 'asked.*'
	assert_file_line "$REPORT" '^crashdump: SIGTERM \(SI_USER\) in pid [0-9]+ \(asked\), sent by pid [0-9]+$'
	assert_file_line "$REPORT" '^crashdump: 3 of 3 threads dumped in '
	assert_equal "${lines[-1]}" "crashdump-run: 1 report in $DIR; exit status 0"
	run -125 "$RUN" -o "$DIR" --dump-on 'TERM;HUP' -- true
	assert_output --partial "--dump-on: a comma-separated list of signals, not 'TERM;HUP'"
}

# junit_cases FILE: each test case of a JUnit file, one line:
# "CLASSNAME|NAME|FAILURE-TYPE|FAILURE-MESSAGE|SYSTEM-OUT" (empty fields for
# a passing case), after the counts "tests=N failures=F"; fails on a file
# that is not well-formed XML or not testsuites > testsuite > testcase.
junit_cases() {
	python3 - "$1" <<-'PY'
	import sys, xml.etree.ElementTree as ET
	root = ET.parse(sys.argv[1]).getroot()
	assert root.tag == 'testsuites', root.tag
	suites = root.findall('testsuite')
	assert len(suites) == 1 and all(s.tag in ('testsuite',) for s in root)
	s = suites[0]
	cases = s.findall('testcase')
	for k in ('name', 'tests', 'failures', 'errors', 'skipped', 'time', 'timestamp'):
	    assert k in s.attrib, k
	assert int(s.get('tests')) == len(cases) == int(root.get('tests'))
	print('tests=%s failures=%s' % (s.get('tests'), s.get('failures')))
	for c in cases:
	    f = c.find('failure')
	    print('|'.join([c.get('classname'), c.get('name'), f.get('type') if f is not None else '',
	                    f.get('message') if f is not None else '', c.findtext('system-out') or '']))
	PY
}

@test "crashdump-run --junit: one failing case for a crash (signal, thread, top frame, attachment), and the step summary" {
	local junit="$BATS_TEST_TMPDIR/junit.xml" md="$BATS_TEST_TMPDIR/summary.md"
	GITHUB_STEP_SUMMARY=$md run -139 "$RUN" -o "$DIR" --junit "$junit" --github -- "$FIX/run_crash" segv
	the_report 'run_crash.*'
	run junit_cases "$junit"
	assert_success
	assert_line -n 0 'tests=1 failures=1'
	assert_line -n 1 --regexp "^crashdump\.run_crash\|run_crash pid [0-9]+\|SIGSEGV\|SIGSEGV \(SEGV_MAPERR, address 0x0\) in thread [0-9]+ \"run_crash\" at run_crash_here\+0x[0-9a-f]+ at $(re "$CRASH_SRC"):[0-9]+\|\[\[ATTACHMENT\|$(re "$REPORT")\]\]\$"
	# the failure's body: the summary, symbolized
	run python3 -c 'import sys, xml.etree.ElementTree as ET; print(ET.parse(sys.argv[1]).find(".//failure").text)' "$junit"
	assert_line -n 0 --regexp '^run_crash pid [0-9]+: SIGSEGV \(SEGV_MAPERR, address 0x0\); [0-9]+ of [0-9]+ threads dumped$'
	assert_line --regexp "^#0 run_crash_here\+0x[0-9a-f]+ at $(re "$CRASH_SRC"):[0-9]+\$"
	run cat "$md"
	assert_line -n 0 '### crashdump-run: 1 report; exit status 139 (SIGSEGV)'
	assert_line '| process | signal or timeout | thread | top frame | deadlock |'
	assert_line --regexp "^\| run_crash pid [0-9]+ \| SIGSEGV \(SEGV_MAPERR, address 0x0\) \| [0-9]+ \"run_crash\" \| \`run_crash_here\+0x[0-9a-f]+ at $(re "$CRASH_SRC"):[0-9]+\` \|  \|\$"
}

@test "crashdump-run --junit: a clean run gives one passing case and no report directory" {
	local junit="$BATS_TEST_TMPDIR/junit.xml"
	run -0 "$RUN" -o "$DIR" --junit "$junit" -- true
	assert_output ""
	[ ! -e "$DIR" ]
	run junit_cases "$junit"
	assert_success
	assert_output $'tests=1 failures=0\ncrashdump|no crash, hang or deadlock: true|||'
}

@test "crashdump-run --junit: a hung deadlocked process's case holds the deadlock" {
	local junit="$BATS_TEST_TMPDIR/junit.xml"
	run_detached 124 "$RUN" -o "$DIR" -t 2 --junit "$junit" -- sh -c 'exec "$0" 3>/dev/null' "$FIX/wait_kinds"
	the_report 'wait_kinds.*'
	run junit_cases "$junit"
	assert_line -n 0 'tests=1 failures=1'
	assert_line -n 1 --regexp '^crashdump\.wait_kinds\|wait_kinds pid [0-9]+\|SIGQUIT\|SIGQUIT \(SI_USER\), sent by pid [0-9]+ in thread [0-9]+ "wait_kinds" at '
	run python3 -c 'import sys, xml.etree.ElementTree as ET; print(ET.parse(sys.argv[1]).find(".//failure").text)' "$junit"
	run grep -Ec '^deadlock: thread [0-9]+ ' <<<"$output"
	assert_output 3
}

@test "crashdump-run --deadlock 0.5,abort: a deadlocked test fails at once, by SIGABRT, with its deadlock report" {
	local t0 ms
	t0=$(date +%s%N)
	run_detached 134 "$RUN" -o "$DIR" --deadlock 0.5,abort -- sh -c 'exec "$0" cycle 3>/dev/null' "$FIX/watch_locks"
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -lt 10000 ] || fail "took $ms ms"
	the_report 'watch_locks.*'
	assert_file_line "$REPORT" '^crashdump: deadlock for [0-9.]+ s in pid [0-9]+ \(watch_locks\)$'
	assert_file_line "$REPORT" '^crashdump: deadlock: thread [0-9]+ "dl-[ab]" waits for mutex '
	assert_equal "${lines[-1]}" "crashdump-run: 1 report in $DIR; exit status 134 (SIGABRT)"
	run -125 "$RUN" -o "$DIR" --deadlock 5,kill -- true
	assert_output --partial "--deadlock: a positive number of seconds, with ,abort or not, not '5,kill'"
}

@test "crashdump-run -t sends SIGKILL when SIGQUIT does not end the command" {
	CRASHDUMP_ON_QUIT=continue run_detached 124 "$RUN" -o "$DIR" -t 0.5 -- "$FIX/run_hang"
	assert_line -n 0 --regexp '^crashdump-run: timed out after 0\.5 s: SIGQUIT to process group [0-9]+$'
	assert_line -n 1 --regexp '^crashdump-run: still running 5 s later: SIGKILL to process group [0-9]+$'
	the_report 'run_hang.*'
}

@test "a crash in a grandchild under sh -c that goes on: status 0, report kept" {
	run -0 "$RUN" -o "$DIR" -- sh -c '"$0" segv; echo "went on after $?"' "$FIX/run_crash"
	assert_line "went on after 139"
	the_report 'run_crash.*'
	assert_line --regexp "^crashdump-run: $(re "$REPORT"): run_crash pid [0-9]+: SIGSEGV "
	assert_equal "${lines[-1]}" "crashdump-run: 1 report in $DIR; exit status 0"
}

@test "a clean run prints nothing and leaves nothing, whatever its status" {
	run -0 "$RUN" -- "$FIX/run_forker" 2 /bin/true
	assert_output "$(printf 'child 0: exited 0\nchild 1: exited 0')"
	run -3 "$RUN" -o "$DIR/a/b" -- sh -c 'exit 3'
	assert_output ""
	[ ! -e "$DIR" ]
	run ls -A "$WORK"
	assert_output ""
}

@test "reports already in the directory are neither listed nor touched" {
	mkdir "$DIR"
	echo "an old report" >"$DIR/run_crash.1.1"
	run -131 "$RUN" -o "$DIR" -- "$FIX/run_crash" quit
	assert_equal "${lines[-1]}" "crashdump-run: 1 report in $DIR; exit status 131 (SIGQUIT)"
	refute_line --partial run_crash.1.1
	assert_equal "$(cat "$DIR/run_crash.1.1")" "an old report"
	run -0 "$RUN" -o "$DIR" -- true
	assert_output ""
}

@test "crashdump-run keeps an LD_PRELOAD already set, in children and grandchildren" {
	local other=/lib/x86_64-linux-gnu/libm.so.6 lib
	lib=$(readlink -f "$LIB")
	LD_PRELOAD=$other run -0 "$RUN" -o "$DIR" -- sh -c 'echo "preload=$LD_PRELOAD"; cat /proc/self/maps'
	assert_line "preload=$other:$lib"
	assert_line --regexp '/libm\.so\.6$'
	assert_line --regexp " $(re "$lib")\$"
	# the library is not added twice
	LD_PRELOAD=$lib run -0 "$RUN" -o "$DIR" -- sh -c 'echo "preload=$LD_PRELOAD"'
	assert_output "preload=$lib"
}

@test "crashdump-run exits 131 when the command dies by SIGQUIT, the report symbolized at the raise" {
	local line
	line=$(marker "$CRASH_SRC" run-quit-line)
	run -131 "$RUN" -o "$DIR" -- "$FIX/run_crash" quit
	assert_line --regexp "^crashdump-run: .*: run_crash pid [0-9]+: SIGQUIT .*; 1 of 1 threads dumped\$"
	assert_line --regexp "^crashdump-run:     #[0-9]+ run_quit_here\+0x[0-9a-f]+ at $(re "$CRASH_SRC"):$line\$"
	assert_equal "${lines[-1]}" "crashdump-run: 1 report in $DIR; exit status 131 (SIGQUIT)"
	the_report 'run_crash.*'
	run grep -E " run_quit_here\+0x[0-9a-f]+ \(.*\) at $(re "$CRASH_SRC"):$line\$" "$REPORT"
	assert_success
}

@test "crashdump-run --github annotates the top frame with a source file in the workspace" {
	local line
	line=$(marker "$CRASH_SRC" run-quit-line)
	GITHUB_WORKSPACE=$ROOT run -131 "$RUN" -o "$DIR" --github -- "$FIX/run_crash" quit
	assert_line --regexp "^::error file=tests/fixtures/run_crash\.c,line=$line,title=crashdump%3A SIGQUIT in run_crash::$(re "$DIR")/run_crash\.[0-9]+\.[0-9]+: run_crash pid [0-9]+: SIGQUIT .*%0A#[0-9]+ run_quit_here\+0x[0-9a-f]+ at "
	run grep -c '^::' <<<"$output"
	assert_output 1
}

@test "an installed crashdump-run finds the library in ../lib" {
	local prefix="$BATS_TEST_TMPDIR/prefix"
	make -C "$ROOT" -s install PREFIX="$prefix" >/dev/null
	run -0 "$prefix/bin/crashdump-run" -o "$DIR" -- sh -c 'echo "preload=$LD_PRELOAD"'
	assert_output "preload=$prefix/lib/libcrashdump.so"
	run -131 "$prefix/bin/crashdump-run" -o "$DIR" -- "$FIX/run_crash" quit
	assert_line --regexp "^crashdump-run:     #[0-9]+ run_quit_here\+0x[0-9a-f]+ at $(re "$CRASH_SRC"):[0-9]+\$"
	# the folded-stacks tool is installed beside it, and runs from there
	run -0 "$prefix/bin/crashdump-fold" --help
	assert_line --index 0 --partial 'crashdump-fold - '
}

@test "the scripts print their usage with --help and refuse bad options" {
	run -0 "$RUN" --help
	assert_line -n 0 --partial 'crashdump-run - '
	assert_line --partial 'usage: crashdump-run [-o DIR] [-t SECONDS] [--format text|json] [--dump-on SIGNALS]'
	assert_line --partial '[--deadlock SECONDS[,abort]] [--junit FILE] [--github] [--] COMMAND [ARG...]'
	run -0 "$SYM" --help
	assert_line -n 0 --partial 'crashdump-symbolize - '
	assert_line --partial 'usage: crashdump-symbolize'
	run -125 "$RUN" -t 0 -- true
	run -125 "$RUN" --format xml -- true
	run -125 "$RUN" -o "$DIR"
	run -127 "$RUN" -o "$DIR" -- /nonexistent/program
	run -2 "$SYM" --bogus
	run -125 "$RUN" --junit
	[ ! -e "$DIR" ]
}

@test "the scripts pass shellcheck" {
	command -v shellcheck >/dev/null || skip "shellcheck is not installed (scripts/install-deps installs it)"
	run shellcheck "$RUN" "$SYM" "$ROOT/scripts/crashdump-fold"
	assert_success
}
