# symbols.bats - shim/symbols.c: names, offsets, modules and build-ids of
# code addresses, checked by a unit program and against addr2line/readelf.
load test_helper

UNIT="$ROOT/build/unit/symbols_unit"

# Two plugins built alike (same sizes, same layout), so that reloading the
# second under the first one's path can reuse its link_map and addresses.
setup_file() {
	local dir="$BATS_FILE_TMPDIR/plugins"
	mkdir -p "$dir"
	echo 'int first_version(int x) { return x + 1; }' >"$dir/one.c"
	echo 'int second_versio(int x) { return x + 2; }' >"$dir/two.c"
	cc -O1 -fPIC -shared -Wl,--build-id -o "$dir/one.so" "$dir/one.c"
	cc -O1 -fPIC -shared -Wl,--build-id -o "$dir/two.so" "$dir/two.c"
}

@test "the unit checks pass with the system's debug files" {
	run "$UNIT"
	assert_success
	assert_line "symbols_unit: ok"
	assert_line "allocations in lookups 0"
	refute_line --partial "FAIL"
}

@test "without debug files start_thread is ?? and never its neighbour in .dynsym" {
	run "$UNIT" --no-debug-files
	assert_success
	assert_line "start_thread ??"
	assert_line "symbols_unit: ok"
}

@test "a return address in start_thread is named start_thread when libc's debug file is installed" {
	run "$UNIT"
	assert_success
	if ! grep -q '^libc debug file .*: present$' <<<"$output"; then
		skip "libc6-dbg is not installed"
	fi
	assert_line "start_thread start_thread"
}

@test "module and module offset give the same function through addr2line" {
	run "$UNIT"
	assert_success
	local line module offset
	line=$(grep '^local ' <<<"$output")
	read -r _ module offset <<<"$line"
	[ -n "$offset" ]
	run addr2line -f -e "$module" "$offset"
	assert_success
	assert_line --index 0 "local_fn"
}

@test "build-ids are those readelf -n prints" {
	run "$UNIT"
	assert_success
	local checked=0 path id
	while read -r _ path id; do
		[ -f "$path" ] || continue # linux-vdso.so.1 has no file
		run readelf -n "$path"
		assert_success
		assert_output --partial "Build ID: $id"
		checked=$((checked + 1))
	done < <(grep '^buildid ' <<<"$output")
	[ "$checked" -ge 2 ]
}

@test "a library rebuilt and reloaded at the same place gets its own names" {
	run "$UNIT" --reload "$BATS_FILE_TMPDIR/plugins"
	assert_success
	assert_line "symbols_unit: ok"
	local checked=0 path id
	while read -r _ path id; do
		run readelf -n "$path"
		assert_output --partial "Build ID: $id"
		checked=$((checked + 1))
	done < <(grep '^buildid ' <<<"$output")
	[ "$checked" -eq 2 ]
}
