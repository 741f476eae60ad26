/*
 * Integration tests of the libkrpcmux client against a real server
 * (krpc-sim, or KRPC_TEST_RPC/KRPC_TEST_STREAM): connecting over TCP and
 * Unix sockets, handshake errors, typed and model-checked calls, server
 * errors mapped to service/name/description, service discovery, calls
 * from several threads, call timeouts and closing under a blocked call.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libtest.h"

#define TS "TestService"
#define STRUCT_T "struct(TestService.TestStruct)"

/* Asserts that a call fails with a server error of service/name and a description prefix. */
static void
expect_rpc_error(krpc_code_t rc, const char *service, const char *name, const char *desc)
{
	ck_assert_msg(rc == KRPC_ERR_RPC, "expected a server error, got %s: %s", krpc_code_str(rc),
	    krpc_error_message());
	ck_assert_int_eq(krpc_error_code(), KRPC_ERR_RPC);
	ck_assert_str_eq(krpc_error_service(), service);
	ck_assert_str_eq(krpc_error_name(), name);
	ck_assert_msg(strncmp(krpc_error_description(), desc, strlen(desc)) == 0,
	    "description \"%s\" does not start with \"%s\"", krpc_error_description(), desc);
}

/* ---- connecting ----------------------------------------------------- */

START_TEST(test_connect_name_and_id)
{
	krpc_client_t *c = lt_client("libkrpcmux-test");
	krpc_value_t *v;
	const uint8_t *id;
	size_t len;
	char *s;

	ck_assert(krpc_client_has_stream(c));
	ck_assert_str_eq(krpc_client_name(c), "libkrpcmux-test");
	s = lt_call_str(c, "KRPC", "GetClientName", 0);
	ck_assert_str_eq(s, "libkrpcmux-test");
	free(s);
	v = lt_call(c, "KRPC", "GetClientID", "bytes", 0);
	id = krpc_value_data(v, &len);
	ck_assert_uint_eq(len, 16);
	ck_assert(memcmp(id, krpc_client_id(c), 16) == 0);
	krpc_value_free(v);
	krpc_client_close(c);
}
END_TEST

