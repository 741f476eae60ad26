# tests/: unit tests (Check) for the codec.  Integration tests, the simulator
# and the fuzzers add their own rules in their directories' local.mk.

UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS)
UNIT_LDADD = lib/libkrpcwire.la $(CHECK_LIBS) $(PROTOBUF_C_LIBS)

check_PROGRAMS += tests/unit/test_frame tests/unit/test_value tests/unit/test_message \
	tests/unit/test_lenient
TESTS += tests/unit/test_frame tests/unit/test_value tests/unit/test_message \
	tests/unit/test_lenient

tests_unit_test_frame_SOURCES = tests/unit/test_frame.c tests/unit/unit.h
tests_unit_test_frame_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_frame_LDADD = $(UNIT_LDADD)

tests_unit_test_value_SOURCES = tests/unit/test_value.c tests/unit/unit.h
tests_unit_test_value_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_value_LDADD = $(UNIT_LDADD)

tests_unit_test_message_SOURCES = tests/unit/test_message.c tests/unit/unit.h
tests_unit_test_message_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_message_LDADD = $(UNIT_LDADD)

tests_unit_test_lenient_SOURCES = tests/unit/test_lenient.c tests/unit/unit.h
tests_unit_test_lenient_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_lenient_LDADD = $(UNIT_LDADD)

# The integration harness, linked into every integration test program.
check_LTLIBRARIES = tests/integration/libharness.la
tests_integration_libharness_la_SOURCES = tests/integration/harness.c tests/integration/harness.h \
	tests/integration/testserver.c tests/integration/testserver.h
tests_integration_libharness_la_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
tests_integration_libharness_la_LIBADD = lib/libkrpcwire.la
INTEG_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS) -I$(top_srcdir)/tests/integration
INTEG_LDADD = tests/integration/libharness.la lib/libkrpcwire.la $(CHECK_LIBS) $(PROTOBUF_C_LIBS)

# libkrpcmux's integration tests run a second time through krpcmuxd.
TESTS += tests/integration/test_client_proxy.sh
EXTRA_DIST += tests/integration/test_client_proxy.sh tests/integration/testserver.sh \
	tests/integration/examples_krpc.sh
