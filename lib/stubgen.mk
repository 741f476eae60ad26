# lib/stubgen.mk: krpc-stubgen, the typed-stub generator for libkrpcmux; the
# committed stubs of KRPC and of krpc-sim's SpaceCenter (lib/stubs/, built
# into a convenience library for the examples and tests, never into
# libkrpcmux, which exports only krpc_ symbols); `make stubs`; their tests.

bin_PROGRAMS += lib/stubgen/krpc-stubgen
lib_stubgen_krpc_stubgen_SOURCES = \
	lib/stubgen/stubgen.h \
	lib/stubgen/arena.c \
	lib/stubgen/body.c \
	lib/stubgen/ctype.c \
	lib/stubgen/doc.c \
	lib/stubgen/header.c \
	lib/stubgen/input.c \
	lib/stubgen/main.c \
	lib/stubgen/model.c \
	lib/stubgen/names.c \
	lib/stubgen/proto.c \
	lib/stubgen/status.c \
	lib/stubgen/template.c \
	lib/stubgen/text.c
lib_stubgen_krpc_stubgen_LDADD = lib/libkrpcmux.la -lm
dist_man_MANS += docs/krpc-stubgen.1

# The committed stubs, and the GetServices dump of krpc-sim they come from.
STUBS_SERVICES = KRPC SpaceCenter
STUBS_DUMP = lib/stubs/krpc-sim.services
noinst_LTLIBRARIES += lib/stubs/libkrpcstubs.la
lib_stubs_libkrpcstubs_la_SOURCES = \
	lib/stubs/KRPC.c lib/stubs/KRPC.h \
	lib/stubs/SpaceCenter.c lib/stubs/SpaceCenter.h
lib_stubs_libkrpcstubs_la_LIBADD = lib/libkrpcmux.la
EXTRA_DIST += $(STUBS_DUMP) lib/stubgen/stubs.sh
# Programs using the stubs add this to their CFLAGS.
STUBS_CFLAGS = -I$(top_srcdir)/lib/stubs

# `make stubs`: regenerates lib/stubs/ (and the dump) from a fresh krpc-sim.
stubs: lib/stubgen/krpc-stubgen$(EXEEXT) tests/sim/krpc-sim$(EXEEXT)
	$(SHELL) $(srcdir)/lib/stubgen/stubs.sh tests/sim/krpc-sim lib/stubgen/krpc-stubgen \
	    $(srcdir)/lib/stubs $(srcdir)/$(STUBS_DUMP) $(STUBS_SERVICES)
.PHONY: stubs

# ---- tests ------------------------------------------------------------------
TESTS += tests/integration/test_stubgen.sh
EXTRA_DIST += tests/integration/test_stubgen.sh

# TestService and Benchmark stubs, generated at build time from the committed
# dump, exercise every kind of type (test_stubs also uses the KRPC stubs).
TEST_STUBS_DIR = tests/integration/stubs
TEST_STUBS_GEN = $(TEST_STUBS_DIR)/TestService.c $(TEST_STUBS_DIR)/TestService.h \
	$(TEST_STUBS_DIR)/Benchmark.c $(TEST_STUBS_DIR)/Benchmark.h
$(TEST_STUBS_GEN): $(TEST_STUBS_DIR)/stamp
$(TEST_STUBS_DIR)/stamp: lib/stubgen/krpc-stubgen$(EXEEXT) $(srcdir)/$(STUBS_DUMP)
	$(AM_V_GEN)lib/stubgen/krpc-stubgen -q --dump $(srcdir)/$(STUBS_DUMP) \
	    -o $(TEST_STUBS_DIR) TestService Benchmark && touch $@
CLEANFILES += $(TEST_STUBS_GEN) $(TEST_STUBS_DIR)/stamp

check_PROGRAMS += tests/integration/test_stubs
TESTS += tests/integration/test_stubs
tests_integration_test_stubs_SOURCES = tests/integration/test_stubs.c $(CLIENT_INTEG_SOURCES)
nodist_tests_integration_test_stubs_SOURCES = $(TEST_STUBS_GEN)
tests_integration_test_stubs_CFLAGS = $(INTEG_CFLAGS) $(STUBS_CFLAGS) -I$(TEST_STUBS_DIR) -pthread
tests_integration_test_stubs_LDADD = lib/stubs/libkrpcstubs.la $(CLIENT_INTEG_LDADD) -lm
$(tests_integration_test_stubs_OBJECTS): $(TEST_STUBS_DIR)/stamp

# Corner cases without a server: stubs of made-up services (the dump is made
# by tests/unit/data/stubgen-edge.py) compiled into a unit test that checks
# the bytes their get-call builders, structures and status decoder produce.
EDGE_STUBS_DIR = tests/unit/stubs-edge
EDGE_STUBS_DUMP = tests/unit/data/stubgen-edge.services
EDGE_STUBS_GEN = $(EDGE_STUBS_DIR)/Edge.c $(EDGE_STUBS_DIR)/Edge.h $(EDGE_STUBS_DIR)/Other.c \
	$(EDGE_STUBS_DIR)/Other.h $(EDGE_STUBS_DIR)/Empty.c $(EDGE_STUBS_DIR)/Empty.h
EXTRA_DIST += $(EDGE_STUBS_DUMP) tests/unit/data/stubgen-edge.py
$(EDGE_STUBS_GEN): $(EDGE_STUBS_DIR)/stamp
$(EDGE_STUBS_DIR)/stamp: lib/stubgen/krpc-stubgen$(EXEEXT) $(srcdir)/$(EDGE_STUBS_DUMP)
	$(AM_V_GEN)lib/stubgen/krpc-stubgen -q --dump $(srcdir)/$(EDGE_STUBS_DUMP) \
	    -o $(EDGE_STUBS_DIR) Edge Other Empty && touch $@
CLEANFILES += $(EDGE_STUBS_GEN) $(EDGE_STUBS_DIR)/stamp

check_PROGRAMS += tests/unit/test_stubgen_edge
TESTS += tests/unit/test_stubgen_edge
tests_unit_test_stubgen_edge_SOURCES = tests/unit/test_stubgen_edge.c
nodist_tests_unit_test_stubgen_edge_SOURCES = $(EDGE_STUBS_GEN)
tests_unit_test_stubgen_edge_CFLAGS = $(UNIT_CFLAGS) -I$(EDGE_STUBS_DIR)
tests_unit_test_stubgen_edge_LDADD = $(CLIENT_UNIT_LDADD) -lm
$(tests_unit_test_stubgen_edge_OBJECTS): $(EDGE_STUBS_DIR)/stamp
