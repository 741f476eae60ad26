#!/bin/sh
# Runs the whole krpcmux test suite, as CI does: installs missing Debian
# packages, then builds twice from this tree and runs `make check` in each:
# first as `make distcheck` (the release tarball built out of tree with
# warnings as errors, its `make check`, install and uninstall), then with
# AddressSanitizer + UndefinedBehaviorSanitizer; and the client library's
# threaded tests under ThreadSanitizer.  The distcheck replaces a plain
# first `make check` rather than adding a third run of the suite.
# Build trees go to build/check and build/sanitize.
# Usage: scripts/test.sh [--quick]   (--quick: skip the sanitizer build)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
quick=no
[ "${1:-}" = "--quick" ] && quick=yes

scripts/deps.sh
[ -x configure ] || autoreconf -fi
# The tests find kRPC's TestServer beside the source tree; distcheck's tree
# is elsewhere, so name the folder once for all of them.
if [ -z "${KRPC_TESTSERVER:-}" ] && [ -d "$top/../shared/krpc-testserver" ]; then
	KRPC_TESTSERVER=$(cd "$top/../shared/krpc-testserver" && pwd)
	export KRPC_TESTSERVER
fi

# run_suite NAME TARGET CONFIGURE-FLAGS...: configure in build/NAME, build,
# make TARGET (check, or distcheck configured with the same flags).
run_suite() {
	name=$1
	target=$2
	shift 2
	echo "== krpcmux: make $target ($name: $*) =="
	mkdir -p "build/$name"
	(
		cd "build/$name"
		[ -f Makefile ] || "$top/configure" -q "$@"
		[ "$target" = distcheck ] || make -j"$jobs"	# distcheck builds its own tree
		if ! make -j"$jobs" "$target" DISTCHECK_CONFIGURE_FLAGS="$*"; then
			# Show what failed: the per-test logs hold the details.
			for f in $(find . -name '*.log' ! -name 'test-suite.log' ! -name 'config.log'); do
				if grep -q -E '^(FAIL|ERROR)' "${f%.log}.trs" 2>/dev/null; then
					echo "---- $f"
					tail -n 60 "$f"
				fi
			done
			exit 1
		fi
	)
}

run_suite check distcheck --enable-werror
# The client library's threaded tests again under ThreadSanitizer.
echo "== krpcmux: make check-threads (ThreadSanitizer) =="
make -C build/check check-threads
if [ "$quick" = no ]; then
	run_suite sanitize check --enable-werror --enable-sanitizers
fi
echo "== krpcmux: all tests passed =="
