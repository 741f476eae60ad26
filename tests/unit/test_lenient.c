/*
 * Unit tests for the pieces krpcmuxd and krpc-sim share from the codec:
 * lenient reading of client messages (what is accepted, how it is cleaned,
 * and the texts of refusals), the handshake texts, and listening sockets.
 * Every expectation about the server was measured on kRPC's TestServer.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <unistd.h>

#include "unit.h"

#define TRUNCATED "While parsing a protocol message, the input ended unexpectedly in the middle " \
	"of a field.  This could mean either that the input has been truncated or that an " \
	"embedded message misreported its own length."
#define TOO_DEEP "Protocol message had too many levels of nesting.  May be malicious.  " \
	"Use CodedInputStream.SetRecursionLimit() to increase the depth limit."

/* Reads a ConnectionRequest given as hex; NULL with *why on refusal. */
static Krpc__Schema__ConnectionRequest *
read_hello(const char *hex, const char **why)
{
	size_t len;
	const uint8_t *p = unit_hex(hex, &len);

	*why = NULL;
	return (Krpc__Schema__ConnectionRequest *)krpc_lenient_read(KRPC_LENIENT_CONNECTION_REQUEST,
	    p, len, why);
}

/* n nested groups of field 15, closed in order. */
static void
groups(krpc_buf_t *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		krpc_buf_byte(b, 15 << 3 | 3);
	for (i = 0; i < n; i++)
		krpc_buf_byte(b, 15 << 3 | 4);
}

/* The server's complaints, byte for byte as the TestServer answered these handshakes. */
START_TEST(test_refusal_texts)
{
	static const struct {
		const char	*hex, *why;
	} cases[] = {
		{ "0a0501", TRUNCATED },			/* a string cut short */
		{ "0d0102", TRUNCATED },			/* a fixed32 cut short */
		{ "88", TRUNCATED },				/* a tag cut short */
		{ "0001", "Protocol message contained an invalid tag (zero)." },
		{ "08ffffffffffffffffffff01", "CodedInputStream encountered a malformed varint." },
		{ "ffffffffffffffffffff01", "CodedInputStream encountered a malformed varint." },
		{ "0e", "Protocol message contained a tag with an invalid wire type." },
		{ "0f", "Protocol message contained a tag with an invalid wire type." },
		{ "12ffffffff0f", "CodedInputStream encountered an embedded string or message which "
		    "claimed to have negative size." },
		{ "12ffffffff07616263", TRUNCATED },
		{ "0c", "Merge an unknown field of end-group tag, indicating that the corresponding "
		    "start-group was missing." },
		{ "1b24", "Protocol message end-group tag did not match expected tag." },
		{ "1b0801", "Protocol message end-group tag did not match expected tag." },
		{ "1b0a05", TRUNCATED },			/* inside a group */
		{ "1b0e1c", "Protocol message contained a tag with an invalid wire type." },
		{ "1b001c", "Protocol message contained an invalid tag (zero)." },
		{ "1b1c0c", "Merge an unknown field of end-group tag, indicating that the "
		    "corresponding start-group was missing." },
	};
	const char *why;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_msg(read_hello(cases[i].hex, &why) == NULL, "%s accepted", cases[i].hex);
		ck_assert_msg(why != NULL && strcmp(why, cases[i].why) == 0, "%s: %s", cases[i].hex,
		    why ? why : "(no reason)");
	}
}
END_TEST

