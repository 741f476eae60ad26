/*
 * krpc-stubgen status: the STATUS message (KRPC.GetStatus) is part of the
 * protocol, not of a service definition, so its C struct and decoder are
 * written from the table below (PROTOCOL.md section 2).
 */
#include <string.h>

#include "stubgen.h"

/* Protobuf wire types of the fields. */
enum status_wire { STATUS_VARINT = 0, STATUS_LEN = 2, STATUS_FIXED32 = 5 };

static const struct status_field {
	unsigned		 number;
	const char		*name;
	const char		*ctype;
	enum status_wire	 wire;
	const char		*doc;
} status_fields[] = {
	{ 1, "version", "char *", STATUS_LEN, "\"x.y.z\" (malloc'd)" },
	{ 2, "bytes_read", "uint64_t", STATUS_VARINT, "totals over all clients" },
	{ 3, "bytes_written", "uint64_t", STATUS_VARINT, NULL },
	{ 4, "bytes_read_rate", "float", STATUS_FIXED32, "bytes per second" },
	{ 5, "bytes_written_rate", "float", STATUS_FIXED32, NULL },
	{ 6, "rpcs_executed", "uint64_t", STATUS_VARINT, "requests executed" },
	{ 7, "rpc_rate", "float", STATUS_FIXED32, "requests per second" },
	{ 8, "one_rpc_per_update", "bool", STATUS_VARINT, NULL },
	{ 9, "max_time_per_update", "uint32_t", STATUS_VARINT, "microseconds" },
	{ 10, "adaptive_rate_control", "bool", STATUS_VARINT, NULL },
	{ 11, "blocking_recv", "bool", STATUS_VARINT, NULL },
	{ 12, "recv_timeout", "uint32_t", STATUS_VARINT, "microseconds" },
	{ 13, "time_per_rpc_update", "float", STATUS_FIXED32, "seconds" },
	{ 14, "poll_time_per_rpc_update", "float", STATUS_FIXED32, "seconds" },
	{ 15, "exec_time_per_rpc_update", "float", STATUS_FIXED32, "seconds" },
	{ 16, "stream_rpcs", "uint32_t", STATUS_VARINT, "streams registered now" },
	{ 17, "stream_rpcs_executed", "uint64_t", STATUS_VARINT, "stream evaluations" },
	{ 18, "stream_rpc_rate", "float", STATUS_FIXED32, "stream evaluations per second" },
	{ 19, "time_per_stream_update", "float", STATUS_FIXED32, "seconds" },
};
#define STATUS_N (sizeof status_fields / sizeof status_fields[0])

/* The struct and the two functions, in the header. */
void
status_emit_decl(text_t *t, const sg_service_t *sv)
{
	const char *ty = sv->status_type;
	size_t i;

	text_puts(t, "/* The server's status (krpc.schema.Status); rates are moving averages. */\n");
	text_printf(t, "typedef struct %s {\n", ty);
	for (i = 0; i < STATUS_N; i++) {
		const struct status_field *f = &status_fields[i];

		if (f->ctype[0] == 'c')
			text_printf(t, "\tchar\t\t*%s;", f->name);
		else
			text_printf(t, "\t%s\t%s %s;", f->ctype, strlen(f->ctype) < 8 ? "\t" : "", f->name);
		if (f->doc != NULL)
			text_printf(t, "\t/* %s */", f->doc);
		text_putc(t, '\n');
	}
	text_printf(t, "} %s;\n", ty);
	text_printf(t, "/* Decodes a STATUS value (e.g. a stream's); free with %s_free(). */\n", ty);
	text_printf(t, "krpc_code_t %s_decode(const krpc_value_t *status, %s *out);\n", ty, ty);
	text_puts(t, "/* Frees what a decoded status holds (not the struct itself). */\n");
	text_printf(t, "void %s_free(%s *status);\n", ty, ty);
}

/* The switch storing one field. */
static void
status_emit_store(text_t *t, const sg_service_t *sv)
{
	size_t i;

	text_puts(t,
	    "/* Stores field number of the Status message (unknown fields are skipped). */\n"
	    "static krpc_code_t\n");
	text_printf(t, "stub_status_store(%s *st, uint64_t key, uint64_t v, const uint8_t *data, size_t len)\n",
	    sv->status_type);
	text_puts(t, "{\n\tswitch (key) {\n");
	for (i = 0; i < STATUS_N; i++) {
		const struct status_field *f = &status_fields[i];

		text_printf(t, "\tcase (%uu << 3) | %d:\n", f->number, (int)f->wire);
		if (f->wire == STATUS_LEN)
			text_printf(t, "\t\treturn stub_status_string(&st->%s, data, len);\n", f->name);
		else if (f->wire == STATUS_FIXED32)
			text_printf(t, "\t\tst->%s = stub_status_float(v);\n\t\tbreak;\n", f->name);
		else if (f->ctype[0] == 'b')
			text_printf(t, "\t\tst->%s = v != 0;\n\t\tbreak;\n", f->name);
		else
			text_printf(t, "\t\tst->%s = (%s)v;\n\t\tbreak;\n", f->name, f->ctype);
	}
	text_puts(t, "\tdefault:\n\t\tbreak;\n\t}\n\treturn KRPC_OK;\n}\n\n");
}

