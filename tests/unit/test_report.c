/*
 * Unit tests of the admin answers' writer (daemon/report.c): exact 64-bit
 * integers, null for numbers that are not finite, valid UTF-8 strings with
 * controls escaped, and the text form unchanged.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "krpcmuxd.h"
#include "unit.h"

/* The bytes written so far, as a string (static). */
static const char *
text(krpc_buf_t *b)
{
	static char out[1024];

	snprintf(out, sizeof out, "%.*s", (int)b->len, (const char *)b->data);
	return out;
}

START_TEST(test_integers_exact)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	struct report r;

	report_begin(&r, &b, true);
	report_uint(&r, "big", UINT64_MAX);
	report_uint(&r, "odd", (1ULL << 53) + 1);	/* a double would round it */
	report_int(&r, "neg", INT64_MIN);
	report_end(&r);
	ck_assert_str_eq(text(&b), "{\"big\":18446744073709551615,\"odd\":9007199254740993,"
	    "\"neg\":-9223372036854775808}");
	krpc_buf_reset(&b);
	report_begin(&r, &b, false);
	report_uint(&r, "values_sent", (1ULL << 53) + 1);
	report_end(&r);
	ck_assert_str_eq(text(&b), "values_sent 9007199254740993\n");
	krpc_buf_free(&b);
}
END_TEST

START_TEST(test_numbers_not_finite)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	struct report r;

	report_begin(&r, &b, true);
	report_num(&r, "rate", INFINITY);
	report_num(&r, "nan", NAN);
	report_num(&r, "tenth", 0.1f);
	report_num(&r, "unknown", -1.0);
	report_end(&r);
	ck_assert_str_eq(text(&b), "{\"rate\":null,\"nan\":null,\"tenth\":0.100000001490116,"
	    "\"unknown\":-1}");
	krpc_buf_reset(&b);
	report_begin(&r, &b, false);
	report_num(&r, "rate", INFINITY);
	report_end(&r);
	ck_assert_str_eq(text(&b), "rate inf\n");
	krpc_buf_free(&b);
}
END_TEST

START_TEST(test_strings_utf8)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\", "\"q\\\"b\\\\\"" },
		{ "\x01\n\x1f\x7f", "\"\\u0001\\u000a\\u001f\\u007f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80\"" },
		{ "\xff", "\"\\ufffd\"" },
		{ "\xc3(", "\"\\ufffd(\"" },			/* cut short */
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },		/* overlong '/' */
		{ "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"" },	/* overlong, 3 bytes */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },	/* a surrogate */
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },	/* past U+10FFFF */
		{ "\xe2\x82", "\"\\ufffd\\ufffd\"" },		/* truncated at the end */
	};
	krpc_buf_t b = KRPC_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		krpc_buf_reset(&b);
		report_json_string(&b, cases[i].in);
		ck_assert_msg(strcmp(text(&b), cases[i].out) == 0, "case %zu: %s", i, text(&b));
	}
	krpc_buf_free(&b);
}
END_TEST

START_TEST(test_text_form)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	struct report r;

	report_begin(&r, &b, false);
	report_str(&r, "upstream", "ready");
	report_duration(&r, "uptime", 3725.9);
	report_end(&r);
	ck_assert_str_eq(text(&b), "upstream ready\nuptime 1h 2m 5s\n");
	krpc_buf_reset(&b);
	report_begin(&r, &b, true);
	report_duration(&r, "uptime", 3725.9);
	report_end(&r);
	ck_assert_str_eq(text(&b), "{\"uptime\":3725}");
	krpc_buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_integers_exact);
	tcase_add_test(tc, test_numbers_not_finite);
	tcase_add_test(tc, test_strings_utf8);
	tcase_add_test(tc, test_text_form);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
