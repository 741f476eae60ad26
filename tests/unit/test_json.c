/*
 * Unit tests of krpcmuxctl's JSON reader (daemon/json.c): what report.c
 * writes reads back the same (client names included, whatever their bytes),
 * escapes and surrogate pairs, null and numbers, and every malformed or
 * nested input refused with its offset.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "ctl.h"
#include "krpcmuxd.h"
#include "unit.h"

/* Parses text, which must succeed. */
static struct json_object *
parse_ok(const char *text, size_t *n)
{
	struct json_object *objs;
	char why[256] = "";

	ck_assert_msg(json_parse(text, strlen(text), &objs, n, why, sizeof why), "%s: %s", text,
	    why);
	return objs;
}

/* A string written by report.c reads back as the same bytes (valid UTF-8 in, so none replaced). */
START_TEST(test_round_trip)
{
	static const char *const names[] = {
		"plain", "quote\" back\\slash", "tab\tnew\nline\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xac",
		"\xf0\x9f\x9a\x80 rocket", "",
	};
	krpc_buf_t b = KRPC_BUF_INIT;
	struct json_object *o;
	struct report r;
	char why[256];
	size_t i, n;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		krpc_buf_reset(&b);
		report_begin(&r, &b, true);
		report_str(&r, "name", names[i]);
		report_uint(&r, "calls", 18446744073709551615ULL);
		report_num(&r, "rate", INFINITY);
		report_end(&r);
		ck_assert_msg(json_parse((const char *)b.data, b.len, &o, &n, why, sizeof why), "%s",
		    why);
		ck_assert_uint_eq(n, 1);
		ck_assert_str_eq(json_get(o, "name"), names[i]);
		ck_assert_str_eq(json_get(o, "calls"), "18446744073709551615");
		ck_assert_ptr_null(json_get(o, "rate"));
		ck_assert(json_num(o, "rate", -1) == -1);
		json_free(o, n);
	}
	krpc_buf_free(&b);
}
END_TEST

/* Arrays of objects, escapes, pairs, numbers, white space. */
START_TEST(test_values)
{
	size_t n;
	struct json_object *o = parse_ok(" [ {\"a\" : \"\\u00e9\\ud83d\\ude80\\/\\b\", \"b\":-1.5e3,"
	    "\"c\":true,\"d\":null} , {} ]\n", &n);

	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(json_get(&o[0], "a"), "\xc3\xa9\xf0\x9f\x9a\x80/\b");
	ck_assert(json_num(&o[0], "b", 0) == -1500);
	ck_assert_str_eq(json_get(&o[0], "c"), "true");
	ck_assert(json_num(&o[0], "c", 7) == 7);
	ck_assert_ptr_null(json_get(&o[0], "d"));
	ck_assert_ptr_null(json_get(&o[0], "missing"));
	ck_assert_uint_eq(o[1].n, 0);
	json_free(o, n);
	o = parse_ok("[]", &n);
	ck_assert_uint_eq(n, 0);
	json_free(o, n);
}
END_TEST

/* Malformed, nested or trailing input: refused, with the offset in why. */
START_TEST(test_refused)
{
	static const char *const bad[] = {
		"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":\"x}", "[{\"a\":1}", "{\"a\":1} x",
		"{\"a\":{\"b\":1}}", "{\"a\":[1]}", "[1]", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
		"{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":1.2.3}",
		"{\"a\":tru}", "{\"a\":\"ctl\x01\"}", "{a:1}", "{\"a\":nan}",
	};
	struct json_object *objs;
	char why[256];
	size_t i, n;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = '\0';
		ck_assert_msg(!json_parse(bad[i], strlen(bad[i]), &objs, &n, why, sizeof why),
		    "accepted %s", bad[i]);
		ck_assert_ptr_null(objs);
		ck_assert_uint_eq(n, 0);
		ck_assert_msg(strncmp(why, "bad JSON at byte ", 17) == 0, "%s: %s", bad[i], why);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
