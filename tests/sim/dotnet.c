/*
 * krpc-sim: .NET-compatible number text.  The real test server formats with
 * .NET Core's shortest round-trip "G" format and parses with Convert.ToInt32;
 * clients compare the exact strings, so this reproduces both.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dotnet.h"

/* .NET switches to scientific notation past this many integer digits. */
#define DOTNET_DOUBLE_PRECISION	15
#define DOTNET_SINGLE_PRECISION	7

/*
 * The shortest significant digits that read back as v (v finite, > 0): the
 * first precision at which correctly rounded %e output round-trips.  Fills
 * digits (NUL-terminated, no trailing zeros) and the decimal exponent of
 * the first digit; returns the digit count.
 */
static int
dotnet_digits(double v, bool single, char digits[24], int *exp)
{
	char tmp[48], *e;
	int p, maxp = single ? 9 : 17, n = 0;
	size_t i;

	for (p = 1; p <= maxp; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, v);
		if (single ? strtof(tmp, NULL) == (float)v : strtod(tmp, NULL) == v)
			break;
	}
	e = strchr(tmp, 'e');
	*exp = e != NULL ? atoi(e + 1) : 0;
	for (i = 0; tmp[i] != '\0' && tmp[i] != 'e' && n < 23; i++) {
		if (tmp[i] >= '0' && tmp[i] <= '9')
			digits[n++] = tmp[i];
	}
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	return n;
}

/* Appends "E+05"-style exponent text (sign always, at least two digits). */
static size_t
dotnet_exponent(char *out, int exp)
{
	return (size_t)sprintf(out, "E%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

/*
 * Lays out n digits with decimal exponent exp as .NET's general format does:
 * fixed notation unless the point lies more than maxd digits right of the
 * first digit or more than three zeros left of it.
 */
static void
dotnet_general(char *out, bool neg, const char *d, int n, int exp, int maxd)
{
	int scale = exp + 1, i;
	char *p = out;

	if (neg)
		*p++ = '-';
	if (scale > maxd || scale < -3) {
		*p++ = d[0];
		if (n > 1) {
			*p++ = '.';
			memcpy(p, d + 1, (size_t)n - 1);
			p += n - 1;
		}
		p += dotnet_exponent(p, exp);
	} else if (scale <= 0) {
		*p++ = '0';
		*p++ = '.';
		for (i = 0; i < -scale; i++)
			*p++ = '0';
		memcpy(p, d, (size_t)n);
		p += n;
	} else {
		for (i = 0; i < scale; i++)
			*p++ = i < n ? d[i] : '0';
		if (n > scale) {
			*p++ = '.';
			memcpy(p, d + scale, (size_t)(n - scale));
			p += n - scale;
		}
	}
	*p = '\0';
}

/* The text of a float or double (single says which) as .NET writes it. */
static void
dotnet_number(double v, bool single, char out[DOTNET_NUM_MAX])
{
	char digits[24];
	int n, exp, maxd;

	if (isnan(v)) {
		strcpy(out, "NaN");
		return;
	}
	if (isinf(v)) {
		strcpy(out, v < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (v == 0) {
		strcpy(out, signbit(v) ? "-0" : "0");
		return;
	}
	n = dotnet_digits(fabs(v), single, digits, &exp);
	maxd = single ? DOTNET_SINGLE_PRECISION : DOTNET_DOUBLE_PRECISION;
	if (n > maxd)
		maxd = n;
	dotnet_general(out, v < 0, digits, n, exp, maxd);
}

/* Float.ToString(CultureInfo.InvariantCulture). */
void
dotnet_float(float v, char out[DOTNET_NUM_MAX])
{
	dotnet_number(v, true, out);
}

/* Double.ToString(CultureInfo.InvariantCulture). */
void
dotnet_double(double v, char out[DOTNET_NUM_MAX])
{
	dotnet_number(v, false, out);
}

/* White space as NumberStyles.Integer allows it around the digits. */
static bool
dotnet_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Convert.ToInt32(string): [ws][+|-]digits[ws], range checked after the format. */
dotnet_parse_t
dotnet_parse_int32(const char *s, size_t len, int32_t *out)
{
	size_t i = 0;
	bool neg = false, overflow = false, any = false;
	int64_t v = 0;

	while (i < len && dotnet_space(s[i]))
		i++;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		any = true;
		v = v * 10 + (s[i] - '0');
		if (v > (int64_t)INT32_MAX + 1) {
			overflow = true;
			v = (int64_t)INT32_MAX + 1;
		}
	}
	while (i < len && (dotnet_space(s[i]) || s[i] == '\0'))
		i++;
	if (!any || i != len)
		return DOTNET_PARSE_FORMAT;
	if (neg)
		v = -v;
	if (overflow || v > INT32_MAX || v < INT32_MIN)
		return DOTNET_PARSE_OVERFLOW;
	*out = (int32_t)v;
	return DOTNET_PARSE_OK;
}
