/*
 * krpc-stubgen records: the C structs that stand for tuples (named by
 * their shape, "Svc_Tuple3_double_double_double") and for the service's
 * structures ("Svc_Name"), with the functions converting them from and to
 * the library's value trees, reading them from streams and freeing them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubgen.h"

/* The word a type adds to a tuple's name; the arity before each tuple keeps names apart. */
static char *
record_word(sg_service_t *sv, const krpc_type_t *t)
{
	static const char *const scalar[] = {
		[KRPC_TYPE_DOUBLE] = "double", [KRPC_TYPE_FLOAT] = "float",
		[KRPC_TYPE_SINT32] = "sint32", [KRPC_TYPE_SINT64] = "sint64",
		[KRPC_TYPE_UINT32] = "uint32", [KRPC_TYPE_UINT64] = "uint64",
		[KRPC_TYPE_BOOL] = "bool", [KRPC_TYPE_STRING] = "string", [KRPC_TYPE_BYTES] = "bytes",
	};
	krpc_type_code_t code = krpc_type_code(t);
	const char *svc = krpc_type_service(t);

	if ((size_t)code < sizeof scalar / sizeof scalar[0] && scalar[code] != NULL)
		return arena_strdup(sv->arena, scalar[code]);
	if (code == KRPC_TYPE_TUPLE)
		return arena_strdup(sv->arena, record_of(sv, t)->cname + strlen(sv->name) + 1);
	if (code == KRPC_TYPE_CLASS || code == KRPC_TYPE_ENUMERATION || code == KRPC_TYPE_STRUCT)
		return arena_printf(sv->arena, "%s%s", strcmp(svc, sv->name) == 0 ? "" : svc,
		    krpc_type_name(t));
	return arena_strdup(sv->arena, "value");
}

/* The name of a tuple's record: Svc_Tuple<n>_<word>_<word>... */
static char *
record_tuple_name(sg_service_t *sv, const krpc_type_t *t)
{
	text_t name = TEXT_INIT;
	size_t i;
	char *s;

	text_printf(&name, "%s_Tuple%zu", sv->name, krpc_type_count(t));
	for (i = 0; i < krpc_type_count(t); i++)
		text_printf(&name, "_%s", record_word(sv, krpc_type_sub(t, i)));
	s = arena_strdup(sv->arena, text_str(&name));
	text_free(&name);
	return s;
}

/* True if name is taken by one of the first n members (a bytes member also takes name_len). */
static bool
record_taken(const sg_field_t *fs, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (names_clash(name, fs[i].cname, fs[i].kind == CT_BYTES))
			return true;
	}
	return false;
}

/* Fills in member i of r, of type t. */
static void
record_field(sg_service_t *sv, sg_record_t *r, size_t i, const krpc_type_t *t)
{
	sg_field_t *f = &r->fields[i];

	f->type = t;
	model_type(sv, t, &f->kind, &f->ctype, &f->rec);
	if (f->kind == CT_STATUS || f->kind == CT_EVENT) {	/* messages: plain values */
		f->kind = CT_VALUE;
		f->ctype = arena_strdup(sv->arena, "krpc_value_t");
	}
	if (r->st == NULL)
		f->cname = arena_printf(sv->arena, "e%zu", i);
	else
		f->cname = names_param(sv->arena, krpc_struct_field_name(r->st, i));
	while (record_taken(r->fields, i, f->cname) || (f->kind == CT_BYTES &&
	    record_taken(r->fields, i, arena_printf(sv->arena, "%s_len", f->cname))))
		f->cname = arena_printf(sv->arena, "%s_", f->cname);
}

