# daemon/: krpcmuxd, the multiplexing proxy.  Its modules are built once as a
# convenience library, linked into the daemon and into the unit tests.

noinst_LTLIBRARIES += daemon/libkrpcmuxd.la
daemon_libkrpcmuxd_la_SOURCES = \
	daemon/krpcmuxd.h \
	daemon/admin.c \
	daemon/client.c \
	daemon/config.c \
	daemon/defer.c \
	daemon/fanout.c \
	daemon/htab.c \
	daemon/listener.c \
	daemon/log.c \
	daemon/peer.c \
	daemon/router.c \
	daemon/schema.c \
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
