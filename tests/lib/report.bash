# report.bash - reading crashdump reports: the grammar's patterns, once;
# the JSON report of a run; the invariants every report keeps (each listed
# thread once, dumped + missing == real).
# Loaded by test_helper.bash (uses bats-assert).

TRAILER_RE='^crashdump: [0-9]+ of [0-9]+ threads dumped in [0-9]+(\.[0-9]+)? ms$'
FRAME_RE='^#[0-9]+ 0x[0-9a-f]+ (\S+\+0x[0-9a-f]+|\?\?) \((.+\+0x[0-9a-f]+|\?\?)\)$'
# A JSON report is one line, this object.
JSON_RE='^\{"format":"crashdump/1".*\}$'

# load_json FILE: the JSON report is FILE's last line (program output may
# come before it); copies it to $JSON and checks it is one object.  Does not
# use `run`, so $status and $output stay.
load_json() {
	JSON="$BATS_TEST_TMPDIR/report.$RANDOM.json"
	tail -n 1 "$1" >"$JSON"
	jq -e 'type == "object"' "$JSON" >/dev/null ||
		fail "the last line is not a JSON object: $(cat "$JSON")"
	export JSON
}

# crash_json [TEXT]: load_json for TEXT (default: the $stderr of the last
# `run --separate-stderr`).
crash_json() {
	local text="$BATS_TEST_TMPDIR/text.$RANDOM"
	printf '%s\n' "${1-$stderr}" >"$text"
	load_json "$text"
}

# jqr EXPR: EXPR over $JSON, raw compact output.
jqr() {
	jq -rc "$1" "$JSON"
}

# assert_jq EXPR EXPECTED: EXPR over $JSON prints exactly EXPECTED.  Does
# not use `run`, so $status, $output and $stderr of the fixture's run stay.
assert_jq() {
	local got
	got=$(jq -rc "$1" "$JSON") || fail "jq failed on: $1"
	[ "$got" = "$2" ] ||
		fail "$(printf 'jq %s\n  expected: %s\n  actual  : %s' "$1" "$2" "$got")"
}

# assert_json_invariants: in $JSON every listed tid appears once (dumped or
# missing), dumped + missing == threads_real, threads_dumped agrees, and the
# first thread, and only it, is the signalled one (for a signal report).
assert_json_invariants() {
	assert_jq '(.threads | length) + (.missing | length) == .threads_real' true
	assert_jq '[.threads[].tid, .missing[].tid] | length == (unique | length)' true
	assert_jq '(.threads_dumped // (.threads | length)) == (.threads | length)' true
	if [ "$(jqr .reason)" = signal ]; then
		assert_jq '[.threads[] | select(.signalled)] | length' 1
		assert_jq '.threads[0].signalled and .threads[0].tid == .signal.thread' true
	fi
}

# GROUP_RE: the header of threads that share one stack, printed once:
# "group K: N threads NAMES (ORIGIN...): TIDS", TIDS runs "A", "A-B" (each
# tid from A to B) or "A-B/S" (every S-th).
GROUP_RE='^group [0-9]+: [0-9]+ threads .*\): [0-9]+(-[0-9]+(/[0-9]+)?)?( [0-9]+(-[0-9]+(/[0-9]+)?)?)*$'

# text_tids FILE [REGEX]: every dumped thread's tid, one a line, in report
# order: a thread header's, and each of a group header's (runs expanded);
# with REGEX (awk's ERE), only under headers that match it.
text_tids() {
	awk -v re="${2:-.}" '/^thread [0-9]+ / { if ($0 ~ re) print $2; next }
		/^group [0-9]+: [0-9]+ threads / && $0 ~ re {
			n = split(substr($0, index($0, "): ") + 3), runs, " ")
			for (i = 1; i <= n; i++) {
				step = split(runs[i], st, "/") == 2 ? st[2] : 1
				if (split(st[1], ab, "-") == 2) { for (t = ab[1]; t <= ab[2]; t += step) print t }
				else print runs[i]
			} }' "$1"
}

# text_group_of FILE TID: the header line (thread or group) TID is under.
text_group_of() {
	awk -v tid="$2" '/^thread [0-9]+ / && $2 == tid { print; exit }
		/^group [0-9]+: [0-9]+ threads / {
			n = split(substr($0, index($0, "): ") + 3), runs, " ")
			for (i = 1; i <= n; i++) {
				step = split(runs[i], st, "/") == 2 ? st[2] : 1
				k = split(st[1], ab, "-")
				if ((k == 1 && runs[i] == tid) ||
				    (k == 2 && tid + 0 >= ab[1] + 0 && tid + 0 <= ab[2] + 0 && (tid - ab[1]) % step == 0)) { print; exit }
			} }' "$1"
}

# text_counts FILE: "DUMPED MISSING REAL DUMPED LISTED" from a text report:
# the tids under thread and group headers, missing lines, the threads
# line's N, the trailer's D and N.
text_counts() {
	local headers missing real trailer
	headers=$(text_tids "$1" | wc -l)
	missing=$(grep -Ec '^missing thread [0-9]+ ' "$1")
	real=$(sed -nE 's/^crashdump: threads: ([0-9]+) real, .*/\1/p' "$1")
	trailer=$(sed -nE 's/^crashdump: ([0-9]+) of ([0-9]+) threads dumped in .*/\1 \2/p' "$1")
	echo "$headers $missing $real $trailer"
}

# assert_text_invariants FILE: one text report in FILE (from its first
# "crashdump: " line on): the trailer once and last, D threads under the
# headers, and D + missing lines == N == the threads line's count, each tid
# once.
assert_text_invariants() {
	local c
	run grep -Ec "$TRAILER_RE" "$1"
	assert_output 1
	assert_regex "$(tail -n 1 "$1")" "$TRAILER_RE"
	read -r -a c <<<"$(text_counts "$1")"
	[ "${#c[@]}" -eq 5 ] || fail "no threads line or trailer in $1: ${c[*]}"
	assert_equal "${c[0]}" "${c[3]}"             # dumped tids == D
	assert_equal "$((c[0] + c[1]))" "${c[2]}"    # dumped + missing == real
	assert_equal "${c[4]}" "${c[2]}"             # trailer's N == real
	local twice
	twice=$({ text_tids "$1"; sed -nE 's/^missing thread ([0-9]+) .*/\1/p' "$1"; } | sort | uniq -d)
	assert_equal "$twice" ""
}

# assert_file_line FILE REGEX: a line of FILE matches REGEX.
assert_file_line() {
	[ -f "$1" ] || fail "no file $1"
	grep -Eq "$2" "$1" || fail "no line matching '$2' in $1: $(cat "$1")"
}

# assert_files_hold DIR COUNT REGEX: DIR holds exactly COUNT files, and each
# has a line matching REGEX.
assert_files_hold() {
	local f n=0
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		grep -Eq "$3" "$f" || fail "no line matching '$3' in $f: $(cat "$f")"
	done
	[ "$n" -eq "$2" ] || fail "$1 holds $n files, not $2: $(ls "$1")"
}

# assert_dir_empty DIR: no report file was created.
assert_dir_empty() {
	local left
	left=$(ls -A "$1")
	[ -z "$left" ] || fail "$1 is not empty: $left"
}