/* KRPC.GetStatus decoded by the library, from a call and from a stream. */
START_TEST(test_status)
{
	krpc_client_t *c = lt_client("status");
	krpc_status_t st, again;
	krpc_stream_t *s;
	krpc_value_t *v;

	LT_OK(krpc_client_status(c, &st));
	ck_assert_msg(strlen(st.version) >= 5 && strchr(st.version, '.') != NULL, "%s", st.version);
	ck_assert_uint_gt(st.bytes_read, 0);
	ck_assert_uint_gt(st.bytes_written, 0);
	ck_assert_uint_gt(st.max_time_per_update, 0);
	LT_OK(krpc_stream_add(c, "KRPC", "GetStatus", NULL, 0, "status", &s));
	LT_OK(krpc_stream_get(s, &v));
	LT_OK(krpc_status_decode(v, &again));
	ck_assert_str_eq(again.version, st.version);
	ck_assert_uint_ge(again.stream_rpcs, 1);		/* this one */
	ck_assert_uint_ge(again.bytes_read, st.bytes_read);
	krpc_status_free(&again);
	krpc_value_free(v);
	/* Not a status: the error is recorded, *out zeroed. */
	v = krpc_value_double(1);
	LT_FAILS(krpc_status_decode(v, &again), KRPC_ERR_TYPE);
	ck_assert_int_eq(krpc_error_code(), KRPC_ERR_TYPE);
	ck_assert_ptr_null(again.version);
	krpc_value_free(v);
	v = krpc_value_message(KRPC_TYPE_STATUS, "\x0a\x05", 2);	/* a truncated version */
	LT_FAILS(krpc_status_decode(v, &again), KRPC_ERR_MALFORMED);
	krpc_value_free(v);
	krpc_status_free(&st);
	krpc_status_free(NULL);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_connect_without_stream)
{
	krpc_client_t *c = lt_client_nostream(NULL);
	krpc_value_t *args[1], *v = NULL;
	krpc_stream_t *s = (krpc_stream_t *)1;
	krpc_event_t *e = (krpc_event_t *)1;
	char *name;

	ck_assert(!krpc_client_has_stream(c));
	name = lt_call_str(c, "KRPC", "GetClientName", 0);
	ck_assert_str_eq(name, "");
	free(name);
	/* Streams and events need a stream connection: refused locally... */
	args[0] = krpc_value_string("x");
	LT_FAILS(krpc_stream_add(c, TS, "Counter", args, 1, "sint32", &s), KRPC_ERR_NO_STREAM);
	ck_assert_ptr_null(s);
	krpc_value_free(args[0]);
	args[0] = krpc_value_uint32(100);
	LT_FAILS(krpc_event_call(c, TS, "OnTimer", args, 1, &e), KRPC_ERR_NO_STREAM);
	ck_assert_ptr_null(e);
	/* ...where the server would have said so as an error of the call. */
	expect_rpc_error(krpc_call(c, TS, "OnTimer", args, 1, "event", &v), "KRPC",
	    "InvalidOperationException", "No stream client is connected for this RPC client");
	krpc_value_free(args[0]);
	LT_FAILS(krpc_update_wait(c, 0), KRPC_ERR_ARG);		/* the lock is not held */
	krpc_value_free(v);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_connect_refused)
{
	krpc_client_t *c = (krpc_client_t *)1;
	int port = th_free_port();

	LT_FAILS(krpc_connect(&c, "x", "127.0.0.1", port, KRPC_NO_STREAM), KRPC_ERR_IO);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(krpc_error_message(), "cannot connect") != NULL, "%s", krpc_error_message());
	LT_FAILS(krpc_connect(&c, "x", "no-such-host.invalid", 1, KRPC_NO_STREAM), KRPC_ERR_IO);
	LT_FAILS(krpc_connect_local(&c, "x", th_tmp("nobody-listens"), KRPC_NO_STREAM_PATH), KRPC_ERR_IO);
}
END_TEST

START_TEST(test_handshake_wrong_ports)
{
	krpc_client_t *c = (krpc_client_t *)1;

	if (!lt.tcp)
		return;
	/* An RPC handshake sent to the stream server... */
	LT_FAILS(krpc_connect(&c, "x", lt.host, lt.stream_port, KRPC_NO_STREAM), KRPC_ERR_HANDSHAKE);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(krpc_error_description(), "Connection request was for the rpc server, but this is "
	    "the stream server. Did you connect to the wrong port number or socket path?");
	ck_assert_msg(strncmp(krpc_error_message(), "WRONG_TYPE: ", 12) == 0, "%s", krpc_error_message());
	/* ...and a stream handshake sent to the RPC server. */
	LT_FAILS(krpc_connect(&c, "x", lt.host, lt.rpc_port, lt.rpc_port), KRPC_ERR_HANDSHAKE);
	ck_assert_str_eq(krpc_error_description(), "Connection request was for the stream server, but this "
	    "is the rpc server. Did you connect to the wrong port number or socket path?");
}
END_TEST

/* A loopback TCP listener on a free port (*port set). */
static int
listen_loopback(int *port)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	getsockname(fd, (struct sockaddr *)&sin, &slen);
	*port = ntohs(sin.sin_port);
	return fd;
}

/*
 * The two ConnectionResponses kRPC's TestServer sent (recorded with a
 * probe): the client's identifier, then the stream connection's own new
 * one, not the identifier the client sent.
 */
static const char real_rpc_answer[] = "121a101f4f9bfc37911544ba3afa4a96898689";
static const char real_stream_answer[] = "121a10533965ad566fe243a7d6b4901b317996";

struct fake_server {
	int	 lrpc, lstream;
	bool	 ok;		/* both requests were as expected */
};

