/*
 * krpc-stubgen names: kRPC member and parameter names made into C
 * identifiers that compile as C and C++ and do not collide with the
 * names the generated code uses itself.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "stubgen.h"

/* C and C++ keywords, a few standard macros, and the generated code's own names. */
static const char *const names_words[] = {
	"_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary",
	"_Noreturn", "_Static_assert", "_Thread_local", "alignas", "alignof", "and",
	"and_eq", "args", "asm", "assert", "auto", "bitand", "bitor", "bool", "break",
	"case", "catch", "char", "char16_t", "char32_t", "char8_t", "class", "client",
	"co_await", "co_return", "co_yield", "compl", "concept", "const", "const_cast",
	"consteval", "constexpr", "constinit", "continue", "decltype", "default", "delete",
	"do", "double", "dynamic_cast", "else", "enum", "errno", "explicit", "export",
	"extern", "false", "float", "for", "friend", "goto", "if", "inline", "int", "long",
	"mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "num",
	"offsetof", "operator", "or", "or_eq", "out", "out_len", "out_null", "private",
	"protected", "public", "rc", "register", "reinterpret_cast", "requires", "res",
	"restrict", "return", "short", "signed", "sizeof", "static", "static_assert",
	"static_cast", "stderr", "stdin", "stdout", "struct", "switch", "template", "this",
	"thread_local", "throw", "true", "try", "typedef", "typeid", "typename", "typeof",
	"typeof_unqual", "union", "unsigned", "using", "virtual", "void", "volatile",
	"wchar_t", "while", "xor", "xor_eq",
};

/* bsearch comparison. */
static int
names_cmp(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(const char *const *)elem);
}

/* True for reserved words (the table is sorted in C order). */
bool
names_reserved(const char *s)
{
	return bsearch(s, names_words, sizeof names_words / sizeof names_words[0],
	    sizeof names_words[0], names_cmp) != NULL;
}

/* A parameter name safe in C and C++. */
char *
names_param(arena_t *a, const char *s)
{
	char *p, *name;

	name = arena_printf(a, "%s%s", isdigit((unsigned char)*s) || *s == '\0' ? "p" : "", s);
	for (p = name; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_')
			*p = '_';
	}
	if (names_reserved(name) || name[0] == '_')
		name = arena_printf(a, "%s_", name[0] == '_' ? name + 1 : name);
	return name;
}

/* The name with its first letter in lower case. */
char *
names_lower_first(arena_t *a, const char *s)
{
	char *name = arena_strdup(a, s);

	name[0] = (char)tolower((unsigned char)name[0]);
	return name;
}

/* True if name is the C name taken, or its "_len" companion when taken holds bytes. */
bool
names_clash(const char *name, const char *taken, bool bytes)
{
	size_t len = strlen(taken);

	return strcmp(name, taken) == 0 ||
	    (bytes && strncmp(name, taken, len) == 0 && strcmp(name + len, "_len") == 0);
}
