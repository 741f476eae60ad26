/*
 * krpc-stubgen model: one service's definition turned into what the
 * emitters need (C names, kinds and types of every procedure and
 * parameter, default literals, documentation), with name clashes found
 * before anything is written, and a fingerprint of the definition.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubgen.h"

#define FNV_OFFSET	UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME	UINT64_C(0x100000001b3)

/* Mixes bytes and a separator into a FNV-1a hash. */
static void
model_hash(uint64_t *h, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i <= len; i++) {
		*h ^= i < len ? p[i] : 0;
		*h *= FNV_PRIME;
	}
}

/* Mixes a string. */
static void
model_hash_str(uint64_t *h, const char *s)
{
	model_hash(h, s, strlen(s));
}

/* Mixes a type's text form. */
static void
model_hash_type(uint64_t *h, arena_t *a, const krpc_type_t *t)
{
	model_hash_str(h, t != NULL ? ctype_text(a, t) : "void");
}

/* Mixes one procedure's definition. */
static void
model_hash_proc(uint64_t *h, arena_t *a, const krpc_procedure_t *p)
{
	const krpc_parameter_t *par;
	const uint8_t *def;
	size_t i, len;
	uint8_t flags[4];

	model_hash_str(h, krpc_procedure_name(p));
	model_hash_str(h, krpc_procedure_doc(p));
	model_hash_str(h, krpc_procedure_deprecated(p) ? krpc_procedure_deprecated_reason(p) : "\1");
	model_hash_type(h, a, krpc_procedure_return_type(p));
	flags[0] = krpc_procedure_return_nullable(p);
	model_hash(h, flags, 1);
	for (i = 0; i < krpc_procedure_param_count(p); i++) {
		par = krpc_procedure_param_at(p, i);
		model_hash_str(h, krpc_parameter_name(par));
		model_hash_type(h, a, krpc_parameter_type(par));
		flags[0] = krpc_parameter_nullable(par);
		flags[1] = krpc_parameter_has_default(par);
		flags[2] = krpc_parameter_default_is_null(par);
		model_hash(h, flags, 3);
		def = krpc_parameter_default_data(par, &len);
		model_hash(h, def != NULL ? def : flags, def != NULL ? len : 0);
	}
}

/* The fingerprint of everything the stubs are generated from. */
static uint64_t
model_fingerprint(arena_t *a, const krpc_service_t *s)
{
	uint64_t h = FNV_OFFSET;
	size_t i, j;

	model_hash_str(&h, krpc_service_name(s));
	model_hash_str(&h, krpc_service_doc(s));
	for (i = 0; i < krpc_service_procedure_count(s); i++)
		model_hash_proc(&h, a, krpc_service_procedure_at(s, i));
	for (i = 0; i < krpc_service_class_count(s); i++) {
		model_hash_str(&h, krpc_class_name(krpc_service_class_at(s, i)));
		model_hash_str(&h, krpc_class_doc(krpc_service_class_at(s, i)));
	}
	for (i = 0; i < krpc_service_enum_count(s); i++) {
		const krpc_enum_t *e = krpc_service_enum_at(s, i);

		model_hash_str(&h, krpc_enum_name(e));
		model_hash_str(&h, krpc_enum_doc(e));
		for (j = 0; j < krpc_enum_value_count(e); j++) {
			int32_t v = krpc_enum_value_at(e, j);

			model_hash_str(&h, krpc_enum_value_name(e, j));
			model_hash(&h, &v, sizeof v);
			model_hash_str(&h, krpc_enum_value_doc(e, j));
		}
	}
	for (i = 0; i < krpc_service_struct_count(s); i++) {
		const krpc_struct_t *st = krpc_service_struct_at(s, i);

		model_hash_str(&h, krpc_struct_name(st));
		model_hash_str(&h, krpc_struct_doc(st));
		model_hash_type(&h, a, krpc_struct_type(st));
		for (j = 0; j < krpc_struct_field_count(st); j++) {
			model_hash_str(&h, krpc_struct_field_name(st, j));
			model_hash_str(&h, krpc_struct_field_doc(st, j));
		}
	}
	for (i = 0; i < krpc_service_exception_count(s); i++)
		model_hash_str(&h, krpc_exception_name(krpc_service_exception_at(s, i)));
	return h;
}