/* Reads exactly len bytes into buf (within 10 s); false on close or timeout. */
static bool
read_exactly(int fd, uint8_t *buf, size_t len)
{
	struct timeval tv = { 10, 0 };
	size_t off = 0;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	while (off < len && (n = recv(fd, buf + off, len - off, 0)) > 0)
		off += (size_t)n;
	return off == len;
}

/* Serves one client's two handshakes as the real server does, then waits for it to leave. */
static void *
fake_server_main(void *arg)
{
	struct fake_server *f = arg;
	const uint8_t *rpc_ans, *stream_ans;
	uint8_t req[64], want[64];
	size_t rlen, slen;
	int rpc, stream;

	rpc_ans = th_hex(real_rpc_answer, &rlen);
	memcpy(want, rpc_ans, rlen);
	rpc = accept(f->lrpc, NULL, NULL);
	/* ConnectionRequest{client_name = "fake"} */
	f->ok = read_exactly(rpc, req, 7) && memcmp(req, "\x06\x12\x04" "fake", 7) == 0;
	send(rpc, want, rlen, MSG_NOSIGNAL);
	stream = accept(f->lstream, NULL, NULL);
	/* ConnectionRequest{type = STREAM, client_name = "fake", client_identifier = the RPC answer's} */
	f->ok = f->ok && read_exactly(stream, req, 27) &&
	    memcmp(req, "\x1a\x08\x01\x12\x04" "fake" "\x1a\x10", 11) == 0 &&
	    memcmp(req + 11, want + 3, 16) == 0;
	stream_ans = th_hex(real_stream_answer, &slen);
	send(stream, stream_ans, slen, MSG_NOSIGNAL);
	read_exactly(rpc, req, 1);	/* until the client closes */
	close(stream);
	close(rpc);
	return NULL;
}

/* The real server's answers, byte for byte: the stream handshake is no echo. */
START_TEST(test_handshake_real_answers)
{
	struct fake_server f = { -1, -1, false };
	krpc_client_t *c = NULL;
	const uint8_t *id;
	int rpc_port, stream_port;
	pthread_t t;
	size_t len;

	f.lrpc = listen_loopback(&rpc_port);
	f.lstream = listen_loopback(&stream_port);
	ck_assert_int_eq(pthread_create(&t, NULL, fake_server_main, &f), 0);
	LT_OK(krpc_connect(&c, "fake", "127.0.0.1", rpc_port, stream_port));
	ck_assert(krpc_client_has_stream(c));
	id = th_hex(real_rpc_answer, &len);
	ck_assert(memcmp(krpc_client_id(c), id + 3, 16) == 0);	/* the client's, not the stream's */
	krpc_client_close(c);
	pthread_join(t, NULL);
	ck_assert_msg(f.ok, "the library's ConnectionRequests differ from what kRPC clients send");
	close(f.lrpc);
	close(f.lstream);
}
END_TEST

START_TEST(test_connect_timeout)
{
	krpc_options_t *o = krpc_options_new();
	krpc_client_t *c = (krpc_client_t *)1;
	double t0;
	int fd, port;

	/* A listener that accepts nothing: TCP connects, the handshake never answers. */
	fd = listen_loopback(&port);
	LT_OK(krpc_options_set_tcp(o, "127.0.0.1", port, KRPC_NO_STREAM));
	LT_OK(krpc_options_set_connect_timeout(o, 0.3));
	t0 = th_now();
	LT_FAILS(krpc_connect_options(&c, o), KRPC_ERR_TIMEOUT);
	ck_assert_ptr_null(c);
	ck_assert(th_now() - t0 >= 0.25);
	krpc_options_free(o);
	close(fd);
}
END_TEST

