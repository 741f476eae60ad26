/*
 * krpc-stubgen source: writes <Service>.c, the definitions of a service's
 * stubs.  Each procedure's arguments are built by one static function
 * shared by its call, stream and get-call forms; only the helpers a
 * service needs are written, so the file compiles without warnings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubgen.h"

/* Helpers the generated source may need. */
enum body_use {
	USE_OBJECT = 1 << 0,		/* stub_object(): class arguments */
	USE_BORROW = 1 << 1,		/* stub_borrow(): value arguments */
	USE_RET_VALUE = 1 << 2,
	USE_RET_STRING = 1 << 3,
	USE_RET_BYTES = 1 << 4,
	USE_RET_STATUS = 1 << 5,
	USE_EVENT = 1 << 6,
	USE_STREAM = 1 << 7,
	USE_GET_CALL = 1 << 8,
	USE_CALL = 1 << 9,
	USE_FIELDS = 1 << 10,		/* structure constructors and readers */
	USE_APPEND_COPY = 1 << 11,
	USE_APPEND_STRING = 1 << 12,
	USE_APPEND_BYTES = 1 << 13,
	USE_RET_SCALAR = 1 << 14,	/* one bit per scalar kind from here on */
};

#define USE_SCALAR(k) ((unsigned)USE_RET_SCALAR << ((k) - CT_DOUBLE))

/* The helpers a result of kind k needs. */
static unsigned
body_use_ret(ctype_kind_t k)
{
	switch (k) {
	case CT_VOID:
		return 0;
	case CT_STRING:
		return USE_RET_STRING;
	case CT_BYTES:
		return USE_RET_BYTES;
	case CT_STATUS:
		return USE_RET_STATUS;
	case CT_EVENT:
	case CT_VALUE:
		return USE_RET_VALUE;
	default:
		return USE_SCALAR(k);
	}
}

/* The helpers an argument of kind k needs. */
static unsigned
body_use_arg(ctype_kind_t k)
{
	return k == CT_CLASS ? USE_OBJECT : k == CT_VALUE ? USE_BORROW : 0;
}

/* Everything the service's stubs use. */
static unsigned
body_uses(const sg_service_t *sv)
{
	unsigned use = 0;
	size_t i, j;

	for (i = 0; i < sv->nprocs; i++) {
		const sg_proc_t *pr = &sv->procs[i];

		for (j = 0; j < pr->nparams; j++)
			use |= body_use_arg(pr->params[j].kind);
		use |= pr->ret_kind == CT_EVENT ? USE_EVENT : body_use_ret(pr->ret_kind);
		use |= pr->ret_kind == CT_EVENT ? 0 : USE_CALL;
		if (pr->ret_kind != CT_VOID)
			use |= USE_STREAM | USE_GET_CALL;
	}
	for (i = 0; i < krpc_service_struct_count(sv->s); i++) {
		const krpc_struct_t *st = krpc_service_struct_at(sv->s, i);

		use |= USE_FIELDS;
		for (j = 0; j < krpc_struct_field_count(st); j++) {
			sg_param_t f;

			model_struct_field(sv, st, j, &f);
			use |= body_use_ret(f.kind);
			use |= f.kind == CT_STRING ? USE_APPEND_STRING : f.kind == CT_BYTES ?
			    USE_APPEND_BYTES : f.kind == CT_VALUE ? USE_APPEND_COPY : 0;
		}
	}
	return use;
}

