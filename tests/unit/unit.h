/*
 * Shared helpers for the Check unit tests: hex conversion and a runner.
 */
#ifndef KRPC_UNIT_H
#define KRPC_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

/* Decodes hex into a static buffer (four rotating 4 KiB slots). */
static inline const uint8_t *
unit_hex(const char *hex, size_t *len)
{
	static uint8_t slots[4][4096];
	static int next;
	uint8_t *out = slots[next++ % 4];
	size_t n = 0;
	unsigned int byte;

	while (hex[0] != '\0' && hex[1] != '\0' && n < sizeof slots[0]) {
		if (sscanf(hex, "%2x", &byte) != 1)
			break;
		out[n++] = (uint8_t)byte;
		hex += 2;
	}
	*len = n;
	return out;
}

/* Renders bytes as lower-case hex into a static buffer (four rotating slots). */
static inline const char *
unit_tohex(const uint8_t *p, size_t len)
{
	static char slots[4][8193];
	static int next;
	char *out = slots[next++ % 4];
	size_t i;

	for (i = 0; i < len && i < 4096; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * (len < 4096 ? len : 4096)] = '\0';
	return out;
}

/* Runs a suite and returns the process exit status. */
static inline int
unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
