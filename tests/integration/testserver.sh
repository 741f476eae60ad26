# kRPC's own TestServer for shell tests (sourced).  It lives outside the
# project: $KRPC_TESTSERVER, or ../shared/krpc-testserver beside the source
# tree.  A user's clone has none, so tests that need it skip (exit 77).
#
#   ts_require WHAT        exit 77 with a message unless it can run
#   ts_start DIR [paced|unpaced]
#                          start it on free ports; sets TS_PID, TS_RPC_PORT,
#                          TS_STREAM_PORT (stdout in DIR/testserver.out);
#                          stop it with kill "$TS_PID"
#   ts_start_local DIR RPC_PATH STREAM_PATH
#                          start it on Unix sockets instead (its hidden
#                          --type=localsocket), paced; sets TS_PID

ts_dir=${KRPC_TESTSERVER:-${top_srcdir:-.}/../shared/krpc-testserver}

ts_require() {
	if [ ! -r "$ts_dir/TestServer.exe" ]; then
		echo "SKIP: $1: kRPC's TestServer is not here (set KRPC_TESTSERVER to its folder," \
			"or put it at ../shared/krpc-testserver beside the source tree)"
		exit 77
	fi
	if ! command -v mono >/dev/null 2>&1; then
		echo "SKIP: $1: mono is not installed (scripts/deps.sh installs it when the TestServer is present)"
		exit 77
	fi
}

# ts_free_port: a free loopback TCP port.
ts_free_port() {
	"${PYTHON3:-python3}" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

ts_start() {
	ts_out="$1/testserver.out"
	TS_RPC_PORT=$(ts_free_port)
	TS_STREAM_PORT=$(ts_free_port)
	while [ "$TS_STREAM_PORT" = "$TS_RPC_PORT" ]; do TS_STREAM_PORT=$(ts_free_port); done
	ts_pacing=""
	[ "${2:-paced}" = unpaced ] && ts_pacing="--no-frame-pacing"
	# shellcheck disable=SC2086
	mono "$ts_dir/TestServer.exe" --rpc-port="$TS_RPC_PORT" --stream-port="$TS_STREAM_PORT" \
		$ts_pacing > "$ts_out" 2>&1 &
	TS_PID=$!
	ts_wait_started
}

# ts_wait_started: waits for the server's ready line in $ts_out.
ts_wait_started() {
	ts_i=0
	while ! grep -q "Server started successfully" "$ts_out" 2>/dev/null; do
		ts_i=$((ts_i + 1))
		if [ "$ts_i" -gt 600 ] || ! kill -0 "$TS_PID" 2>/dev/null; then
			echo "testserver: did not start; its output:"; cat "$ts_out"
			return 1
		fi
		sleep 0.1
	done
}

ts_start_local() {
	ts_out="$1/testserver.out"
	mono "$ts_dir/TestServer.exe" --type=localsocket --rpc-path="$2" --stream-path="$3" \
		> "$ts_out" 2>&1 &
	TS_PID=$!
	ts_wait_started
}
