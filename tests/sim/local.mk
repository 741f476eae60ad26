# tests/sim: krpc-sim, the game-less kRPC server (installed: demos use it as
# the game), and its integration tests.

bin_PROGRAMS += tests/sim/krpc-sim
tests_sim_krpc_sim_SOURCES = \
	tests/sim/sim.h tests/sim/core.h tests/sim/expr.h \
	tests/sim/main.c \
	tests/sim/server.c \
	tests/sim/update.c \
	tests/sim/listener.c \
	tests/sim/conn.c \
	tests/sim/handshake.c \
	tests/sim/client.c \
	tests/sim/rpc.c \
	tests/sim/call.c \
	tests/sim/err.c \
	tests/sim/decode.c \
	tests/sim/services.c \
	tests/sim/schema.c \
	tests/sim/stream.c \
	tests/sim/object.c \
	tests/sim/expr.c \
	tests/sim/exprseq.c \
	tests/sim/xtype.c \
	tests/sim/eval.c \
	tests/sim/util.c \
	tests/sim/svc_krpc.c \
	$(SIM_SERVICES_SOURCES)
tests_sim_krpc_sim_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(PROTOBUF_C_CFLAGS)
tests_sim_krpc_sim_LDADD = lib/libkrpcwire.la $(LIBEVENT_LIBS) $(PROTOBUF_C_LIBS) -lm
dist_man_MANS += docs/krpc-sim.1

# Integration tests of the core (protocol, streams, events, counters) and an
# independent Python client as a second opinion.
SIMTEST_SOURCES = tests/integration/simtest.c tests/integration/simtest.h
check_PROGRAMS += tests/integration/test_sim tests/integration/test_sim_stream
TESTS += tests/integration/test_sim tests/integration/test_sim_stream \
	tests/integration/test_sim_py.py
EXTRA_DIST += tests/integration/krpctest.py tests/integration/test_sim_py.py
tests_integration_test_sim_SOURCES = tests/integration/test_sim.c $(SIMTEST_SOURCES)
tests_integration_test_sim_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_sim_LDADD = $(INTEG_LDADD)
tests_integration_test_sim_stream_SOURCES = tests/integration/test_sim_stream.c $(SIMTEST_SOURCES)
tests_integration_test_sim_stream_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_sim_stream_LDADD = $(INTEG_LDADD)

# Conformance with the real kRPC server: behaviours a review found different.
check_PROGRAMS += tests/integration/test_sim_conformance
TESTS += tests/integration/test_sim_conformance
tests_integration_test_sim_conformance_SOURCES = tests/integration/test_sim_conformance.c \
	$(SIMTEST_SOURCES)
tests_integration_test_sim_conformance_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_sim_conformance_LDADD = $(INTEG_LDADD)

# The update loop and stream connections as the real server's (Core.Update).
check_PROGRAMS += tests/integration/test_sim_update
TESTS += tests/integration/test_sim_update
tests_integration_test_sim_update_SOURCES = tests/integration/test_sim_update.c $(SIMTEST_SOURCES)
tests_integration_test_sim_update_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_sim_update_LDADD = $(INTEG_LDADD)

# Seeded random handshakes, frames and Requests: answered or closed, never a crash.
check_PROGRAMS += tests/integration/test_sim_fuzz
TESTS += tests/integration/test_sim_fuzz
tests_integration_test_sim_fuzz_SOURCES = tests/integration/test_sim_fuzz.c $(SIMTEST_SOURCES)
tests_integration_test_sim_fuzz_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_sim_fuzz_LDADD = $(INTEG_LDADD)

# ---- krpc-sim services: TestService, Benchmark, SpaceCenter ----------------
# (maintained with svc_test.c, svc_benchmark.c and svc_spacecenter.c; keep this
# block at the end of the file.)  krpc-sim's sources must include all of
# $(SIM_SERVICES_SOURCES): the services are split over several files.
SIM_SERVICES_SOURCES = \
	tests/sim/dotnet.c tests/sim/dotnet.h \
	tests/sim/svc_benchmark.c \
	tests/sim/svc_spacecenter.c tests/sim/svc_spacecenter.h tests/sim/svc_sc_pilot.c \
	tests/sim/svc_owned.c tests/sim/svc_owned.h tests/sim/svc_drawing.c tests/sim/svc_ui.c \
	tests/sim/svc_test.c tests/sim/svc_test.h tests/sim/svc_test_state.c

# Their integration tests, through a real krpc-sim.
SIM_SERVICES_TESTS = tests/integration/test_sim_services tests/integration/test_sim_surface \
	tests/integration/test_sim_spacecenter tests/integration/test_sim_ownership
check_PROGRAMS += $(SIM_SERVICES_TESTS)
TESTS += $(SIM_SERVICES_TESTS)
SVCTEST_SOURCES = tests/integration/svctest.c tests/integration/svctest.h
tests_integration_test_sim_services_SOURCES = tests/integration/test_sim_services.c \
	$(SVCTEST_SOURCES)
tests_integration_test_sim_services_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_sim_services_LDADD = $(INTEG_LDADD)
tests_integration_test_sim_surface_SOURCES = tests/integration/test_sim_surface.c \
	$(SVCTEST_SOURCES)
tests_integration_test_sim_surface_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_sim_surface_LDADD = $(INTEG_LDADD)
tests_integration_test_sim_spacecenter_SOURCES = tests/integration/test_sim_spacecenter.c \
	$(SVCTEST_SOURCES)
tests_integration_test_sim_spacecenter_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_sim_spacecenter_LDADD = $(INTEG_LDADD)
tests_integration_test_sim_ownership_SOURCES = tests/integration/test_sim_ownership.c \
	$(SVCTEST_SOURCES)
tests_integration_test_sim_ownership_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_sim_ownership_LDADD = $(INTEG_LDADD)
