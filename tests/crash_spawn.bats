#!/usr/bin/env bats
# crash_spawn.bats - programs that start others (fork+exec, vfork+exec,
# posix_spawn, system), a static binary, and a setuid program run under the
# library as they would without it: normal exit status, no report, and no
# report file created at start-up or at exit.

bats_require_minimum_version 1.5.0
load test_helper

setup() {
	crash_setup
	export CRASHDUMP_OUTPUT="$DIR/r.%p"
}

teardown() {
	fixture_teardown
	if [ -n "${SUID_DIR:-}" ]; then
		rm -rf "$SUID_DIR"
	fi
}

# check_spawn HOW: the parent (with a parked thread) starts /bin/sh
# exiting 7 the HOW way and exits with the child's status.
check_spawn() {
	run -7 --separate-stderr with_lib "$FIX/crash_spawn" "$1" /bin/sh -c 'exit 7'
	assert_output 'child exited 7'
	assert_equal "$stderr" ""
	assert_dir_empty "$DIR"
}

@test "fork then exec: the child's status, no report file" {
	check_spawn fork
}

@test "vfork then exec: the child's status, no report file" {
	check_spawn vfork
}

@test "posix_spawn: the child's status, no report file" {
	check_spawn posix_spawn
}

@test "system(): the child's status, no report file" {
	run -5 --separate-stderr with_lib "$FIX/crash_spawn" system 'exit 5'
	assert_output 'child exited 5'
	assert_equal "$stderr" ""
	assert_dir_empty "$DIR"
}

@test "a child started by vfork+exec that crashes writes its own report, and only it" {
	run -100 --separate-stderr with_lib "$FIX/crash_spawn" vfork \
		"$FIX/crash_signal" segv main 0
	assert_output 'child killed by 11'
	assert_equal "$stderr" ""
	run ls "$DIR"
	assert_equal "${#lines[@]}" 1
	local child=${lines[0]#r.}
	run head -n 1 "$DIR/r.$child"
	assert_output "crashdump: SIGSEGV (SEGV_MAPERR, address 0x0) in pid $child (crash_signal)"
}

# A static binary: gcc -static needs libc.a (libc6-dev).
build_static() {
	command -v gcc >/dev/null || skip "gcc is not installed"
	STATIC="$BATS_TEST_TMPDIR/crash_static"
	gcc -static -O1 -o "$STATIC" "$ROOT/tests/fixtures/crash_static.c" 2>"$BATS_TEST_TMPDIR/gcc.err" ||
		skip "cannot link statically (no libc.a?): $(head -n 1 "$BATS_TEST_TMPDIR/gcc.err")"
	run file "$STATIC"
	[[ $output != *"dynamically linked"* ]] || fail "$STATIC is not static: $output"
}

@test "a static binary (the preload cannot reach it): exit 0, no report file" {
	build_static
	run -0 --separate-stderr with_lib "$STATIC" ok
	assert_output 'static ok'
	assert_equal "$stderr" ""
	assert_dir_empty "$DIR"
}

@test "a static binary that crashes: status 139, no report (the library is not in it)" {
	build_static
	run -139 --separate-stderr with_lib "$STATIC" segv
	assert_equal "$stderr" ""
	assert_dir_empty "$DIR"
}

@test "a static binary's dynamic child does get the library" {
	build_static
	run -0 --separate-stderr with_lib "$STATIC" exec "$FIX/crash_spawn" fork /bin/true
	assert_line 'child exited 0'
	assert_equal "$stderr" ""
	assert_dir_empty "$DIR"
	run -100 --separate-stderr with_lib "$STATIC" exec "$FIX/crash_signal" segv main 0
	assert_output 'child killed by 11'
	run ls "$DIR"
	assert_equal "${#lines[@]}" 1
	assert_regex "$(head -n 1 "$DIR/${lines[0]}")" '^crashdump: SIGSEGV \(SEGV_MAPERR, address 0x0\) in pid [0-9]+ \(crash_signal\)$'
}

# make_setuid: a setuid-root copy of crash_setuid that user nobody can run,
# in a directory nobody can reach, with a report directory anyone may
# write.  Running it as nobody makes the kernel set AT_SECURE (as root,
# chmod u+s changes nothing: no privilege is raised).
make_setuid() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to make a setuid-root copy"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	SUID_DIR=$(mktemp -d /tmp/crashdump-suid.XXXXXX)
	chmod 755 "$SUID_DIR"
	cp "$FIX/crash_setuid" "$SUID_DIR/"
	chmod 4755 "$SUID_DIR/crash_setuid"
	mkdir -m 1777 "$SUID_DIR/reports"
	AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
	run "${AS_NOBODY[@]}" "$SUID_DIR/crash_setuid" ok
	[ "$output" = "secure 1" ] ||
		skip "no AT_SECURE for a setuid program here (nosuid mount?): $output"
	"${AS_NOBODY[@]}" test -r "$LIB" || skip "user nobody cannot read $LIB"
}

@test "setuid program run by another user with the library preloaded: exit 0, no file" {
	make_setuid
	# ld.so ignores a preload path in a secure program: this shows only
	# that nothing breaks and nothing is created.
	run -0 --separate-stderr "${AS_NOBODY[@]}" env LD_PRELOAD="$LIB" \
		CRASHDUMP_OUTPUT="$SUID_DIR/reports/r.%p" "$SUID_DIR/crash_setuid" ok
	assert_output 'secure 1'
	assert_equal "$stderr" ""
	assert_dir_empty "$SUID_DIR/reports"
}

@test "setuid program that loads the library itself: the file template is ignored, report on stderr" {
	make_setuid
	run -139 --separate-stderr "${AS_NOBODY[@]}" env CRASHDUMP_OUTPUT="$SUID_DIR/reports/r.%p" \
		"$SUID_DIR/crash_setuid" dlopen "$LIB"
	assert_line --index 0 'secure 1'
	assert_line --index 1 'loaded'
	assert_dir_empty "$SUID_DIR/reports"
	assert_equal "$(head -n 1 <<<"$stderr")" \
		"libcrashdump: warning: CRASHDUMP_OUTPUT=$SUID_DIR/reports/r.%p: ignored in a privileged program; using stderr"
	assert_regex "$(sed -n 2p <<<"$stderr")" '^crashdump: SIGSEGV \(SEGV_MAPERR, address 0x0\) in pid [0-9]+ \(crash_setuid\)$'
	assert_regex "$(tail -n 1 <<<"$stderr")" "$TRAILER_RE"
}