/* The argument list and its basic helpers. */
static void
body_args_helpers(text_t *t, const sg_service_t *sv, unsigned use)
{
	text_printf(t,
	    "#define STUB_SERVICE \"%s\"\n"
	    "#define STUB_MAX_ARGS %zu\n\n"
	    "/* The arguments of one call: values made by the stub (own) or borrowed. */\n"
	    "struct stub_args {\n"
	    "\tkrpc_value_t\t*v[STUB_MAX_ARGS];\n"
	    "\tbool\t\t own[STUB_MAX_ARGS];\n"
	    "\tsize_t\t\t n;\n"
	    "\tbool\t\t nomem;\n"
	    "};\n\n", sv->name, sv->max_params > 0 ? sv->max_params : 1);
	text_puts(t,
	    "/* Starts a list of n arguments, all left out (server defaults). */\n"
	    "static void\n"
	    "stub_args_init(struct stub_args *args, size_t n)\n"
	    "{\n"
	    "\tmemset(args, 0, sizeof *args);\n"
	    "\targs->n = n;\n"
	    "}\n\n"
	    "/* Frees the values the stub made. */\n"
	    "static void\n"
	    "stub_args_free(struct stub_args *args)\n"
	    "{\n"
	    "\tsize_t i;\n\n"
	    "\tfor (i = 0; i < args->n; i++) {\n"
	    "\t\tif (args->own[i])\n"
	    "\t\t\tkrpc_value_free(args->v[i]);\n"
	    "\t}\n"
	    "}\n\n"
	    "/* Sets argument i to a value the stub made (NULL: out of memory). */\n"
	    "static void\n"
	    "stub_own(struct stub_args *args, size_t i, krpc_value_t *v)\n"
	    "{\n"
	    "\targs->v[i] = v;\n"
	    "\targs->own[i] = true;\n"
	    "\tif (v == NULL)\n"
	    "\t\targs->nomem = true;\n"
	    "}\n\n");
	if (use & USE_OBJECT)
		text_puts(t,
		    "/* Sets argument i to an object, or to null for handle 0. */\n"
		    "static void\n"
		    "stub_object(struct stub_args *args, size_t i, uint64_t id)\n"
		    "{\n"
		    "\tstub_own(args, i, id != 0 ? krpc_value_object(id) : krpc_value_null(KRPC_TYPE_CLASS));\n"
		    "}\n\n");
	if (use & USE_BORROW)
		text_puts(t,
		    "/* Sets argument i to the caller's value (not copied), or to null for NULL. */\n"
		    "static void\n"
		    "stub_borrow(struct stub_args *args, size_t i, const krpc_value_t *v, krpc_type_code_t code)\n"
		    "{\n"
		    "\tunion {\n"
		    "\t\tconst krpc_value_t\t*c;\n"
		    "\t\tkrpc_value_t\t\t*m;\n"
		    "\t} u;\n\n"
		    "\tif (v == NULL) {\n"
		    "\t\tstub_own(args, i, krpc_value_null(code));\n"
		    "\t\treturn;\n"
		    "\t}\n"
		    "\tu.c = v;\t/* krpc_call() only reads its arguments */\n"
		    "\targs->v[i] = u.m;\n"
		    "}\n\n");
}

/* The functions that run calls, add streams and build calls. */
static void
body_run_helpers(text_t *t, unsigned use)
{
	static const struct {
		unsigned	 use;
		const char	*text;
	} runs[] = {
		{ USE_CALL, "/* Calls the procedure and frees the arguments. */\n"
		    "static krpc_code_t\n"
		    "stub_call(krpc_client_t *client, const char *proc, struct stub_args *args, const char *ret,\n"
		    "    krpc_value_t **res)\n{\n"
		    "\tkrpc_code_t rc = KRPC_ERR_NOMEM;\n\n"
		    "\tif (!args->nomem)\n"
		    "\t\trc = krpc_call(client, STUB_SERVICE, proc, args->v, args->n, ret, res);\n" },
		{ USE_STREAM, "/* Adds a stream of the call and frees the arguments. */\n"
		    "static krpc_code_t\n"
		    "stub_stream(krpc_client_t *client, const char *proc, struct stub_args *args, const char *ret,\n"
		    "    krpc_stream_t **out)\n{\n"
		    "\tkrpc_code_t rc = KRPC_ERR_NOMEM;\n\n"
		    "\tif (!args->nomem)\n"
		    "\t\trc = krpc_stream_add(client, STUB_SERVICE, proc, args->v, args->n, ret, out);\n" },
		{ USE_GET_CALL, "/* Encodes the call as a PROCEDURE_CALL value and frees the arguments. */\n"
		    "static krpc_code_t\n"
		    "stub_get_call(const char *proc, struct stub_args *args, krpc_value_t **out)\n{\n"
		    "\tkrpc_code_t rc = KRPC_ERR_NOMEM;\n\n"
		    "\tif (!args->nomem)\n"
		    "\t\trc = krpc_get_call(NULL, STUB_SERVICE, proc, args->v, args->n, out);\n" },
		{ USE_EVENT, "/* Calls a procedure returning an event and frees the arguments. */\n"
		    "static krpc_code_t\n"
		    "stub_event(krpc_client_t *client, const char *proc, struct stub_args *args,\n"
		    "    krpc_event_t **out)\n{\n"
		    "\tkrpc_code_t rc = KRPC_ERR_NOMEM;\n\n"
		    "\tif (!args->nomem)\n"
		    "\t\trc = krpc_event_call(client, STUB_SERVICE, proc, args->v, args->n, out);\n" },
	};
	size_t i;

	for (i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		if (use & runs[i].use)
			text_printf(t, "%s\tstub_args_free(args);\n\treturn rc;\n}\n\n", runs[i].text);
	}
}

