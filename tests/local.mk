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

# Fuzzing: the codec target runs over pseudo-random inputs in `make check`;
# `make fuzz` builds it for libFuzzer with clang (FUZZ_SECONDS, default 60).
check_PROGRAMS += tests/fuzz/fuzz_codec_check
TESTS += tests/fuzz/fuzz_codec_check
tests_fuzz_fuzz_codec_check_SOURCES = tests/fuzz/fuzz_codec.c tests/fuzz/fuzz_main.c
tests_fuzz_fuzz_codec_check_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
tests_fuzz_fuzz_codec_check_LDADD = lib/libkrpcwire.la $(PROTOBUF_C_LIBS)

FUZZ_CC = clang
FUZZ_SECONDS = 60
FUZZ_WIRE_FILES = $(lib_libkrpcwire_la_SOURCES:%.h=) proto/krpc.pb-c.c
fuzz: proto/krpc.pb-c.h
	$(MKDIR_P) tests/fuzz/corpus
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined $(AM_CPPFLAGS) -I. \
	    $(PROTOBUF_C_CFLAGS) -o tests/fuzz/fuzz_codec \
	    $(srcdir)/tests/fuzz/fuzz_codec.c \
	    $(addprefix $(srcdir)/,$(filter lib/%,$(FUZZ_WIRE_FILES))) \
	    proto/krpc.pb-c.c $(PROTOBUF_C_LIBS)
	tests/fuzz/fuzz_codec -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus
.PHONY: fuzz
CLEANFILES += tests/fuzz/fuzz_codec

# libkrpcmux's integration tests run a second time through krpcmuxd.
TESTS += tests/integration/test_client_proxy.sh
EXTRA_DIST += tests/integration/test_client_proxy.sh tests/integration/testserver.sh \
	tests/integration/examples_krpc.sh
