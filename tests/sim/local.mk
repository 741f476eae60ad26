# tests/sim: rules added by the work on this part.

# ---- krpc-sim services: TestService, Benchmark, SpaceCenter ----------------
# (maintained with svc_test.c, svc_benchmark.c and svc_spacecenter.c; keep this
# block at the end of the file.)  krpc-sim's sources must include all of
# $(SIM_SERVICES_SOURCES): the services are split over several files.
SIM_SERVICES_SOURCES = \
	tests/sim/dotnet.c tests/sim/dotnet.h \
	tests/sim/svc_benchmark.c \
	tests/sim/svc_spacecenter.c \
	tests/sim/svc_test.c tests/sim/svc_test.h tests/sim/svc_test_state.c
