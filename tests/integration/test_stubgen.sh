#!/bin/sh
# krpc-stubgen: regenerating the committed stubs (lib/stubs/: the installed
# KRPC, TestService and Benchmark under krpcmux/, and krpc-sim's SpaceCenter)
# from a running krpc-sim (TCP and Unix sockets) and from the committed
# GetServices dump gives the same bytes, the dump itself is current, and the
# command line reports errors (unknown services, clashing names, bad dumps
# and options).
set -eu
: "${top_srcdir:=.}" "${top_builddir:=.}"
stubgen=$top_builddir/lib/stubgen/krpc-stubgen
sim=$top_builddir/tests/sim/krpc-sim
stubs=$top_srcdir/lib/stubs
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_stubgen.XXXXXX")
simpid=
cleanup() {
	if [ -n "$simpid" ]; then
		kill "$simpid" 2>/dev/null || :
		wait "$simpid" 2>/dev/null || :
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
fail=0

# The committed stubs: the installed ones (headers under krpcmux/) and krpc-sim's SpaceCenter.
committed="krpcmux/KRPC.h KRPC.c krpcmux/TestService.h TestService.c krpcmux/Benchmark.h Benchmark.c
	SpaceCenter.h SpaceCenter.c"

# Compares the generated files in $1 with the committed ones.
compare() {
	for f in $committed; do
		if ! cmp "$1/$f" "$stubs/$f"; then
			echo "FAIL: $1/$f differs from lib/stubs/$f (run make stubs):"
			diff -u "$stubs/$f" "$1/$f" | head -40
			fail=1
		fi
	done
}

# From a running krpc-sim (stubs.sh starts and stops it), saving a dump.
timeout 120 sh "$top_srcdir/lib/stubgen/stubs.sh" "$sim" "$stubgen" "$tmp/live" "$tmp/live.services"
compare "$tmp/live"
if ! cmp "$tmp/live.services" "$stubs/krpc-sim.services"; then
	echo "FAIL: krpc-sim's GetServices differs from lib/stubs/krpc-sim.services (run make stubs)"
	fail=1
fi

# Over TCP too (krpc-sim on ephemeral ports; its ready line gives them).
"$sim" --rpc-port 0 --stream-port 0 --quiet >"$tmp/sim.out" &
simpid=$!
tries=0
until grep -q 'krpc-sim: listening' "$tmp/sim.out"; do
	tries=$((tries + 1))
	[ $tries -le 300 ] && kill -0 "$simpid" 2>/dev/null || { echo "FAIL: krpc-sim did not start"; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/.*rpc=127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$tmp/sim.out")
timeout 60 "$stubgen" -q -a 127.0.0.1 -p "$port" -n stubgen-test -o "$tmp/tcp" --header-subdir krpcmux \
    KRPC TestService Benchmark
timeout 60 "$stubgen" -q -a 127.0.0.1 -p "$port" -n stubgen-test -o "$tmp/tcp" SpaceCenter
compare "$tmp/tcp"
kill "$simpid"
wait "$simpid" 2>/dev/null || :
simpid=

# From the committed dump, twice: the second run changes nothing.
timeout 60 "$stubgen" -q --dump "$stubs/krpc-sim.services" -o "$tmp/dump" --header-subdir krpcmux \
    KRPC TestService Benchmark
timeout 60 "$stubgen" -q --dump "$stubs/krpc-sim.services" -o "$tmp/dump" SpaceCenter
compare "$tmp/dump"
timeout 60 "$stubgen" --dump "$stubs/krpc-sim.services" -o "$tmp/dump" SpaceCenter 2>"$tmp/again"
if [ "$(grep -c unchanged "$tmp/again")" != 2 ]; then
	echo "FAIL: a second run rewrote files:"; cat "$tmp/again"; fail=1
fi

# Listing, unknown services, bad dumps and bad options fail cleanly.
timeout 60 "$stubgen" --list --dump "$stubs/krpc-sim.services" >"$tmp/list"
grep -q '^SpaceCenter: 56 procedures, 7 classes' "$tmp/list" || { echo "FAIL: --list"; cat "$tmp/list"; fail=1; }
if timeout 60 "$stubgen" -q --dump "$stubs/krpc-sim.services" -o "$tmp" NoSuchService 2>"$tmp/err"; then
	echo "FAIL: an unknown service was accepted"; fail=1
fi
grep -q 'no service named NoSuchService' "$tmp/err" || { echo "FAIL: message"; cat "$tmp/err"; fail=1; }
if timeout 60 "$stubgen" -q --dump "$top_srcdir/tests/unit/data/stubgen-edge.services" -o "$tmp/clash" \
    Clash 2>"$tmp/err"; then
	echo "FAIL: clashing C names were accepted"; fail=1
fi
grep -q 'the C name Clash_Foo would be defined twice' "$tmp/err" || { echo "FAIL: clash message"; cat "$tmp/err"; fail=1; }
printf 'garbage' >"$tmp/bad.services"
if timeout 60 "$stubgen" -q --dump "$tmp/bad.services" -o "$tmp" 2>"$tmp/err"; then
	echo "FAIL: a malformed dump was accepted"; fail=1
fi
set +e
timeout 60 "$stubgen" --no-such-option >/dev/null 2>&1
rc=$?
timeout 60 "$stubgen" -q --rpc-path "$tmp/nothing-listens-here" -o "$tmp" 2>"$tmp/err"
rc2=$?
set -e
[ $rc = 2 ] || { echo "FAIL: a bad option exited $rc, not 2"; fail=1; }
[ $rc2 = 1 ] || { echo "FAIL: an unreachable server exited $rc2, not 1"; fail=1; }
grep -q 'cannot connect' "$tmp/err" || { echo "FAIL: connect message"; cat "$tmp/err"; fail=1; }
exit $fail