/* The converter of a scalar result. */
static void
body_ret_scalar(text_t *t, ctype_kind_t k)
{
	static const char *const ctypes[] = {
		[CT_DOUBLE] = "double", [CT_FLOAT] = "float", [CT_SINT32] = "int32_t",
		[CT_SINT64] = "int64_t", [CT_UINT32] = "uint32_t", [CT_UINT64] = "uint64_t",
		[CT_BOOL] = "bool", [CT_ENUM] = "int32_t", [CT_CLASS] = "uint64_t",
	};
	const char *fn = ctype_value_fn(k), *ct = ctypes[k];

	text_printf(t,
	    "/* Stores a result in *out (0 for an error or null) and frees it. */\n"
	    "static krpc_code_t\n"
	    "stub_ret_%s(krpc_code_t rc, krpc_value_t *res, %s *out, bool *out_null)\n"
	    "{\n"
	    "\t%s x = 0;\n\n"
	    "\tif (out_null != NULL)\n"
	    "\t\t*out_null = rc == KRPC_OK && (res == NULL || krpc_value_is_null(res));\n"
	    "\tif (rc == KRPC_OK && res != NULL && !krpc_value_is_null(res))\n"
	    "\t\trc = krpc_value_as_%s(res, &x);\n"
	    "\tif (out != NULL)\n"
	    "\t\t*out = x;\n"
	    "\tkrpc_value_free(res);\n"
	    "\treturn rc;\n"
	    "}\n\n", fn, ct, ct, fn);
}

/* Converters of the other results. */
static void
body_ret_helpers(text_t *t, const sg_service_t *sv, unsigned use)
{
	ctype_kind_t k;

	for (k = CT_DOUBLE; k <= CT_CLASS; k++) {
		if (use & USE_SCALAR(k))
			body_ret_scalar(t, k);
	}
	if (use & USE_RET_STRING)
		text_puts(t,
		    "/* Stores a copy of a STRING result in *out (NULL for an error or null) and frees it. */\n"
		    "static krpc_code_t\n"
		    "stub_ret_string(krpc_code_t rc, krpc_value_t *res, char **out)\n"
		    "{\n"
		    "\tconst char *s = NULL;\n"
		    "\tchar *copy = NULL;\n"
		    "\tsize_t len = 0;\n\n"
		    "\tif (rc == KRPC_OK && res != NULL && !krpc_value_is_null(res) &&\n"
		    "\t    (s = krpc_value_str(res, &len)) == NULL)\n"
		    "\t\trc = KRPC_ERR_TYPE;\n"
		    "\tif (s != NULL && (copy = malloc(len + 1)) == NULL)\n"
		    "\t\trc = KRPC_ERR_NOMEM;\n"
		    "\telse if (s != NULL)\n"
		    "\t\tmemcpy(copy, s, len + 1);\n"
		    "\tif (out != NULL)\n"
		    "\t\t*out = copy;\n"
		    "\telse\n"
		    "\t\tfree(copy);\n"
		    "\tkrpc_value_free(res);\n"
		    "\treturn rc;\n"
		    "}\n\n");
	if (use & USE_RET_BYTES)
		text_puts(t,
		    "/* Stores a copy of a BYTES result in *out, *out_len (NULL, 0 for an error or null). */\n"
		    "static krpc_code_t\n"
		    "stub_ret_bytes(krpc_code_t rc, krpc_value_t *res, uint8_t **out, size_t *out_len)\n"
		    "{\n"
		    "\tconst uint8_t *p = NULL;\n"
		    "\tuint8_t *copy = NULL;\n"
		    "\tsize_t len = 0;\n\n"
		    "\tif (rc == KRPC_OK && res != NULL && !krpc_value_is_null(res) &&\n"
		    "\t    (p = krpc_value_data(res, &len)) == NULL)\n"
		    "\t\trc = KRPC_ERR_TYPE;\n"
		    "\tif (p != NULL && (copy = malloc(len > 0 ? len : 1)) == NULL)\n"
		    "\t\trc = KRPC_ERR_NOMEM;\n"
		    "\telse if (p != NULL && len > 0)\n"
		    "\t\tmemcpy(copy, p, len);\n"
		    "\tif (copy == NULL)\n"
		    "\t\tlen = 0;\n"
		    "\tif (out != NULL)\n"
		    "\t\t*out = copy;\n"
		    "\telse\n"
		    "\t\tfree(copy);\n"
		    "\tif (out_len != NULL)\n"
		    "\t\t*out_len = len;\n"
		    "\tkrpc_value_free(res);\n"
		    "\treturn rc;\n"
		    "}\n\n");
	if (use & USE_RET_VALUE)
		text_puts(t,
		    "/* Hands a result to the caller (NULL for an error or null). */\n"
		    "static krpc_code_t\n"
		    "stub_ret_value(krpc_code_t rc, krpc_value_t *res, krpc_value_t **out)\n"
		    "{\n"
		    "\tif (res != NULL && (rc != KRPC_OK || out == NULL || krpc_value_is_null(res))) {\n"
		    "\t\tkrpc_value_free(res);\n"
		    "\t\tres = NULL;\n"
		    "\t}\n"
		    "\tif (out != NULL)\n"
		    "\t\t*out = res;\n"
		    "\treturn rc;\n"
		    "}\n\n");
	if (use & USE_RET_STATUS)
		text_printf(t,
		    "/* Decodes a STATUS result into *out and frees it. */\n"
		    "static krpc_code_t\n"
		    "stub_ret_status(krpc_code_t rc, krpc_value_t *res, %s *out)\n"
		    "{\n"
		    "\t%s st;\n\n"
		    "\tmemset(&st, 0, sizeof st);\n"
		    "\tif (rc == KRPC_OK)\n"
		    "\t\trc = %s_decode(res, &st);\n"
		    "\tif (out != NULL)\n"
		    "\t\t*out = st;\n"
		    "\telse\n"
		    "\t\t%s_free(&st);\n"
		    "\tkrpc_value_free(res);\n"
		    "\treturn rc;\n"
		    "}\n\n", sv->status_type, sv->status_type, sv->status_type, sv->status_type);
}