/* What the server reads although protobuf-c alone would not. */
START_TEST(test_accepted)
{
	Krpc__Schema__ConnectionRequest *r;
	const char *why;

	/* type as bytes (skipped), a group (skipped), then the name */
	ck_assert_ptr_nonnull(r = read_hello("0a01001b08051c1203616263", &why));
	ck_assert_int_eq(r->type, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC);
	ck_assert_str_eq(r->client_name, "abc");
	krpc__schema__connection_request__free_unpacked(r, NULL);
	/* a ten-byte tag keeps its low 32 bits: field 1 (type) = STREAM */
	ck_assert_ptr_nonnull(r = read_hello("88808080808080808000" "01", &why));
	ck_assert_int_eq(r->type, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM);
	krpc__schema__connection_request__free_unpacked(r, NULL);
	ck_assert_ptr_nonnull(r = read_hello("888080801001", &why));	/* tag 2^32 + 8 */
	ck_assert_int_eq(r->type, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM);
	krpc__schema__connection_request__free_unpacked(r, NULL);
	/* client_name need not be UTF-8; type may be any int32 */
	ck_assert_ptr_nonnull(r = read_hello("1202c328", &why));
	krpc__schema__connection_request__free_unpacked(r, NULL);
	ck_assert_ptr_nonnull(r = read_hello("08ffffffffffffffffff01", &why));
	ck_assert_int_eq((int)r->type, -1);
	krpc__schema__connection_request__free_unpacked(r, NULL);
}
END_TEST

/* The cleaned bytes: only the fields of the right wire type, tags and lengths canonical. */
START_TEST(test_clean_bytes)
{
	krpc_buf_t out = KRPC_BUF_INIT;
	const char *why = NULL;
	const uint8_t *p;
	size_t len;

	/* Request: calls as a varint, a group, then a call whose service_id is bytes */
	p = unit_hex("08011b08051c" "0a0f" "0a044b525043" "1202" "4964" "2201" "07" "2003", &len);
	ck_assert(krpc_lenient_clean(KRPC_LENIENT_REQUEST, p, len, &out, &why));
	ck_assert_str_eq(unit_tohex(out.data, out.len), "0a0c0a044b52504312024964" "2003");
	krpc_buf_reset(&out);
	/* an over-long length of an argument's value is written canonically */
	p = unit_hex("1a0708001281800054", &len);	/* arguments { position 0, value [54] } */
	ck_assert(krpc_lenient_clean(KRPC_LENIENT_CALL, p, len, &out, &why));
	ck_assert_str_eq(unit_tohex(out.data, out.len), "1a0508001201" "54");
	krpc_buf_free(&out);
}
END_TEST

/* Argument values as Encoder.Decode reads them (measured on the TestServer's arguments). */
START_TEST(test_values)
{
	Krpc__Schema__Dictionary *d;
	Krpc__Schema__List *l;
	const uint8_t *p, *data;
	const char *why;
	uint64_t v;
	size_t len, n;

	/* a list: items, an unknown field and a group skipped */
	p = unit_hex("0a0102" "0801" "0b0c" "0a0103", &len);
	ck_assert_ptr_nonnull(l = (Krpc__Schema__List *)krpc_lenient_read(KRPC_LENIENT_ITEMS, p,
	    len, &why));
	ck_assert_uint_eq(l->n_items, 2);
	ck_assert_str_eq(unit_tohex(l->items[1].data, l->items[1].len), "03");
	krpc__schema__list__free_unpacked(l, NULL);
	p = unit_hex("0c", &len);
	ck_assert_ptr_null(krpc_lenient_read(KRPC_LENIENT_ITEMS, p, len, &why));
	ck_assert_str_eq(why, "Merge an unknown field of end-group tag, indicating that the "
	    "corresponding start-group was missing.");
	/* a dictionary's entries are read in turn */
	p = unit_hex("0a070a020161120100", &len);
	ck_assert_ptr_nonnull(d = (Krpc__Schema__Dictionary *)krpc_lenient_read(
	    KRPC_LENIENT_DICTIONARY, p, len, &why));
	ck_assert_uint_eq(d->n_entries, 1);
	ck_assert_str_eq(unit_tohex(d->entries[0]->key.data, d->entries[0]->key.len), "0161");
	krpc__schema__dictionary__free_unpacked(d, NULL);
	p = unit_hex("0a080a02016112010218", &len);	/* an entry ending in a bare tag */
	ck_assert_ptr_null(krpc_lenient_read(KRPC_LENIENT_DICTIONARY, p, len, &why));
	ck_assert_str_eq(why, TRUNCATED);
	/* scalars from the front of the bytes, the rest ignored */
	p = unit_hex("ffffffffffffffffff01", &len);
	ck_assert(krpc_lenient_varint(p, len, &v, &why) && v == UINT64_MAX);
	p = unit_hex("ffffffffffffffffffff01", &len);
	ck_assert(!krpc_lenient_varint(p, len, &v, &why));
	ck_assert_str_eq(why, "CodedInputStream encountered a malformed varint.");
	ck_assert(!krpc_lenient_varint(p, 0, &v, &why));
	ck_assert_str_eq(why, TRUNCATED);
	p = unit_hex("0161ff", &len);
	ck_assert(krpc_lenient_bytes(p, len, &data, &n, &why) && n == 1 && data[0] == 'a');
	p = unit_hex("ffffffff0f", &len);
	ck_assert(!krpc_lenient_bytes(p, len, &data, &n, &why));
	ck_assert_str_eq(why, "CodedInputStream encountered an embedded string or message which "
	    "claimed to have negative size.");
	ck_assert(!krpc_lenient_fixed(3, 4, &why));
	ck_assert_str_eq(why, TRUNCATED);
	ck_assert(krpc_lenient_fixed(5, 4, &why));
}
END_TEST

