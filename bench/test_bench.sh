#!/bin/sh
# Smoke test of krpcmux-bench (make bench): its quickest form against a real
# krpc-sim and krpcmuxd must finish and write sane, parseable output: every
# run present in the raw lines, the numbers well formed and consistent (no
# timing thresholds), one server stream through the proxy and N direct, the
# text and Markdown reports with their tables.
set -u

top_builddir=${top_builddir:-.}
bench=$top_builddir/bench/krpcmux-bench
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_bench.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	for f in out raw md err; do
		[ -f "$tmp/$f" ] && { echo "--- $f" >&2; cat "$tmp/$f" >&2; }
	done
	exit 1
}

# socat is compared with when it is installed (configure looks for it too).
if command -v socat >/dev/null 2>&1; then
	socat=socat
	latency_runs=8
else
	socat=
	latency_runs=6
fi

timeout 120 "$bench" --rounds 1 --calls 200 --warmup-calls 20 --window 1 --warmup 0.3 \
    --clients 1,10 --tcp-clients 10 --direct-clients 1,10 --socat "$socat" \
    --fanout-sets ut,flight10 --fan10-clients 3 \
    --concurrent 1,3 --conc-rounds 1 --conc-window 0.5 --servers sim-unpaced \
    --raw "$tmp/raw" --markdown "$tmp/md" >"$tmp/out" 2>"$tmp/err" ||
	fail "krpcmux-bench exited with status $?"

# Latency lines: call, path, 200 calls, 0 < min <= median <= p99 <= max, CPU per call for forwarders.
awk -F '\t' -v want="$latency_runs" '
function num(x) { return x ~ /^[0-9]+(\.[0-9]+)?$/ }
$1 == "latency" {
	n++
	if ($5 != 200) { print "calls " $5 " in: " $0; bad++ }
	if (!num($6) || !num($7) || !num($9) || !num($10)) { print "not numbers: " $0; bad++; next }
	if (!($9 > 0 && $9 <= $6 && $6 <= $7 && $7 <= $10)) { print "order: " $0; bad++ }
	if ($4 ~ /^direct/ && $11 !~ /nan/) { print "direct has a forwarder: " $0; bad++ }
	if ($4 !~ /^direct/ && !(num($11) && $11 > 0)) { print "no forwarder CPU: " $0; bad++ }
	seen[$3 "/" $4] = 1
}
END {
	if (n != want) { print n " latency lines, expected " want; bad++ }
	for (c in seen) k++
	if (k != want) { print k " distinct call/path pairs, expected " want; bad++ }
	exit bad > 0
}' "$tmp/raw" >&2 || fail "latency lines"

# Fan-out lines: five runs of one stream, three of ten streams per client;
# values arrived for every client; one upstream stream per distinct call
# through krpcmuxd (Unix or TCP), N (or 10 N) straight to krpc-sim; no anomalies.
awk -F '\t' '
function num(x) { return x ~ /^[0-9]+(\.[0-9]+)?$/ }
$1 == "fanout" {
	n++
	per = $20 == "flight10" ? 10 : 1
	key = $20 "/" $3 "/" $4
	seen[key] = 1
	if (!num($6) || $6 < 1) { print "no values: " $0; bad++ }
	if (!num($9) || $9 <= 0) { print "a client received nothing: " $0; bad++ }
	if (!num($12) || !num($13) || !num($15)) { print "CPU or evaluations not numbers: " $0; bad++ }
	if ($15 <= 0) { print "no stream evaluations: " $0; bad++ }
	if ($18 != 0) { print "anomalies: " $0; bad++ }
	if ($3 == "krpcmuxd-unix" || $3 == "krpcmuxd-tcp") {
		if ($14 != per) { print "server streams " $14 " through the proxy: " $0; bad++ }
		if (!num($10) || !num($11) || !num($19)) { print "no proxy CPU: " $0; bad++ }
	} else if ($3 == "direct") {
		if ($14 != $4 * per) { print "server streams " $14 " for " $4 " direct clients: " $0; bad++ }
		if ($10 !~ /nan/) { print "proxy CPU on a direct run: " $0; bad++ }
	} else { print "unknown path: " $0; bad++ }
	if ($4 > 1 && !(num($16) && num($17) && $16 <= $17)) { print "spread: " $0; bad++ }
}
END {
	if (n != 8) { print n " fan-out lines, expected 8"; bad++ }
	split("ut/krpcmuxd-unix/1 ut/direct/1 ut/krpcmuxd-unix/10 ut/krpcmuxd-tcp/10 ut/direct/10 " \
	    "flight10/krpcmuxd-unix/3 flight10/krpcmuxd-tcp/3 flight10/direct/3", want, " ")
	for (i in want) if (!(want[i] in seen)) { print "missing " want[i]; bad++ }
	exit bad > 0
}' "$tmp/raw" >&2 || fail "fan-out lines"

# Concurrent-call lines: 2 client counts x 3 paths, calls made, p50 <= p99,
# proxy CPU measured through krpcmuxd only.
awk -F '\t' -v socat="$socat" '
function num(x) { return x ~ /^[0-9]+(\.[0-9]+)?$/ }
$1 == "concurrent" {
	n++
	seen[$4 "/" $5] = 1
	if ($2 != "sim-unpaced") { print "server: " $0; bad++ }
	if (!num($6) || $6 < 1 || !num($7) || $7 <= 0) { print "no calls: " $0; bad++ }
	if (!num($8) || !num($9) || $8 > $9) { print "p50/p99: " $0; bad++ }
	mux = $4 == "krpcmuxd-unix" || $4 == "krpcmuxd-tcp"
	if (!mux && $10 !~ /nan/) { print "proxy CPU on a run without krpcmuxd: " $0; bad++ }
	if (mux && !num($10)) { print "no proxy CPU: " $0; bad++ }
}
END {
	expect = socat != "" ? 8 : 6
	if (n != expect) { print n " concurrent lines, expected " expect; bad++ }
	split("direct/1 krpcmuxd-unix/1 krpcmuxd-tcp/1 direct/3 krpcmuxd-unix/3 krpcmuxd-tcp/3" \
	    (socat != "" ? " socat-tcp/1 socat-tcp/3" : ""), want, " ")
	for (i in want) if (!(want[i] in seen)) { print "missing " want[i]; bad++ }
	exit bad > 0
}' "$tmp/raw" >&2 || fail "concurrent lines"

