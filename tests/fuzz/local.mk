# tests/fuzz/: libFuzzer targets, each with a committed seed corpus in
# tests/fuzz/corpus/NAME (docs/reliability.md has their figures):
#   codec   the wire codec (frames, values, messages, call keys)
#   schema  the cached GetServices (daemon/schema.c)
#   client  the daemon's framing and handshakes (peer.c, client.c)
#   router  request routing against a fake game server (router.c, intercept.c,
#           the stream table, lanes and batches)
#   fanout  stream updates fanned out to clients (streamtab.c, fanout.c)
# `make check` runs each over its corpus and generated inputs (fuzz_main.c,
# any compiler); `make fuzz` builds them for libFuzzer with clang (ASan, UBSan,
# LeakSanitizer) and runs them one after the other, each for FUZZ_SECONDS
# (default 60) or, with FUZZ_RUNS=N, for N inputs; FUZZ_TARGETS picks some,
# FUZZ_JOBS=N runs N copies of each at once (one per core, same work corpus)
# and FUZZ_FLAGS passes libFuzzer flags (say -max_len=256).
# New inputs go to tests/fuzz/work/NAME in the build tree, each run's output
# to tests/fuzz/work/NAME.log, and a line per run to tests/fuzz/work/ledger,
# whose executions add up per target (fuzz-run.sh prints the total).

FUZZ_CHECKS = tests/fuzz/fuzz_codec_check tests/fuzz/fuzz_schema_check \
	tests/fuzz/fuzz_client_check tests/fuzz/fuzz_router_check tests/fuzz/fuzz_fanout_check
check_PROGRAMS += $(FUZZ_CHECKS)
TESTS += $(FUZZ_CHECKS)
FUZZ_CORPUS_DIR = $(abs_top_srcdir)/tests/fuzz/corpus
FUZZ_DAEMON_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(PROTOBUF_C_CFLAGS) $(LIBCONFIG_CFLAGS) \
	-I$(top_srcdir)/daemon -DFUZZ_DATA='"$(abs_top_srcdir)/tests/fuzz"'
FUZZD_SOURCES = tests/fuzz/fuzzd.c tests/fuzz/fuzzd.h tests/fuzz/fuzz_main.c

tests_fuzz_fuzz_codec_check_SOURCES = tests/fuzz/fuzz_codec.c tests/fuzz/fuzz_main.c
tests_fuzz_fuzz_codec_check_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) \
	-DFUZZ_CORPUS='"$(FUZZ_CORPUS_DIR)/codec"'
tests_fuzz_fuzz_codec_check_LDADD = lib/libkrpcwire.la $(PROTOBUF_C_LIBS)

tests_fuzz_fuzz_schema_check_SOURCES = tests/fuzz/fuzz_schema.c tests/fuzz/fuzz_main.c
tests_fuzz_fuzz_schema_check_CFLAGS = $(FUZZ_DAEMON_CFLAGS) \
	-DFUZZ_CORPUS='"$(FUZZ_CORPUS_DIR)/schema"' -DFUZZ_DEFAULT_ITERATIONS=50000
tests_fuzz_fuzz_schema_check_LDADD = daemon/libkrpcmuxd.la

tests_fuzz_fuzz_client_check_SOURCES = tests/fuzz/fuzz_client.c $(FUZZD_SOURCES)
tests_fuzz_fuzz_client_check_CFLAGS = $(FUZZ_DAEMON_CFLAGS) \
	-DFUZZ_CORPUS='"$(FUZZ_CORPUS_DIR)/client"' -DFUZZ_DEFAULT_ITERATIONS=3000
tests_fuzz_fuzz_client_check_LDADD = daemon/libkrpcmuxd.la

tests_fuzz_fuzz_router_check_SOURCES = tests/fuzz/fuzz_router.c $(FUZZD_SOURCES)
tests_fuzz_fuzz_router_check_CFLAGS = $(FUZZ_DAEMON_CFLAGS) \
	-DFUZZ_CORPUS='"$(FUZZ_CORPUS_DIR)/router"' -DFUZZ_DEFAULT_ITERATIONS=3000
tests_fuzz_fuzz_router_check_LDADD = daemon/libkrpcmuxd.la

