# examples/: the examples of the kRPC Python client documentation in C, on
# libkrpcmux and the generated stubs (lib/stubs/), and two demo clients
# (dashboard, status).  Built by `make`; tests/integration/test_examples runs
# them against krpc-sim through krpcmuxd in `make check`.

EXAMPLE_CFLAGS = $(AM_CFLAGS) $(STUBS_CFLAGS) -pthread
EXAMPLE_LDADD = examples/libexample.la $(STUBS_LIBS) lib/libkrpcmux.la -lm

noinst_LTLIBRARIES += examples/libexample.la
examples_libexample_la_SOURCES = examples/example.c examples/example.h
examples_libexample_la_CFLAGS = $(EXAMPLE_CFLAGS)

# In the order of the Python documentation, then the demo clients.
KRPC_EXAMPLES = \
	examples/connect \
	examples/connect_remote \
	examples/vessel_altitude \
	examples/position_loop \
	examples/position_stream \
	examples/position_scoped \
	examples/altitude_stream \
	examples/abort_condition \
	examples/abort_acquire \
	examples/abort_callbacks \
	examples/altitude_event \
	examples/dashboard \
	examples/status \
	examples/launch
noinst_PROGRAMS += $(KRPC_EXAMPLES)

examples_launch_SOURCES = examples/launch.c
examples_launch_CFLAGS = $(EXAMPLE_CFLAGS)
examples_launch_LDADD = $(EXAMPLE_LDADD)
examples_connect_SOURCES = examples/connect.c
examples_connect_CFLAGS = $(EXAMPLE_CFLAGS)
examples_connect_LDADD = $(EXAMPLE_LDADD)
examples_connect_remote_SOURCES = examples/connect_remote.c
examples_connect_remote_CFLAGS = $(EXAMPLE_CFLAGS)
examples_connect_remote_LDADD = $(EXAMPLE_LDADD)
examples_vessel_altitude_SOURCES = examples/vessel_altitude.c
examples_vessel_altitude_CFLAGS = $(EXAMPLE_CFLAGS)
examples_vessel_altitude_LDADD = $(EXAMPLE_LDADD)
examples_position_loop_SOURCES = examples/position_loop.c
examples_position_loop_CFLAGS = $(EXAMPLE_CFLAGS)
examples_position_loop_LDADD = $(EXAMPLE_LDADD)
examples_position_stream_SOURCES = examples/position_stream.c
examples_position_stream_CFLAGS = $(EXAMPLE_CFLAGS)
examples_position_stream_LDADD = $(EXAMPLE_LDADD)
examples_position_scoped_SOURCES = examples/position_scoped.c
examples_position_scoped_CFLAGS = $(EXAMPLE_CFLAGS)
examples_position_scoped_LDADD = $(EXAMPLE_LDADD)
examples_altitude_stream_SOURCES = examples/altitude_stream.c
examples_altitude_stream_CFLAGS = $(EXAMPLE_CFLAGS)
examples_altitude_stream_LDADD = $(EXAMPLE_LDADD)
examples_abort_condition_SOURCES = examples/abort_condition.c
examples_abort_condition_CFLAGS = $(EXAMPLE_CFLAGS)
examples_abort_condition_LDADD = $(EXAMPLE_LDADD)
examples_abort_acquire_SOURCES = examples/abort_acquire.c
examples_abort_acquire_CFLAGS = $(EXAMPLE_CFLAGS)
examples_abort_acquire_LDADD = $(EXAMPLE_LDADD)
examples_abort_callbacks_SOURCES = examples/abort_callbacks.c
examples_abort_callbacks_CFLAGS = $(EXAMPLE_CFLAGS)
examples_abort_callbacks_LDADD = $(EXAMPLE_LDADD)
examples_altitude_event_SOURCES = examples/altitude_event.c
examples_altitude_event_CFLAGS = $(EXAMPLE_CFLAGS)
examples_altitude_event_LDADD = $(EXAMPLE_LDADD)
examples_dashboard_SOURCES = examples/dashboard.c
examples_dashboard_CFLAGS = $(EXAMPLE_CFLAGS)
examples_dashboard_LDADD = $(EXAMPLE_LDADD)
examples_status_SOURCES = examples/status.c
examples_status_CFLAGS = $(EXAMPLE_CFLAGS)
examples_status_LDADD = $(EXAMPLE_LDADD)

# ---- tests ------------------------------------------------------------------
# Every example against krpc-sim, through krpcmuxd once daemon/krpcmuxd is built.
check_PROGRAMS += tests/integration/test_examples
TESTS += tests/integration/test_examples
tests_integration_test_examples_SOURCES = tests/integration/test_examples.c
tests_integration_test_examples_CFLAGS = $(INTEG_CFLAGS) $(STUBS_CFLAGS) -pthread
tests_integration_test_examples_LDADD = $(STUBS_LIBS) lib/libkrpcmux.la $(INTEG_LDADD)
EXTRA_DIST += docs/tutorial.md