START_TEST(test_unix_sockets)
{
	krpc_client_t *c;
	krpc_stream_t *s;
	krpc_value_t *args[1];
	int32_t n = 0;
	char *name;

	if (!lt.local)
		return;
	LT_OK(krpc_connect_local(&c, "over-unix", lt.rpc_path, lt.stream_path));
	name = lt_call_str(c, "KRPC", "GetClientName", 0);
	ck_assert_str_eq(name, "over-unix");
	free(name);
	args[0] = krpc_value_string(lt_id("unix"));
	LT_OK(krpc_stream_add(c, TS, "Counter", args, 1, "sint32", &s));
	krpc_value_free(args[0]);
	LT_OK(krpc_stream_get_sint32(s, &n));
	ck_assert_int_ge(n, 1);
	krpc_client_close(c);
	/* The default paths come from $XDG_RUNTIME_DIR/krpc/. */
	if (lt.runtime_dir[0] == '\0')
		return;
	setenv("XDG_RUNTIME_DIR", lt.runtime_dir, 1);
	LT_OK(krpc_connect_local(&c, "defaults", NULL, NULL));
	ck_assert(krpc_client_has_stream(c));
	name = lt_call_str(c, "KRPC", "GetClientName", 0);
	ck_assert_str_eq(name, "defaults");
	free(name);
	krpc_client_close(c);
	LT_OK(krpc_connect_local(&c, "no-stream", NULL, KRPC_NO_STREAM_PATH));
	ck_assert(!krpc_client_has_stream(c));
	krpc_client_close(c);
}
END_TEST

/* ---- calls ---------------------------------------------------------- */

