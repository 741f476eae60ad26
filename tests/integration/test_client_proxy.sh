#!/bin/sh
# libkrpcmux's integration tests again, through krpcmuxd: starts krpc-sim and
# krpcmuxd in front of it on temporary Unix sockets, then runs the library's
# integration test programs against the proxy (KRPC_TEST_RPC/STREAM),
# and the examples that need only KRPC against krpc-sim and the proxy.
# Every process started here is stopped on exit, whatever happens.
set -u

bin=${top_builddir:-.}
. "${top_srcdir:-.}/tests/integration/examples_krpc.sh"
tmp=$(mktemp -d /tmp/krpcmux-proxytest.XXXXXX)
sim_pid=""
mux_pid=""

cleanup() {
	[ -n "$mux_pid" ] && kill "$mux_pid" 2>/dev/null
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# wait_line FILE TEXT: waits up to 20 s for TEXT in FILE.
wait_line() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 200 ]; then
			echo "test_client_proxy: no \"$2\" in $1:"; cat "$1"
			return 1
		fi
		sleep 0.1
	done
}

"$bin/tests/sim/krpc-sim" --rpc-path "$tmp/sim-rpc" --stream-path "$tmp/sim-stream" \
	--quiet > "$tmp/sim.out" &
sim_pid=$!
wait_line "$tmp/sim.out" "krpc-sim: listening" || exit 1

"$bin/daemon/krpcmuxd" -f -c /dev/null --log-level warn \
	--upstream-rpc-path "$tmp/sim-rpc" --upstream-stream-path "$tmp/sim-stream" \
	--rpc-path "$tmp/rpc" --stream-path "$tmp/stream" --admin-path "$tmp/admin" \
	> "$tmp/mux.out" &
mux_pid=$!
wait_line "$tmp/mux.out" "krpcmuxd: listening" || exit 1

KRPC_TEST_RPC="unix:$tmp/rpc"
KRPC_TEST_STREAM="unix:$tmp/stream"
export KRPC_TEST_RPC KRPC_TEST_STREAM
status=0
# Nothing else uses these servers: server-wide stream counts are the test's.
for t in test_client test_client_stream test_client_event test_stubs; do
	echo "== $t through krpcmuxd"
	KRPC_TEST_EXCLUSIVE=1 "$bin/tests/integration/$t" || status=1
done
run_krpc_examples "against krpc-sim" --rpc-path "$tmp/sim-rpc" --stream-path "$tmp/sim-stream"
run_krpc_examples "through krpcmuxd" --rpc-path "$tmp/rpc" --stream-path "$tmp/stream"
kill -0 "$mux_pid" 2>/dev/null || { echo "test_client_proxy: krpcmuxd died"; status=1; }
exit $status
