# daemon/: krpcmuxd, the multiplexing proxy.  Its modules are built once as a
# convenience library, linked into the daemon and into the unit tests.

noinst_LTLIBRARIES += daemon/libkrpcmuxd.la
daemon_libkrpcmuxd_la_SOURCES = \
	daemon/krpcmuxd.h \
	daemon/access.c \
	daemon/admin.c \
	daemon/batch.c \
	daemon/client.c \
	daemon/config.c \
	daemon/defer.c \
	daemon/fanout.c \
	daemon/htab.c \
	daemon/intercept.c \
	daemon/lane.c \
	daemon/ledger.c \
	daemon/limits.c \
	daemon/listener.c \
	daemon/log.c \
	daemon/metrics.c \
	daemon/peer.c \
	daemon/report.c \
	daemon/router.c \
	daemon/rreq.c \
	daemon/rules.c \
	daemon/schema.c \
	daemon/service.c \
	daemon/session.c \
	daemon/stall.c \
	daemon/stats.c \
	daemon/streamtab.c \
	daemon/systemd.c \
	daemon/upstream.c \
	daemon/util.c \
	daemon/wire.c \
	daemon/xmalloc.c
daemon_libkrpcmuxd_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(PROTOBUF_C_CFLAGS) $(LIBCONFIG_CFLAGS)
daemon_libkrpcmuxd_la_LIBADD = lib/libkrpcwire.la $(LIBEVENT_LIBS) $(PROTOBUF_C_LIBS) $(LIBCONFIG_LIBS) -lm

sbin_PROGRAMS += daemon/krpcmuxd
daemon_krpcmuxd_SOURCES = daemon/main.c
daemon_krpcmuxd_CFLAGS = $(daemon_libkrpcmuxd_la_CFLAGS)
daemon_krpcmuxd_LDADD = daemon/libkrpcmuxd.la

# krpcmuxctl: the admin socket's command-line client.
bin_PROGRAMS += daemon/krpcmuxctl
daemon_krpcmuxctl_SOURCES = daemon/krpcmuxctl.c daemon/ctl.h daemon/ctl.c daemon/top.c \
	daemon/json.c
daemon_krpcmuxctl_CFLAGS = $(daemon_libkrpcmuxd_la_CFLAGS)
daemon_krpcmuxctl_LDADD = daemon/libkrpcmuxd.la
dist_man_MANS += docs/krpcmuxctl.1

# Every option, flag and command of krpcmuxd and krpcmuxctl is documented,
# every page installed and lint-clean (groff, man, mandoc when present).
TESTS += tests/docs/test_docs.py
EXTRA_DIST += tests/docs/test_docs.py

# ---- tests ------------------------------------------------------------------
# Integration tests: real krpc-sim and krpcmuxd processes, several programs so
# that `make -j2 check` runs them in parallel (daemontest.h; the mock tests
# play the server themselves, mocktest.h).
DAEMON_ITESTS = \
	tests/integration/test_daemon_basic \
	tests/integration/test_daemon_streams \
	tests/integration/test_daemon_upstream \
	tests/integration/test_daemon_mock \
	tests/integration/test_daemon_ledger \
	tests/integration/test_daemon_proxy \
	tests/integration/test_daemon_batch \
	tests/integration/test_daemon_identity \
	tests/integration/test_daemon_own \
	tests/integration/test_daemon_peers \
	tests/integration/test_daemon_robust \
	tests/integration/test_daemon_ops \
	tests/integration/test_daemon_service \
	tests/integration/test_daemon_limits \
	tests/integration/test_daemon_stall