tests_fuzz_fuzz_fanout_check_SOURCES = tests/fuzz/fuzz_fanout.c $(FUZZD_SOURCES)
tests_fuzz_fuzz_fanout_check_CFLAGS = $(FUZZ_DAEMON_CFLAGS) \
	-DFUZZ_CORPUS='"$(FUZZ_CORPUS_DIR)/fanout"' -DFUZZ_DEFAULT_ITERATIONS=500
tests_fuzz_fuzz_fanout_check_LDADD = daemon/libkrpcmuxd.la

TESTS += tests/fuzz/test_fuzz_run.sh
EXTRA_DIST += tests/fuzz/services.bin tests/fuzz/corpus tests/fuzz/fuzz-run.sh \
	tests/fuzz/test_fuzz_run.sh

# ---- make fuzz: libFuzzer, clang --------------------------------------------
FUZZ_CC = clang
FUZZ_SECONDS = 60
FUZZ_RUNS = -1
FUZZ_JOBS = 1
FUZZ_FLAGS =
FUZZ_TARGETS = codec schema client router fanout
FUZZ_SANITIZE = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_WIRE_FILES = $(filter %.c,$(lib_libkrpcwire_la_SOURCES))
# The daemon's modules a target links; upstream.c and session.c are fuzzd.c's fakes.
FUZZ_DAEMON_FILES = access batch client config defer fanout htab intercept lane ledger limits log \
	peer router rreq rules schema stats streamtab util wire xmalloc
# what schema.c needs (the rest would want upstream.c)
FUZZ_SCHEMA_FILES = access config htab log rules schema stats util wire xmalloc
FUZZ_SOURCES_codec = tests/fuzz/fuzz_codec.c
FUZZ_SOURCES_schema = tests/fuzz/fuzz_schema.c $(FUZZ_SCHEMA_FILES:%=daemon/%.c)
FUZZ_SOURCES_client = tests/fuzz/fuzz_client.c tests/fuzz/fuzzd.c $(FUZZ_DAEMON_FILES:%=daemon/%.c)
FUZZ_SOURCES_router = tests/fuzz/fuzz_router.c tests/fuzz/fuzzd.c $(FUZZ_DAEMON_FILES:%=daemon/%.c)
FUZZ_SOURCES_fanout = tests/fuzz/fuzz_fanout.c tests/fuzz/fuzzd.c $(FUZZ_DAEMON_FILES:%=daemon/%.c)

fuzz: proto/krpc.pb-c.h
	@set -e; for t in $(FUZZ_TARGETS); do \
	  case $$t in \
	  codec) src="$(FUZZ_SOURCES_codec)";; schema) src="$(FUZZ_SOURCES_schema)";; \
	  client) src="$(FUZZ_SOURCES_client)";; router) src="$(FUZZ_SOURCES_router)";; \
	  fanout) src="$(FUZZ_SOURCES_fanout)";; *) echo "fuzz: no target $$t"; exit 1;; \
	  esac; \
	  echo "  FUZZ     tests/fuzz/fuzz_$$t"; \
	  $(MKDIR_P) tests/fuzz/work/$$t; \
	  $(FUZZ_CC) -g -O1 $(FUZZ_SANITIZE) -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
	    $(AM_CPPFLAGS) -I. -I$(srcdir)/daemon \
	    -DFUZZ_DATA='"$(abs_top_srcdir)/tests/fuzz"' \
	    $(PROTOBUF_C_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBCONFIG_CFLAGS) -o tests/fuzz/fuzz_$$t \
	    $$(for f in $$src $(FUZZ_WIRE_FILES); do echo $(srcdir)/$$f; done) proto/krpc.pb-c.c \
	    $(LIBEVENT_LIBS) $(PROTOBUF_C_LIBS) $(LIBCONFIG_LIBS) -lm; \
	  $(SHELL) $(srcdir)/tests/fuzz/fuzz-run.sh $$t tests/fuzz/fuzz_$$t tests/fuzz/work \
	    $(srcdir)/tests/fuzz/corpus/$$t $(FUZZ_SECONDS) $(FUZZ_RUNS) \
	    "$$(git -C $(srcdir) rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	    $(FUZZ_JOBS) $(FUZZ_FLAGS); \
	done
.PHONY: fuzz
CLEANFILES += $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%)
clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/work
.PHONY: clean-fuzz
