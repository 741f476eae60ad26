# The examples that need only the KRPC service, for shell tests (sourced):
#
#   run_krpc_examples WHERE ARGS...
#       runs examples/connect, connect_remote and status with the connection
#       arguments ARGS (--rpc-port/--stream-port or --rpc-path/--stream-path)
#       and checks what they print: the server's version (0.7.0, as kRPC's
#       server and krpc-sim report it) and its counters.  Sets status=1 and
#       says why on a failure.  Needs $bin (the build directory).

run_krpc_examples() {
	rke_where=$1
	shift
	echo "== examples $rke_where"
	for rke_e in connect connect_remote; do
		rke_out=$("$bin/examples/$rke_e" "$@" 2>&1)
		if [ "$rke_out" != "0.7.0" ]; then
			echo "FAIL: examples/$rke_e $rke_where printed: $rke_out"
			status=1
		fi
	done
	rke_out=$("$bin/examples/status" "$@" 2>&1)
	for rke_field in "version: 0.7.0" "rpcs_executed: [1-9]" "stream_rpcs: [0-9]" \
	    "bytes_read: [1-9]" "bytes_written: [1-9]"; do
		if ! printf '%s\n' "$rke_out" | grep -q "^$rke_field"; then
			echo "FAIL: examples/status $rke_where: no \"$rke_field\" in: $rke_out"
			status=1
		fi
	done
}
