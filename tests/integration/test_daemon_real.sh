#!/bin/sh
# krpcmuxd's integration tests against kRPC's own TestServer: the log
# compiler of the .real tests (daemon/local.mk).  Given
# tests/integration/testserver/test_daemon_X.real it runs the test program test_daemon_X
# (or test_daemon_X.py) with KRPC_TEST_SERVER=testserver, which makes it
# start the TestServer, paced like the game, where it would start krpc-sim
# (daemontest.h, krpctest.py).  Skipped (77) with a message when the
# TestServer or mono is absent; the programs stop every process they start.
set -u

name=$(basename "${1:?usage: test_daemon_real.sh tests/integration/testserver/test_daemon_X.real}" .real)
. "${top_srcdir:-.}/tests/integration/testserver.sh"
ts_require "$name against kRPC's TestServer"
KRPC_TEST_SERVER=testserver
export KRPC_TEST_SERVER
if [ -f "${top_srcdir:-.}/tests/integration/$name.py" ]; then
	exec "${PYTHON3:-python3}" "${top_srcdir:-.}/tests/integration/$name.py"
fi
exec "${top_builddir:-.}/tests/integration/$name"
