/*
 * Unit tests for kRPC framing: prefix parsing, frame encoding, and the
 * incremental decoder under every chunking of the same byte stream.
 */
#include "unit.h"

/* A stream of n frames whose bodies have lengths 0, 1, 127, 128, 300, ... */
static size_t body_lens[] = { 0, 1, 5, 127, 128, 129, 300, 16383, 16384, 70000 };
#define N_BODIES (sizeof body_lens / sizeof body_lens[0])

static void
make_stream(krpc_buf_t *b)
{
	size_t i, j;
	uint8_t *body;

	for (i = 0; i < N_BODIES; i++) {
		body = malloc(body_lens[i] + 1);
		ck_assert_ptr_nonnull(body);
		for (j = 0; j < body_lens[i]; j++)
			body[j] = (uint8_t)(i * 31 + j);
		krpc_frame_append(b, body, body_lens[i]);
		free(body);
	}
	ck_assert(krpc_buf_ok(b));
}

/* Feeds the stream in chunks given by next_chunk() and checks every body. */
static void
check_chunking(size_t (*next_chunk)(size_t off, size_t total, unsigned *seed), unsigned seed)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	krpc_framer_t *f = krpc_framer_new(1 << 20);
	const uint8_t *body;
	size_t len, off = 0, got = 0, j, n;
	krpc_frame_rc_t rc;

	make_stream(&b);
	while (off < b.len) {
		n = next_chunk(off, b.len, &seed);
		if (n > b.len - off)
			n = b.len - off;
		ck_assert(krpc_framer_feed(f, b.data + off, n));
		off += n;
		while ((rc = krpc_framer_next(f, &body, &len)) == KRPC_FRAME_OK) {
			ck_assert_uint_lt(got, N_BODIES);
			ck_assert_uint_eq(len, body_lens[got]);
			for (j = 0; j < len && body[j] == (uint8_t)(got * 31 + j); j++)
				;
			ck_assert_uint_eq(j, len);	/* every byte as written */
			got++;
		}
		ck_assert_int_eq(rc, KRPC_FRAME_NEED_MORE);
	}
	ck_assert_uint_eq(got, N_BODIES);
	ck_assert_uint_eq(krpc_framer_pending(f), 0);
	krpc_framer_free(f);
	krpc_buf_free(&b);
}

static size_t
chunk_one(size_t off, size_t total, unsigned *seed)
{
	return 1;
}

static size_t
chunk_all(size_t off, size_t total, unsigned *seed)
{
	return total;
}

static size_t
chunk_random(size_t off, size_t total, unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return 1 + (*seed >> 8) % 700;
}

START_TEST(test_prefix_values)
{
	static const struct {
		const char	*hex;
		size_t		 len, plen;
	} ok[] = {
		{ "00", 0, 1 }, { "01", 1, 1 }, { "7f", 127, 1 }, { "8001", 128, 2 },
		{ "ac02", 300, 2 }, { "ffffffff07", 2147483647, 5 },
		{ "8000", 0, 2 },	/* over-long but valid varint */
	};
	size_t i, n, len, plen;
	const uint8_t *p;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		p = unit_hex(ok[i].hex, &n);
		ck_assert_int_eq(krpc_frame_prefix(p, n, KRPC_FRAME_LEN_LIMIT, &len, &plen), KRPC_FRAME_OK);
		ck_assert_uint_eq(len, ok[i].len);
		ck_assert_uint_eq(plen, ok[i].plen);
	}
}
END_TEST