/* 100 levels of messages and groups together pass, 101 do not. */
START_TEST(test_depth)
{
	static const struct {
		enum krpc_lenient_shape	 shape;
		int			 levels_above;	/* messages around the groups */
	} where[] = {
		{ KRPC_LENIENT_CONNECTION_REQUEST, 0 },
		{ KRPC_LENIENT_REQUEST, 0 },
		{ KRPC_LENIENT_REQUEST, 1 },	/* in the call */
		{ KRPC_LENIENT_REQUEST, 2 },	/* in the call's argument */
	};
	krpc_buf_t g = KRPC_BUF_INIT, arg = KRPC_BUF_INIT, call = KRPC_BUF_INIT;
	krpc_buf_t req = KRPC_BUF_INIT;
	ProtobufCMessage *m;
	const char *why;
	size_t i;
	int n, k;

	for (i = 0; i < sizeof where / sizeof where[0]; i++) {
		for (k = 0; k <= 1; k++) {
			n = 100 - where[i].levels_above + k;	/* the most that pass, then one more */
			krpc_buf_reset(&g);
			krpc_buf_reset(&arg);
			krpc_buf_reset(&call);
			krpc_buf_reset(&req);
			groups(&g, n);
			krpc_buf_field_bytes(&arg, 2, "\x54", 1);
			if (where[i].levels_above == 2)
				krpc_buf_append(&arg, g.data, g.len);
			krpc_buf_field_bytes(&call, 1, "TestService", 11);
			krpc_buf_field_bytes(&call, 3, arg.data, arg.len);
			if (where[i].levels_above == 1)
				krpc_buf_append(&call, g.data, g.len);
			if (where[i].shape == KRPC_LENIENT_REQUEST)
				krpc_buf_field_bytes(&req, 1, call.data, call.len);
			if (where[i].levels_above == 0)
				krpc_buf_append(&req, g.data, g.len);
			why = NULL;
			m = krpc_lenient_read(where[i].shape, req.data, req.len, &why);
			ck_assert_msg((m != NULL) == (k == 0), "case %zu, %d groups", i, n);
			if (m != NULL)
				protobuf_c_message_free_unpacked(m, NULL);
			else
				ck_assert_str_eq(why, TOO_DEEP);
		}
	}
	krpc_buf_free(&g);
	krpc_buf_free(&arg);
	krpc_buf_free(&call);
	krpc_buf_free(&req);
}
END_TEST

/* Every prefix of a valid message with a group either reads or is refused with a reason. */
START_TEST(test_prefixes)
{
	const uint8_t *p;
	const char *why;
	ProtobufCMessage *m;
	size_t len, i;

	p = unit_hex("0a0d0a0b5465737453657276696365" "1b130801141c" "0a04" "12020801", &len);
	for (i = 0; i <= len; i++) {
		why = NULL;
		m = krpc_lenient_read(KRPC_LENIENT_REQUEST, p, i, &why);
		if (m != NULL)
			protobuf_c_message_free_unpacked(m, NULL);
		else
			ck_assert_msg(why != NULL && *why != '\0', "prefix %zu: no reason", i);
	}
	ck_assert_ptr_nonnull(m = krpc_lenient_read(KRPC_LENIENT_REQUEST, p, len, &why));
	ck_assert_uint_eq(((Krpc__Schema__Request *)m)->n_calls, 2);
	protobuf_c_message_free_unpacked(m, NULL);
}
END_TEST

