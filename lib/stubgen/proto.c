/*
 * krpc-stubgen prototypes: the parameter lists of the three functions
 * generated per procedure, written once for the header's declarations
 * and the source's definitions.
 */
#include <stdlib.h>
#include <string.h>

#include "stubgen.h"

#define PROTO_WIDTH 96

struct proto_line {
	text_t		*t;
	size_t		 col;
	const char	*indent;	/* continuation lines */
	size_t		 indent_cols;
	bool		 first;
};

/* Appends one parameter declaration, breaking the line when it would be too long. */
static void
proto_piece(struct proto_line *l, const char *piece)
{
	size_t len = strlen(piece);

	if (!l->first) {
		if (l->col + 2 + len + 2 > PROTO_WIDTH) {
			text_printf(l->t, ",\n%s", l->indent);
			l->col = l->indent_cols;
		} else {
			text_puts(l->t, ", ");
			l->col += 2;
		}
	}
	text_puts(l->t, piece);
	l->col += len;
	l->first = false;
}

/* The declaration of one input parameter. */
char *
proto_param(arena_t *a, const sg_param_t *pa)
{
	switch (pa->kind) {
	case CT_STRING:
		return arena_printf(a, "const char *%s", pa->cname);
	case CT_BYTES:
		return arena_printf(a, "const void *%s, size_t %s_len", pa->cname, pa->cname);
	case CT_VALUE:
	case CT_STATUS:
	case CT_EVENT:
	case CT_RECORD:
		return arena_printf(a, "const %s *%s", pa->ctype, pa->cname);
	default:
		if (pa->by_pointer)
			return arena_printf(a, "const %s *%s", pa->ctype, pa->cname);
		return arena_printf(a, "%s %s", pa->ctype, pa->cname);
	}
}

/* The result parameters of a value of kind k and C type ctype (NULL for void). */
char *
proto_out(arena_t *a, ctype_kind_t k, const char *ctype, bool nullable)
{
	switch (k) {
	case CT_VOID:
		return NULL;
	case CT_STRING:
		return arena_strdup(a, "char **out");
	case CT_BYTES:
		return arena_strdup(a, "uint8_t **out, size_t *out_len");
	case CT_STATUS:
		return arena_printf(a, "%s *out", ctype);
	case CT_EVENT:
	case CT_VALUE:
		return arena_printf(a, "%s **out", ctype);
	case CT_CLASS:
		return arena_printf(a, "%s *out", ctype);
	case CT_RECORD:
	default:
		return arena_printf(a, "%s *out%s", ctype, nullable ? ", bool *out_null" : "");
	}
}

/* Writes head(pieces...) wrapped at PROTO_WIDTH columns. */
void
proto_list(text_t *t, const char *head, const char *const *pieces, size_t n, bool definition)
{
	struct proto_line l = { t, 0, definition ? "    " : "\t    ", definition ? 4 : 12, true };
	const char *nl = strrchr(head, '\n');
	size_t i;

	text_printf(t, "%s(", head);
	l.col = strlen(nl != NULL ? nl + 1 : head) + 1;
	for (i = 0; i < n; i++)
		proto_piece(&l, pieces[i]);
	text_putc(t, ')');
}

/* Writes a prototype. */
void
proto_write(text_t *t, const sg_service_t *sv, const sg_proc_t *pr, proto_form_t form,
    bool definition)
{
	static const char *const suffix[] = { "", "_stream", "_call" };
	const char **pieces = xmalloc((pr->nparams + 3) * sizeof *pieces);
	size_t n = 0, i;
	char *out;

	if (form != PROTO_GET_CALL)
		pieces[n++] = "krpc_client_t *client";
	if (form == PROTO_STREAM)
		pieces[n++] = "krpc_stream_t **out";
	if (form == PROTO_GET_CALL)
		pieces[n++] = "krpc_value_t **out";
	for (i = 0; i < pr->nparams; i++)
		pieces[n++] = proto_param(sv->arena, &pr->params[i]);
	if (form == PROTO_CALL &&
	    (out = proto_out(sv->arena, pr->ret_kind, pr->ret_ctype, pr->ret_nullable)) != NULL)
		pieces[n++] = out;
	proto_list(t, arena_printf(sv->arena, "krpc_code_t%s%s%s", definition ? "\n" : " ", pr->cname,
	    suffix[form]), pieces, n, definition);
	free(pieces);
}