/* Helpers of the structure constructors and readers. */
static void
body_field_helpers(text_t *t, unsigned use)
{
	if (!(use & USE_FIELDS))
		return;
	text_puts(t,
	    "/* Appends a field the stub made (NULL: out of memory); the first failure stays in *rc. */\n"
	    "static void\n"
	    "stub_append(krpc_value_t *s, krpc_value_t *item, krpc_code_t *rc)\n"
	    "{\n"
	    "\tif (*rc != KRPC_OK || item == NULL) {\n"
	    "\t\tif (*rc == KRPC_OK)\n"
	    "\t\t\t*rc = KRPC_ERR_NOMEM;\n"
	    "\t\tkrpc_value_free(item);\n"
	    "\t\treturn;\n"
	    "\t}\n"
	    "\t*rc = krpc_value_append(s, item);\n"
	    "}\n\n"
	    "/* A copy of field i of a structure (KRPC_ERR_TYPE if there is none). */\n"
	    "static krpc_code_t\n"
	    "stub_field(const krpc_value_t *s, size_t i, krpc_value_t **out)\n"
	    "{\n"
	    "\tconst krpc_value_t *v;\n\n"
	    "\t*out = NULL;\n"
	    "\tif (s == NULL || krpc_value_code(s) != KRPC_TYPE_STRUCT)\n"
	    "\t\treturn KRPC_ERR_ARG;\n"
	    "\tif ((v = krpc_value_item(s, i)) == NULL)\n"
	    "\t\treturn KRPC_ERR_TYPE;\n"
	    "\treturn (*out = krpc_value_clone(v)) != NULL ? KRPC_OK : KRPC_ERR_NOMEM;\n"
	    "}\n\n");
	if (use & USE_APPEND_COPY)
		text_puts(t,
		    "/* Appends a copy of the caller's value (NULL: KRPC_ERR_ARG, fields are never null). */\n"
		    "static void\n"
		    "stub_append_copy(krpc_value_t *s, const krpc_value_t *v, krpc_code_t *rc)\n"
		    "{\n"
		    "\tif (v == NULL && *rc == KRPC_OK)\n"
		    "\t\t*rc = KRPC_ERR_ARG;\n"
		    "\tif (v != NULL)\n"
		    "\t\tstub_append(s, krpc_value_clone(v), rc);\n"
		    "}\n\n");
	if (use & USE_APPEND_STRING)
		text_puts(t,
		    "/* Appends a STRING field (NULL: KRPC_ERR_ARG). */\n"
		    "static void\n"
		    "stub_append_string(krpc_value_t *s, const char *v, krpc_code_t *rc)\n"
		    "{\n"
		    "\tif (v == NULL && *rc == KRPC_OK)\n"
		    "\t\t*rc = KRPC_ERR_ARG;\n"
		    "\tif (v != NULL)\n"
		    "\t\tstub_append(s, krpc_value_string(v), rc);\n"
		    "}\n\n");
	if (use & USE_APPEND_BYTES)
		text_puts(t,
		    "/* Appends a BYTES field (NULL with a length: KRPC_ERR_ARG). */\n"
		    "static void\n"
		    "stub_append_bytes(krpc_value_t *s, const void *v, size_t len, krpc_code_t *rc)\n"
		    "{\n"
		    "\tif (v == NULL && len > 0 && *rc == KRPC_OK)\n"
		    "\t\t*rc = KRPC_ERR_ARG;\n"
		    "\tstub_append(s, krpc_value_bytes(v, len), rc);\n"
		    "}\n\n");
}