START_TEST(test_calls_typed)
{
	krpc_client_t *c = lt_client("typed");
	krpc_value_t *args[4] = { NULL }, *v, *list, *obj;
	uint64_t id;
	char *s;

	s = lt_call_str(c, TS, "Int32ToString", 1, krpc_value_sint32(42));
	ck_assert_str_eq(s, "42");
	free(s);
	s = lt_call_str(c, TS, "Int64ToString", 1, krpc_value_sint64(123456789000LL));
	ck_assert_str_eq(s, "123456789000");
	free(s);
	s = lt_call_str(c, TS, "AddMultipleValues", 3, krpc_value_float(0.14159f), krpc_value_sint32(1),
	    krpc_value_sint64(2));
	ck_assert_str_eq(s, "3.14159");
	free(s);
	s = lt_call_str(c, TS, "BytesToHexString", 1, krpc_value_bytes("\xde\xad\xbe\xef", 4));
	ck_assert_str_eq(s, "deadbeef");
	free(s);
	s = lt_call_str(c, TS, "BoolToString", 1, krpc_value_bool(false));
	ck_assert_str_eq(s, "False");
	free(s);
	/* Omitted arguments take the server's defaults, also in the middle. */
	s = lt_call_str(c, TS, "OptionalArguments", 1, krpc_value_string("jeb"));
	ck_assert_str_eq(s, "jebfoobarnull");
	free(s);
	args[0] = krpc_value_string("jeb");
	args[2] = krpc_value_string("baz");
	LT_OK(krpc_call(c, TS, "OptionalArguments", args, 3, "string", &v));
	ck_assert_str_eq(krpc_value_str(v, NULL), "jebfoobaznull");
	krpc_value_free(v);
	/* Nulls where nullable. */
	v = lt_call(c, TS, "EchoNullableString", "string", 1, krpc_value_null(KRPC_TYPE_STRING));
	ck_assert(krpc_value_is_null(v));
	krpc_value_free(v);
	v = lt_call(c, TS, "EchoNullableInt", "sint32", 1, krpc_value_null(KRPC_TYPE_SINT32));
	ck_assert(krpc_value_is_null(v));
	krpc_value_free(v);
	/* Objects are ids. */
	obj = lt_call(c, TS, "CreateTestObject", "class(TestService.TestClass)", 1, krpc_value_string("bob"));
	LT_OK(krpc_value_as_object(obj, &id));
	ck_assert_uint_gt(id, 0);
	s = lt_call_str(c, TS, "TestClass_GetValue", 1, krpc_value_object(id));
	ck_assert_str_eq(s, "value=bob");
	free(s);
	args[3] = obj;
	LT_OK(krpc_call(c, TS, "OptionalArguments", args, 4, "string", &v));
	ck_assert_str_eq(krpc_value_str(v, NULL), "jebfoobazbob");
	krpc_value_free(v);
	/* Collections and structures. */
	list = krpc_value_collection(KRPC_TYPE_LIST);
	krpc_value_append(list, krpc_value_sint32(1));
	krpc_value_append(list, krpc_value_sint32(-5));
	v = lt_call(c, TS, "IncrementList", "list(sint32)", 1, list);
	s = lt_fmt(v);
	ck_assert_str_eq(s, "[2, -4]");
	free(s);
	krpc_value_free(v);
	v = lt_call(c, TS, "StructDefault", STRUCT_T, 0);	/* fields resolved through the model */
	s = lt_fmt(v);
	ck_assert_str_eq(s, "(42, \"jeb\", enum 1, [1, 2, 3])");
	free(s);
	krpc_value_free(v);
	/* A void procedure gives no value; a bad return type is refused before sending. */
	v = (krpc_value_t *)1;
	LT_OK(krpc_call(c, TS, "ResetCustomExceptionLater", NULL, 0, "", &v));
	ck_assert_ptr_null(v);
	LT_FAILS(krpc_call(c, TS, "Int32ToString", args, 1, "strin", &v), KRPC_ERR_TYPE);
	krpc_value_free(args[0]);
	krpc_value_free(args[2]);
	krpc_value_free(args[3]);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_calls_by_model)
{
	krpc_client_t *c = lt_client("invoke");
	krpc_value_t *v = NULL, *call = NULL;
	uint64_t obj;

	LT_OK(krpc_invoke(c, &v, TS, "Int32ToString", 1, 42));
	ck_assert_str_eq(krpc_value_str(v, NULL), "42");
	krpc_value_free(v);
	LT_OK(krpc_invoke(c, &v, TS, "DoubleToString", 1, 3.14159));
	ck_assert_str_eq(krpc_value_str(v, NULL), "3.14159");
	krpc_value_free(v);
	LT_OK(krpc_invoke(c, &v, TS, "AddMultipleValues", 3, 1.0, 2, (int64_t)3));
	ck_assert_str_eq(krpc_value_str(v, NULL), "6");
	krpc_value_free(v);
	LT_OK(krpc_invoke(c, &v, TS, "OptionalArguments", 2, "jeb", "x"));
	ck_assert_str_eq(krpc_value_str(v, NULL), "jebxbarnull");
	krpc_value_free(v);
	LT_OK(krpc_invoke(c, &v, TS, "CreateTestObject", 1, "bill"));
	LT_OK(krpc_value_as_object(v, &obj));
	krpc_value_free(v);
	LT_OK(krpc_invoke(c, &v, TS, "TestClass_FloatToString", 2, obj, 3.14159));
	ck_assert_str_eq(krpc_value_str(v, NULL), "bill3.14159");
	krpc_value_free(v);
	LT_OK(krpc_invoke(c, &v, TS, "EnumEcho", 1, 2));
	ck_assert_int_eq(krpc_value_code(v), KRPC_TYPE_ENUMERATION);
	krpc_value_free(v);
	LT_OK(krpc_invoke(c, &v, TS, "StructDefault", 0));
	ck_assert_uint_eq(krpc_value_count(v), 4);
	krpc_value_free(v);
	/* A struct value returned by the server goes back through the checked path. */
	LT_OK(krpc_call(c, TS, "StructDefault", NULL, 0, NULL, &call));
	LT_OK(krpc_invoke(c, &v, TS, "StructEcho", 1, call));
	ck_assert(krpc_value_equal(v, call));
	krpc_value_free(v);
	krpc_value_free(call);
	/* Checked locally, worded like the server. */
	LT_FAILS(krpc_invoke(c, &v, TS, "NoSuchProcedure", 0), KRPC_ERR_NOT_FOUND);
	ck_assert_str_eq(krpc_error_message(), "Procedure \"NoSuchProcedure\" not found, in service \"TestService\"");
	LT_FAILS(krpc_invoke(c, &v, "NoSuchService", "X", 0), KRPC_ERR_NOT_FOUND);
	ck_assert_str_eq(krpc_error_message(), "Service \"NoSuchService\" not found");
	LT_FAILS(krpc_invoke(c, &v, TS, "Int32ToString", 2, 1, 2), KRPC_ERR_ARG);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_server_errors_mapped)
{
	krpc_client_t *c = lt_client("errors");
	krpc_value_t *args[2] = { NULL }, *v = NULL;
	char *s;

	expect_rpc_error(krpc_call(c, TS, "ThrowInvalidOperationException", NULL, 0, "sint32", &v),
	    "KRPC", "InvalidOperationException", "Invalid operation");
	ck_assert_ptr_null(v);
	expect_rpc_error(krpc_call(c, TS, "ThrowArgumentException", NULL, 0, "sint32", &v),
	    "KRPC", "ArgumentException", "Invalid argument");
	args[0] = krpc_value_string("");
	expect_rpc_error(krpc_call(c, TS, "ThrowArgumentNullException", args, 1, "sint32", &v),
	    "KRPC", "ArgumentNullException", "Value cannot be null.");
	krpc_value_free(args[0]);
	args[0] = krpc_value_sint32(0);
	expect_rpc_error(krpc_call(c, TS, "ThrowArgumentOutOfRangeException", args, 1, "sint32", &v),
	    "KRPC", "ArgumentOutOfRangeException", "Specified argument was out of the range");
	expect_rpc_error(krpc_call(c, TS, "ThrowCustomException", NULL, 0, "sint32", &v),
	    "TestService", "CustomException", "A custom kRPC exception");
	ck_assert_str_eq(krpc_error_message(), "TestService.CustomException: A custom kRPC exception");
	/* Plain errors: no service or name. */
	args[1] = args[0];
	args[0] = krpc_value_string("div");
	expect_rpc_error(krpc_call(c, TS, "Counter", args, 2, "sint32", &v), "", "",
	    "Attempted to divide by zero.");
	expect_rpc_error(krpc_call(c, TS, "NoSuchProcedure", NULL, 0, "", &v), "", "",
	    "Procedure \"NoSuchProcedure\" not found, in service \"TestService\"");
	expect_rpc_error(krpc_call(c, TS, "ReturnNullWhenNotAllowed", NULL, 0,
	    "class(TestService.TestClass)", &v), "", "",
	    "Incorrect value returned by TestService.ReturnNullWhenNotAllowed. Expected a non-null value of "
	    "type TestServer.TestService+TestClass, got null, but the procedure is not marked as nullable.");
	expect_rpc_error(krpc_call(c, TS, "Int32ToString", NULL, 0, "string", &v), "", "",
	    "Argument not specified for parameter value in TestService.Int32ToString");
	krpc_value_free(args[0]);
	krpc_value_free(args[1]);
	/* A request-level error (unknown object) leaves the connection usable. */
	args[0] = krpc_value_object(1000000);
	expect_rpc_error(krpc_call(c, TS, "TestClass_GetValue", args, 1, "string", &v), "KRPC",
	    "ArgumentException", "Instance not found");
	krpc_value_free(args[0]);
	s = lt_call_str(c, TS, "Int32ToString", 1, krpc_value_sint32(5));
	ck_assert_str_eq(s, "5");
	free(s);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_get_call)
{
	krpc_client_t *c = lt_client("get-call");
	krpc_value_t *args[2], *call = NULL, *v;
	Krpc__Schema__ProcedureCall *pc;
	const uint8_t *data;
	size_t len, i;
	double iters = 0;

	args[0] = krpc_value_sint32(42);
	LT_OK(krpc_get_call(c, TS, "Int32ToString", args, 1, &call));
	krpc_value_free(args[0]);
	ck_assert_int_eq(krpc_value_code(call), KRPC_TYPE_PROCEDURE_CALL);
	data = krpc_value_data(call, &len);
	ck_assert_ptr_nonnull(pc = krpc__schema__procedure_call__unpack(NULL, len, data));
	ck_assert_str_eq(pc->procedure, "Int32ToString");
	ck_assert_uint_eq(pc->n_arguments, 1);
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
	/* The call is usable as an argument: Benchmark.Call runs it. */
	args[0] = call;
	args[1] = krpc_value_uint32(3);
	LT_OK(krpc_call(c, "Benchmark", "Call", args, 2, "dict(string, double)", &v));
	for (i = 0; i < krpc_value_count(v); i++) {
		if (strcmp(krpc_value_str(krpc_value_key(v, i), NULL), "iterations") == 0)
			krpc_value_as_double(krpc_value_val(v, i), &iters);
	}
	ck_assert(iters == 3.0);
	krpc_value_free(v);
	krpc_value_free(args[0]);
	krpc_value_free(args[1]);
	/* Checked against the model. */
	args[0] = krpc_value_string("not a number");
	LT_FAILS(krpc_get_call(c, TS, "Int32ToString", args, 1, &call), KRPC_ERR_TYPE);
	krpc_value_free(args[0]);
	LT_OK(krpc_invoke_get_call(c, &call, TS, "Int32ToString", 1, 7));
	krpc_value_free(call);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_service_discovery)
{
	krpc_client_t *c = lt_client("discovery");
	const krpc_services_t *m, *again;
	const krpc_procedure_t *p;

	LT_OK(krpc_client_services(c, &m));
	LT_OK(krpc_client_services(c, &again));
	ck_assert_ptr_eq(m, again);	/* fetched once */
	ck_assert_ptr_nonnull(krpc_services_find(m, "KRPC"));
	p = krpc_services_procedure(m, TS, "OptionalArguments");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(krpc_procedure_param_count(p), 4);
	ck_assert(krpc_parameter_has_default(krpc_procedure_param_at(p, 1)));
	ck_assert_uint_eq(krpc_type_count(krpc_procedure_return_type(krpc_services_procedure(m, TS,
	    "StructDefault"))), 4);
	ck_assert_ptr_nonnull(krpc_service_enum(krpc_services_find(m, TS), "TestEnum"));
	ck_assert_ptr_nonnull(krpc_service_exception(krpc_services_find(m, TS), "CustomException"));
	krpc_client_close(c);
}
END_TEST