/* The static helpers of the decoder, in the source. */
void
status_emit_code(text_t *t, const sg_service_t *sv)
{
	text_puts(t,
	    "/* Reads a protobuf varint; false if truncated. */\n"
	    "static bool\n"
	    "stub_status_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)\n"
	    "{\n"
	    "\tunsigned shift;\n\n"
	    "\t*v = 0;\n"
	    "\tfor (shift = 0; shift < 64 && *p < end; shift += 7) {\n"
	    "\t\tuint8_t b = *(*p)++;\n\n"
	    "\t\t*v |= (uint64_t)(b & 0x7f) << shift;\n"
	    "\t\tif ((b & 0x80) == 0)\n"
	    "\t\t\treturn true;\n"
	    "\t}\n"
	    "\treturn false;\n"
	    "}\n\n"
	    "/* A float from its little-endian bits. */\n"
	    "static float\n"
	    "stub_status_float(uint64_t bits)\n"
	    "{\n"
	    "\tuint32_t b = (uint32_t)bits;\n"
	    "\tfloat f;\n\n"
	    "\tmemcpy(&f, &b, sizeof f);\n"
	    "\treturn f;\n"
	    "}\n\n"
	    "/* Replaces a string field with a copy of data. */\n"
	    "static krpc_code_t\n"
	    "stub_status_string(char **field, const uint8_t *data, size_t len)\n"
	    "{\n"
	    "\tchar *s = malloc(len + 1);\n\n"
	    "\tif (s == NULL)\n"
	    "\t\treturn KRPC_ERR_NOMEM;\n"
	    "\tif (len > 0)\n"
	    "\t\tmemcpy(s, data, len);\n"
	    "\ts[len] = '\\0';\n"
	    "\tfree(*field);\n"
	    "\t*field = s;\n"
	    "\treturn KRPC_OK;\n"
	    "}\n\n");
	status_emit_store(t, sv);
}

/* The public decoder and free function, in the source. */
void
status_emit_public(text_t *t, const sg_service_t *sv)
{
	const char *ty = sv->status_type;

	text_printf(t, "/* Decodes a STATUS value. */\nkrpc_code_t\n%s_decode(const krpc_value_t *status, %s *out)\n",
	    ty, ty);
	text_printf(t,
	    "{\n"
	    "\tconst uint8_t *p, *end, *data;\n"
	    "\tuint64_t key, v;\n"
	    "\tsize_t len;\n"
	    "\tkrpc_code_t rc = KRPC_OK;\n\n"
	    "\tif (out == NULL)\n"
	    "\t\treturn KRPC_ERR_ARG;\n"
	    "\tmemset(out, 0, sizeof *out);\n"
	    "\tif (status == NULL || krpc_value_code(status) != KRPC_TYPE_STATUS ||\n"
	    "\t    (p = krpc_value_data(status, &len)) == NULL)\n"
	    "\t\treturn KRPC_ERR_TYPE;\n"
	    "\tfor (end = p + len; rc == KRPC_OK && p < end;) {\n"
	    "\t\tdata = NULL;\n"
	    "\t\tlen = 0;\n"
	    "\t\tv = 0;\n"
	    "\t\tif (!stub_status_varint(&p, end, &key))\n"
	    "\t\t\trc = KRPC_ERR_MALFORMED;\n"
	    "\t\telse if ((key & 7) == 0 && !stub_status_varint(&p, end, &v))\n"
	    "\t\t\trc = KRPC_ERR_MALFORMED;\n"
	    "\t\telse if ((key & 7) == 1 && end - p >= 8)\n"
	    "\t\t\tp += 8;\n"
	    "\t\telse if ((key & 7) == 5 && end - p >= 4) {\n"
	    "\t\t\tv = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;\n"
	    "\t\t\tp += 4;\n"
	    "\t\t} else if ((key & 7) == 2 && stub_status_varint(&p, end, &v) && v <= (uint64_t)(end - p)) {\n"
	    "\t\t\tdata = p;\n"
	    "\t\t\tlen = (size_t)v;\n"
	    "\t\t\tp += len;\n"
	    "\t\t} else if ((key & 7) != 0)\n"
	    "\t\t\trc = KRPC_ERR_MALFORMED;\n"
	    "\t\tif (rc == KRPC_OK)\n"
	    "\t\t\trc = stub_status_store(out, key, v, data, len);\n"
	    "\t}\n"
	    "\tif (rc == KRPC_OK && out->version == NULL)\n"
	    "\t\trc = stub_status_string(&out->version, NULL, 0);\n"
	    "\tif (rc != KRPC_OK)\n"
	    "\t\t%s_free(out);\n"
	    "\treturn rc;\n"
	    "}\n\n", ty);
	text_printf(t,
	    "/* Frees what a decoded status holds. */\n"
	    "void\n"
	    "%s_free(%s *status)\n"
	    "{\n"
	    "\tif (status != NULL) {\n"
	    "\t\tfree(status->version);\n"
	    "\t\tstatus->version = NULL;\n"
	    "\t}\n"
	    "}\n", ty, ty);
}
