#!/bin/sh
# libkrpcmux against kRPC's own TestServer (the real server core): the
# library's integration test programs and the examples that need only the
# KRPC and TestService services, first directly against the TestServer,
# then through krpcmuxd in front of it (TCP both).  Skips (77) when the
# TestServer or mono is absent.  Every process started here is stopped by
# its pid on exit.
set -u

bin=${top_builddir:-.}
. "${top_srcdir:-.}/tests/integration/testserver.sh"
. "${top_srcdir:-.}/tests/integration/examples_krpc.sh"
ts_require test_client_real

tmp=$(mktemp -d "${TMPDIR:-/tmp}/krpcmux-realtest.XXXXXX")
TS_PID=""
mux_pid=""

cleanup() {
	[ -n "$mux_pid" ] && kill "$mux_pid" 2>/dev/null
	[ -n "$TS_PID" ] && kill "$TS_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Paced at 60 updates a second like the game (test_call_timeout counts on
# a blocking call taking that long).
ts_start "$tmp" paced || exit 1

status=0

# run_suites WHERE: the library's test programs against KRPC_TEST_RPC/STREAM.
# KRPC_TEST_SERVER=testserver lets the tests that need a server of their own
# (to kill it) start a TestServer; KRPC_TEST_EXCLUSIVE=1 says nothing else
# uses the server, so server-wide counts (streams registered) mean ours.
run_suites() {
	for t in test_client test_client_stream test_client_event test_stubs; do
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

# krpcmuxd in front of the TestServer, listening on TCP.
mux_rpc=$(ts_free_port)
mux_stream=$(ts_free_port)
while [ "$mux_stream" = "$mux_rpc" ]; do mux_stream=$(ts_free_port); done
"$bin/daemon/krpcmuxd" -f -c /dev/null --log-level warn \
	--upstream-rpc-port "$TS_RPC_PORT" --upstream-stream-port "$TS_STREAM_PORT" \
	--rpc-port "$mux_rpc" --stream-port "$mux_stream" --rpc-path "$tmp/rpc" \
	--stream-path "$tmp/stream" --admin-path "$tmp/admin" > "$tmp/mux.out" 2>&1 &
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
KRPC_TEST_RPC="127.0.0.1:$mux_rpc"
KRPC_TEST_STREAM="127.0.0.1:$mux_stream"
run_suites "through krpcmuxd in front of the TestServer"
run_krpc_examples "through krpcmuxd in front of the TestServer" --rpc-port "$mux_rpc" \
	--stream-port "$mux_stream"

kill -0 "$mux_pid" 2>/dev/null || { echo "test_client_real: krpcmuxd died"; status=1; }
kill -0 "$TS_PID" 2>/dev/null || { echo "test_client_real: the TestServer died:"; tail -20 "$tmp/testserver.out"; status=1; }
exit $status