/* The statement setting argument i. */
static void
body_arg(text_t *t, const sg_param_t *pa, size_t i)
{
	const char *n = pa->cname, *fn = ctype_value_fn(pa->kind);
	const char *code = ctype_code_macro(krpc_type_code(pa->type));
	char made[256];

	if (pa->kind == CT_CLASS) {
		text_printf(t, "\tstub_object(args, %zu, %s);\n", i, n);
		return;
	}
	if (pa->kind == CT_VALUE) {
		if (pa->has_default)
			text_printf(t, "\tif (%s != NULL)\n\t", n);
		text_printf(t, "\tstub_borrow(args, %zu, %s, %s);\n", i, n, code);
		return;
	}
	if (pa->kind == CT_STRING)
		snprintf(made, sizeof made, "krpc_value_string(%s)", n);
	else if (pa->kind == CT_BYTES)
		snprintf(made, sizeof made, "krpc_value_bytes(%s, %s_len)", n, n);
	else if (pa->kind == CT_ENUM)
		snprintf(made, sizeof made, "krpc_value_enum((int32_t)%s%s)", pa->by_pointer ? "*" : "", n);
	else
		snprintf(made, sizeof made, "krpc_value_%s(%s%s)", fn, pa->by_pointer ? "*" : "", n);
	if (!pa->by_pointer && pa->kind != CT_STRING && pa->kind != CT_BYTES)
		text_printf(t, "\tstub_own(args, %zu, %s);\n", i, made);
	else if (pa->has_default)
		text_printf(t, "\tif (%s != NULL)\n\t\tstub_own(args, %zu, %s);\n", n, i, made);
	else
		text_printf(t, "\tstub_own(args, %zu, %s != NULL ? %s :\n\t    krpc_value_null(%s));\n",
		    i, n, made, code);
}

/* The static function building a procedure's arguments. */
static void
body_args_builder(text_t *t, const sg_service_t *sv, const sg_proc_t *pr)
{
	const char **pieces;
	size_t i;

	if (pr->nparams == 0)
		return;
	pieces = xmalloc((pr->nparams + 1) * sizeof *pieces);
	pieces[0] = "struct stub_args *args";
	for (i = 0; i < pr->nparams; i++)
		pieces[i + 1] = proto_param(sv->arena, &pr->params[i]);
	text_printf(t, "/* The arguments of %s. */\n", pr->wire);
	proto_list(t, arena_printf(sv->arena, "static void\nargs_%s", pr->wire), pieces,
	    pr->nparams + 1, true);
	free(pieces);
	text_printf(t, "\n{\n\tstub_args_init(args, %zu);\n", pr->nparams);
	for (i = 0; i < pr->nparams; i++)
		body_arg(t, &pr->params[i], i);
	text_puts(t, "}\n\n");
}