/* ---- threads, timeouts, closing ------------------------------------- */

struct caller {
	krpc_client_t	*c;
	int		 base;
	int		 bad;
};

static void *
caller_main(void *arg)
{
	struct caller *k = arg;
	krpc_value_t *args[1], *v;
	char want[32];
	int i;

	for (i = 0; i < 40; i++) {
		args[0] = krpc_value_sint32(k->base + i);
		snprintf(want, sizeof want, "%d", k->base + i);
		if (krpc_call(k->c, TS, "Int32ToString", args, 1, "string", &v) != KRPC_OK ||
		    strcmp(krpc_value_str(v, NULL), want) != 0)
			k->bad++;
		krpc_value_free(v);
		krpc_value_free(args[0]);
	}
	return NULL;
}

START_TEST(test_threads_share_a_client)
{
	enum { NT = 6 };
	krpc_client_t *c = lt_client("threads");
	struct caller k[NT];
	pthread_t t[NT];
	int i;

	for (i = 0; i < NT; i++) {
		k[i] = (struct caller){ c, i * 1000, 0 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, caller_main, &k[i]), 0);
	}
	for (i = 0; i < NT; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(k[i].bad, 0);
	}
	krpc_client_close(c);
}
END_TEST

START_TEST(test_call_timeout)
{
	krpc_options_t *o = krpc_options_new();
	krpc_client_t *c;
	krpc_value_t *args[1], *v = NULL;
	krpc_code_t rc = KRPC_OK;
	char *s, want[16];
	int i;

	if (lt.tcp)
		LT_OK(krpc_options_set_tcp(o, lt.host, lt.rpc_port, KRPC_NO_STREAM));
	else
		LT_OK(krpc_options_set_local(o, lt.rpc_path, KRPC_NO_STREAM_PATH));
	LT_OK(krpc_options_set_call_timeout(o, 0.2));
	LT_OK(krpc_connect_options(&c, o));
	krpc_options_free(o);
	/* 30 updates of yielding: well over 0.2 s on a server paced like the game (60 a second). */
	args[0] = krpc_value_sint32(30);
	LT_FAILS(krpc_call(c, TS, "BlockingProcedure", args, 1, "sint32", NULL), KRPC_ERR_TIMEOUT);
	krpc_value_free(args[0]);
	/*
	 * Later calls queue behind the blocked one and may time out too; once
	 * one succeeds, the late responses have been dropped and it got its
	 * own answer.
	 */
	for (i = 0; i < 50; i++) {
		args[0] = krpc_value_sint32(100 + i);
		rc = krpc_call(c, TS, "Int32ToString", args, 1, "string", &v);
		krpc_value_free(args[0]);
		if (rc != KRPC_ERR_TIMEOUT)
			break;
	}
	LT_OK(rc);
	snprintf(want, sizeof want, "%d", 100 + i);
	ck_assert_str_eq(krpc_value_str(v, NULL), want);
	krpc_value_free(v);
	s = lt_call_str(c, TS, "Int32ToString", 1, krpc_value_sint32(77));
	ck_assert_str_eq(s, "77");
	free(s);
	krpc_client_close(c);
}
END_TEST