START_TEST(test_prefix_errors)
{
	size_t n, len, plen;
	const uint8_t *p;

	/* Incomplete prefixes. */
	ck_assert_int_eq(krpc_frame_prefix(NULL, 0, 100, &len, &plen), KRPC_FRAME_NEED_MORE);
	p = unit_hex("80", &n);
	ck_assert_int_eq(krpc_frame_prefix(p, n, 100, &len, &plen), KRPC_FRAME_NEED_MORE);
	p = unit_hex("ffffffff", &n);
	ck_assert_int_eq(krpc_frame_prefix(p, n, KRPC_FRAME_LEN_LIMIT, &len, &plen), KRPC_FRAME_NEED_MORE);
	/* Six bytes, or a fifth byte that continues. */
	p = unit_hex("808080808001", &n);
	ck_assert_int_eq(krpc_frame_prefix(p, n, 100, &len, &plen), KRPC_FRAME_BAD_PREFIX);
	/* 2^31: not a non-negative int32. */
	p = unit_hex("8080808008", &n);
	ck_assert_int_eq(krpc_frame_prefix(p, n, KRPC_FRAME_LEN_LIMIT, &len, &plen), KRPC_FRAME_BAD_PREFIX);
	/* Negative int32 as a ten-byte varint starts with a continuing fifth byte. */
	p = unit_hex("ffffffffffffffffff01", &n);
	ck_assert_int_eq(krpc_frame_prefix(p, n, KRPC_FRAME_LEN_LIMIT, &len, &plen), KRPC_FRAME_BAD_PREFIX);
	/* Over the configured maximum. */
	p = unit_hex("e807", &n);	/* 1000 */
	ck_assert_int_eq(krpc_frame_prefix(p, n, 999, &len, &plen), KRPC_FRAME_TOO_LARGE);
	ck_assert_int_eq(krpc_frame_prefix(p, n, 1000, &len, &plen), KRPC_FRAME_OK);
}
END_TEST

START_TEST(test_encode)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	Krpc__Schema__ConnectionRequest req = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;
	uint8_t body[300];

	krpc_frame_append(&b, "", 0);
	ck_assert_str_eq(unit_tohex(b.data, b.len), "00");
	krpc_buf_reset(&b);
	memset(body, 0xab, sizeof body);
	krpc_frame_append(&b, body, sizeof body);
	ck_assert_uint_eq(b.len, 302);
	ck_assert_str_eq(unit_tohex(b.data, 3), "ac02ab");
	krpc_buf_reset(&b);
	/* ConnectionRequest{type=STREAM, client_name="x"}: one contiguous frame. */
	req.type = KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM;
	req.client_name = "x";
	krpc_frame_pack(&b, &req.base);
	ck_assert(krpc_buf_ok(&b));
	ck_assert_str_eq(unit_tohex(b.data, b.len), "0508011201" "78");
	krpc_buf_free(&b);
}
END_TEST

START_TEST(test_decode_one_byte_at_a_time)
{
	check_chunking(chunk_one, 0);
}
END_TEST

START_TEST(test_decode_all_at_once)
{
	check_chunking(chunk_all, 0);
}
END_TEST

START_TEST(test_decode_random_splits)
{
	unsigned seed;

	for (seed = 1; seed <= 50; seed++)
		check_chunking(chunk_random, seed);
}
END_TEST

START_TEST(test_decode_every_split_point)
{
	/* Two small frames split at every possible position. */
	static const char *stream = "03616263" "00" "8001";
	krpc_buf_t b = KRPC_BUF_INIT;
	size_t n, cut, len, got;
	const uint8_t *p = unit_hex(stream, &n), *body;
	uint8_t big[128];
	krpc_framer_t *f;

	memset(big, 7, sizeof big);
	krpc_buf_append(&b, p, n);
	krpc_buf_append(&b, big, sizeof big);
	for (cut = 0; cut <= b.len; cut++) {
		f = krpc_framer_new(1000);
		got = 0;
		ck_assert(krpc_framer_feed(f, b.data, cut));
		while (krpc_framer_next(f, &body, &len) == KRPC_FRAME_OK)
			got++;
		ck_assert(krpc_framer_feed(f, b.data + cut, b.len - cut));
		while (krpc_framer_next(f, &body, &len) == KRPC_FRAME_OK) {
			got++;
			if (got == 3)
				ck_assert_uint_eq(len, 128);
		}
		ck_assert_uint_eq(got, 3);
		krpc_framer_free(f);
	}
	krpc_buf_free(&b);
}
END_TEST

