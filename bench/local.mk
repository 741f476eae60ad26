# bench/: krpcmux-bench, the benchmark behind `make bench` (docs/benchmarks.md):
# latency direct, through krpcmuxd and through socat; stream fan-out to many
# clients.  A check program, so plain `make` does not build it; `make check`
# runs it in its quickest form (bench/test_bench.sh) so it cannot rot.
#
#   make bench                      5 latency and 3 fan-out rounds, 3-4 minutes
#   make bench BENCH_QUICK=1        1 round, fewer calls, shorter windows
#   make bench BENCH_MD=bench.md    also write the report as Markdown
#   make bench BENCH_RAW=bench.tsv  and one tab-separated line per run
#   make bench BENCH_FLAGS='...'    any krpcmux-bench option (--help)

check_PROGRAMS += bench/krpcmux-bench
bench_krpcmux_bench_SOURCES = \
	bench/bench.h \
	bench/concurrent.c \
	bench/crun.c \
	bench/fanout.c \
	bench/fanset.c \
	bench/floor.c \
	bench/frun.c \
	bench/latency.c \
	bench/machine.c \
	bench/main.c \
	bench/net.c \
	bench/procs.c \
	bench/report.c \
	bench/run.c \
	bench/stats.c \
	bench/status.c
bench_krpcmux_bench_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) -I$(top_srcdir)/tests/integration
bench_krpcmux_bench_LDADD = tests/integration/libharness.la lib/libkrpcwire.la $(PROTOBUF_C_LIBS) -lm

# BENCH_QUICK, BENCH_MD, BENCH_RAW and BENCH_FLAGS may come from the command line or the environment.
BENCH_ARGS = \
	$(if $(filter-out 0 no,$(BENCH_QUICK)),--quick) \
	$(if $(BENCH_MD),--markdown '$(BENCH_MD)') \
	$(if $(BENCH_RAW),--raw '$(BENCH_RAW)') \
	--socat '$(filter-out no,$(SOCAT))' \
	$(BENCH_FLAGS)

bench: bench/krpcmux-bench$(EXEEXT) tests/sim/krpc-sim$(EXEEXT) daemon/krpcmuxd$(EXEEXT)
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
	    bench/krpcmux-bench $(BENCH_ARGS)
.PHONY: bench

TESTS += bench/test_bench.sh
EXTRA_DIST += bench/test_bench.sh docs/benchmarks.md
