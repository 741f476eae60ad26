# lib/client/: libkrpcmux, the installed client library (the codec's rules are in
# lib/wire/local.mk).  The client modules form a convenience library that unit
# tests link directly; the shared library exports exactly the functions
# declared in the public headers (lib/libkrpcmux.sym, generated).

KRPCMUX_API_HDRS = \
	lib/krpcmux/common.h \
	lib/krpcmux/value.h \
	lib/krpcmux/krpcmux.h \
	lib/krpcmux/error.h \
	lib/krpcmux/client.h \
	lib/krpcmux/status.h \
	lib/krpcmux/services.h \
	lib/krpcmux/stream.h \
	lib/krpcmux/event.h \
	lib/krpcmux/expr.h

pkginclude_HEADERS += \
	lib/krpcmux/krpcmux.h \
	lib/krpcmux/error.h \
	lib/krpcmux/client.h \
	lib/krpcmux/status.h \
	lib/krpcmux/services.h \
	lib/krpcmux/stream.h \
	lib/krpcmux/event.h \
	lib/krpcmux/expr.h

KRPC_CLIENT_SOURCES = \
	lib/client/internal.h \
	lib/client/call.c \
	lib/client/client.c \
	lib/client/cond.c \
	lib/client/conn.c \
	lib/client/defs.c \
	lib/client/dispatch.c \
	lib/client/error.c \
	lib/client/event.c \
	lib/client/expr.c \
	lib/client/idmap.c \
	lib/client/invoke.c \
	lib/client/options.c \
	lib/client/procedure.c \
	lib/client/proxy.c \
	lib/client/services.c \
	lib/client/status.c \
	lib/client/stream.c \
	lib/client/time.c \
	lib/client/update.c

noinst_LTLIBRARIES += lib/libkrpcclient.la
lib_libkrpcclient_la_SOURCES = $(KRPC_CLIENT_SOURCES)
lib_libkrpcclient_la_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) -pthread

lib_LTLIBRARIES += lib/libkrpcmux.la
lib_libkrpcmux_la_SOURCES =
lib_libkrpcmux_la_LIBADD = lib/libkrpcclient.la lib/libkrpcwire.la $(PROTOBUF_C_LIBS)
lib_libkrpcmux_la_LDFLAGS = -version-info $(KRPCMUX_LT_VERSION) -no-undefined -pthread \
	-export-symbols lib/libkrpcmux.sym
EXTRA_lib_libkrpcmux_la_DEPENDENCIES = lib/libkrpcmux.sym

# Every function a public header declares (comment lines skipped).
lib/libkrpcmux.sym: $(KRPCMUX_API_HDRS)
	$(AM_V_GEN)$(MKDIR_P) lib && \
	for h in $(KRPCMUX_API_HDRS); do cat $(srcdir)/$$h; done | \
	grep -v '^[ 	]*\*' | grep -v '^[ 	]*/\*' | \
	sed -n 's/^.*[^a-z0-9_]\(krpc_[a-z0-9_]*\)(.*$$/\1/p' | LC_ALL=C sort -u > $@-t && \
	mv $@-t $@
CLEANFILES += lib/libkrpcmux.sym

# ---- tests ----------------------------------------------------------------

# Unit tests of the client modules (linked statically with the internals).
CLIENT_UNIT_LDADD = lib/libkrpcclient.la lib/libkrpcwire.la $(CHECK_LIBS) $(PROTOBUF_C_LIBS)

check_PROGRAMS += tests/unit/test_services tests/unit/test_libclient
TESTS += tests/unit/test_services tests/unit/test_libclient
# GetServices as krpc-sim answers it (KRPC, TestService, Benchmark, SpaceCenter).
EXTRA_DIST += tests/unit/data/services-sim.bin

# Nothing of the per-thread error state is left at exit (valgrind).
check_PROGRAMS += tests/unit/error_exit
TESTS += tests/unit/test_error_exit.sh
EXTRA_DIST += tests/unit/test_error_exit.sh
tests_unit_error_exit_SOURCES = tests/unit/error_exit.c
tests_unit_error_exit_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_error_exit_LDADD = lib/libkrpcclient.la lib/libkrpcwire.la $(PROTOBUF_C_LIBS)

tests_unit_test_services_SOURCES = tests/unit/test_services.c tests/unit/unit.h
tests_unit_test_services_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/lib/client
tests_unit_test_services_LDADD = $(CLIENT_UNIT_LDADD)

tests_unit_test_libclient_SOURCES = tests/unit/test_libclient.c tests/unit/unit.h
tests_unit_test_libclient_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/lib/client -pthread
tests_unit_test_libclient_LDADD = $(CLIENT_UNIT_LDADD)

# Integration tests: the public library against krpc-sim, or against any
# server named by KRPC_TEST_RPC / KRPC_TEST_STREAM (see tests/integration/libtest.h).
CLIENT_INTEG_SOURCES = tests/integration/libtest.c tests/integration/libtest.h
CLIENT_INTEG_LDADD = lib/libkrpcmux.la $(INTEG_LDADD)

check_PROGRAMS += tests/integration/test_client tests/integration/test_client_stream \
	tests/integration/test_client_event tests/integration/test_client_lost
TESTS += tests/integration/test_client tests/integration/test_client_stream \
	tests/integration/test_client_event tests/integration/test_client_lost

tests_integration_test_client_SOURCES = tests/integration/test_client.c $(CLIENT_INTEG_SOURCES)
tests_integration_test_client_CFLAGS = $(INTEG_CFLAGS) -pthread
tests_integration_test_client_LDADD = $(CLIENT_INTEG_LDADD)

