#!/bin/sh
# tests/fuzz/fuzz-run.sh (what `make fuzz` runs each target through), with a
# stand-in fuzzer that prints libFuzzer's closing statistics: every job gets
# a ledger line with its executions, how it ended and the flags; the flags
# reach the fuzzer; the jobs share the work corpus; a failing job is reported
# and sets the exit status; the total counts only the runs that did not fail.
set -eu
: "${top_srcdir:=.}"
run=$top_srcdir/tests/fuzz/fuzz-run.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_fuzz_run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
fail=0

check() {	# check WHAT COMMAND...: prints ok or FAIL
	what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}

# The stand-in: records its arguments, runs 1000 inputs, or fails if told to in FAKE_FAIL.
cat >"$tmp/fuzzer" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_ARGS"
echo "stat::number_of_executed_units: 1000"
echo "stat::average_exec_per_sec:     500"
[ -e "$FAKE_FAIL" ] && { rm -f "$FAKE_FAIL"; echo "==1== ERROR: libFuzzer: deadly signal"; exit 77; }
exit 0
EOF
chmod +x "$tmp/fuzzer"
export FAKE_ARGS="$tmp/args" FAKE_FAIL="$tmp/fail"
mkdir "$tmp/seeds"

# Two jobs with a flag.
rc=0
sh "$run" t "$tmp/fuzzer" "$tmp/work" "$tmp/seeds" 5 -1 abc123 2 -max_len=256 -seed=1 \
    >"$tmp/out" 2>&1 || rc=$?
check "two jobs end with status 0" [ "$rc" -eq 0 ]
check "each job's line in the ledger with its flags" \
    [ "$(grep -c "t  *executions=1000 exec/s=500 seconds=[0-9]* done commit=abc123 flags=-max_len=256,-seed=1\$" \
    "$tmp/work/ledger")" -eq 2 ]
check "the flags and the shared work corpus reach both jobs" \
    [ "$(grep -c -- "-max_total_time=5 -runs=-1 -print_final_stats=1 -max_len=256 -seed=1 $tmp/work/t $tmp/seeds" \
    "$tmp/args")" -eq 2 ]
check "the first job's output on the terminal and in t.log, the second's in t.job2.log" \
    grep -q "number_of_executed_units: 1000" "$tmp/out" "$tmp/work/t.log" "$tmp/work/t.job2.log"
check "the total over runs" grep -q "^fuzz: t: 2000 executions over 2 runs without a report" "$tmp/out"

# One job that fails: reported, its status returned, not counted.
: >"$FAKE_FAIL"
rc=0
sh "$run" t "$tmp/fuzzer" "$tmp/work" "$tmp/seeds" 5 -1 abc123 >"$tmp/out" 2>&1 || rc=$?
check "a failing job's status is the script's" [ "$rc" -eq 77 ]
check "a failing job is named" grep -q "^fuzz: t job 1 failed (exit 77)" "$tmp/out"
check "its ledger line says failed, without flags" \
    grep -q "t  *executions=1000 .* failed(exit 77) commit=abc123\$" "$tmp/work/ledger"
check "the total leaves it out" grep -q "^fuzz: t: 2000 executions over 2 runs without a report" \
    "$tmp/out"

# Bad JOBS.
rc=0
sh "$run" t "$tmp/fuzzer" "$tmp/work" "$tmp/seeds" 5 -1 abc123 0 >"$tmp/out" 2>&1 || rc=$?
check "JOBS 0 is refused" [ "$rc" -eq 2 ] && grep -q "JOBS must be a number" "$tmp/out"

exit "$fail"