check_PROGRAMS += $(DAEMON_ITESTS)
TESTS += $(DAEMON_ITESTS)
DAEMONTEST_SOURCES = tests/integration/daemontest.c tests/integration/daemontest.h
tests_integration_test_daemon_basic_SOURCES = tests/integration/test_daemon_basic.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_basic_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_basic_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_streams_SOURCES = tests/integration/test_daemon_streams.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_streams_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_streams_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_upstream_SOURCES = tests/integration/test_daemon_upstream.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_upstream_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_upstream_LDADD = $(INTEG_LDADD)
MOCKTEST_SOURCES = tests/integration/mocktest.c tests/integration/mocktest.h $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_mock_SOURCES = tests/integration/test_daemon_mock.c $(MOCKTEST_SOURCES)
tests_integration_test_daemon_mock_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_mock_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_ledger_SOURCES = tests/integration/test_daemon_ledger.c $(MOCKTEST_SOURCES)
tests_integration_test_daemon_ledger_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_ledger_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_proxy_SOURCES = tests/integration/test_daemon_proxy.c $(MOCKTEST_SOURCES)
tests_integration_test_daemon_proxy_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_proxy_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_batch_SOURCES = tests/integration/test_daemon_batch.c $(MOCKTEST_SOURCES)
tests_integration_test_daemon_batch_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_batch_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_identity_SOURCES = tests/integration/test_daemon_identity.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_identity_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_identity_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_own_SOURCES = tests/integration/test_daemon_own.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_own_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_own_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_peers_SOURCES = tests/integration/test_daemon_peers.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_peers_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_peers_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_robust_SOURCES = tests/integration/test_daemon_robust.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_robust_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_robust_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_ops_SOURCES = tests/integration/test_daemon_ops.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_ops_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_ops_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_service_SOURCES = tests/integration/test_daemon_service.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_service_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_service_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_limits_SOURCES = tests/integration/test_daemon_limits.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_limits_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_limits_LDADD = $(INTEG_LDADD)
tests_integration_test_daemon_stall_SOURCES = tests/integration/test_daemon_stall.c $(DAEMONTEST_SOURCES)
tests_integration_test_daemon_stall_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_daemon_stall_LDADD = $(INTEG_LDADD)

# Random traffic through the proxy, from the independent Python client.
TESTS += tests/integration/test_daemon_fuzz.py
EXTRA_DIST += tests/integration/test_daemon_fuzz.py

# krpcmuxctl metrics, read by a strict exposition-format parser.
TESTS += tests/integration/test_daemon_metrics.py
EXTRA_DIST += tests/integration/test_daemon_metrics.py tests/integration/expofmt.py

# A request unread in a client's socket when the game goes away gets the loss error.
TESTS += tests/integration/test_daemon_loss_unread.py
EXTRA_DIST += tests/integration/test_daemon_loss_unread.py

# krpcmuxctl top into a pipe and on a pseudo-terminal.
TESTS += tests/integration/test_daemon_top.py
EXTRA_DIST += tests/integration/test_daemon_top.py

# The tests above that play no server themselves, again with kRPC's own
# TestServer as the game's server (skipped when it is absent).  Each
# testserver/test_daemon_X.real is a stamp naming program X for
# test_daemon_real.sh, so they stay separate tests that `make -j2 check` runs
# in parallel, with logs of their own in tests/integration/testserver/.
DAEMON_REAL_TESTS = \
	tests/integration/testserver/test_daemon_robust.real \
	tests/integration/testserver/test_daemon_streams.real \
	tests/integration/testserver/test_daemon_upstream.real \
	tests/integration/testserver/test_daemon_basic.real \
	tests/integration/testserver/test_daemon_ops.real \
	tests/integration/testserver/test_daemon_identity.real \
	tests/integration/testserver/test_daemon_peers.real \
	tests/integration/testserver/test_daemon_fuzz.real \
	tests/integration/testserver/test_daemon_stall.real
TEST_EXTENSIONS += .real
REAL_LOG_COMPILER = $(SHELL) $(srcdir)/tests/integration/test_daemon_real.sh
TESTS += $(DAEMON_REAL_TESTS)
$(DAEMON_REAL_TESTS):
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	echo "$(@F:.real=) against kRPC's TestServer (test_daemon_real.sh)" > $@
CLEANFILES += $(DAEMON_REAL_TESTS)
EXTRA_DIST += tests/integration/test_daemon_real.sh

# Unit tests of the daemon's modules, linked against its convenience library.
DAEMON_UTESTS = tests/unit/test_streamtab tests/unit/test_config tests/unit/test_batch \
	tests/unit/test_htab tests/unit/test_log tests/unit/test_report tests/unit/test_json
