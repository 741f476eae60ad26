/*
 * krpcmuxctl, the admin socket's command-line client: declarations shared by
 * its files.  krpcmuxctl.c (the command line) calls top.c (the live view)
 * and ctl.c (asking the daemon); top.c calls ctl.c and json.c (reading the
 * daemon's JSON answers).  Nothing calls back up.
 */
#ifndef CTL_H
#define CTL_H

#include <stdbool.h>
#include <stddef.h>

#include "codec.h"

/* ---- ctl.c: one question to the admin socket ---------------------------- */

/* The answer to cmd (with " json" if json) appended to out; false with why. */
bool		 ctl_ask(const char *path, const char *cmd, bool json, krpc_buf_t *out, char *why,
		    size_t whylen);
/* True if an answer is the daemon's error ("error ..." or {"error":...}). */
bool		 ctl_is_error(const uint8_t *answer, size_t len);

/* ---- json.c: the admin socket's JSON answers, read back ------------------ */

/* One member of a flat object: value NULL for null, numbers kept as their text. */
struct json_member {
	char		*key;
	char		*value;
};

struct json_object {
	struct json_member	*members;
	size_t			 n;
};

/*
 * Parses one object, or an array of objects, whose members are strings,
 * numbers, true, false or null (the admin socket nests nothing): *objs gets
 * the objects, *n their count.  False with why on anything else.
 */
bool		 json_parse(const char *text, size_t len, struct json_object **objs, size_t *n,
		    char *why, size_t whylen);
void		 json_free(struct json_object *, size_t n);
/* A member's value; NULL if it is absent or null. */
const char	*json_get(const struct json_object *, const char *key);
/* A member as a number; def if it is absent, null or not a number. */
double		 json_num(const struct json_object *, const char *key, double def);

/* ---- top.c: the live view ------------------------------------------------ */

struct top_options {
	const char	*path;		/* the admin socket */
	long		 count;		/* frames to show; 0: until q, Ctrl-C or a signal */
	double		 interval;	/* seconds between frames */
};

/* Runs the view; the exit status (0, or 2 if the daemon cannot be reached without a terminal). */
int		 top_run(const struct top_options *);

#endif