/* True if name is already taken by one of the first n parameters (or their lengths). */
static bool
model_param_taken(const sg_param_t *ps, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (names_clash(name, ps[i].cname, ps[i].kind == CT_BYTES))
			return true;
	}
	return false;
}

/* The C name of parameter i: "this" becomes the class name in lower camel case. */
static char *
model_param_name(sg_service_t *sv, const sg_proc_t *pr, size_t i)
{
	const char *name = krpc_parameter_name(pr->params[i].p);
	char *c;

	if (i == 0 && strcmp(name, "this") == 0 && *krpc_procedure_class(pr->p) != '\0')
		name = names_lower_first(sv->arena, krpc_procedure_class(pr->p));
	c = names_param(sv->arena, name);
	while (model_param_taken(pr->params, i, c) ||
	    (pr->params[i].kind == CT_BYTES && names_reserved(arena_printf(sv->arena, "%s_len", c))))
		c = arena_printf(sv->arena, "%s_", c);
	return c;
}

/* The signature line of the comment: "Name(p: type? = default) -> type". */
static char *
model_signature(sg_service_t *sv, const sg_proc_t *pr)
{
	text_t t = TEXT_INIT;
	const krpc_value_t *def;
	size_t i;
	char *s;

	text_printf(&t, "%s.%s(", sv->name, pr->wire);
	for (i = 0; i < pr->nparams; i++) {
		const sg_param_t *pa = &pr->params[i];

		text_printf(&t, "%s%s: %s%s", i > 0 ? ", " : "", krpc_parameter_name(pa->p),
		    ctype_display(sv->arena, pa->type), pa->nullable ? "?" : "");
		if (!pa->has_default)
			continue;
		if ((def = krpc_parameter_default(pa->p)) == NULL || krpc_value_is_null(def)) {
			text_puts(&t, def == NULL ? " = (default)" : " = null");
		} else if ((s = krpc_value_format(def)) != NULL) {
			text_printf(&t, " = %s", s);
			free(s);
		}
	}
	text_printf(&t, ")%s%s%s", pr->ret_kind == CT_VOID ? "" : " -> ",
	    pr->ret_kind == CT_VOID ? "" : ctype_display(sv->arena, krpc_procedure_return_type(pr->p)),
	    pr->ret_nullable ? "?" : "");
	s = doc_escape(sv->arena, text_str(&t));
	text_free(&t);
	return s;
}

/* Remembers another service's class, whose handle typedef the header repeats. */
static void
model_foreign(sg_service_t *sv, const char *cname)
{
	const char **grown;
	size_t i;

	for (i = 0; i < sv->nforeign; i++) {
		if (strcmp(sv->foreign[i], cname) == 0)
			return;
	}
	grown = arena_alloc(sv->arena, (sv->nforeign + 1) * sizeof *grown);
	if (sv->nforeign > 0)
		memcpy(grown, sv->foreign, sv->nforeign * sizeof *grown);
	grown[sv->nforeign++] = cname;
	sv->foreign = grown;
}

/* The C view of a type (see stubgen.h). */
void
model_type(sg_service_t *sv, const krpc_type_t *t, ctype_kind_t *kind, char **ctype, sg_record_t **rec)
{
	*kind = ctype_kind(t);
	*ctype = t != NULL ? ctype_name(sv->arena, sv->name, t) : arena_strdup(sv->arena, "");
	*rec = NULL;
	if (*kind == CT_RECORD && krpc_type_code(t) == KRPC_TYPE_STRUCT &&
	    strcmp(krpc_type_service(t), sv->name) != 0) {
		*kind = CT_VALUE;	/* another service's structure: a tree */
		*ctype = arena_strdup(sv->arena, "krpc_value_t");
	} else if (*kind == CT_RECORD) {
		*rec = record_of(sv, t);
		*ctype = (*rec)->cname;
	} else if (*kind == CT_CLASS && strcmp(krpc_type_service(t), sv->name) != 0)
		model_foreign(sv, *ctype);
}