struct blocked {
	krpc_client_t	*c;
	krpc_code_t	 rc;
	struct lt_count	 started;
};

static void *
blocked_main(void *arg)
{
	struct blocked *b = arg;
	/*
	 * Two seconds of yielding (120 updates), far longer than the test
	 * waits; finite, so that through a proxy it does not hold an upstream
	 * connection forever after this client has gone.
	 */
	krpc_value_t *args[1] = { krpc_value_sint32(120) };

	lt_count_add(&b->started, 1);
	b->rc = krpc_call(b->c, TS, "BlockingProcedure", args, 1, "sint32", NULL);
	krpc_value_free(args[0]);
	return NULL;
}

START_TEST(test_close_with_blocked_call)
{
	struct blocked b;
	pthread_t t;
	krpc_value_t *v;

	b.c = lt_client("blocked");
	b.rc = KRPC_OK;
	lt_count_init(&b.started);
	ck_assert_int_eq(pthread_create(&t, NULL, blocked_main, &b), 0);
	ck_assert(lt_count_wait(&b.started, 1, 5));
	/*
	 * Give the request time to go out, so that close meets a thread blocked
	 * reading its response (no signal says "sent"); the result is
	 * KRPC_ERR_CLOSED whichever way the race goes.
	 */
	th_sleep(0.1);
	krpc_client_close(b.c);
	pthread_join(t, NULL);
	ck_assert_int_eq(b.rc, KRPC_ERR_CLOSED);
	/* A fresh client works (the server is fine). */
	b.c = lt_client("after");
	v = lt_call(b.c, "KRPC", "GetClientName", "string", 0);
	krpc_value_free(v);
	krpc_client_close(b.c);
}
END_TEST

static Suite *
client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("client");

	lt_tcase(tc, 60);
	tcase_add_test(tc, test_connect_name_and_id);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_connect_without_stream);
	tcase_add_test(tc, test_connect_refused);
	tcase_add_test(tc, test_handshake_wrong_ports);
	tcase_add_test(tc, test_handshake_real_answers);
	tcase_add_test(tc, test_connect_timeout);
	tcase_add_test(tc, test_unix_sockets);
	tcase_add_test(tc, test_calls_typed);
	tcase_add_test(tc, test_calls_by_model);
	tcase_add_test(tc, test_server_errors_mapped);
	tcase_add_test(tc, test_get_call);
	tcase_add_test(tc, test_service_discovery);
	tcase_add_test(tc, test_threads_share_a_client);
	tcase_add_test(tc, test_call_timeout);
	tcase_add_test(tc, test_close_with_blocked_call);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(client_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
