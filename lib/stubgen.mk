# lib/stubgen.mk: krpc-stubgen, the typed-stub generator for libkrpcmux; the
# committed stubs (lib/stubs/): KRPC, TestService and Benchmark installed as
# libkrpcmux-stubs (libkrpcmux itself exports only krpc_ symbols), krpc-sim's
# SpaceCenter for the examples and tests; `make stubs`; their tests.

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
	lib/stubgen/record.c \
	lib/stubgen/status.c \
	lib/stubgen/template.c \
	lib/stubgen/text.c
lib_stubgen_krpc_stubgen_LDADD = lib/libkrpcmux.la -lm
dist_man_MANS += docs/krpc-stubgen.1

# The committed stubs, and the GetServices dump of krpc-sim they come from.
# KRPC, TestService and Benchmark are installed: libkrpcmux-stubs, headers
# as <krpcmux/KRPC.h>.  krpc-sim's SpaceCenter serves the examples and tests
# only (users generate the game's own, see krpc-stubgen(1)).
STUBS_DUMP = lib/stubs/krpc-sim.services
STUBS_INSTALLED_HDRS = lib/stubs/krpcmux/KRPC.h lib/stubs/krpcmux/TestService.h \
	lib/stubs/krpcmux/Benchmark.h
lib_LTLIBRARIES += lib/stubs/libkrpcmux-stubs.la
lib_stubs_libkrpcmux_stubs_la_SOURCES = lib/stubs/KRPC.c lib/stubs/TestService.c \
	lib/stubs/Benchmark.c $(STUBS_INSTALLED_HDRS)
lib_stubs_libkrpcmux_stubs_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/lib/stubs
lib_stubs_libkrpcmux_stubs_la_LIBADD = lib/libkrpcmux.la -lm
lib_stubs_libkrpcmux_stubs_la_LDFLAGS = -version-info $(KRPCMUX_LT_VERSION) -no-undefined
stubsincludedir = $(pkgincludedir)
stubsinclude_HEADERS = $(STUBS_INSTALLED_HDRS)
pkgconfig_DATA += lib/libkrpcmux-stubs.pc
EXTRA_DIST += lib/libkrpcmux-stubs.pc.in

noinst_LTLIBRARIES += lib/stubs/libkrpcsimstubs.la
lib_stubs_libkrpcsimstubs_la_SOURCES = lib/stubs/SpaceCenter.c lib/stubs/SpaceCenter.h
lib_stubs_libkrpcsimstubs_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/lib/stubs
lib_stubs_libkrpcsimstubs_la_LIBADD = lib/stubs/libkrpcmux-stubs.la lib/libkrpcmux.la
EXTRA_DIST += $(STUBS_DUMP) lib/stubgen/stubs.sh
# Programs using the stubs add these: <krpcmux/KRPC.h> and "SpaceCenter.h" resolve.
STUBS_CFLAGS = -I$(top_srcdir)/lib/stubs
STUBS_LIBS = lib/stubs/libkrpcsimstubs.la lib/stubs/libkrpcmux-stubs.la

# `make stubs`: regenerates lib/stubs/ (and the dump) from a fresh krpc-sim.
stubs: lib/stubgen/krpc-stubgen$(EXEEXT) tests/sim/krpc-sim$(EXEEXT)
	$(SHELL) $(srcdir)/lib/stubgen/stubs.sh tests/sim/krpc-sim lib/stubgen/krpc-stubgen \
	    $(srcdir)/lib/stubs $(srcdir)/$(STUBS_DUMP)
.PHONY: stubs

# ---- tests ------------------------------------------------------------------
TESTS += tests/integration/test_stubgen.sh
EXTRA_DIST += tests/integration/test_stubgen.sh

check_PROGRAMS += tests/integration/test_stubs
TESTS += tests/integration/test_stubs
tests_integration_test_stubs_SOURCES = tests/integration/test_stubs.c $(CLIENT_INTEG_SOURCES)
tests_integration_test_stubs_CFLAGS = $(INTEG_CFLAGS) $(STUBS_CFLAGS) -pthread
tests_integration_test_stubs_LDADD = $(STUBS_LIBS) $(CLIENT_INTEG_LDADD) -lm

# The installed library as users get it: make install into a staging
# directory, a pkg-config build of an outside program (installed.c) with
# SpaceCenter stubs made by the installed krpc-stubgen.
TESTS += tests/integration/test_install.sh
# `make install` relinks the libraries in place (libtool), so it runs after
# every other test of the run, never beside one that loads them.
tests/integration/test_install.log: $(filter-out tests/integration/test_install.log,$(TEST_LOGS))
EXTRA_DIST += tests/integration/test_install.sh tests/integration/installed.c
AM_TESTS_ENVIRONMENT += CC='$(CC)'; export CC; MAKE='$(MAKE)'; export MAKE; \
	SANITIZER_CFLAGS='$(SANITIZER_CFLAGS)'; export SANITIZER_CFLAGS; \
	SANITIZER_LDFLAGS='$(SANITIZER_LDFLAGS)'; export SANITIZER_LDFLAGS;

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
