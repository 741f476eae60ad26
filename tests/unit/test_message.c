#include "unit.h"
START_TEST(test_placeholder) { ck_assert_int_eq(krpc_type_code_valid(1), 1); } END_TEST
int main(void) { Suite *s = suite_create("x"); TCase *tc = tcase_create("x"); tcase_add_test(tc, test_placeholder); suite_add_tcase(s, tc); return unit_run(s); }
