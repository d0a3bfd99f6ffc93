#!/usr/bin/env bats
# crash_runtimes.bats - a runtime that owns its signals (here a JVM, whose
# launcher links libjli) keeps them all under the library: it starts, its
# own SIGQUIT machinery (thread dumps, jcmd's attach) works, the SIGSEGVs
# it takes on purpose stay its own, and its crashes are its own to report.
# Go with cgo has its own file, crash_go.bats.

bats_require_minimum_version 1.5.0
load test_helper

setup_file() {
	command -v java >/dev/null && command -v javac >/dev/null || return 0
	JDIR="$BATS_FILE_TMPDIR/java"
	mkdir -p "$JDIR"
	cat >"$JDIR/CrashParked.java" <<'EOF'
import java.io.FileOutputStream;

/* Parks a named worker and main, after "ready" on fd 3. */
public class CrashParked {
    public static void main(String[] args) throws Exception {
        Thread worker = new Thread(() -> {
            try { Thread.sleep(Long.MAX_VALUE); } catch (InterruptedException e) { }
        }, "parked-worker");
        worker.setDaemon(true);
        worker.start();
        try (FileOutputStream ready = new FileOutputStream("/dev/fd/3")) {
            ready.write("ready\n".getBytes());
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
EOF
	cat >"$JDIR/CrashNpe.java" <<'EOF'
/* Null dereferences caught as NullPointerException: once compiled, HotSpot
 * turns them into SIGSEGVs its handler converts (about 50000 here). */
public class CrashNpe {
    static Object nothing;
    static int touch(Object o) { return o.hashCode(); }
    public static void main(String[] args) {
        int caught = 0;
        for (int i = 0; i < 200000; i++) {
            try { touch(i % 2 == 0 ? nothing : null); } catch (NullPointerException e) { caught++; }
        }
        System.out.println("caught " + caught);
    }
}
EOF
	cat >"$JDIR/CrashUnsafe.java" <<'EOF'
import java.lang.reflect.Field;
import sun.misc.Unsafe;

/* A write to address 0 from inside the JVM: its fatal error handler. */
public class CrashUnsafe {
    public static void main(String[] args) throws Exception {
        Field f = Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        Unsafe u = (Unsafe) f.get(null);
        u.putAddress(0, 42);
        System.out.println("survived");
    }
}
EOF
	javac -nowarn -d "$JDIR" "$JDIR"/*.java 2>/dev/null
	export JDIR
}

setup() {
	command -v java >/dev/null || skip "java is not installed"
	command -v javac >/dev/null || skip "javac is not installed"
	[ -f "$JDIR/CrashParked.class" ] || fail "the Java test programs did not compile"
	crash_setup
}

teardown() {
	fixture_teardown
}

# refute_crashdump TEXT: no line of TEXT comes from the library.
refute_crashdump() {
	run grep -Ec '^(crashdump|libcrashdump):' <<<"$1"
	assert_output 0
}

# assert_jvm_ends_by_sigterm: the JVM started last ($PID) is still running,
# and SIGTERM ends it as it would without the library (status 143).
assert_jvm_ends_by_sigterm() {
	kill -0 "$PID"
	kill -TERM "$PID"
	status=0
	wait "$PID" || status=$?
	assert_equal "$status" 143
}

@test "java -version under the library: exit 0, its usual output, nothing from the library" {
	run -0 --separate-stderr with_lib java -version
	assert_equal "$output" ""
	assert_regex "$stderr" '^openjdk version "[0-9]'
	assert_regex "$stderr" 'OpenJDK 64-Bit Server VM'
	refute_crashdump "$stderr"
}

@test "a JVM catching NullPointerExceptions (its own SIGSEGVs) runs to its end, no report" {
	run -0 --separate-stderr with_lib java -cp "$JDIR" CrashNpe
	assert_output 'caught 200000'
	assert_equal "$stderr" ""
}

@test "a JVM that crashes reports it itself (hs_err), no crashdump report, status 134" {
	run -134 --separate-stderr with_lib java -XX:ErrorFile="$BATS_TEST_TMPDIR/hs_err.log" \
		-cp "$JDIR" CrashUnsafe
	refute_output --partial survived
	assert_output --partial 'A fatal error has been detected by the Java Runtime Environment'
	refute_crashdump "$output"
	refute_crashdump "$stderr"
	run grep -c 'Unsafe_PutLong' "$BATS_TEST_TMPDIR/hs_err.log"
	refute_output 0
}

@test "kill -QUIT: the JVM prints its own thread dump and keeps running; no crashdump report" {
	open_report_pipe
	unset CRASHDUMP_OUTPUT
	start_cmd sh -c 'exec "$@" >&'"$CRASH_FD" sh java -cp "$JDIR" CrashParked
	kill -QUIT "$PID"
	local dump="$BATS_TEST_TMPDIR/dump"
	read_report "$dump" '^"parked-worker" '
	run grep -c '^Full thread dump ' "$dump"
	assert_output 1
	assert_jvm_ends_by_sigterm
	refute_crashdump "$(cat "$ERR")"
	refute_crashdump "$(cat "$dump")"
}

@test "jcmd PID Thread.print answers for a JVM under the library" {
	command -v jcmd >/dev/null || skip "jcmd is not installed"
	start_cmd java -cp "$JDIR" CrashParked
	run timeout 20 jcmd "$PID" Thread.print
	[ "$status" -ne 124 ] || skip "jcmd took more than 20 s"
	assert_success
	assert_line --regexp '^Full thread dump '
	assert_line --regexp '^"main" '
	assert_line --regexp '^"parked-worker" '
	assert_jvm_ends_by_sigterm
	refute_crashdump "$(cat "$ERR")"
	refute_crashdump "$(cat "$OUT")"
}
