#!/usr/bin/env bats
# crash_signals.bats - each fatal signal, from the main thread and from a
# worker (README "Behaviour"): the process dies by that signal with its usual
# status, after one report that starts with the faulting thread, names the
# signal's cause, carries its registers, and lists every other thread.

bats_require_minimum_version 1.5.0
load test_helper
load lib/crash_suite

K=3 # parked workers besides the crashing thread

# check_fatal SIG WHERE STATUS NAME CODE: crash_signal SIG WHERE $K dies
# with STATUS and its JSON report says NAME and CODE, the faulting thread
# first (registers, crashing function), then every parked thread.
check_fatal() {
	local sig=$1 where=$2 want=$3 name=$4 code=$5
	run "-$want" --separate-stderr with_lib env CRASHDUMP_FORMAT=json \
		"$FIX/crash_signal" "$sig" "$where" "$K"
	refute_output --partial survived
	local printed=$output
	crash_json

	assert_jq '.reason' signal
	assert_jq '.signal.name' "$name"
	assert_jq '.signal.number' "$((want - 128))"
	assert_jq '.signal.code' "$code"

	# The faulting thread first, marked, with its registers.
	assert_jq '.threads[0].tid == .signal.thread' true
	assert_jq '.threads[0] | [.signalled, .crashed]' '[true,true]'
	assert_jq '.threads[0].registers | [has("rip", "rsp", "rflags", "err", "trapno")] | all' true
	assert_jq '.threads[0].registers.rip == .threads[0].frames[0].pc' true
	assert_jq '.threads[0].registers.rsp | test("^0x[0-9a-f]+$")' true
	if [ "$where" = main ]; then
		assert_jq '.threads[0] | [.tid == '"$(jqr .pid)"', .origin]' '[true,"main"]'
	else
		assert_jq '.threads[0] | [.name, .origin]' '["crasher","pthread"]'
	fi

	# The crashing function: frame 0 or 1, or, for abort(), the caller of
	# abort() below libc's own frames.
	if [ "$sig" = abrt ]; then
		assert_jq '[.threads[0].frames[].function] | index("abort") as $i |
			$i != null and $i < 6 and .[$i + 1] == "crash_abrt"' true
	else
		assert_jq '[.threads[0].frames[0:2][].function] | index("crash_'"$sig"'") != null' true
	fi

	# The fault address where the signal has one.
	case $sig in
	segv) assert_jq '.signal.address' 0x0 ;;
	fpe | ill) assert_jq '.signal.address == .threads[0].registers.rip' true ;;
	bus)
		assert_regex "$printed" '^address 0x[0-9a-f]+$'
		assert_jq '.signal.address' "${printed#address }"
		;;
	*) assert_jq '.signal.address' null ;;
	esac
	if [ "$sig" = abrt ]; then
		assert_jq '.signal.sender_pid == .pid' true
	else
		assert_jq '.signal.sender_pid' null
	fi

	# Every other thread, exactly once, dumped, not crashed.
	local total=$((K + 1))
	[ "$where" = main ] || total=$((K + 2))
	assert_jq '.threads | length' "$total"
	assert_jq '.threads_real' "$total"
	assert_jq '.missing' '[]'
	assert_jq '[.threads[1:][] | .crashed or .signalled] | any' false
	assert_jq '[.threads[1:][] | .registers] | all(. == null)' true
	assert_jq '[.threads[].tid] | length == (unique | length)' true
	assert_jq '[.threads[].name | select(startswith("parked-"))] | sort' \
		"$(jq -nc "[range($K) | \"parked-\\(.)\"]")"
	if [ "$where" = worker ]; then
		assert_jq '[.threads[1:][] | select(.origin == "main")] | length' 1
	fi
}

@test "SIGSEGV in the main thread: status 139, SEGV_MAPERR at 0x0, faulting thread first" {
	check_fatal segv main 139 SIGSEGV SEGV_MAPERR
}

@test "SIGSEGV in a worker: status 139, SEGV_MAPERR at 0x0, faulting thread first" {
	check_fatal segv worker 139 SIGSEGV SEGV_MAPERR
}

@test "SIGABRT (abort) in the main thread: status 134, SI_TKILL, abort's caller in the stack" {
	check_fatal abrt main 134 SIGABRT SI_TKILL
}

@test "SIGABRT (abort) in a worker: status 134, SI_TKILL, abort's caller in the stack" {
	check_fatal abrt worker 134 SIGABRT SI_TKILL
}

@test "SIGFPE (integer division by zero) in the main thread: status 136, FPE_INTDIV" {
	check_fatal fpe main 136 SIGFPE FPE_INTDIV
}

@test "SIGFPE (integer division by zero) in a worker: status 136, FPE_INTDIV" {
	check_fatal fpe worker 136 SIGFPE FPE_INTDIV
}

@test "SIGILL (ud2) in the main thread: status 132, ILL_ILLOPN" {
	check_fatal ill main 132 SIGILL ILL_ILLOPN
}

@test "SIGILL (ud2) in a worker: status 132, ILL_ILLOPN" {
	check_fatal ill worker 132 SIGILL ILL_ILLOPN
}

@test "SIGTRAP (int3) in the main thread: status 133, SI_KERNEL" {
	check_fatal trap main 133 SIGTRAP SI_KERNEL
}

@test "SIGTRAP (int3) in a worker: status 133, SI_KERNEL" {
	check_fatal trap worker 133 SIGTRAP SI_KERNEL
}

@test "SIGBUS (read past a mapped file's end) in the main thread: status 135, BUS_ADRERR" {
	check_fatal bus main 135 SIGBUS BUS_ADRERR
}

