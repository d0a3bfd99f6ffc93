#!/usr/bin/env bats
# layout.bats - the shape of shim/: five layers that call only downward
# (entry/ > dump/ > report/ > symbols/ > base/), headers named by their
# folder, no circle of includes between files, and only the interposed
# functions exported.  README "Layout" says what each layer holds.
# bats file_tags=layout

bats_require_minimum_version 1.5.0
load test_helper

# rank LAYER: the layer's height; a file may include its own layer's
# headers and those of the layers below.
rank() {
	case "$1" in
	base) echo 0 ;; symbols) echo 1 ;; report) echo 2 ;; dump) echo 3 ;; entry) echo 4 ;;
	*) echo 99 ;;
	esac
}

# upward_includes [ROOT]: "FILE includes HEADER" for each include of a
# header of a higher layer, or of a header named without its folder.
upward_includes() {
	local root=${1:-$ROOT/shim} f layer inc
	for f in "$root"/*/*.[ch]; do
		layer=$(basename "$(dirname "$f")")
		while read -r inc; do
			if [[ $inc != */* ]] || [ "$(rank "${inc%%/*}")" -gt "$(rank "$layer")" ]; then
				echo "${f#"$root"/} includes $inc"
			fi
		done < <(sed -n 's/^#include "\(.*\)"$/\1/p' "$f")
	done
}

# include_pairs [ROOT]: "A B" for each file A (its .c and .h taken as one)
# that includes B's header, for tsort.
include_pairs() {
	local root=${1:-$ROOT/shim} f inc
	for f in "$root"/*/*.[ch]; do
		while read -r inc; do
			[ "${f%.*}" = "$root/${inc%.h}" ] || echo "${f#"$root"/} ${inc%.h}" | sed 's/\.[ch] / /'
		done < <(sed -n 's/^#include "\(.*\)"$/\1/p' "$f")
	done
}

@test "shim/ holds the five layers, and every source file is in one of them" {
	run bash -c "ls -d '$ROOT'/shim/*/ | xargs -n 1 basename | sort | tr '\n' ' '"
	assert_output "base dump entry report symbols "
	run bash -c "ls '$ROOT'/shim/*.[ch] 2>/dev/null | wc -l"
	assert_output 0
}

@test "no file includes a header of a layer above its own" {
	run upward_includes
	assert_success
	assert_output ""
}

@test "the layer check finds an include that goes up" {
	# guards the test above against a check that can match nothing
	local t="$BATS_TEST_TMPDIR/shim"
	mkdir -p "$t/base" "$t/dump"
	printf '#include "dump/dump.h"\n' >"$t/base/up.c"
	printf '#include "base/out.h"\n#include "plain.h"\n' >"$t/dump/down.c"
	run upward_includes "$t"
	assert_output $'base/up.c includes dump/dump.h\ndump/down.c includes plain.h'
}

@test "no circle of includes between files" {
	include_pairs | tsort >/dev/null 2>"$BATS_TEST_TMPDIR/tsort.err" || true
	run cat "$BATS_TEST_TMPDIR/tsort.err"
	assert_output ""
}

@test "the circle check finds a circle" {
	local t="$BATS_TEST_TMPDIR/shim"
	mkdir -p "$t/base"
	printf '#include "base/b.h"\n' >"$t/base/a.c"
	printf '#include "base/a.h"\n' >"$t/base/b.c"
	run bash -c "$(declare -f include_pairs); include_pairs '$t' | tsort"
	assert_failure
	assert_output --partial 'loop'
}

@test "the library exports exactly the interposed functions" {
	run bash -c "nm -D --defined-only '$LIB' | awk '\$2 == \"T\" { print \$3 }' | sed 's/@.*//' | sort | tr '\n' ' '"
	assert_output "bsd_signal pthread_create pthread_sigmask sigaction sigaltstack signal sigprocmask sigset sysv_signal "
}