START_TEST(test_decode_errors_sticky)
{
	krpc_framer_t *f = krpc_framer_new(10);
	const uint8_t *body, *p;
	size_t len, n;

	p = unit_hex("0161" "0b", &n);	/* a good frame, then a length of 11 > 10 */
	ck_assert(krpc_framer_feed(f, p, n));
	ck_assert_int_eq(krpc_framer_next(f, &body, &len), KRPC_FRAME_OK);
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(krpc_framer_next(f, &body, &len), KRPC_FRAME_TOO_LARGE);
	p = unit_hex("0100", &n);
	ck_assert(krpc_framer_feed(f, p, n));
	ck_assert_int_eq(krpc_framer_next(f, &body, &len), KRPC_FRAME_TOO_LARGE);
	krpc_framer_free(f);

	f = krpc_framer_new(KRPC_FRAME_LEN_LIMIT);
	p = unit_hex("ffffffffff01", &n);
	ck_assert(krpc_framer_feed(f, p, n));
	ck_assert_int_eq(krpc_framer_next(f, &body, &len), KRPC_FRAME_BAD_PREFIX);
	ck_assert_str_eq(krpc_frame_rc_str(KRPC_FRAME_BAD_PREFIX), "malformed length prefix");
	krpc_framer_free(f);
}
END_TEST

START_TEST(test_decode_truncated)
{
	krpc_framer_t *f = krpc_framer_new(1000);
	const uint8_t *body, *p;
	size_t len, n;

	p = unit_hex("0a0102", &n);	/* announces 10 bytes, has 2 */
	ck_assert(krpc_framer_feed(f, p, n));
	ck_assert_int_eq(krpc_framer_next(f, &body, &len), KRPC_FRAME_NEED_MORE);
	ck_assert_uint_eq(krpc_framer_pending(f), 3);
	krpc_framer_free(f);
}
END_TEST

START_TEST(test_decode_random_bytes)
{
	/* Random input never crashes and never returns a body past the input. */
	unsigned seed = 12345;
	uint8_t junk[4096];
	const uint8_t *body;
	size_t len, i, round, total;
	krpc_frame_rc_t rc;
	krpc_framer_t *f;

	for (round = 0; round < 200; round++) {
		f = krpc_framer_new(2048);
		for (i = 0; i < sizeof junk; i++) {
			seed = seed * 1103515245u + 12345u;
			junk[i] = (uint8_t)(seed >> 16);
		}
		total = 0;
		for (i = 0; i < sizeof junk; i += 97) {
			size_t n = sizeof junk - i < 97 ? sizeof junk - i : 97;

			ck_assert(krpc_framer_feed(f, junk + i, n));
			while ((rc = krpc_framer_next(f, &body, &len)) == KRPC_FRAME_OK) {
				total += len;
				ck_assert_uint_le(len, 2048);
			}
			ck_assert(rc == KRPC_FRAME_NEED_MORE || rc == KRPC_FRAME_BAD_PREFIX ||
			    rc == KRPC_FRAME_TOO_LARGE);
		}
		ck_assert_uint_le(total, sizeof junk);
		krpc_framer_free(f);
	}
}
END_TEST

static Suite *
frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("core");

	/* byte-at-a-time framing is CPU-bound: generous under sanitizers or a loaded machine */
	tcase_set_timeout(tc, 60);

	tcase_add_test(tc, test_prefix_values);
	tcase_add_test(tc, test_prefix_errors);
	tcase_add_test(tc, test_encode);
	tcase_add_test(tc, test_decode_one_byte_at_a_time);
	tcase_add_test(tc, test_decode_all_at_once);
	tcase_add_test(tc, test_decode_random_splits);
	tcase_add_test(tc, test_decode_every_split_point);
	tcase_add_test(tc, test_decode_errors_sticky);
	tcase_add_test(tc, test_decode_truncated);
	tcase_add_test(tc, test_decode_random_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(frame_suite());
}
