#!/bin/sh
# Runs the whole krpcmux test suite, as CI does: installs missing Debian
# packages, then builds twice from this tree (warnings as errors; then with
# AddressSanitizer + UndefinedBehaviorSanitizer) and runs `make check` in
# each, and the client library's threaded tests under ThreadSanitizer.
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

# run_suite NAME CONFIGURE-FLAGS...: configure in build/NAME, build, make check.
run_suite() {
	name=$1
	shift
	echo "== krpcmux: make check ($name: $*) =="
	mkdir -p "build/$name"
	(
		cd "build/$name"
		[ -f Makefile ] || "$top/configure" -q "$@"
		make -j"$jobs"
		if ! make -j"$jobs" check; then
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

run_suite check --enable-werror
# The client library's threaded tests again under ThreadSanitizer.
echo "== krpcmux: make check-threads (ThreadSanitizer) =="
make -C build/check check-threads
if [ "$quick" = no ]; then
	run_suite sanitize --enable-werror --enable-sanitizers
fi
echo "== krpcmux: all tests passed =="