/* The record of a type, made (with the records it holds, which come first) if new. */
sg_record_t *
record_of(sg_service_t *sv, const krpc_type_t *t)
{
	char *text = ctype_text(sv->arena, t);
	sg_record_t *r, **tail;
	size_t i;

	for (tail = &sv->records; *tail != NULL; tail = &(*tail)->next) {
		if (strcmp((*tail)->text, text) == 0)
			return *tail;
	}
	r = arena_alloc(sv->arena, sizeof *r);
	r->text = text;
	r->type = t;
	r->code = krpc_type_code(t);
	if (r->code == KRPC_TYPE_STRUCT)
		r->st = krpc_service_struct(sv->s, krpc_type_name(t));
	r->nfields = krpc_type_count(t);
	r->fields = arena_alloc(sv->arena, (r->nfields + 1) * sizeof *r->fields);
	for (i = 0; i < r->nfields; i++)
		record_field(sv, r, i, krpc_type_sub(t, i));
	r->cname = r->st != NULL ? arena_printf(sv->arena, "%s_%s", sv->name, krpc_struct_name(r->st)) :
	    record_tuple_name(sv, t);
	for (tail = &sv->records; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = r;	/* after the records its members made */
	return r;
}

/* The names a record defines. */
const char **
record_names(const sg_service_t *sv, const sg_record_t *r, size_t *n)
{
	static const char *const suffixes[] = { "", "_decode", "_encode", "_stream_get", "_free" };
	const char **names = arena_alloc(sv->arena, sizeof suffixes / sizeof suffixes[0] * sizeof *names);
	size_t i;

	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
		names[i] = arena_printf(sv->arena, "%s%s", r->cname, suffixes[i]);
	*n = i;
	return names;
}

/* The helpers the records use. */
unsigned
record_uses(const sg_service_t *sv)
{
	static const unsigned by_kind[] = {
		[CT_STRING] = TMPL_GET_STRING | TMPL_APPEND_STRING,
		[CT_BYTES] = TMPL_GET_BYTES | TMPL_APPEND_BYTES,
		[CT_VALUE] = TMPL_GET_VALUE | TMPL_APPEND_COPY,
		[CT_CLASS] = TMPL_GET_OBJECT,
	};
	const sg_record_t *r;
	unsigned use = 0;
	size_t i;

	for (r = sv->records; r != NULL; r = r->next) {
		use |= TMPL_RECORD | TMPL_FIELDS;
		for (i = 0; i < r->nfields; i++) {
			if ((size_t)r->fields[i].kind < sizeof by_kind / sizeof by_kind[0])
				use |= by_kind[r->fields[i].kind];
		}
	}
	return use;
}

/* The declaration of one member. */
static void
record_member_decl(text_t *t, const sg_field_t *f)
{
	switch (f->kind) {
	case CT_STRING:
		text_printf(t, "\tchar\t\t*%s;\t/* malloc'd; NULL for null */\n", f->cname);
		break;
	case CT_BYTES:
		text_printf(t, "\tuint8_t\t\t*%s;\t/* malloc'd */\n\tsize_t\t\t %s_len;\n", f->cname,
		    f->cname);
		break;
	case CT_VALUE:
		text_printf(t, "\tkrpc_value_t\t*%s;\t/* a tree (%s); NULL for null */\n", f->cname,
		    krpc_type_code_name(krpc_type_code(f->type)));
		break;
	default:
		text_printf(t, "\t%s\t%s %s;\n", f->ctype, strlen(f->ctype) < 8 ? "\t" : "", f->cname);
	}
}

static void	record_body(text_t *, const sg_record_t *, size_t);

/*
 * The four functions' prototypes, wrapped; a comment before each in the
 * header, the functions' bodies follow each in the source.
 */
static void
record_protos(text_t *t, const sg_service_t *sv, const sg_record_t *r, bool definition)
{
	static const char *const docs[][2] = {
		{ "Reads a TUPLE or STRUCT tree into *out (free it with the _free function).", NULL },
		{ "*in as a new ", " tree (for krpc_call() arguments and expressions)." },
		{ "The latest value of a stream of this type (see krpc_stream_get()).", NULL },
		{ "Frees what it holds (strings, bytes, trees), not the struct itself.", NULL },
	};
	const char *n = r->cname, *sep = definition ? "\n" : " ";
	const char *pieces[4][2] = {
		{ "const krpc_value_t *v", arena_printf(sv->arena, "%s *out", n) },
		{ arena_printf(sv->arena, "const %s *in", n), "krpc_value_t **out" },
		{ "krpc_stream_t *stream", arena_printf(sv->arena, "%s *out", n) },
		{ arena_printf(sv->arena, "%s *r", n), NULL },
	};
	const char *heads[4] = {
		arena_printf(sv->arena, "krpc_code_t%s%s_decode", sep, n),
		arena_printf(sv->arena, "krpc_code_t%s%s_encode", sep, n),
		arena_printf(sv->arena, "krpc_code_t%s%s_stream_get", sep, n),
		arena_printf(sv->arena, "void%s%s_free", sep, n),
	};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (docs[i][1] == NULL)
			text_printf(t, "/* %s */\n", docs[i][0]);
		else
			text_printf(t, "/* %s%s%s */\n", docs[i][0],
			    i == 1 ? krpc_type_code_name(r->code) : n, docs[i][1]);
		proto_list(t, heads[i], pieces[i], i == 3 ? 1 : 2, definition);
		if (definition)
			record_body(t, r, i);
		else
			text_puts(t, ";\n");
	}
}

