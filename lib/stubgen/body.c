/*
 * krpc-stubgen source: writes <Service>.c, the definitions of a service's
 * stubs.  Each procedure's arguments are built by one static function
 * shared by its call, stream and get-call forms; only the helpers a
 * service needs are written (template.c), so it compiles without warnings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubgen.h"

/* Helpers written here rather than from templates (template.c has the others). */
#define USE_RET_STATUS	(1u << 20)
#define USE_SCALAR(k)	(1u << (21 + (k) - CT_DOUBLE))	/* one per scalar kind */

/* The helpers a result of kind k needs. */
static unsigned
body_use_ret(ctype_kind_t k)
{
	switch (k) {
	case CT_VOID:
		return 0;
	case CT_STRING:
		return TMPL_RET_STRING;
	case CT_BYTES:
		return TMPL_RET_BYTES;
	case CT_STATUS:
		return USE_RET_STATUS;
	case CT_EVENT:
	case CT_VALUE:
		return TMPL_RET_VALUE;
	case CT_RECORD:
		return 0;	/* decoded by the record's function */
	default:
		return USE_SCALAR(k);
	}
}

/* The helpers an argument of kind k needs. */
static unsigned
body_use_arg(ctype_kind_t k)
{
	return k == CT_CLASS ? TMPL_OBJECT : k == CT_VALUE ? TMPL_BORROW : k == CT_RECORD ? TMPL_ENCODED : 0;
}

/* Everything the service's stubs use. */
static unsigned
body_uses(const sg_service_t *sv)
{
	unsigned use = sv->nprocs > 0 ? TMPL_ARGS : 0;
	size_t i, j;

	for (i = 0; i < sv->nprocs; i++) {
		const sg_proc_t *pr = &sv->procs[i];

		for (j = 0; j < pr->nparams; j++)
			use |= body_use_arg(pr->params[j].kind);
		use |= pr->ret_kind == CT_EVENT ? TMPL_EVENT : body_use_ret(pr->ret_kind);
		use |= pr->ret_kind == CT_EVENT ? 0 : TMPL_CALL;
		if (pr->ret_kind != CT_VOID)
			use |= TMPL_STREAM | TMPL_GET_CALL;
	}
	return use | record_uses(sv);
}

/* The service name, the argument list's size and its struct. */
static void
body_args_struct(text_t *t, const sg_service_t *sv)
{
	text_printf(t,
	    "#define STUB_SERVICE \"%s\"\n"
	    "#define STUB_MAX_ARGS %zu\n\n"
	    "/* The arguments of one call: values made by the stub (own) or borrowed. */\n"
	    "struct stub_args {\n"
	    "\tkrpc_value_t\t*v[STUB_MAX_ARGS];\n"
	    "\tbool\t\t own[STUB_MAX_ARGS];\n"
	    "\tsize_t\t\t n;\n"
	    "\tkrpc_code_t\t rc;\t/* the first failure building them (recorded) */\n"
	    "};\n\n", sv->name, sv->max_params > 0 ? sv->max_params : 1);
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

/* Converters of scalar and status results. */
static void
body_ret_helpers(text_t *t, const sg_service_t *sv, unsigned use)
{
	ctype_kind_t k;

	for (k = CT_DOUBLE; k <= CT_CLASS; k++) {
		if (use & USE_SCALAR(k))
			body_ret_scalar(t, k);
	}
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

/* The statement setting argument i. */
static void
body_arg(text_t *t, const sg_param_t *pa, size_t i)
{
	const char *n = pa->cname, *fn = ctype_value_fn(pa->kind);
	const char *code = ctype_code_macro(krpc_type_code(pa->type));
	char made[256];

	if (pa->kind == CT_CLASS) {
		text_printf(t, "\tstub_object(args, %zu, %s.id);\n", i, n);
		return;
	}
	if (pa->kind == CT_RECORD) {
		if (pa->has_default)
			text_printf(t, "\tif (%s != NULL)\n\t\tstub_encoded(args, %zu, %s_encode(%s, &args->v[%zu]));\n",
			    n, i, pa->rec->cname, n, i);
		else
			text_printf(t, "\tstub_encoded(args, %zu, %s != NULL ? %s_encode(%s, &args->v[%zu]) :\n"
			    "\t    stub_null(&args->v[%zu], %s));\n", i, n, pa->rec->cname, n, i, i, code);
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

/* Decoding a tuple or structure result into the caller's C struct. */
static void
body_ret_record(text_t *t, const sg_proc_t *pr)
{
	text_puts(t, "\tif (out != NULL)\n\t\tmemset(out, 0, sizeof *out);\n");
	if (pr->ret_nullable)
		text_puts(t, "\tif (out_null != NULL)\n\t\t*out_null = rc == KRPC_OK && krpc_value_is_null(res);\n");
	text_printf(t, "\tif (rc == KRPC_OK && out != NULL && !krpc_value_is_null(res))\n"
	    "\t\trc = %s_decode(res, out);\n\tkrpc_value_free(res);\n\treturn rc;\n", pr->ret_rec->cname);
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
	case CT_CLASS:
		text_puts(t, "\treturn stub_ret_object(rc, res, out != NULL ? &out->id : NULL, NULL);\n");
		break;
	case CT_RECORD:
		body_ret_record(t, pr);
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

/* Writes the source. */
void
body_emit(text_t *t, const sg_service_t *sv)
{
	unsigned use = body_uses(sv);
	size_t i;

	header_banner(t, sv, arena_printf(sv->arena, "%s.c", sv->name), "typed C stubs");
	text_printf(t, " */\n#include <stdlib.h>\n#include <string.h>\n\n#include \"%s\"\n\n", sv->include);
	if (sv->nprocs > 0)
		body_args_struct(t, sv);
	else if (sv->records == NULL)
		text_puts(t, "/* The service has no procedures and no structures. */\n"
		    "typedef int stub_nothing_to_define;\n\n");
	template_emit(t, use);
	body_ret_helpers(t, sv, use);
	record_emit_code(t, sv);
	for (i = 0; i < sv->nprocs; i++)
		body_args_builder(t, sv, &sv->procs[i]);
	for (i = 0; i < sv->nprocs; i++) {
		body_call(t, sv, &sv->procs[i]);
		if (sv->procs[i].ret_kind != CT_VOID)
			body_stream_and_get_call(t, sv, &sv->procs[i]);
	}
	if (t->len > 1 && t->s[t->len - 2] == '\n')
		t->s[--t->len] = '\0';
}