START_TEST(test_handshake_texts)
{
	char out[256];

	krpc_handshake_wrong_type(out, sizeof out, 1, 0);
	ck_assert_str_eq(out, "Connection request was for the stream server, but this is the rpc "
	    "server. Did you connect to the wrong port number or socket path?");
	krpc_handshake_wrong_type(out, sizeof out, 0, 1);
	ck_assert_str_eq(out, "Connection request was for the rpc server, but this is the stream "
	    "server. Did you connect to the wrong port number or socket path?");
	krpc_handshake_wrong_type(out, sizeof out, -1, 0);
	ck_assert_str_eq(out, "Connection request was for the -1 server, but this is the rpc "
	    "server. Did you connect to the wrong port number or socket path?");
	ck_assert_str_eq(krpc_handshake_bad_id, "Client identifier must be 16 bytes.");
	ck_assert_str_eq(krpc_handshake_timeout,
	    "Connection request message not received after waiting 3 seconds");
}
END_TEST

/* A temporary directory for socket files. */
static const char *
tmpdir(void)
{
	static char dir[64];

	snprintf(dir, sizeof dir, "/tmp/krpc-lenient-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

/* The Unix socket rules of PROTOCOL.md 3.3 and the labels of bound sockets. */
START_TEST(test_listen)
{
	char path[160], label[200], why[300], longpath[160];
	const char *dir = tmpdir();
	bool removed;
	FILE *f;
	int fd, live;

	snprintf(path, sizeof path, "%s/a/b/rpc", dir);
	ck_assert_int_ge(live = krpc_listen_unix(path, 0600, &removed, why, sizeof why), 0);
	ck_assert(!removed);
	krpc_listen_label(live, label, sizeof label);
	ck_assert_str_eq(label, path);
	/* a live server is refused; once it stops answering, its file is stale */
	ck_assert_int_eq(krpc_listen_unix(path, 0600, &removed, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "another server is listening"));
	close(live);
	ck_assert_int_ge(fd = krpc_listen_unix(path, -1, &removed, why, sizeof why), 0);
	ck_assert(removed);
	close(fd);
	unlink(path);
	/* a file with content stays; an empty one is replaced */
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("data", f);
	fclose(f);
	ck_assert_int_eq(krpc_listen_unix(path, -1, &removed, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "regular file with content"));
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fclose(f);
	ck_assert_int_ge(fd = krpc_listen_unix(path, -1, &removed, why, sizeof why), 0);
	close(fd);
	unlink(path);
	/* over 100 bytes */
	memset(longpath, 'x', sizeof longpath);
	memcpy(longpath, "/tmp/", 5);
	longpath[101] = '\0';
	ck_assert_int_eq(krpc_listen_unix(longpath, -1, &removed, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "longer than 100 bytes"));
	/* TCP on an ephemeral loopback port */
	ck_assert_int_ge(fd = krpc_listen_tcp("127.0.0.1", 0, why, sizeof why), 0);
	krpc_listen_label(fd, label, sizeof label);
	ck_assert_msg(strncmp(label, "127.0.0.1:", 10) == 0 && atoi(label + 10) > 0, "%s", label);
	close(fd);
	ck_assert_int_eq(krpc_listen_tcp("no.such.host.invalid", 0, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "cannot resolve"));
	snprintf(path, sizeof path, "%s/a/b", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/a", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

static Suite *
lenient_suite(void)
{
	Suite *s = suite_create("lenient");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_refusal_texts);
	tcase_add_test(tc, test_accepted);
	tcase_add_test(tc, test_clean_bytes);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_handshake_texts);
	tcase_add_test(tc, test_listen);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(lenient_suite());
}