/* The statement starting a function: building the arguments. */
static void
body_build_args(text_t *t, const sg_proc_t *pr)
{
	size_t i;

	if (pr->nparams == 0) {
		text_puts(t, "\tstub_args_init(&args, 0);\n");
		return;
	}
	text_printf(t, "\targs_%s(&args", pr->wire);
	for (i = 0; i < pr->nparams; i++) {
		text_printf(t, ", %s", pr->params[i].cname);
		if (pr->params[i].kind == CT_BYTES)
			text_printf(t, ", %s_len", pr->params[i].cname);
	}
	text_puts(t, ");\n");
}

/* The plain call form. */
static void
body_call(text_t *t, const sg_service_t *sv, const sg_proc_t *pr)
{
	const char *nul = pr->ret_nullable && ctype_is_scalar(pr->ret_kind) && pr->ret_kind != CT_CLASS ?
	    "out_null" : "NULL";

	text_printf(t, "/* Calls %s.%s. */\n", sv->name, pr->wire);
	proto_write(t, sv, pr, PROTO_CALL, true);
	text_puts(t, "\n{\n\tstruct stub_args args;\n");
	if (pr->ret_kind != CT_VOID && pr->ret_kind != CT_EVENT)
		text_puts(t, "\tkrpc_value_t *res = NULL;\n\tkrpc_code_t rc;\n");
	if (pr->ret_kind == CT_ENUM)
		text_puts(t, "\tint32_t num = 0;\n");
	text_putc(t, '\n');
	body_build_args(t, pr);
	if (pr->ret_kind == CT_VOID) {
		text_printf(t, "\treturn stub_call(client, \"%s\", &args, \"\", NULL);\n}\n\n", pr->wire);
		return;
	}
	if (pr->ret_kind == CT_EVENT) {
		text_printf(t, "\treturn stub_event(client, \"%s\", &args, out);\n}\n\n", pr->wire);
		return;
	}
	text_printf(t, "\trc = stub_call(client, \"%s\", &args, \"%s\", &res);\n", pr->wire, pr->ret_text);
	switch (pr->ret_kind) {
	case CT_STRING:
		text_puts(t, "\treturn stub_ret_string(rc, res, out);\n");
		break;
	case CT_BYTES:
		text_puts(t, "\treturn stub_ret_bytes(rc, res, out, out_len);\n");
		break;
	case CT_STATUS:
		text_puts(t, "\treturn stub_ret_status(rc, res, out);\n");
		break;
	case CT_VALUE:
		text_puts(t, "\treturn stub_ret_value(rc, res, out);\n");
		break;
	case CT_ENUM:
		text_printf(t, "\trc = stub_ret_enum(rc, res, &num, %s);\n\tif (out != NULL)\n"
		    "\t\t*out = (%s)num;\n\treturn rc;\n", nul, pr->ret_ctype);
		break;
	default:
		text_printf(t, "\treturn stub_ret_%s(rc, res, out, %s);\n", ctype_value_fn(pr->ret_kind), nul);
	}
	text_puts(t, "}\n\n");
}

/* The stream and get-call forms. */
static void
body_stream_and_get_call(text_t *t, const sg_service_t *sv, const sg_proc_t *pr)
{
	text_printf(t, "/* A stream of %s.%s. */\n", sv->name, pr->wire);
	proto_write(t, sv, pr, PROTO_STREAM, true);
	text_puts(t, "\n{\n\tstruct stub_args args;\n\n");
	body_build_args(t, pr);
	text_printf(t, "\treturn stub_stream(client, \"%s\", &args, \"%s\", out);\n}\n\n", pr->wire,
	    pr->ret_text);
	text_printf(t, "/* The call %s.%s as a PROCEDURE_CALL value. */\n", sv->name, pr->wire);
	proto_write(t, sv, pr, PROTO_GET_CALL, true);
	text_puts(t, "\n{\n\tstruct stub_args args;\n\n");
	body_build_args(t, pr);
	text_printf(t, "\treturn stub_get_call(\"%s\", &args, out);\n}\n\n", pr->wire);
}

/* The statement appending field f to the structure s being built. */
static void
body_append_field(text_t *t, const sg_param_t *f)
{
	const char *n = f->cname;

	switch (f->kind) {
	case CT_STRING:
		text_printf(t, "\tstub_append_string(s, %s, &rc);\n", n);
		break;
	case CT_BYTES:
		text_printf(t, "\tstub_append_bytes(s, %s, %s_len, &rc);\n", n, n);
		break;
	case CT_VALUE:
		text_printf(t, "\tstub_append_copy(s, %s, &rc);\n", n);
		break;
	case CT_ENUM:
		text_printf(t, "\tstub_append(s, krpc_value_enum((int32_t)%s), &rc);\n", n);
		break;
	default:
		text_printf(t, "\tstub_append(s, krpc_value_%s(%s), &rc);\n", ctype_value_fn(f->kind), n);
	}
}