# The reports: every section, the tables, the verdicts.
for text in "== Machine ==" "CPU: " "Kernel: " "Load averages" "== Round-trip latency" \
    "KRPC.GetStatus" "TestService.FloatToString" "== Stream fan-out" "== Targets ==" \
    "Latency target" "Fan-out: no run with 1000 clients" "Deduplication: the server held one stream per distinct call" \
    "== Stream fan-out (ten streams per client" \
    "== Concurrent calls (TestService.FloatToString; krpc-sim, unpaced) ==" \
    "Concurrent calls, krpc-sim, unpaced, 3 clients via krpcmuxd (Unix): "; do
	grep -qF "$text" "$tmp/out" || fail "no \"$text\" in the text report"
done
for text in "### Machine" "### Round-trip latency" "### Stream fan-out" "### Targets" \
    "| Call | Path | Median |" "| Clients | Path | Values/s |" "|---:"; do
	grep -qF "$text" "$tmp/md" || fail "no \"$text\" in the Markdown report"
done
rows=$(grep -c '^| [0-9]' "$tmp/md")
want_rows=14
[ -n "$socat" ] && want_rows=16	# the socat row of each concurrent client count
[ "$rows" -eq "$want_rows" ] || fail "$rows fan-out and concurrent rows in the Markdown report, expected $want_rows"
rows=$(grep -c '^| [KT][A-Za-z]*\.' "$tmp/md")
[ "$rows" -eq "$latency_runs" ] || fail "$rows latency rows in the Markdown report"
# --conc-paths leaves paths out; --daemon-conf is the file krpcmuxd reads (a
# bad one stops the run); an unknown path name is a clear usage error.
printf 'upstream: { batch_calls = 1; };\n' >"$tmp/good.conf"
timeout 60 "$bench" --no-latency --no-fanout --concurrent 1 --conc-rounds 1 --conc-window 0.5 \
    --servers sim-unpaced --conc-paths unix --daemon-conf "$tmp/good.conf" \
    --raw "$tmp/raw" >"$tmp/out" 2>"$tmp/err" || fail "--conc-paths/--daemon-conf run: status $?"
n=$(awk -F '\t' '$1 == "concurrent" { print $4 }' "$tmp/raw" | sort | tr '\n' ' ')
[ "$n" = "direct krpcmuxd-unix " ] || fail "--conc-paths unix ran: $n"
grep -qF "krpcmuxd configuration: $tmp/good.conf" "$tmp/out" || fail "report does not name the configuration"
printf 'upstream: { no_such_option = 1; };\n' >"$tmp/bad.conf"
if timeout 60 "$bench" --no-latency --no-fanout --concurrent 1 --conc-rounds 1 --conc-window 0.5 \
    --servers sim-unpaced --conc-paths unix --daemon-conf "$tmp/bad.conf" >"$tmp/out" 2>"$tmp/err"; then
	fail "krpcmuxd started with a configuration it cannot read"
fi
if "$bench" --conc-paths bogus >"$tmp/out" 2>"$tmp/err"; then
	fail "--conc-paths bogus accepted"
fi
grep -qF 'unknown name "bogus"' "$tmp/err" || fail "no clear error for --conc-paths bogus"

# krpc-sim against kRPC's TestServer, where it is installed: krpc-sim --spin
# runs, and the comparison table has its row (ratios, not judged here).
ts_dir=${KRPC_TESTSERVER:-${top_srcdir:-.}/../shared/krpc-testserver}
if [ -r "$ts_dir/TestServer.exe" ] && command -v mono >/dev/null 2>&1; then
	timeout 120 "$bench" --no-latency --no-fanout --concurrent 1 --conc-rounds 1 \
	    --conc-window 0.5 --servers testserver-unpaced,sim-spin-unpaced \
	    --raw "$tmp/raw" >"$tmp/out" 2>"$tmp/err" ||
		fail "krpcmux-bench against the TestServer exited with status $?"
	n=$(awk -F '\t' '$1 == "concurrent" && $4 == "direct" { print $2 }' "$tmp/raw" | sort | tr '\n' ' ')
	[ "$n" = "sim-spin-unpaced testserver-unpaced " ] || fail "direct runs: $n"
	grep -qF "== krpc-sim over kRPC's TestServer (concurrent calls, direct) ==" "$tmp/out" ||
		fail "no comparison table"
	grep -Eq '^krpc-sim --spin, unpaced +1 +[0-9]+\.[0-9]{2} +[0-9]+\.[0-9]{2} +[0-9]+\.[0-9]{2} +(yes|no)' \
	    "$tmp/out" || fail "no comparison row"
	grep -qxF '  krpc-sim --spin: --spin --call-cost 10 --gc-every 1500 --gc-pause 600' "$tmp/out" ||
		fail "the report does not name krpc-sim --spin's options"
else
	echo "kRPC's TestServer is not here: the comparison with it is not tried"
fi
echo "krpcmux-bench smoke test passed"
exit 0
