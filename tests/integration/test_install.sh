#!/bin/sh
# libkrpcmux as a user gets it: `make install` into a staging directory,
# then, outside the tree, a program built with pkg-config against the
# installed headers and libraries (<krpcmux/KRPC.h>, libkrpcmux-stubs), and
# the krpc-stubgen workflow for another service (SpaceCenter from krpc-sim,
# standing in for the game): generate, compile with the program, run.  Also
# checks that mixing typed handles does not compile.  Every process started
# here is stopped by its pid on exit.
set -u
bin=${top_builddir:-.}
src=${top_srcdir:-.}
cc=${CC:-cc}
tmp=$(mktemp -d /tmp/krpcmux-install.XXXXXX)
sim_pid=""
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "FAIL: $*"; exit 1; }

# Install, as the user would (DESTDIR: nothing outside $tmp is touched).
${MAKE:-make} -s -C "$bin" install DESTDIR="$tmp/stage" >"$tmp/install.out" 2>&1 ||
	{ cat "$tmp/install.out"; fail "make install"; }
pc=$(find "$tmp/stage" -name libkrpcmux-stubs.pc | head -1)
[ -n "$pc" ] || fail "libkrpcmux-stubs.pc was not installed"
stubgen=$(find "$tmp/stage" -name krpc-stubgen -type f | head -1)
[ -n "$stubgen" ] || fail "krpc-stubgen was not installed"
PKG_CONFIG_PATH=$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
PKG_CONFIG_SYSROOT_DIR=$tmp/stage
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
libdir=$(dirname "$(dirname "$pc")")
LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
for h in krpcmux.h status.h KRPC.h TestService.h Benchmark.h; do
	[ -f "$(dirname "$libdir")/include/krpcmux/$h" ] || fail "krpcmux/$h was not installed"
done
# A sanitizer build installs instrumented libraries: the program must be built the same way.
flags="-std=gnu11 -Wall -Wextra -Werror ${SANITIZER_CFLAGS:-} $(pkg-config --cflags libkrpcmux-stubs)"
libs="$(pkg-config --libs libkrpcmux-stubs) ${SANITIZER_LDFLAGS:-}" || fail "pkg-config libkrpcmux-stubs"

# krpc-sim: the server for the program, and the "game" stubgen reads.
"$bin/tests/sim/krpc-sim" --rpc-port 0 --stream-port 0 --quiet >"$tmp/sim.out" &
sim_pid=$!
i=0
until grep -q 'krpc-sim: listening' "$tmp/sim.out"; do
	i=$((i + 1))
	[ $i -le 300 ] && kill -0 "$sim_pid" 2>/dev/null || fail "krpc-sim did not start"
	sleep 0.1
done
rpc=$(sed -n 's/.*rpc=127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$tmp/sim.out")
stream=$(sed -n 's/.*stream=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/sim.out")

# The workflow of krpc-stubgen(1): stubs of the game's service next to the program.
mkdir -p "$tmp/prog"
"$stubgen" -q -a 127.0.0.1 -p "$rpc" -o "$tmp/prog" SpaceCenter || fail "krpc-stubgen SpaceCenter"
cp "$src/tests/integration/installed.c" "$tmp/prog/main.c"
(cd "$tmp/prog" && $cc $flags -o prog main.c SpaceCenter.c $libs) || fail "building against the installed library"
"$tmp/prog/prog" 127.0.0.1 "$rpc" "$stream" || fail "the program built against the installed library"

# A vessel where a flight is expected does not compile (typed handles).
cat >"$tmp/prog/mixup.c" <<'EOF'
#include "SpaceCenter.h"
krpc_code_t mixup(krpc_client_t *c, SpaceCenter_Vessel v);
krpc_code_t
mixup(krpc_client_t *c, SpaceCenter_Vessel v)
{
	double alt;

	return SpaceCenter_Flight_get_MeanAltitude(c, v, &alt);
}
EOF
if (cd "$tmp/prog" && $cc $flags -c mixup.c -o mixup.o) >"$tmp/mixup.err" 2>&1; then
	fail "a SpaceCenter_Vessel passed as a SpaceCenter_Flight compiled"
fi
grep -q "incompatible type" "$tmp/mixup.err" || { cat "$tmp/mixup.err"; fail "no type error for the mix-up"; }
echo "installed: built with pkg-config, ran against krpc-sim; the handle mix-up is a compile error"