/* The reader of field i. */
static void
body_struct_get(text_t *t, const sg_service_t *sv, const krpc_struct_t *st, size_t i)
{
	sg_param_t f;

	model_struct_field(sv, st, i, &f);
	text_printf(t, "/* Field %s of a %s.%s. */\n", krpc_struct_field_name(st, i), sv->name,
	    krpc_struct_name(st));
	header_struct_get(t, sv, st, i, true);
	text_printf(t, "\n{\n\tkrpc_value_t *res = NULL;\n%s\tkrpc_code_t rc = stub_field(s, %zu, &res);\n\n",
	    f.kind == CT_ENUM ? "\tint32_t num = 0;\n" : "", i);
	if (f.kind == CT_STRING || f.kind == CT_VALUE || f.kind == CT_BYTES)
		text_printf(t, "\treturn stub_ret_%s(rc, res, out%s);\n", f.kind == CT_VALUE ? "value" :
		    ctype_value_fn(f.kind), f.kind == CT_BYTES ? ", out_len" : "");
	else if (f.kind == CT_ENUM)
		text_printf(t, "\trc = stub_ret_enum(rc, res, &num, NULL);\n\tif (out != NULL)\n"
		    "\t\t*out = (%s)num;\n\treturn rc;\n", f.ctype);
	else
		text_printf(t, "\treturn stub_ret_%s(rc, res, out, NULL);\n", ctype_value_fn(f.kind));
	text_puts(t, "}\n\n");
}

/* A structure's constructor and readers. */
static void
body_struct(text_t *t, const sg_service_t *sv, const krpc_struct_t *st)
{
	size_t i;

	text_printf(t, "/* A new %s.%s. */\n", sv->name, krpc_struct_name(st));
	header_struct_new(t, sv, st, true);
	text_puts(t, "\n{\n\tkrpc_value_t *s;\n\tkrpc_code_t rc = KRPC_OK;\n\n"
	    "\tif (out == NULL)\n\t\treturn KRPC_ERR_ARG;\n"
	    "\tif ((*out = s = krpc_value_collection(KRPC_TYPE_STRUCT)) == NULL)\n"
	    "\t\treturn KRPC_ERR_NOMEM;\n");
	for (i = 0; i < krpc_struct_field_count(st); i++) {
		sg_param_t f;

		model_struct_field(sv, st, i, &f);
		body_append_field(t, &f);
	}
	text_puts(t, "\tif (rc != KRPC_OK) {\n\t\tkrpc_value_free(s);\n\t\t*out = NULL;\n\t}\n"
	    "\treturn rc;\n}\n\n");
	for (i = 0; i < krpc_struct_field_count(st); i++)
		body_struct_get(t, sv, st, i);
}

/* Writes the source. */
void
body_emit(text_t *t, const sg_service_t *sv)
{
	unsigned use = body_uses(sv);
	size_t i;

	header_banner(t, sv, arena_printf(sv->arena, "%s.c", sv->name), "typed C stubs");
	text_printf(t, " */\n#include <stdlib.h>\n#include <string.h>\n\n#include \"%s.h\"\n\n", sv->name);
	body_args_helpers(t, sv, use);
	body_run_helpers(t, use);
	body_ret_helpers(t, sv, use);
	body_field_helpers(t, use);
	if (sv->uses_status)
		status_emit_code(t, sv);
	for (i = 0; i < sv->nprocs; i++)
		body_args_builder(t, sv, &sv->procs[i]);
	if (sv->uses_status)
		status_emit_public(t, sv);
	for (i = 0; i < krpc_service_struct_count(sv->s); i++)
		body_struct(t, sv, krpc_service_struct_at(sv->s, i));
	for (i = 0; i < sv->nprocs; i++) {
		body_call(t, sv, &sv->procs[i]);
		if (sv->procs[i].ret_kind != CT_VOID)
			body_stream_and_get_call(t, sv, &sv->procs[i]);
	}
	if (t->len > 1 && t->s[t->len - 2] == '\n')
		t->s[--t->len] = '\0';
}
