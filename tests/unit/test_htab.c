/*
 * Unit tests of krpcmuxd's hash table (daemon/htab.c): SipHash against the
 * reference vectors, keys that share a bucket under one secret spread out
 * under another, and the table's put/get/delete through growth.
 */
#include <check.h>
#include <string.h>

#include "krpcmuxd.h"
#include "unit.h"

static const uint8_t secret_a[16] = "0123456789abcdef";
static const uint8_t secret_b[16] = "fedcba9876543210";

/* The SipHash paper's vectors: key 00..0f, messages 00..n-1 (SipHash-2-4). */
START_TEST(test_siphash_vectors)
{
	uint64_t key[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
	uint8_t msg[16];
	size_t i;

	for (i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)i;
	ck_assert_uint_eq(htab_siphash(key, 2, 4, msg, 0), 0x726fdb47dd0e0e31ULL);
	ck_assert_uint_eq(htab_siphash(key, 2, 4, msg, 15), 0xa129ca6149be45e5ULL);
}
END_TEST

/*
 * Keys chosen to share a bucket under one secret (what a client could do
 * against an unkeyed hash) land apart under another secret.
 */
START_TEST(test_secret_spreads_collisions)
{
	uint64_t keys[64], k;
	int counts[256] = { 0 }, n = 0, most = 0, i;

	htab_seed(secret_a);
	for (k = 0; n < 64; k++) {
		if ((htab_hash(&k, sizeof k) & 255) == 0)
			keys[n++] = k;
	}
	htab_seed(secret_b);
	for (i = 0; i < 64; i++) {
		int *c = &counts[htab_hash(&keys[i], sizeof keys[i]) & 255];

		if (++*c > most)
			most = *c;
	}
	/* 64 keys in 256 buckets: a uniform hash puts at most 4 or so in one */
	ck_assert_msg(most <= 6, "%d of the 64 keys still share a bucket", most);
}
END_TEST

/* The table itself, through several doublings. */
START_TEST(test_table)
{
	struct htab *h;
	uint32_t k;
	uintptr_t v;

	htab_seed(secret_a);
	h = htab_new();
	for (k = 0; k < 5000; k++)
		htab_put(h, &k, sizeof k, (void *)(uintptr_t)(k + 1));
	ck_assert_uint_eq(htab_count(h), 5000);
	for (k = 0; k < 5000; k += 2)
		ck_assert_ptr_eq(htab_del(h, &k, sizeof k), (void *)(uintptr_t)(k + 1));
	ck_assert_uint_eq(htab_count(h), 2500);
	for (k = 0; k < 5000; k++) {
		v = (uintptr_t)htab_get(h, &k, sizeof k);
		ck_assert_uint_eq(v, k % 2 ? k + 1 : 0);
	}
	htab_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("htab");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_siphash_vectors);
	tcase_add_test(tc, test_secret_spreads_collisions);
	tcase_add_test(tc, test_table);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