/* Fills in one parameter. */
static void
model_param(sg_service_t *sv, sg_proc_t *pr, size_t i)
{
	sg_param_t *pa = &pr->params[i];
	bool math = false;

	pa->p = krpc_procedure_param_at(pr->p, i);
	pa->type = krpc_parameter_type(pa->p);
	model_type(sv, pa->type, &pa->kind, &pa->ctype, &pa->rec);
	if (pa->kind == CT_STATUS || pa->kind == CT_EVENT) {	/* messages in: plain values */
		pa->kind = CT_VALUE;
		pa->ctype = arena_strdup(sv->arena, "krpc_value_t");
	}
	pa->nullable = krpc_parameter_nullable(pa->p);
	pa->has_default = krpc_parameter_has_default(pa->p);
	pa->by_pointer = pa->nullable && ctype_is_scalar(pa->kind) && pa->kind != CT_CLASS;
	pa->cname = model_param_name(sv, pr, i);
	if (pa->has_default && (ctype_is_scalar(pa->kind) || pa->kind == CT_STRING))
		pa->def_literal = ctype_default_literal(sv->arena, sv->model, sv->name, pa->p, &math);
	if (pa->def_literal != NULL && pa->def_literal[0] == '-')
		pa->def_literal = arena_printf(sv->arena, "(%s)", pa->def_literal);
	if (pa->def_literal != NULL)
		pa->def_macro = arena_printf(sv->arena, "%s_%s_DEFAULT", pr->cname,
		    krpc_parameter_name(pa->p));
	sv->uses_math |= math;
}

/* Fills in one procedure. */
static void
model_proc(sg_service_t *sv, sg_proc_t *pr, const krpc_procedure_t *p)
{
	const krpc_type_t *ret = krpc_procedure_return_type(p);
	size_t i;

	pr->p = p;
	pr->wire = krpc_procedure_name(p);
	pr->cname = arena_printf(sv->arena, "%s_%s", sv->name, pr->wire);
	pr->nparams = krpc_procedure_param_count(p);
	pr->params = arena_alloc(sv->arena, (pr->nparams + 1) * sizeof *pr->params);
	for (i = 0; i < pr->nparams; i++)
		model_param(sv, pr, i);
	if (pr->nparams > sv->max_params)
		sv->max_params = pr->nparams;
	model_type(sv, ret, &pr->ret_kind, &pr->ret_ctype, &pr->ret_rec);
	pr->ret_text = ctype_text(sv->arena, ret);
	pr->ret_nullable = krpc_procedure_return_nullable(p);
	sv->uses_status |= pr->ret_kind == CT_STATUS;
	pr->doc = doc_summary(sv->arena, krpc_procedure_doc(p));
	if (krpc_procedure_deprecated(p))
		pr->deprecated = doc_plain(sv->arena, krpc_procedure_deprecated_reason(p));
	pr->signature = model_signature(sv, pr);
}

/* qsort comparison of strings. */
static int
model_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds a global name to the list being checked. */
static void
model_name(const char ***names, size_t *n, size_t *cap, const char *name)
{
	if (*n == *cap)
		*names = xrealloc(*names, (*cap = *cap ? *cap * 2 : 256) * sizeof **names);
	(*names)[(*n)++] = name;
}

