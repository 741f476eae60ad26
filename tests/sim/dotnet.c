/*
 * krpc-sim: .NET-compatible text.  The real server runs on mono (the game's
 * runtime and the TestServer's), whose general "G" number format writes 7
 * significant digits for a float and 15 for a double, rounded half up, and
 * which parses with Convert.ToInt32 and decodes UTF-8 the .NET Framework way;
 * clients compare the exact strings, so this reproduces them.
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
 * The significant digits of v (finite, > 0) at the general format's default
 * precision (prec: 7 for float, 15 for double), as mono's formatter makes
 * them: seventeen correctly rounded digits first, then rounded half up to
 * prec.  Fills digits (NUL-terminated, no trailing zeros) and the decimal
 * exponent of the first digit; returns the digit count.
 */
static int
dotnet_digits(double v, int prec, char digits[24], int *exp)
{
	char tmp[48], *e;
	int n = 0, i;
	size_t k;

	snprintf(tmp, sizeof(tmp), "%.16e", v);
	e = strchr(tmp, 'e');
	*exp = e != NULL ? atoi(e + 1) : 0;
	for (k = 0; tmp[k] != '\0' && tmp[k] != 'e' && n < 17; k++) {
		if (tmp[k] >= '0' && tmp[k] <= '9')
			digits[n++] = tmp[k];
	}
	if (n > prec) {
		if (digits[prec] >= '5') {
			for (i = prec - 1; i >= 0 && digits[i] == '9'; i--)
				digits[i] = '0';
			if (i >= 0)
				digits[i]++;
			else {
				memmove(digits + 1, digits, (size_t)prec - 1);
				digits[0] = '1';
				(*exp)++;
			}
		}
		n = prec;
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
		strcpy(out, "0");	/* mono writes negative zero without its sign */
		return;
	}
	maxd = single ? DOTNET_SINGLE_PRECISION : DOTNET_DOUBLE_PRECISION;
	n = dotnet_digits(fabs(v), maxd, digits, &exp);
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

/*
 * The length of the well-formed UTF-8 sequence at p[0..len) (1 to 4), or,
 * as a negative number, how many bytes the decoder takes for one U+FFFD:
 * the lead alone when the next byte is no continuation byte, the lead and a
 * second byte out of its range (as .NET Framework does, unlike Unicode's
 * recommendation), or an unfinished sequence.
 */
static int
dotnet_utf8_seq(const uint8_t *p, size_t len)
{
	uint8_t b = p[0], lo = 0x80, hi = 0xbf;
	size_t need, k;

	if (b < 0x80)
		return 1;
	if (b < 0xc2 || b > 0xf4)
		return -1;
	need = b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (len < 2)
		return -1;
	if ((p[1] & 0xc0) != 0x80)
		return -1;
	if (p[1] < lo || p[1] > hi)
		return -2;
	for (k = 2; k <= need; k++) {
		if (k >= len)
			return -(int)k;
		if ((p[k] & 0xc0) != 0x80)
			return -(int)k;
	}
	return (int)need + 1;
}

/* Encoding.UTF8.GetString with mono's replacement of malformed sequences. */
char *
dotnet_utf8(const uint8_t *p, size_t len, size_t *outlen)
{
	static const char fffd[] = "\xef\xbf\xbd";
	char *out = malloc(len * 3 + 1);
	size_t i = 0, o = 0;
	int n;

	if (out == NULL)
		return NULL;
	while (i < len) {
		n = dotnet_utf8_seq(p + i, len - i);
		if (n > 0) {
			memcpy(out + o, p + i, (size_t)n);
			o += (size_t)n;
			i += (size_t)n;
		} else {
			memcpy(out + o, fffd, 3);
			o += 3;
			i += (size_t)-n;
		}
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}