check_PROGRAMS += $(DAEMON_UTESTS)
TESTS += $(DAEMON_UTESTS)
DAEMON_UNIT_CFLAGS = $(daemon_libkrpcmuxd_la_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/daemon
DAEMON_UNIT_LDADD = daemon/libkrpcmuxd.la $(CHECK_LIBS)
tests_unit_test_streamtab_SOURCES = tests/unit/test_streamtab.c
tests_unit_test_streamtab_CFLAGS = $(DAEMON_UNIT_CFLAGS)
tests_unit_test_streamtab_LDADD = $(DAEMON_UNIT_LDADD)
tests_unit_test_batch_SOURCES = tests/unit/test_batch.c daemon/batch.c
tests_unit_test_batch_CFLAGS = $(DAEMON_UNIT_CFLAGS)
tests_unit_test_batch_LDADD = lib/libkrpcwire.la $(CHECK_LIBS)
tests_unit_test_htab_SOURCES = tests/unit/test_htab.c
tests_unit_test_htab_CFLAGS = $(DAEMON_UNIT_CFLAGS)
tests_unit_test_htab_LDADD = $(DAEMON_UNIT_LDADD)
tests_unit_test_log_SOURCES = tests/unit/test_log.c
tests_unit_test_log_CFLAGS = $(DAEMON_UNIT_CFLAGS)
tests_unit_test_log_LDADD = $(DAEMON_UNIT_LDADD)
tests_unit_test_report_SOURCES = tests/unit/test_report.c
tests_unit_test_report_CFLAGS = $(DAEMON_UNIT_CFLAGS)
tests_unit_test_report_LDADD = $(DAEMON_UNIT_LDADD) -lm
tests_unit_test_json_SOURCES = tests/unit/test_json.c daemon/json.c
tests_unit_test_json_CFLAGS = $(DAEMON_UNIT_CFLAGS)
tests_unit_test_json_LDADD = $(DAEMON_UNIT_LDADD)
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(DAEMON_UNIT_CFLAGS)
tests_unit_test_config_LDADD = $(DAEMON_UNIT_LDADD)

# ---- documentation, sample configuration, systemd units ----------------------
dist_man_MANS += docs/krpcmuxd.8 docs/krpcmuxd.conf.5
EXTRA_DIST += conf/krpcmuxd.conf systemd/krpcmuxd.service.in systemd/krpcmuxd.socket \
	systemd/krpcmuxd-stream.socket systemd/user/krpcmuxd.service.in systemd/user/krpcmuxd.socket \
	systemd/user/krpcmuxd-stream.socket

# The sample configuration becomes sysconfdir/krpcmux/krpcmuxd.conf, never
# overwriting a file already there (and uninstalled only if unchanged).
krpcmuxdconfdir = $(sysconfdir)/krpcmux
install-data-local: install-krpcmuxd-conf
uninstall-local: uninstall-krpcmuxd-conf
install-krpcmuxd-conf:
	$(MKDIR_P) '$(DESTDIR)$(krpcmuxdconfdir)'
	@if test -f '$(DESTDIR)$(krpcmuxdconfdir)/krpcmuxd.conf'; then \
	  echo "keeping the existing $(DESTDIR)$(krpcmuxdconfdir)/krpcmuxd.conf"; \
	else \
	  echo " $(INSTALL_DATA) conf/krpcmuxd.conf '$(DESTDIR)$(krpcmuxdconfdir)/krpcmuxd.conf'"; \
	  $(INSTALL_DATA) $(srcdir)/conf/krpcmuxd.conf '$(DESTDIR)$(krpcmuxdconfdir)/krpcmuxd.conf'; \
	fi
uninstall-krpcmuxd-conf:
	@if cmp -s $(srcdir)/conf/krpcmuxd.conf '$(DESTDIR)$(krpcmuxdconfdir)/krpcmuxd.conf'; then \
	  rm -f '$(DESTDIR)$(krpcmuxdconfdir)/krpcmuxd.conf'; \
	fi
.PHONY: install-krpcmuxd-conf uninstall-krpcmuxd-conf

# Units name the installed binary: substituted at build time.
KRPCMUXD_SUBST = sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g'
systemd/krpcmuxd.service: $(srcdir)/systemd/krpcmuxd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(KRPCMUXD_SUBST) $(srcdir)/systemd/krpcmuxd.service.in > $@
systemd/user/krpcmuxd.service: $(srcdir)/systemd/user/krpcmuxd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd/user && \
	$(KRPCMUXD_SUBST) $(srcdir)/systemd/user/krpcmuxd.service.in > $@
CLEANFILES += systemd/krpcmuxd.service systemd/user/krpcmuxd.service

# The units as installed: sandbox rating (systemd-analyze security) and names.
TESTS += tests/integration/test_units.sh
EXTRA_DIST += tests/integration/test_units.sh
if HAVE_SYSTEMD_SYSTEM
systemdsystemunit_DATA = systemd/krpcmuxd.service systemd/krpcmuxd.socket systemd/krpcmuxd-stream.socket
endif
if HAVE_SYSTEMD_USER
systemduserunit_DATA = systemd/user/krpcmuxd.service systemd/user/krpcmuxd.socket \
	systemd/user/krpcmuxd-stream.socket
endif
