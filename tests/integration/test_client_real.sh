#!/bin/sh
# libkrpcmux against kRPC's own TestServer (the real server core): the
# library's integration test programs and the examples that need only the
# KRPC and TestService services, first directly against the TestServer,
# then through krpcmuxd in front of it (TCP both); then test_client over
# Unix sockets, against a TestServer listening on them and through krpcmuxd
# in front of that; and the installed stubs (made from krpc-sim's
# definitions) against the ones the TestServer's definitions give.  Skips
# (77) when the TestServer or mono is absent.
# Every process started here is stopped by its pid on exit.
set -u

bin=${top_builddir:-.}
. "${top_srcdir:-.}/tests/integration/testserver.sh"
. "${top_srcdir:-.}/tests/integration/examples_krpc.sh"
ts_require test_client_real

tmp=$(mktemp -d /tmp/krpcmux-realtest.XXXXXX)
TS_PID=""
tcp_pid=""
mux_pid=""

cleanup() {
	for p in "$mux_pid" "$tcp_pid" "$TS_PID"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Paced at 60 updates a second like the game (test_call_timeout counts on
# a blocking call taking that long).
ts_start "$tmp" paced || exit 1
tcp_pid=$TS_PID

status=0

# run_suites WHERE: the library's test programs against KRPC_TEST_RPC/STREAM.
# KRPC_TEST_SERVER=testserver lets the tests that need a server of their own
# (to kill it) start a TestServer; KRPC_TEST_EXCLUSIVE=1 says nothing else
# uses the server, so server-wide counts (streams registered) mean ours.
run_suites() {
	for t in test_client test_client_stream test_client_event test_client_lost test_stubs; do
		echo "== $t $1"
		KRPC_TEST_SERVER=testserver KRPC_TEST_EXCLUSIVE=1 \
			"$bin/tests/integration/$t" || status=1
	done
}

KRPC_TEST_RPC="127.0.0.1:$TS_RPC_PORT"
KRPC_TEST_STREAM="127.0.0.1:$TS_STREAM_PORT"
export KRPC_TEST_RPC KRPC_TEST_STREAM
run_suites "against the TestServer"
run_krpc_examples "against the TestServer" --rpc-port "$TS_RPC_PORT" --stream-port "$TS_STREAM_PORT"

# The installed stubs come from krpc-sim's definitions: generated from the
# real server's they must be the same C, comments (documentation) aside.
mkdir -p "$tmp/real-stubs"
if "$bin/lib/stubgen/krpc-stubgen" -q -p "$TS_RPC_PORT" -o "$tmp/real-stubs" --header-subdir krpcmux \
    KRPC TestService Benchmark; then
	for f in krpcmux/KRPC.h KRPC.c krpcmux/TestService.h TestService.c krpcmux/Benchmark.h Benchmark.c; do
		${CC:-cc} -fpreprocessed -dD -E -P "$tmp/real-stubs/$f" >"$tmp/real.i" 2>/dev/null
		${CC:-cc} -fpreprocessed -dD -E -P "${top_srcdir:-.}/lib/stubs/$f" >"$tmp/ours.i" 2>/dev/null
		if ! cmp -s "$tmp/real.i" "$tmp/ours.i"; then
			echo "FAIL: lib/stubs/$f differs from the stubs of the TestServer's definitions:"
			diff "$tmp/ours.i" "$tmp/real.i" | head -20
			status=1
		fi
	done
else
	echo "FAIL: krpc-stubgen against the TestServer"
	status=1
fi

# start_mux UPSTREAM-ARGS...: krpcmuxd in front of the TestServer, listening
# on TCP ports mux_rpc and mux_stream and on $tmp/mux/rpc and .../stream.
start_mux() {
	mux_rpc=$(ts_free_port)
	mux_stream=$(ts_free_port)
	while [ "$mux_stream" = "$mux_rpc" ]; do mux_stream=$(ts_free_port); done
	mkdir -p "$tmp/mux"
	"$bin/daemon/krpcmuxd" -f -c /dev/null --log-level warn "$@" \
		--rpc-port "$mux_rpc" --stream-port "$mux_stream" --rpc-path "$tmp/mux/rpc" \
		--stream-path "$tmp/mux/stream" --admin-path "$tmp/mux/admin" > "$tmp/mux.out" 2>&1 &
	mux_pid=$!
	i=0
	while ! grep -q "krpcmuxd: listening" "$tmp/mux.out" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 200 ] || ! kill -0 "$mux_pid" 2>/dev/null; then
			echo "test_client_real: krpcmuxd did not start:"; cat "$tmp/mux.out"
			exit 1
		fi
		sleep 0.1
	done
}

# stop_mux: stops it, saying if it had died.
stop_mux() {
	kill -0 "$mux_pid" 2>/dev/null || { echo "test_client_real: krpcmuxd died"; status=1; }
	kill "$mux_pid"
	wait "$mux_pid" 2>/dev/null
	mux_pid=""
}

start_mux --upstream-rpc-port "$TS_RPC_PORT" --upstream-stream-port "$TS_STREAM_PORT"
KRPC_TEST_RPC="127.0.0.1:$mux_rpc"
KRPC_TEST_STREAM="127.0.0.1:$mux_stream"
run_suites "through krpcmuxd in front of the TestServer"
# A long-lived daemon serves script after script: the second run through the
# same krpcmuxd must pass as the first did (counters, streams and events are
# each client's own, nothing is left behind by the clients that left).
run_suites "a second time through the same krpcmuxd"
run_krpc_examples "through krpcmuxd in front of the TestServer" --rpc-port "$mux_rpc" \
	--stream-port "$mux_stream"
stop_mux
kill -0 "$tcp_pid" 2>/dev/null || { echo "test_client_real: the TestServer died:"; tail -20 "$tmp/testserver.out"; status=1; }
kill "$tcp_pid"
wait "$tcp_pid" 2>/dev/null
tcp_pid=""

# Over Unix sockets at the default paths for XDG_RUNTIME_DIR=$tmp/xdg.
mkdir -p "$tmp/local"
ts_start_local "$tmp/local" "$tmp/xdg/krpc/rpc" "$tmp/xdg/krpc/stream" || exit 1
KRPC_TEST_RPC="unix:$tmp/xdg/krpc/rpc"
KRPC_TEST_STREAM="unix:$tmp/xdg/krpc/stream"
echo "== test_client against the TestServer on Unix sockets"
KRPC_TEST_EXCLUSIVE=1 "$bin/tests/integration/test_client" || status=1
start_mux --upstream-rpc-path "$tmp/xdg/krpc/rpc" --upstream-stream-path "$tmp/xdg/krpc/stream"
KRPC_TEST_RPC="unix:$tmp/mux/rpc"
KRPC_TEST_STREAM="unix:$tmp/mux/stream"
echo "== test_client through krpcmuxd in front of the TestServer on Unix sockets"
KRPC_TEST_EXCLUSIVE=1 "$bin/tests/integration/test_client" || status=1
stop_mux
kill -0 "$TS_PID" 2>/dev/null || { echo "test_client_real: the TestServer died:"; tail -20 "$tmp/local/testserver.out"; status=1; }
exit $status
