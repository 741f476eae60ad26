/*
 * krpc-stubgen templates: the fixed static helpers of a generated source
 * (argument lists, running calls, converting results, building
 * structures), each written only when the service's stubs use it.
 */
#include "stubgen.h"

static const struct {
	unsigned	 use;
	const char	*text;
} template_helpers[] = {
	{ TMPL_ARGS,
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
	    "\tif (v == NULL && args->rc == KRPC_OK)\n"
	    "\t\targs->rc = krpc_error_set(KRPC_ERR_NOMEM, NULL);\n"
	    "}\n\n" },
	{ TMPL_OBJECT,
	    "/* Sets argument i to an object, or to null for handle 0. */\n"
	    "static void\n"
	    "stub_object(struct stub_args *args, size_t i, uint64_t id)\n"
	    "{\n"
	    "\tstub_own(args, i, id != 0 ? krpc_value_object(id) : krpc_value_null(KRPC_TYPE_CLASS));\n"
	    "}\n\n" },
	{ TMPL_BORROW,
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
	    "}\n\n" },
	{ TMPL_CALL,
	    "/* Calls the procedure and frees the arguments. */\n"
	    "static krpc_code_t\n"
	    "stub_call(krpc_client_t *client, const char *proc, struct stub_args *args, const char *ret,\n"
	    "    krpc_value_t **res)\n{\n"
	    "\tkrpc_code_t rc = args->rc;\n\n"
	    "\tif (rc == KRPC_OK)\n"
	    "\t\trc = krpc_call(client, STUB_SERVICE, proc, args->v, args->n, ret, res);\n"
	    "\tstub_args_free(args);\n"
	    "\treturn rc;\n"
	    "}\n\n" },
	{ TMPL_STREAM,
	    "/* Adds a stream of the call and frees the arguments. */\n"
	    "static krpc_code_t\n"
	    "stub_stream(krpc_client_t *client, const char *proc, struct stub_args *args, const char *ret,\n"
	    "    krpc_stream_t **out)\n{\n"
	    "\tkrpc_code_t rc = args->rc;\n\n"
	    "\tif (rc == KRPC_OK)\n"
	    "\t\trc = krpc_stream_add(client, STUB_SERVICE, proc, args->v, args->n, ret, out);\n"
	    "\tstub_args_free(args);\n"
	    "\treturn rc;\n"
	    "}\n\n" },
	{ TMPL_GET_CALL,
	    "/* Encodes the call as a PROCEDURE_CALL value and frees the arguments. */\n"
	    "static krpc_code_t\n"
	    "stub_get_call(const char *proc, struct stub_args *args, krpc_value_t **out)\n{\n"
	    "\tkrpc_code_t rc = args->rc;\n\n"
	    "\tif (rc == KRPC_OK)\n"
	    "\t\trc = krpc_get_call(NULL, STUB_SERVICE, proc, args->v, args->n, out);\n"
	    "\tstub_args_free(args);\n"
	    "\treturn rc;\n"
	    "}\n\n" },
	{ TMPL_EVENT,
	    "/* Calls a procedure returning an event and frees the arguments. */\n"
	    "static krpc_code_t\n"
	    "stub_event(krpc_client_t *client, const char *proc, struct stub_args *args,\n"
	    "    krpc_event_t **out)\n{\n"
	    "\tkrpc_code_t rc = args->rc;\n\n"
	    "\tif (rc == KRPC_OK)\n"
	    "\t\trc = krpc_event_call(client, STUB_SERVICE, proc, args->v, args->n, out);\n"
	    "\tstub_args_free(args);\n"
	    "\treturn rc;\n"
	    "}\n\n" },
	{ TMPL_RET_STRING,
	    "/* Stores a copy of a STRING result in *out (NULL for an error or null) and frees it. */\n"
	    "static krpc_code_t\n"
	    "stub_ret_string(krpc_code_t rc, krpc_value_t *res, char **out)\n"
	    "{\n"
	    "\tconst char *s = NULL;\n"
	    "\tchar *copy = NULL;\n"
	    "\tsize_t len = 0;\n\n"
	    "\tif (rc == KRPC_OK && res != NULL && !krpc_value_is_null(res) &&\n"
	    "\t    (s = krpc_value_str(res, &len)) == NULL)\n"
	    "\t\trc = krpc_error_set(KRPC_ERR_TYPE, \"the result is not a string\");\n"
	    "\tif (s != NULL && (copy = malloc(len + 1)) == NULL)\n"
	    "\t\trc = krpc_error_set(KRPC_ERR_NOMEM, NULL);\n"
	    "\telse if (s != NULL)\n"
	    "\t\tmemcpy(copy, s, len + 1);\n"
	    "\tif (out != NULL)\n"
	    "\t\t*out = copy;\n"
	    "\telse\n"
	    "\t\tfree(copy);\n"
	    "\tkrpc_value_free(res);\n"
	    "\treturn rc;\n"
	    "}\n\n" },
	{ TMPL_RET_BYTES,
	    "/* Stores a copy of a BYTES result in *out, *out_len (NULL, 0 for an error or null). */\n"
	    "static krpc_code_t\n"
	    "stub_ret_bytes(krpc_code_t rc, krpc_value_t *res, uint8_t **out, size_t *out_len)\n"
	    "{\n"
	    "\tconst uint8_t *p = NULL;\n"
	    "\tuint8_t *copy = NULL;\n"
	    "\tsize_t len = 0;\n\n"
	    "\tif (rc == KRPC_OK && res != NULL && !krpc_value_is_null(res) &&\n"
	    "\t    (p = krpc_value_data(res, &len)) == NULL)\n"
	    "\t\trc = krpc_error_set(KRPC_ERR_TYPE, \"the result is not bytes\");\n"
	    "\tif (p != NULL && (copy = malloc(len > 0 ? len : 1)) == NULL)\n"
	    "\t\trc = krpc_error_set(KRPC_ERR_NOMEM, NULL);\n"
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
	    "}\n\n" },
	{ TMPL_RET_VALUE,
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
	    "}\n\n" },
	{ TMPL_FIELDS,
	    "/* Appends a member the stub made (NULL: out of memory); the first failure stays in *rc. */\n"
	    "static void\n"
	    "stub_append(krpc_value_t *s, krpc_value_t *item, krpc_code_t *rc)\n"
	    "{\n"
	    "\tif (*rc != KRPC_OK || item == NULL) {\n"
	    "\t\tif (*rc == KRPC_OK)\n"
	    "\t\t\t*rc = krpc_error_set(KRPC_ERR_NOMEM, NULL);\n"
	    "\t\tkrpc_value_free(item);\n"
	    "\t\treturn;\n"
	    "\t}\n"
	    "\t*rc = krpc_value_append(s, item);\n"
	    "}\n\n" },
	{ TMPL_APPEND_COPY,
	    "/* Appends a copy of a tree member (NULL: KRPC_ERR_ARG, members are never null). */\n"
	    "static void\n"
	    "stub_append_copy(krpc_value_t *s, const krpc_value_t *v, krpc_code_t *rc)\n"
	    "{\n"
	    "\tif (v == NULL && *rc == KRPC_OK)\n"
	    "\t\t*rc = krpc_error_set(KRPC_ERR_ARG, \"a member is NULL\");\n"
	    "\tif (v != NULL)\n"
	    "\t\tstub_append(s, krpc_value_clone(v), rc);\n"
	    "}\n\n" },
	{ TMPL_APPEND_STRING,
	    "/* Appends a STRING member (NULL: KRPC_ERR_ARG). */\n"
	    "static void\n"
	    "stub_append_string(krpc_value_t *s, const char *v, krpc_code_t *rc)\n"
	    "{\n"
	    "\tif (v == NULL && *rc == KRPC_OK)\n"
	    "\t\t*rc = krpc_error_set(KRPC_ERR_ARG, \"a string member is NULL\");\n"
	    "\tif (v != NULL)\n"
	    "\t\tstub_append(s, krpc_value_string(v), rc);\n"
	    "}\n\n" },
	{ TMPL_APPEND_BYTES,
	    "/* Appends a BYTES member (NULL with a length: KRPC_ERR_ARG). */\n"
	    "static void\n"
	    "stub_append_bytes(krpc_value_t *s, const void *v, size_t len, krpc_code_t *rc)\n"
	    "{\n"
	    "\tif (v == NULL && len > 0 && *rc == KRPC_OK)\n"
	    "\t\t*rc = krpc_error_set(KRPC_ERR_ARG, \"a bytes member is NULL\");\n"
	    "\tstub_append(s, krpc_value_bytes(v, len), rc);\n"
	    "}\n\n" },
	{ TMPL_ENCODED,
	    "/* Takes argument i, which an encoder filled with result rc. */\n"
	    "static void\n"
	    "stub_encoded(struct stub_args *args, size_t i, krpc_code_t rc)\n"
	    "{\n"
	    "\targs->own[i] = true;\n"
	    "\tif (rc != KRPC_OK && args->rc == KRPC_OK)\n"
	    "\t\targs->rc = rc;\n"
	    "}\n\n"
	    "/* Stores a null value of code in *slot. */\n"
	    "static krpc_code_t\n"
	    "stub_null(krpc_value_t **slot, krpc_type_code_t code)\n"
	    "{\n"
	    "\tif ((*slot = krpc_value_null(code)) == NULL)\n"
	    "\t\treturn krpc_error_set(KRPC_ERR_NOMEM, NULL);\n"
	    "\treturn KRPC_OK;\n"
	    "}\n\n" },
	{ TMPL_RECORD,
	    "/* KRPC_OK, unless v is not a TUPLE or STRUCT of at least n members (recorded). */\n"
	    "static krpc_code_t\n"
	    "stub_record_check(const krpc_value_t *v, size_t n)\n"
	    "{\n"
	    "\tif (v == NULL || krpc_value_is_null(v) || (krpc_value_code(v) != KRPC_TYPE_TUPLE &&\n"
	    "\t    krpc_value_code(v) != KRPC_TYPE_STRUCT))\n"
	    "\t\treturn krpc_error_set(KRPC_ERR_TYPE, \"not a tuple or structure\");\n"
	    "\tif (krpc_value_count(v) < n)\n"
	    "\t\treturn krpc_error_set(KRPC_ERR_TYPE, \"%zu members; expected %zu\", krpc_value_count(v), n);\n"
	    "\treturn KRPC_OK;\n"
	    "}\n\n" },
	{ TMPL_GET_STRING,
	    "/* Copies a STRING member into *out (NULL for null), unless rc is already an error. */\n"
	    "static krpc_code_t\n"
	    "stub_get_string(const krpc_value_t *v, char **out, krpc_code_t rc)\n"
	    "{\n"
	    "\tconst char *s;\n\n"
	    "\tif (rc != KRPC_OK || krpc_value_is_null(v))\n"
	    "\t\treturn rc;\n"
	    "\tif (krpc_value_code(v) != KRPC_TYPE_STRING || (s = krpc_value_str(v, NULL)) == NULL)\n"
	    "\t\treturn krpc_error_set(KRPC_ERR_TYPE, \"a member is not a string\");\n"
	    "\tif ((*out = strdup(s)) == NULL)\n"
	    "\t\treturn krpc_error_set(KRPC_ERR_NOMEM, NULL);\n"
	    "\treturn KRPC_OK;\n"
	    "}\n\n" },
	{ TMPL_GET_BYTES,
	    "/* Copies a BYTES member into *out, *len (NULL, 0 for null), unless rc is already an error. */\n"
	    "static krpc_code_t\n"
	    "stub_get_bytes(const krpc_value_t *v, uint8_t **out, size_t *len, krpc_code_t rc)\n"
	    "{\n"
	    "\tconst uint8_t *p;\n\n"
	    "\tif (rc != KRPC_OK || krpc_value_is_null(v))\n"
	    "\t\treturn rc;\n"
	    "\tif (krpc_value_code(v) != KRPC_TYPE_BYTES || (p = krpc_value_data(v, len)) == NULL)\n"
	    "\t\treturn krpc_error_set(KRPC_ERR_TYPE, \"a member is not bytes\");\n"
	    "\tif ((*out = malloc(*len > 0 ? *len : 1)) == NULL)\n"
	    "\t\treturn krpc_error_set(KRPC_ERR_NOMEM, NULL);\n"
	    "\tif (*len > 0)\n"
	    "\t\tmemcpy(*out, p, *len);\n"
	    "\treturn KRPC_OK;\n"
	    "}\n\n" },
	{ TMPL_GET_VALUE,
	    "/* Copies a tree member into *out (NULL for null), unless rc is already an error. */\n"
	    "static krpc_code_t\n"
	    "stub_get_value(const krpc_value_t *v, krpc_value_t **out, krpc_code_t rc)\n"
	    "{\n"
	    "\tif (rc != KRPC_OK || krpc_value_is_null(v))\n"
	    "\t\treturn rc;\n"
	    "\tif ((*out = krpc_value_clone(v)) == NULL)\n"
	    "\t\treturn krpc_error_set(KRPC_ERR_NOMEM, NULL);\n"
	    "\treturn KRPC_OK;\n"
	    "}\n\n" },
	{ TMPL_GET_OBJECT,
	    "/* Reads a CLASS member's object id into *out (0 for null), unless rc is already an error. */\n"
	    "static krpc_code_t\n"
	    "stub_get_object(const krpc_value_t *v, uint64_t *out, krpc_code_t rc)\n"
	    "{\n"
	    "\tif (rc != KRPC_OK || krpc_value_is_null(v))\n"
	    "\t\treturn rc;\n"
	    "\treturn krpc_value_as_object(v, out);\n"
	    "}\n\n" },
};

/* Writes the helpers in use, in an order where each comes before its users. */
void
template_emit(text_t *t, unsigned use)
{
	size_t i;

	for (i = 0; i < sizeof template_helpers / sizeof template_helpers[0]; i++) {
		if (use & template_helpers[i].use)
			text_puts(t, template_helpers[i].text);
	}
}