/* Lists every global name the files define, except the procedures'. */
static void
model_type_names(sg_service_t *sv, const char ***names, size_t *n, size_t *cap)
{
	const krpc_service_t *s = sv->s;
	const sg_record_t *r;
	size_t i, j, k;

	for (i = 0; i < krpc_service_class_count(s); i++) {
		const char *c = arena_printf(sv->arena, "%s_%s", sv->name,
		    krpc_class_name(krpc_service_class_at(s, i)));

		model_name(names, n, cap, c);
		model_name(names, n, cap, arena_printf(sv->arena, "%s_NULL", c));
	}
	for (i = 0; i < krpc_service_enum_count(s); i++) {
		const krpc_enum_t *e = krpc_service_enum_at(s, i);

		model_name(names, n, cap, arena_printf(sv->arena, "%s_%s", sv->name, krpc_enum_name(e)));
		for (j = 0; j < krpc_enum_value_count(e); j++)
			model_name(names, n, cap, arena_printf(sv->arena, "%s_%s_%s", sv->name,
			    krpc_enum_name(e), krpc_enum_value_name(e, j)));
	}
	for (r = sv->records; r != NULL; r = r->next) {
		const char **defined = record_names(sv, r, &k);

		for (j = 0; j < k; j++)
			model_name(names, n, cap, defined[j]);
	}
	if (sv->uses_status) {
		model_name(names, n, cap, sv->status_type);
		model_name(names, n, cap, arena_printf(sv->arena, "%s_decode", sv->status_type));
		model_name(names, n, cap, arena_printf(sv->arena, "%s_free", sv->status_type));
	}
}

/* False (with a message) if two generated names are the same. */
static bool
model_check_names(sg_service_t *sv)
{
	const char **names = NULL;
	size_t n = 0, cap = 0, i, j;
	bool ok = true;

	model_type_names(sv, &names, &n, &cap);
	for (i = 0; i < sv->nprocs; i++) {
		const sg_proc_t *pr = &sv->procs[i];

		model_name(&names, &n, &cap, pr->cname);
		model_name(&names, &n, &cap, arena_printf(sv->arena, "%s_stream", pr->cname));
		model_name(&names, &n, &cap, arena_printf(sv->arena, "%s_call", pr->cname));
		for (j = 0; j < pr->nparams; j++) {
			if (pr->params[j].def_macro != NULL)
				model_name(&names, &n, &cap, pr->params[j].def_macro);
		}
	}
	if (n > 1)
		qsort(names, n, sizeof *names, model_strcmp);
	for (i = 1; i < n; i++) {
		if (strcmp(names[i - 1], names[i]) == 0) {
			fprintf(stderr, STUBGEN_NAME ": service %s: the C name %s would be defined twice\n",
			    sv->name, names[i]);
			ok = false;
		}
	}
	free(names);
	return ok;
}

/* The model of one service. */
sg_service_t *
model_build(const krpc_services_t *m, const krpc_service_t *s)
{
	arena_t *a = arena_new();
	sg_service_t *sv = arena_alloc(a, sizeof *sv);
	size_t i;

	sv->arena = a;
	sv->model = m;
	sv->s = s;
	sv->name = krpc_service_name(s);
	sv->status_type = arena_printf(a, "%s_Status", sv->name);
	sv->include = arena_printf(a, "%s.h", sv->name);
	sv->nprocs = krpc_service_procedure_count(s);
	sv->procs = arena_alloc(a, (sv->nprocs + 1) * sizeof *sv->procs);
	for (i = 0; i < sv->nprocs; i++)
		model_proc(sv, &sv->procs[i], krpc_service_procedure_at(s, i));
	for (i = 0; i < krpc_service_struct_count(s); i++)	/* the unused ones too */
		record_of(sv, krpc_struct_type(krpc_service_struct_at(s, i)));
	sv->fingerprint = model_fingerprint(a, s);
	if (!model_check_names(sv)) {
		model_free(sv);
		return NULL;
	}
	return sv;
}

/* Frees a model. */
void
model_free(sg_service_t *sv)
{
	if (sv != NULL)
		arena_free(sv->arena);
}
