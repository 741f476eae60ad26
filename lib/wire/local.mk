# lib/wire/: the wire codec (a convenience library shared by krpcmuxd and
# krpc-sim) and libkrpcmux, the installed client library built on it.

noinst_LTLIBRARIES += lib/libkrpcwire.la
lib_libkrpcwire_la_SOURCES = \
	lib/wire/buf.c lib/wire/buf.h \
	lib/wire/codec.h \
	lib/wire/frame.c lib/wire/frame.h \
	lib/wire/handshake.c lib/wire/handshake.h \
	lib/wire/lenient.c lib/wire/lenient.h \
	lib/wire/listen.c lib/wire/listen.h \
	lib/wire/message.c lib/wire/message.h \
	lib/wire/type.c \
	lib/wire/util.c \
	lib/wire/value.c lib/wire/value_impl.h \
	lib/wire/value_codec.c \
	lib/wire/value_text.c
nodist_lib_libkrpcwire_la_SOURCES = proto/krpc.pb-c.c proto/krpc.pb-c.h
lib_libkrpcwire_la_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
lib_libkrpcwire_la_LIBADD = $(PROTOBUF_C_LIBS)

pkginclude_HEADERS += \
	lib/krpcmux/common.h \
	lib/krpcmux/value.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = lib/libkrpcmux.pc
EXTRA_DIST += lib/libkrpcmux.pc.in