tests_integration_test_client_stream_SOURCES = tests/integration/test_client_stream.c $(CLIENT_INTEG_SOURCES)
tests_integration_test_client_stream_CFLAGS = $(INTEG_CFLAGS) -pthread
tests_integration_test_client_stream_LDADD = $(CLIENT_INTEG_LDADD)

tests_integration_test_client_lost_SOURCES = tests/integration/test_client_lost.c $(CLIENT_INTEG_SOURCES)
tests_integration_test_client_lost_CFLAGS = $(INTEG_CFLAGS) -pthread
tests_integration_test_client_lost_LDADD = $(CLIENT_INTEG_LDADD)

tests_integration_test_client_event_SOURCES = tests/integration/test_client_event.c $(CLIENT_INTEG_SOURCES)
tests_integration_test_client_event_CFLAGS = $(INTEG_CFLAGS) -pthread
tests_integration_test_client_event_LDADD = $(CLIENT_INTEG_LDADD)

# The same programs (and the examples that need only KRPC) against kRPC's own
# TestServer, directly and through krpcmuxd; skipped when it is absent.
TESTS += tests/integration/test_client_real.sh
EXTRA_DIST += tests/integration/test_client_real.sh

# The handshake answers of krpc-sim and krpcmuxd against the real server's.
check_PROGRAMS += tests/integration/test_handshake
TESTS += tests/integration/test_handshake
tests_integration_test_handshake_SOURCES = tests/integration/test_handshake.c \
	tests/integration/daemontest.c tests/integration/daemontest.h
tests_integration_test_handshake_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_handshake_LDADD = $(INTEG_LDADD)

# ---- make check-threads: the threaded tests under ThreadSanitizer ----------
# The library, the codec, the harness and each test are compiled again with
# -fsanitize=thread into programs built only by this target (ThreadSanitizer
# cannot share objects with the normal or AddressSanitizer builds).
TSAN_CC = -std=gnu11 $(WARN_CFLAGS) -fsanitize=thread -g -O1 -pthread \
	$(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS) -I$(top_srcdir)/tests/integration
TSAN_LD = -fsanitize=thread -pthread
TSAN_SRC = $(KRPC_CLIENT_SOURCES) $(lib_libkrpcwire_la_SOURCES) \
	tests/integration/harness.c tests/integration/harness.h tests/integration/testserver.c \
	tests/integration/testserver.h $(CLIENT_INTEG_SOURCES)
TSAN_LIBS = $(CHECK_LIBS) $(PROTOBUF_C_LIBS) -lm
TSAN_TESTS = tests/integration/tsan_test_client tests/integration/tsan_test_client_stream \
	tests/integration/tsan_test_client_event tests/integration/tsan_test_client_lost
EXTRA_PROGRAMS += $(TSAN_TESTS)
CLEANFILES += $(TSAN_TESTS)

tests_integration_tsan_test_client_SOURCES = tests/integration/test_client.c $(TSAN_SRC)
nodist_tests_integration_tsan_test_client_SOURCES = $(nodist_lib_libkrpcwire_la_SOURCES)
tests_integration_tsan_test_client_CFLAGS = $(TSAN_CC)
tests_integration_tsan_test_client_LDFLAGS = $(TSAN_LD)
tests_integration_tsan_test_client_LDADD = $(TSAN_LIBS)

tests_integration_tsan_test_client_stream_SOURCES = tests/integration/test_client_stream.c $(TSAN_SRC)
nodist_tests_integration_tsan_test_client_stream_SOURCES = $(nodist_lib_libkrpcwire_la_SOURCES)
tests_integration_tsan_test_client_stream_CFLAGS = $(TSAN_CC)
tests_integration_tsan_test_client_stream_LDFLAGS = $(TSAN_LD)
tests_integration_tsan_test_client_stream_LDADD = $(TSAN_LIBS)

tests_integration_tsan_test_client_event_SOURCES = tests/integration/test_client_event.c $(TSAN_SRC)
nodist_tests_integration_tsan_test_client_event_SOURCES = $(nodist_lib_libkrpcwire_la_SOURCES)
tests_integration_tsan_test_client_event_CFLAGS = $(TSAN_CC)
tests_integration_tsan_test_client_event_LDFLAGS = $(TSAN_LD)
tests_integration_tsan_test_client_event_LDADD = $(TSAN_LIBS)

tests_integration_tsan_test_client_lost_SOURCES = tests/integration/test_client_lost.c $(TSAN_SRC)
nodist_tests_integration_tsan_test_client_lost_SOURCES = $(nodist_lib_libkrpcwire_la_SOURCES)
tests_integration_tsan_test_client_lost_CFLAGS = $(TSAN_CC)
tests_integration_tsan_test_client_lost_LDFLAGS = $(TSAN_LD)
tests_integration_tsan_test_client_lost_LDADD = $(TSAN_LIBS)

# halt_on_error turns any report into a failing test (the forked test exits 66).
check-threads: $(TSAN_TESTS) tests/sim/krpc-sim daemon/krpcmuxd
	@fail=0; for t in $(TSAN_TESTS); do \
	  echo "check-threads: $$t"; \
	  top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 $$TSAN_OPTIONS" \
	  ./$$t || fail=1; \
	done; test $$fail = 0
.PHONY: check-threads
dist_man_MANS += docs/libkrpcmux.3