@test "SIGBUS (read past a mapped file's end) in a worker: status 135, BUS_ADRERR" {
	check_fatal bus worker 135 SIGBUS BUS_ADRERR
}

@test "SIGSYS (seccomp trap) in the main thread: status 159, SYS_SECCOMP" {
	check_fatal sys main 159 SIGSYS SYS_SECCOMP
}

@test "SIGSYS (seccomp trap) in a worker: status 159, SYS_SECCOMP" {
	check_fatal sys worker 159 SIGSYS SYS_SECCOMP
}

# check_text_segv WHERE: the text report of a null write in WHERE.
check_text_segv() {
	local where=$1 pid hdr
	run -139 --separate-stderr with_lib "$FIX/crash_signal" segv "$where" "$K"
	local err="$BATS_TEST_TMPDIR/err"
	printf '%s\n' "$stderr" >"$err"

	assert_regex "$(head -n 1 "$err")" \
		'^crashdump: SIGSEGV \(SEGV_MAPERR, address 0x0\) in pid [0-9]+ \(crash_signal\)$'
	pid=$(head -n 1 "$err" | sed -E 's/.* in pid ([0-9]+) .*/\1/')
	run grep -Ec '^crashdump: ' "$err"
	assert_output 5 # first line, executable, threads, summary, trailer
	assert_regex "$(tail -n 1 "$err")" "$TRAILER_RE"
	local total=$((K + 1))
	[ "$where" = main ] || total=$((K + 2))
	assert_regex "$(tail -n 1 "$err")" "^crashdump: $total of $total threads dumped in "

	# The first thread header is the faulting thread, marked, followed by
	# its registers and then its frames, crash_segv first.
	run text_tids "$err"
	assert_equal "${#lines[@]}" "$total"
	run grep -E '^(thread|group) [0-9]+' "$err"
	hdr=${lines[0]}
	assert_regex "$hdr" ' \[signalled, crashed\]$'
	if [ "$where" = main ]; then
		assert_regex "$hdr" "^thread $pid \"crash_signal\" \\(main\\)"
	else
		assert_regex "$hdr" '^thread [0-9]+ "crasher" \(pthread, created by main\+0x'
	fi
	# Only the first header carries a mark.
	run grep -Ec '^(thread|group) [0-9]+.*\[' "$err"
	assert_output 1
	run awk '/^(thread|group) [0-9]+/{n++} n==1 && !/^thread /{print} n==2{exit}' "$err"
	assert_line --index 0 --regexp '^registers: rax 0x[0-9a-f]+ '
	assert_line --regexp '^#0 0x[0-9a-f]+ crash_segv\+0x[0-9a-f]+ \(.*/crash_signal\+0x[0-9a-f]+\)$'
	# The registers, however the lines wrap: NAME VALUE pairs, rip == #0's pc.
	local regs pc0
	regs=$(grep -E '^registers:' <<<"$output" | sed 's/^registers://' | tr '\n' ' ' | tr -s ' ')
	assert_regex "$regs" '^( [a-z0-9]+ 0x[0-9a-f]+)+ $'
	for r in rax rsp rip rflags err trapno; do
		assert_regex "$regs" " $r 0x[0-9a-f]+ "
	done
	assert_regex "$regs" ' trapno 0xe ' # a page fault
	pc0=$(grep -E '^#0 ' <<<"$output" | cut -d' ' -f2)
	assert_regex "$regs" " rip $pc0 "
	# The registers come before the first frame.
	run awk '/^(thread|group) [0-9]+/{n++} n==1 && /^registers:/{print "registers"}
		n==1 && /^#[0-9]+ /{print "frames"}' "$err"
	assert_equal "$(printf '%s\n' "${lines[@]}" | uniq | tr '\n' ' ')" "registers frames "
}

@test "text report of SIGSEGV in the main thread: first line, [signalled, crashed], registers" {
	check_text_segv main
}

@test "text report of SIGSEGV in a worker: first line, [signalled, crashed], registers" {
	check_text_segv worker
}

@test "SIGSEGV sent by another process: status 139, SI_USER, sender_pid is the sender" {
	export CRASHDUMP_FORMAT=json
	start_fixture crash_signal wait - 2
	run sh -c 'kill -SEGV "$1"; echo $$' sh "$PID"
	assert_success
	local sender=$output
	wait_fixture
	assert_equal "$status" 139
	crash_json "$(cat "$ERR")"
	assert_jq '.signal | [.name, .code, .address, .sender_pid]' "[\"SIGSEGV\",\"SI_USER\",null,$sender]"
	assert_jq '.pid' "$PID"
	assert_jq '.threads[0] | [.tid == '"$(jqr .signal.thread)"', .signalled, .crashed]' '[true,true,true]'
	assert_jq '.threads[0].registers.rip == .threads[0].frames[0].pc' true
	assert_jq '.threads | length' 3
	assert_jq '[.threads[1:][] | .crashed or .signalled] | any' false
	assert_jq '.missing' '[]'
}

@test "text report of a SIGSEGV sent by another process names the sender" {
	start_fixture crash_signal wait - 1
	run sh -c 'kill -SEGV "$1"; echo $$' sh "$PID"
	local sender=$output
	wait_fixture
	assert_equal "$status" 139
	assert_regex "$(head -n 1 "$ERR")" \
		"^crashdump: SIGSEGV \\(SI_USER\\) in pid $PID \\(crash_signal\\), sent by pid $sender\$"
	assert_regex "$(tail -n 1 "$ERR")" '^crashdump: 2 of 2 threads dumped in '
}
