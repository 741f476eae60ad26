#!/bin/sh
# The per-thread error strings leave nothing behind at exit: error_exit
# under valgrind with every leak kind counted as an error, "still
# reachable" included.  Skips (77) without valgrind, and in a sanitizer
# build (valgrind cannot run AddressSanitizer's programs; LeakSanitizer
# checks them there instead, at exit, without "still reachable").
bin=${top_builddir:-.}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP: test_error_exit: valgrind is not installed"
	exit 77
fi
if [ -n "${SANITIZER_CFLAGS:-}" ]; then
	echo "SKIP: test_error_exit: a sanitizer build ($SANITIZER_CFLAGS) does not run under valgrind"
	exit 77
fi
log=$(mktemp "${TMPDIR:-/tmp}/error_exit.XXXXXX")
trap 'rm -f "$log"' EXIT
valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
	--error-exitcode=3 --log-file="$log" "$bin/tests/unit/error_exit"
rc=$?
cat "$log"
if [ $rc -ne 0 ]; then
	echo "FAIL: error_exit under valgrind exited with $rc"
	exit 1
fi
