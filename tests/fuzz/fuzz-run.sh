#!/bin/sh
# Runs one libFuzzer target for `make fuzz` and keeps account of it.
#
# usage: fuzz-run.sh NAME BINARY WORKDIR SEEDS SECONDS RUNS [COMMIT]
#
# The fuzzer reads its seed corpus and the work corpus (where its new inputs
# go), runs for SECONDS (0: no limit) or RUNS inputs (-1: no limit), and its
# output goes to the terminal and to WORKDIR/NAME.log.  Then one line is
# added to WORKDIR/ledger: when, the target, the inputs executed, the rate,
# how it ended (done, stopped: interrupted, or failed: a crash, leak,
# sanitizer report or timeout, with the exit status) and the source commit;
# and the target's executions over every run in the ledger that did not
# fail are printed, so that runs on several days add up to a figure
# (docs/reliability.md).  Ctrl-C stops the fuzzer (it prints its
# statistics) and the run is still recorded.  Exit status: the fuzzer's.
set -u
[ $# -ge 6 ] || { echo "usage: $0 NAME BINARY WORKDIR SEEDS SECONDS RUNS [COMMIT]" >&2; exit 2; }
name=$1 bin=$2 work=$3 seeds=$4 seconds=$5 runs=$6 commit=${7:-unknown}
log=$work/$name.log
ledger=$work/ledger

mkdir -p "$work/$name" || exit 1
trap '' INT		# the fuzzer takes Ctrl-C; this script lives on to record the run
start=$(date +%s)
# the fuzzer's status comes back through a file: a pipeline's status is tee's
( trap - INT; "$bin" -max_total_time="$seconds" -runs="$runs" -print_final_stats=1 \
    "$work/$name" "$seeds" 2>&1; echo $? >"$log.rc" ) | tee "$log"
rc=$(cat "$log.rc" 2>/dev/null || echo 1)
rm -f "$log.rc"
secs=$(( $(date +%s) - start ))
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
if grep -q "run interrupted" "$log"; then
	how=stopped
elif [ "$rc" -eq 0 ]; then
	how=done
else
	how="failed(exit $rc)"
fi
printf '%s %-7s executions=%s exec/s=%s seconds=%s %s commit=%s\n' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$name" "${execs:-0}" "${rate:-0}" "$secs" "$how" \
    "$commit" >>"$ledger"
awk -v t="$name" '$2 == t && $0 !~ / failed/ { sub("executions=", "", $3); n += $3; k++ }
    END { printf "fuzz: %s: %d executions over %d runs without a report (%s)\n", t, n, k,
    FILENAME }' "$ledger"
exit "$rc"
