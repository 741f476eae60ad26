#!/bin/sh
# Runs one libFuzzer target for `make fuzz` and keeps account of it.
#
# usage: fuzz-run.sh NAME BINARY WORKDIR SEEDS SECONDS RUNS [COMMIT [JOBS [FLAG...]]]
#
# The fuzzer reads its seed corpus and the work corpus (where its new inputs
# go), runs for SECONDS (0: no limit) or RUNS inputs (-1: no limit; with
# JOBS, per job), with any further libFuzzer FLAGs (say -max_len=256), and
# its output goes to the terminal and to WORKDIR/NAME.log.  JOBS (default 1)
# runs that many copies at once on the same work corpus (one per core); the
# others' output goes to WORKDIR/NAME.jobK.log.  Then one line per job is
# added to WORKDIR/ledger: when, the target, the inputs executed, the rate,
# how it ended (done, stopped: interrupted, or failed: a crash, leak,
# sanitizer report or timeout, with the exit status), the source commit and
# the flags; and the target's executions over every run in the ledger that
# did not fail are printed, so that runs on several days add up to a figure
# (docs/reliability.md).  Ctrl-C stops every job (each prints its
# statistics) and the runs are still recorded.  Exit status: the first
# job's that was not 0 (a stop by Ctrl-C too), else 0.
set -u
[ $# -ge 6 ] || {
	echo "usage: $0 NAME BINARY WORKDIR SEEDS SECONDS RUNS [COMMIT [JOBS [FLAG...]]]" >&2
	exit 2
}
name=$1 bin=$2 work=$3 seeds=$4 seconds=$5 runs=$6 commit=${7:-unknown} jobs=${8:-1}
shift $(( $# < 8 ? $# : 8 ))
flags="$*"
case $jobs in ''|*[!0-9]*|0) echo "$0: JOBS must be a number from 1" >&2; exit 2;; esac

mkdir -p "$work/$name" || exit 1

# Job K's log: the first job's is NAME.log (also on the terminal).
joblog() {
	if [ "$1" -eq 1 ]; then echo "$work/$name.log"; else echo "$work/$name.job$1.log"; fi
}

# One job, its log LOG: the fuzzer's status goes to LOG.rc (a pipeline's would be tee's).
fuzz() {
	rcfile=$1.rc
	shift
	"$bin" -max_total_time="$seconds" -runs="$runs" -print_final_stats=1 "$@" \
	    "$work/$name" "$seeds" 2>&1
	echo $? >"$rcfile"
}

# Adds job K's line to the ledger; prints its status and whether it failed.
record() {
	log=$(joblog "$1")
	rc=$(cat "$log.rc" 2>/dev/null || echo 1)
	rm -f "$log.rc"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	if grep -q "run interrupted" "$log"; then
		how=stopped
	elif [ "$rc" -eq 0 ]; then
		how=done
	else
		how="failed(exit $rc)"
	fi
	printf '%s %-7s executions=%s exec/s=%s seconds=%s %s commit=%s%s\n' \
	    "$(date -u +%Y-%m-%dT%H:%MZ)" "$name" "${execs:-0}" "${rate:-0}" "$secs" "$how" \
	    "$commit" "${flags:+ flags=$(echo "$flags" | tr ' ' ',')}" >>"$ledger"
	case $how in failed*) echo "$rc failed";; *) echo "$rc";; esac
}

ledger=$work/ledger
pids=
# Ctrl-C reaches the foreground job from the terminal; the others get it from here.
trap 'for p in $pids; do kill -INT "$p" 2>/dev/null; done' INT
start=$(date +%s)
k=2
while [ "$k" -le "$jobs" ]; do
	log=$(joblog "$k")
	# shellcheck disable=SC2086 # the flags are words
	( trap - INT; fuzz "$log" $flags >"$log" ) &
	pids="$pids $!"
	k=$((k + 1))
done
log=$(joblog 1)
# shellcheck disable=SC2086
( trap - INT; fuzz "$log" $flags ) | tee "$log"
for p in $pids; do
	while ! wait "$p"; do		# a trapped signal ends wait early
		kill -0 "$p" 2>/dev/null || break
	done
done
secs=$(( $(date +%s) - start ))
status=0
k=1
while [ "$k" -le "$jobs" ]; do
	set -- $(record "$k")
	[ "$status" -ne 0 ] || status=$1
	[ $# -eq 1 ] || echo "fuzz: $name job $k failed (exit $1): $(joblog "$k")" >&2
	k=$((k + 1))
done
awk -v t="$name" '$2 == t && $0 !~ / failed/ { sub("executions=", "", $3); n += $3; k++ }
    END { printf "fuzz: %s: %d executions over %d runs without a report (%s)\n", t, n, k,
    FILENAME }' "$ledger"
exit "$status"
