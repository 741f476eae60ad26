/*
 * Unit tests of krpcmuxd's batching bytes (daemon/batch.c): counting a
 * Request's calls, cutting a batch's Response into each part's, and telling
 * a request-level error from decoding apart from one raised by calls.
 */
#include <check.h>
#include <string.h>

#include "krpcmuxd.h"
#include "unit.h"

/* A Response of n results, each "0a 02 01 <digit>" (value = text of one digit). */
static size_t
response_of(uint8_t *out, int n)
{
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++) {
		out[len++] = 0x12;	/* field 2, LEN: a ProcedureResult */
		out[len++] = 4;
		out[len++] = 0x12;	/* its field 2: value */
		out[len++] = 2;
		out[len++] = 1;
		out[len++] = (uint8_t)('0' + i);
	}
	return len;
}

START_TEST(test_calls)
{
	size_t len;
	const uint8_t *req = unit_hex("0a020a00" "0a00" "0a03120178", &len);

	ck_assert_uint_eq(batch_calls(req, len), 3);
	ck_assert_uint_eq(batch_calls(req, 0), 0);
	req = unit_hex("1a00" "0a00", &len);	/* an unknown field is not a call */
	ck_assert_uint_eq(batch_calls(req, len), 1);
}
END_TEST

START_TEST(test_split)
{
	uint8_t resp[64];
	size_t len = response_of(resp, 5);
	size_t counts[] = { 0, 2, 0, 3, 0 };
	struct wire_slice parts[5];

	ck_assert_int_eq(batch_split(resp, len, counts, 5, parts), BATCH_OK);
	ck_assert_uint_eq(parts[0].len, 0);
	ck_assert(parts[1].data == resp && parts[1].len == 12);
	ck_assert_uint_eq(parts[2].len, 0);
	ck_assert(parts[3].data == resp + 12 && parts[3].len == 18);
	ck_assert_int_eq(parts[3].data[17], '4');
	ck_assert_uint_eq(parts[4].len, 0);
}
END_TEST

START_TEST(test_split_wrong)
{
	uint8_t resp[64];
	size_t len = response_of(resp, 3);
	size_t counts[] = { 2, 2 }, one[] = { 2 };
	struct wire_slice parts[2];
	const uint8_t *err;
	size_t elen;

	ck_assert_int_eq(batch_split(resp, len, counts, 2, parts), BATCH_BAD);	/* too few */
	ck_assert_int_eq(batch_split(resp, len, one, 1, parts), BATCH_BAD);	/* too many */
	ck_assert_int_eq(batch_split(resp, len - 1, counts, 2, parts), BATCH_BAD);	/* cut */
	err = unit_hex("0a0a1a084e6f7420666f756e64", &elen);	/* Error{description} */
	ck_assert_int_eq(batch_split(err, elen, counts, 2, parts), BATCH_ERROR);
	ck_assert_int_eq(batch_split(resp, 0, counts, 0, parts), BATCH_OK);
}
END_TEST

START_TEST(test_decode_error)
{
	size_t len;
	const uint8_t *r;

	/* Error{description "x", stack_trace "at ...RPCStream.Read (..."} */
	r = unit_hex("0a16" "1a0178" "2211" "6174205250435374" "7265616d2e52656164", &len);
	ck_assert(batch_decode_error(r, len));
	r = unit_hex("0a031a0178", &len);		/* no stack trace: taken as decoding */
	ck_assert(batch_decode_error(r, len));
	r = unit_hex("0a0b1a01782206617420466f6f", &len);	/* a trace elsewhere: calls ran */
	ck_assert(!batch_decode_error(r, len));
	r = unit_hex("12021201", &len);			/* no error at all */
	ck_assert(!batch_decode_error(r, len));
}
END_TEST

static Suite *
batch_suite(void)
{
	Suite *s = suite_create("batch");
	TCase *tc = tcase_create("bytes");

	tcase_add_test(tc, test_calls);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_split_wrong);
	tcase_add_test(tc, test_decode_error);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(batch_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