/* The typedef and prototypes of one record. */
static void
record_decl(text_t *t, const sg_service_t *sv, const sg_record_t *r)
{
	const char *n = r->cname;
	char *doc = r->st != NULL ? doc_summary(sv->arena, krpc_struct_doc(r->st)) : NULL;
	size_t i;

	if (doc == NULL || *doc == '\0')
		doc = r->st != NULL ? arena_printf(sv->arena, "Structure %s.%s.", sv->name,
		    krpc_struct_name(r->st)) : arena_printf(sv->arena, "A %s.",
		    ctype_display(sv->arena, r->type));
	doc_comment(t, "", doc, NULL, 0);
	text_printf(t, "typedef struct %s {\n", n);
	for (i = 0; i < r->nfields; i++) {
		doc = r->st != NULL ? doc_summary(sv->arena, krpc_struct_field_doc(r->st, i)) : NULL;
		if (doc != NULL && *doc != '\0')
			doc_comment(t, "\t", doc, NULL, 0);
		record_member_decl(t, &r->fields[i]);
	}
	if (r->nfields == 0)
		text_puts(t, "\tchar\t\t unused;\n");
	text_printf(t, "} %s;\n", n);
	record_protos(t, sv, r, false);
}

/* The header's records. */
void
record_emit_decl(text_t *t, const sg_service_t *sv)
{
	const sg_record_t *r;

	if (sv->records == NULL)
		return;
	header_section(t, "Tuples and structures: C structs");
	for (r = sv->records; r != NULL; r = r->next) {
		record_decl(t, sv, r);
		if (r->next != NULL)
			text_putc(t, '\n');
	}
}

/* The statement reading member f from item i of the tree v. */
static void
record_get(text_t *t, const sg_field_t *f, size_t i)
{
	char item[64];

	snprintf(item, sizeof item, "krpc_value_item(v, %zu)", i);
	switch (f->kind) {
	case CT_STRING:
	case CT_VALUE:
		text_printf(t, "\trc = stub_get_%s(%s, &out->%s, rc);\n", f->kind == CT_STRING ? "string" :
		    "value", item, f->cname);
		break;
	case CT_BYTES:
		text_printf(t, "\trc = stub_get_bytes(%s, &out->%s, &out->%s_len, rc);\n", item, f->cname,
		    f->cname);
		break;
	case CT_CLASS:
		text_printf(t, "\trc = stub_get_object(%s, &out->%s.id, rc);\n", item, f->cname);
		break;
	case CT_ENUM:
		text_printf(t, "\tif (rc == KRPC_OK && (rc = krpc_value_as_enum(%s, &num)) == KRPC_OK)\n"
		    "\t\tout->%s = (%s)num;\n", item, f->cname, f->ctype);
		break;
	case CT_RECORD:
		text_printf(t, "\tif (rc == KRPC_OK)\n\t\trc = %s_decode(%s, &out->%s);\n", f->rec->cname,
		    item, f->cname);
		break;
	default:
		text_printf(t, "\tif (rc == KRPC_OK)\n\t\trc = krpc_value_as_%s(%s, &out->%s);\n",
		    ctype_value_fn(f->kind), item, f->cname);
	}
}

/* The statement appending member f to the tree s being built. */
static void
record_put(text_t *t, const sg_field_t *f)
{
	const char *n = f->cname;

	switch (f->kind) {
	case CT_STRING:
		text_printf(t, "\tstub_append_string(s, in->%s, &rc);\n", n);
		break;
	case CT_BYTES:
		text_printf(t, "\tstub_append_bytes(s, in->%s, in->%s_len, &rc);\n", n, n);
		break;
	case CT_VALUE:
		text_printf(t, "\tstub_append_copy(s, in->%s, &rc);\n", n);
		break;
	case CT_CLASS:	/* inside a collection the null object is id 0 on the wire */
		text_printf(t, "\tstub_append(s, krpc_value_object(in->%s.id), &rc);\n", n);
		break;
	case CT_ENUM:
		text_printf(t, "\tstub_append(s, krpc_value_enum((int32_t)in->%s), &rc);\n", n);
		break;
	case CT_RECORD:
		text_printf(t, "\tif (rc == KRPC_OK && (rc = %s_encode(&in->%s, &item)) == KRPC_OK)\n"
		    "\t\tstub_append(s, item, &rc);\n", f->rec->cname, n);
		break;
	default:
		text_printf(t, "\tstub_append(s, krpc_value_%s(in->%s), &rc);\n", ctype_value_fn(f->kind), n);
	}
}

