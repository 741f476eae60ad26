# proto/: the kRPC schema, compiled to C by protoc-c (and to Python for the
# independent test client).

EXTRA_DIST += proto/krpc.proto
BUILT_SOURCES += proto/krpc.pb-c.c proto/krpc.pb-c.h
CLEANFILES += proto/krpc.pb-c.c proto/krpc.pb-c.h

proto/krpc.pb-c.c: $(srcdir)/proto/krpc.proto
	$(AM_V_GEN)$(MKDIR_P) proto && \
	$(PROTOC_C) --proto_path=$(srcdir)/proto --c_out=proto $(srcdir)/proto/krpc.proto

proto/krpc.pb-c.h: proto/krpc.pb-c.c
	@test -f $@ || { rm -f proto/krpc.pb-c.c; $(MAKE) $(AM_MAKEFLAGS) proto/krpc.pb-c.c; }

# The independent Python test client reads the schema through python3-protobuf.
if HAVE_PROTOC
BUILT_SOURCES += proto/krpc_pb2.py
CLEANFILES += proto/krpc_pb2.py
proto/krpc_pb2.py: $(srcdir)/proto/krpc.proto
	$(AM_V_GEN)$(MKDIR_P) proto && \
	$(PROTOC) --proto_path=$(srcdir)/proto --python_out=proto $(srcdir)/proto/krpc.proto
endif
