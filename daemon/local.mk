# daemon/: krpcmuxd, the multiplexing proxy.  Its modules are built once as a
# convenience library, linked into the daemon and into the unit tests.

noinst_LTLIBRARIES += daemon/libkrpcmuxd.la
daemon_libkrpcmuxd_la_SOURCES = \
	daemon/krpcmuxd.h \
	daemon/admin.c \
	daemon/client.c \
	daemon/config.c \
	daemon/defer.c \
	daemon/fanout.c \
	daemon/htab.c \
	daemon/listener.c \
	daemon/log.c \
	daemon/peer.c \
	daemon/router.c \
	daemon/schema.c \
	daemon/stats.c \
	daemon/streamtab.c \
	daemon/systemd.c \
	daemon/upstream.c \
	daemon/util.c \
	daemon/wire.c \
	daemon/xmalloc.c
daemon_libkrpcmuxd_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(PROTOBUF_C_CFLAGS) $(LIBCONFIG_CFLAGS)
daemon_libkrpcmuxd_la_LIBADD = lib/libkrpcwire.la $(LIBEVENT_LIBS) $(PROTOBUF_C_LIBS) $(LIBCONFIG_LIBS) -lm

sbin_PROGRAMS += daemon/krpcmuxd
daemon_krpcmuxd_SOURCES = daemon/main.c
daemon_krpcmuxd_CFLAGS = $(daemon_libkrpcmuxd_la_CFLAGS)
daemon_krpcmuxd_LDADD = daemon/libkrpcmuxd.la

# ---- tests ------------------------------------------------------------------
# Integration tests: real krpc-sim and krpcmuxd processes, several programs so
# that `make -j2 check` runs them in parallel.
DAEMON_ITESTS = \
	tests/integration/test_daemon_basic \
	tests/integration/test_daemon_streams \
	tests/integration/test_daemon_upstream \
	tests/integration/test_daemon_mock
check_PROGRAMS += $(DAEMON_ITESTS)
TESTS += $(DAEMON_ITESTS)
DAEMONTEST_SOURCES = tests/integration/daemontest.c tests/integration/daemontest.h
tests_integration_test_daemon_basic_SOURCES = tests/integration/test_daemon_basic.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_basic_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_basic_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_streams_SOURCES = tests/integration/test_daemon_streams.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_streams_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_streams_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_upstream_SOURCES = tests/integration/test_daemon_upstream.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_upstream_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_upstream_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_mock_SOURCES = tests/integration/test_daemon_mock.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_mock_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_mock_LDADD = $(INTEG_LDADD)