/* True if a member of r has this kind. */
static bool
record_has(const sg_record_t *r, ctype_kind_t k)
{
	size_t i;

	for (i = 0; i < r->nfields; i++) {
		if (r->fields[i].kind == k)
			return true;
	}
	return false;
}

/* The decoder's body. */
static void
record_decode(text_t *t, const sg_record_t *r)
{
	size_t i;

	text_printf(t, "\n{\n\tkrpc_code_t rc;\n%s\n", record_has(r, CT_ENUM) ? "\tint32_t num = 0;\n" : "");
	text_printf(t, "\tif (out == NULL)\n\t\treturn krpc_error_set(KRPC_ERR_ARG, \"no place for the %s\");\n"
	    "\tmemset(out, 0, sizeof *out);\n\trc = stub_record_check(v, %zu);\n", r->cname, r->nfields);
	for (i = 0; i < r->nfields; i++)
		record_get(t, &r->fields[i], i);
	text_printf(t, "\tif (rc != KRPC_OK)\n\t\t%s_free(out);\n\treturn rc;\n}\n\n", r->cname);
}

/* The encoder's body. */
static void
record_encode(text_t *t, const sg_record_t *r)
{
	size_t i;

	text_printf(t, "\n{\n\tkrpc_value_t *s%s;\n\tkrpc_code_t rc = KRPC_OK;\n\n",
	    record_has(r, CT_RECORD) ? ", *item = NULL" : "");
	text_printf(t, "\tif (in == NULL || out == NULL)\n"
	    "\t\treturn krpc_error_set(KRPC_ERR_ARG, \"no %s or no place for its value\");\n"
	    "\tif ((*out = s = krpc_value_collection(%s)) == NULL)\n"
	    "\t\treturn krpc_error_set(KRPC_ERR_NOMEM, NULL);\n", r->cname, ctype_code_macro(r->code));
	for (i = 0; i < r->nfields; i++)
		record_put(t, &r->fields[i]);
	text_puts(t, "\tif (rc != KRPC_OK) {\n\t\tkrpc_value_free(s);\n\t\t*out = NULL;\n\t}\n"
	    "\treturn rc;\n}\n\n");
}

/* The free function's body. */
static void
record_free(text_t *t, const sg_record_t *r)
{
	const sg_field_t *f;
	size_t i;

	text_puts(t, "\n{\n\tif (r == NULL)\n\t\treturn;\n");
	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		if (f->kind == CT_STRING || f->kind == CT_BYTES)
			text_printf(t, "\tfree(r->%s);\n", f->cname);
		else if (f->kind == CT_VALUE)
			text_printf(t, "\tkrpc_value_free(r->%s);\n", f->cname);
		else if (f->kind == CT_RECORD)
			text_printf(t, "\t%s_free(&r->%s);\n", f->rec->cname, f->cname);
	}
	text_puts(t, "\tmemset(r, 0, sizeof *r);\n}\n\n");
}

/* The body of function i (decode, encode, stream_get, free). */
static void
record_body(text_t *t, const sg_record_t *r, size_t i)
{
	if (i == 0)
		record_decode(t, r);
	else if (i == 1)
		record_encode(t, r);
	else if (i == 2)
		text_printf(t, "\n{\n\tkrpc_value_t *v = NULL;\n\tkrpc_code_t rc;\n\n"
		    "\tif (out != NULL)\n\t\tmemset(out, 0, sizeof *out);\n"
		    "\tif ((rc = krpc_stream_get(stream, &v)) == KRPC_OK)\n\t\trc = %s_decode(v, out);\n"
		    "\tkrpc_value_free(v);\n\treturn rc;\n}\n\n", r->cname);
	else
		record_free(t, r);
}

/* The source's records. */
void
record_emit_code(text_t *t, const sg_service_t *sv)
{
	const sg_record_t *r;

	for (r = sv->records; r != NULL; r = r->next)
		record_protos(t, sv, r, true);
}
