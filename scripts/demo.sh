#!/bin/sh
# The krpcmux demo: builds the project (installing missing Debian packages),
# starts krpc-sim as the game and krpcmuxd in front of it, runs several
# dashboard clients at once that share streams through the proxy while the
# rocket launches, then runs the same dashboards straight to the game for
# comparison, and prints what the proxy saved.  Everything it starts is
# stopped when it exits.
# Usage: scripts/demo.sh [CLIENTS]   (default 5 dashboards)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
clients=${1:-5}
seconds=10
jobs=$(nproc 2>/dev/null || echo 2)

cd "$top"
scripts/deps.sh
[ -x configure ] || autoreconf -fi
mkdir -p build/demo
cd build/demo
[ -f Makefile ] || "$top/configure" -q
echo "krpcmux demo: building (make -j$jobs) ..."
make -j"$jobs" >/dev/null
bin=$(pwd)

tmp=$(mktemp -d /tmp/krpcmux-demo.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# wait_for FILE TEXT: waits up to 20 s for TEXT to appear in FILE.
wait_for() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le 200 ] || { echo "krpcmux demo: no \"$2\" in $1" >&2; cat "$1" >&2; exit 1; }
		sleep 0.1
	done
}

# status_field NAME: one counter from the game's KRPC.GetStatus, asked directly.
status_field() {
	"$bin/examples/status" --rpc-port "$sim_rpc" --stream-port "$sim_stream" |
		sed -n "s/^$1: //p"
}

# evaluations_per_second: the game's stream evaluations over two seconds.
evaluations_per_second() {
	a=$(status_field stream_rpcs_executed)
	sleep 2
	b=$(status_field stream_rpcs_executed)
	echo $(((b - a) / 2))
}

echo "krpcmux demo: starting krpc-sim as the game"
"$bin/tests/sim/krpc-sim" --rpc-port 0 --stream-port 0 --quiet > "$tmp/sim.out" &
pids="$pids $!"
wait_for "$tmp/sim.out" "krpc-sim: listening"
sim_rpc=$(sed -n 's/.*rpc=127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/sim.out")
sim_stream=$(sed -n 's/.*stream=127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/sim.out")
echo "  $(cat "$tmp/sim.out")"

echo "krpcmux demo: starting krpcmuxd in front of it"
"$bin/daemon/krpcmuxd" -f -c /dev/null --log-level warn \
	--upstream-rpc-port "$sim_rpc" --upstream-stream-port "$sim_stream" \
	--rpc-path "$tmp/rpc" --stream-path "$tmp/stream" --admin-path "$tmp/admin" \
	> "$tmp/mux.out" 2> "$tmp/mux.err" &
pids="$pids $!"
wait_for "$tmp/mux.out" "krpcmuxd: listening"
echo "  $(cat "$tmp/mux.out")"

echo
echo "== $clients dashboards through krpcmuxd, each streaming altitude, vertical speed, UT and abort"
i=1
while [ "$i" -le "$clients" ]; do
	"$bin/examples/dashboard" --name "dashboard $i" --rpc-path "$tmp/rpc" --stream-path "$tmp/stream" \
		--seconds "$seconds" > "$tmp/dash$i.out" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
sleep 1
"$bin/examples/launch" --rpc-path "$tmp/rpc" --stream-path "$tmp/stream" | sed 's/^/  /'
sleep 3
proxied_streams=$(status_field stream_rpcs)
proxied_rate=$(evaluations_per_second)
"$bin/daemon/krpcmuxctl" --admin-path "$tmp/admin" status > "$tmp/mux.status"
# Let the dashboards finish; show the first one's lines and the others' last.
while [ "$(grep -c '^t=' "$tmp/dash1.out" 2>/dev/null || echo 0)" -lt "$seconds" ] &&
    kill -0 $(echo "$pids" | awk '{print $NF}') 2>/dev/null; do
	sleep 0.5
done
sleep 1
echo "  dashboard 1:"
sed 's/^/    /' "$tmp/dash1.out"
i=2
while [ "$i" -le "$clients" ]; do
	echo "  dashboard $i: $(tail -n 1 "$tmp/dash$i.out")"
	i=$((i + 1))
done

echo
echo "== the same $clients dashboards straight to the game, for comparison"
i=1
while [ "$i" -le "$clients" ]; do
	"$bin/examples/dashboard" --name "direct $i" --rpc-port "$sim_rpc" --stream-port "$sim_stream" \
		--seconds 5 > "$tmp/direct$i.out" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
sleep 2
direct_streams=$(status_field stream_rpcs)
direct_rate=$(evaluations_per_second)
wait_for "$tmp/direct1.out" "t=5s"
echo "  direct dashboard 1: $(tail -n 1 "$tmp/direct1.out")"

subs=$(sed -n 's/^subscriptions //p' "$tmp/mux.status")
sent=$(sed -n 's/^values_sent //p' "$tmp/mux.status")
echo
echo "== what krpcmuxd saved the game"
printf '  %-34s %16s %16s\n' "" "through krpcmuxd" "direct"
printf '  %-34s %16s %16s\n' "connections to the game (approvals)" "1" "$clients"
printf '  %-34s %16s %16s\n' "streams registered in the game" "$proxied_streams" "$direct_streams"
printf '  %-34s %16s %16s\n' "stream evaluations per second" "$proxied_rate" "$direct_rate"
if [ "$direct_rate" -gt 0 ]; then
	echo "  The game evaluated $((100 - 100 * proxied_rate / direct_rate))% fewer streams; krpcmuxd served"
	echo "  ${subs:-?} client subscriptions from $proxied_streams upstream streams (${sent:-?} values fanned out so far)."
fi
