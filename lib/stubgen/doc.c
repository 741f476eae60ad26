/*
 * krpc-stubgen documentation: turns the XML documentation kRPC servers
 * send (PROTOCOL.md 4.6) into plain text for the comments of the
 * generated files.
 */
#include <stdlib.h>
#include <string.h>

#include "stubgen.h"

#define DOC_WIDTH 90

static const struct {
	const char	*entity;
	char		 c;
} doc_entities[] = {
	{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' }, { "&apos;", '\'' },
};

/* Appends the readable form of one tag: a reference's name, else nothing. */
static void
doc_tag(text_t *t, const char *tag, size_t len)
{
	const char *attrs[] = { "cref=\"", "name=\"" };
	const char *p, *end;
	size_t i;

	for (i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		p = strstr(tag, attrs[i]);
		if (p == NULL || p >= tag + len)
			continue;
		p += strlen(attrs[i]);
		if (p[0] != '\0' && p[1] == ':')	/* "T:", "M:" */
			p += 2;
		if ((end = strchr(p, '"')) == NULL || end > tag + len)
			return;
		if (strncmp(tag, "<param ", 7) == 0 || strncmp(tag, "<typeparam", 10) == 0)
			return;
		while (p < end)
			text_putc(t, *p++);
		return;
	}
}

/* Appends c, collapsing white space and keeping comment delimiters apart. */
static void
doc_put(text_t *t, char c)
{
	if (c == '\n' || c == '\t' || c == '\r')
		c = ' ';
	if (c == ' ' && (t->len == 0 || t->s[t->len - 1] == ' '))
		return;
	if ((c == '/' || c == '*') && t->len > 0 &&
	    (t->s[t->len - 1] == (c == '/' ? '*' : '/')))
		text_putc(t, ' ');
	text_putc(t, c);
}

/* Plain text of an XML fragment. */
char *
doc_plain(arena_t *a, const char *xml)
{
	text_t t = TEXT_INIT;
	const char *p = xml, *end;
	size_t i;
	char *s;

	while (*p != '\0') {
		if (*p == '<' && (end = strchr(p, '>')) != NULL) {
			doc_tag(&t, p, (size_t)(end - p));
			p = end + 1;
			continue;
		}
		for (i = 0; i < sizeof doc_entities / sizeof doc_entities[0]; i++) {
			if (strncmp(p, doc_entities[i].entity, strlen(doc_entities[i].entity)) == 0)
				break;
		}
		if (i < sizeof doc_entities / sizeof doc_entities[0]) {
			doc_put(&t, doc_entities[i].c);
			p += strlen(doc_entities[i].entity);
		} else
			doc_put(&t, *p++);
	}
	while (t.len > 0 && t.s[t.len - 1] == ' ')
		t.s[--t.len] = '\0';
	s = arena_strdup(a, text_str(&t) + (t.len > 0 && t.s[0] == ' '));
	text_free(&t);
	return s;
}

/* s with control characters escaped and comment delimiters kept apart. */
char *
doc_escape(arena_t *a, const char *s)
{
	text_t t = TEXT_INIT;
	char *out;

	for (; *s != '\0'; s++) {
		if (*s == '\n')
			text_puts(&t, "\\n");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			text_printf(&t, "\\%03o", (unsigned char)*s);
		else if ((*s == '/' && t.len > 0 && t.s[t.len - 1] == '*') ||
		    (*s == '*' && t.len > 0 && t.s[t.len - 1] == '/'))
			text_printf(&t, " %c", *s);
		else
			text_putc(&t, *s);
	}
	out = arena_strdup(a, text_str(&t));
	text_free(&t);
	return out;
}

/* Plain text of the <summary> of a documentation string. */
char *
doc_summary(arena_t *a, const char *xml)
{
	const char *start = strstr(xml, "<summary>"), *end;
	char *frag, *s;

	if (start == NULL || (end = strstr(start, "</summary>")) == NULL)
		return arena_strdup(a, "");
	start += strlen("<summary>");
	frag = xmalloc((size_t)(end - start) + 1);
	memcpy(frag, start, (size_t)(end - start));
	frag[end - start] = '\0';
	s = doc_plain(a, frag);
	free(frag);
	return s;
}

/* Writes text word-wrapped as comment lines. */
void
doc_lines(text_t *t, const char *prefix, const char *body)
{
	size_t col = 0, wlen;
	const char *w = body;

	while (*w != '\0') {
		while (*w == ' ')
			w++;
		if (*w == '\0')
			break;
		wlen = strcspn(w, " ");
		if (col > 0 && col + 1 + wlen > DOC_WIDTH) {
			text_putc(t, '\n');
			col = 0;
		}
		if (col == 0) {
			text_printf(t, "%s *", prefix);
			col = strlen(prefix) * 8 + 2;
		}
		text_printf(t, " %.*s", (int)wlen, w);
		col += 1 + wlen;
		w += wlen;
	}
	if (col > 0)
		text_putc(t, '\n');
}

/* Writes a comment block. */
void
doc_comment(text_t *t, const char *prefix, const char *body, const char *const *extra,
    size_t nextra)
{
	size_t i;

	if (nextra == 0 && strlen(body) + strlen(prefix) * 8 + 6 <= DOC_WIDTH && *body != '\0') {
		text_printf(t, "%s/* %s */\n", prefix, body);
		return;
	}
	text_printf(t, "%s/*\n", prefix);
	doc_lines(t, prefix, body);
	for (i = 0; i < nextra; i++)
		text_printf(t, "%s * %s\n", prefix, extra[i]);
	text_printf(t, "%s */\n", prefix);
}
