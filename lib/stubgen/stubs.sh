#!/bin/sh
# Regenerates the committed stubs from a freshly started krpc-sim (on
# temporary Unix sockets): `make stubs` writes them into the source tree, and
# tests/integration/test_stubgen.sh into a temporary directory to compare.
# KRPC, TestService and Benchmark are the installed stubs (headers in
# OUTDIR/krpcmux/, included as <krpcmux/KRPC.h>); SpaceCenter, krpc-sim's,
# serves the examples and tests (flat, as users generate the game's).
# Usage: stubs.sh KRPC-SIM KRPC-STUBGEN OUTDIR DUMPFILE
set -eu
sim=$1 stubgen=$2 outdir=$3 dump=$4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/krpc-stubs.XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
"$sim" --rpc-path "$tmp/rpc" --stream-path "$tmp/stream" --quiet >"$tmp/sim.out" &
pid=$!
tries=0
until grep -q 'krpc-sim: listening' "$tmp/sim.out"; do	# the ready line
	tries=$((tries + 1))
	if [ $tries -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "stubs.sh: krpc-sim did not start" >&2
		exit 1
	fi
	sleep 0.1
done
mkdir -p "$outdir"
"$stubgen" --rpc-path "$tmp/rpc" --save-dump "$dump" -o "$outdir" --header-subdir krpcmux \
	KRPC TestService Benchmark
"$stubgen" --dump "$dump" -o "$outdir" SpaceCenter
