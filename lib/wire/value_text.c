/*
 * The text form of kRPC values: the human-readable rendering behind
 * krpc_value_format (numbers, quoted strings, nested collections, hex).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value_impl.h"

/* Appends a string in double quotes with quotes, backslashes and control bytes escaped. */
static void
value_render_string(const krpc_value_t *v, krpc_buf_t *b)
{
	size_t i;
	uint8_t c;

	krpc_buf_byte(b, '"');
	for (i = 0; i < v->u.bytes.len; i++) {
		c = v->u.bytes.data[i];
		if (c == '"' || c == '\\') {
			krpc_buf_byte(b, '\\');
			krpc_buf_byte(b, c);
		} else if (c == '\n')
			krpc_buf_append(b, "\\n", 2);
		else if (c == '\r')
			krpc_buf_append(b, "\\r", 2);
		else if (c == '\t')
			krpc_buf_append(b, "\\t", 2);
		else if (c < 0x20 || c == 0x7f)
			krpc_buf_printf(b, "\\x%02x", c);
		else
			krpc_buf_byte(b, c);	/* UTF-8 sequences pass through */
	}
	krpc_buf_byte(b, '"');
}

/* Appends a human-readable rendering of v. */
static void
value_render(const krpc_value_t *v, krpc_buf_t *b)
{
	static const char *open[] = { "(", "[", "{", "(" }, *close[] = { ")", "]", "}", ")" };
	size_t i, k;

	if (v->null) {
		krpc_buf_append(b, "null", 4);
		return;
	}
	switch (v->code) {
	case KRPC_TYPE_DOUBLE: krpc_buf_printf(b, "%.17g", v->u.d); break;
	case KRPC_TYPE_FLOAT: krpc_buf_printf(b, "%.9g", (double)v->u.f); break;
	case KRPC_TYPE_SINT32:
	case KRPC_TYPE_SINT64: krpc_buf_printf(b, "%" PRId64, v->u.i); break;
	case KRPC_TYPE_ENUMERATION: krpc_buf_printf(b, "enum %" PRId64, v->u.i); break;
	case KRPC_TYPE_UINT32:
	case KRPC_TYPE_UINT64: krpc_buf_printf(b, "%" PRIu64, v->u.u); break;
	case KRPC_TYPE_CLASS: krpc_buf_printf(b, "object #%" PRIu64, v->u.u); break;
	case KRPC_TYPE_BOOL: krpc_buf_printf(b, "%s", v->u.b ? "true" : "false"); break;
	case KRPC_TYPE_STRING:
		value_render_string(v, b);
		break;
	case KRPC_TYPE_TUPLE:
	case KRPC_TYPE_LIST:
	case KRPC_TYPE_SET:
	case KRPC_TYPE_STRUCT:
		k = v->code == KRPC_TYPE_STRUCT ? 3 : (size_t)(v->code - KRPC_TYPE_TUPLE);
		krpc_buf_append(b, open[k], 1);
		for (i = 0; i < v->u.coll.n; i++) {
			if (i > 0)
				krpc_buf_append(b, ", ", 2);
			value_render(v->u.coll.items[i], b);
		}
		krpc_buf_append(b, close[k], 1);
		break;
	case KRPC_TYPE_DICTIONARY:
		krpc_buf_byte(b, '{');
		for (i = 0; i + 1 < v->u.coll.n; i += 2) {
			if (i > 0)
				krpc_buf_append(b, ", ", 2);
			value_render(v->u.coll.items[i], b);
			krpc_buf_append(b, ": ", 2);
			value_render(v->u.coll.items[i + 1], b);
		}
		krpc_buf_byte(b, '}');
		break;
	default:	/* BYTES and messages: hex */
		krpc_buf_printf(b, "%s[", v->code == KRPC_TYPE_BYTES ? "bytes" :
		    krpc_type_code_name(v->code) ? krpc_type_code_name(v->code) : "?");
		for (i = 0; i < v->u.bytes.len; i++)
			krpc_buf_printf(b, "%02x", v->u.bytes.data[i]);
		krpc_buf_byte(b, ']');
		break;
	}
}

/* ---- public --------------------------------------------------------- */

/* The text form of v in a new string the caller frees ("(none)" for NULL). */
char *
krpc_value_format(const krpc_value_t *v)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	size_t len;

	if (v == NULL)
		return strdup("(none)");
	value_render(v, &b);
	krpc_buf_byte(&b, '\0');
	return (char *)krpc_buf_steal(&b, &len);
}
