#!/usr/bin/env bats
# core_nomalloc.bats - the dump allocates nothing (design notes, style §2):
# a fixture counts every allocator call in the process while reports are
# written, relayed threads included; and the handler-side objects do not even
# link against the allocator, stdio, locks or the dynamic linker's lookups.
# bats file_tags=dump

bats_require_minimum_version 1.5.0
load test_helper

setup() {
	core_setup
	export CRASHDUMP_ON_QUIT=continue
}

teardown() {
	fixture_teardown
}

# calls_during_dumps N REGEX: starts core_nomalloc with 3 idle threads, makes
# N dumps one after the other (after each, the report directory holds one
# more file with a line matching REGEX), then asks the fixture how many
# allocator calls it saw since it got ready.
calls_during_dumps() {
	start_fixture core_nomalloc "$CTL" 3
	local i
	for ((i = 1; i <= $1; i++)); do
		quit_continue
		assert_files_hold "$DIR" "$i" "$2"
	done
	ask count '^counted$'
	assert_file_line "$OUT" '^selftest: '
	send_command exit
	wait_fixture
	assert_equal "$status" 0
}

# assert_no_calls: the fixture saw no allocator call during the dumps, and
# its counter works (strdup + free from inside libc count 2).
assert_no_calls() {
	run grep -E '^calls before ready: [1-9][0-9]*$' "$OUT"
	assert_success
	run grep '^calls since ready: ' "$OUT"
	assert_output 'calls since ready: 0'
	run grep '^selftest: ' "$OUT"
	assert_output 'selftest: 2'
}

@test "writing a text report of 4 threads calls the allocator 0 times" {
	export CRASHDUMP_OUTPUT="$DIR/r.%p"
	calls_during_dumps 1 "$TRAILER_RE"
	assert_no_calls
	assert_text_invariants "$DIR/r.$PID"
	run grep -Ec '^crashdump: 4 of 4 threads dumped in ' "$DIR/r.$PID"
	assert_output 1
}

@test "writing a JSON report of 4 threads calls the allocator 0 times" {
	export CRASHDUMP_OUTPUT="$DIR/r.%p" CRASHDUMP_FORMAT=json
	calls_during_dumps 1 '"elapsed_ms":[0-9]+\.[0-9]+\}$'
	assert_no_calls
	load_json "$DIR/r.$PID"
	assert_json_invariants
	assert_jq '[.threads_real, .relayed, (.threads | length)]' '[4,3,4]'
}

@test "three dumps in a row call the allocator 0 times" {
	export CRASHDUMP_OUTPUT="$DIR/r"
	calls_during_dumps 3 "$TRAILER_RE"
	assert_no_calls
	local f
	for f in "$DIR/r" "$DIR/r.1" "$DIR/r.2"; do
		assert_text_invariants "$f"
		run grep -Ec '^crashdump: 4 of 4 threads dumped in ' "$f"
		assert_output 1
	done
}

# Every object whose code runs in signal handlers: the dump, report and
# symbols layers whole (signal context is all they run in), by folder; and
# by name the handlers and interposers of entry/ and the leaves of base/
# that they call (base/ also holds normal-context code: configuration,
# thread records under a mutex, the dynamic linker's lookups).
handler_objects() {
	local f
	for f in "$ROOT"/build/shim/dump/*.o "$ROOT"/build/shim/report/*.o "$ROOT"/build/shim/symbols/*.o; do
		f=${f#"$ROOT/build/shim/"}
		echo "${f%.o}"
	done
	echo entry/on_quit entry/on_fatal entry/sigaction entry/sigmask entry/sigaltstack \
		base/guard base/owned base/ownstack base/altstack base/out base/tasks base/sigtab base/runtime
}
DENIED=(malloc calloc realloc free printf fprintf snprintf sprintf vsnprintf fopen fwrite fputs
	pthread_mutex_lock dlsym dladdr dl_iterate_phdr _ULx86_64_get_proc_name)

# denied_symbols OBJ...: "OBJ.o: SYMBOL" for each denied symbol that
# build/shim/OBJ.o leaves undefined (that is, calls).
denied_symbols() {
	local obj sym undefined
	for obj in "$@"; do
		[ -f "$ROOT/build/shim/$obj.o" ] || { echo "build/shim/$obj.o is not built"; continue; }
		undefined=$(nm -u "$ROOT/build/shim/$obj.o")
		for sym in "${DENIED[@]}"; do
			if grep -Eq "^ +U $sym(@.*)?$" <<<"$undefined"; then
				echo "${obj##*/}.o: $sym"
			fi
		done
	done
}

@test "the handler-side objects reference no allocator, stdio, lock or dynamic-linker lookup" {
	run denied_symbols $(handler_objects)
	assert_success
	assert_output ""
}

@test "the deny-list check finds dlsym in real.o, which resolves symbols in normal context" {
	# guards the test above against a check that can match nothing
	run denied_symbols base/real
	assert_success
	assert_output "real.o: dlsym"
}
