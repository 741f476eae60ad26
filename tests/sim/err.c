/*
 * krpc-sim errors: the service, name, description and stack trace of a
 * krpc.schema.Error, and its encoding.  Plain errors have an empty service
 * and name.  The real server always fills the stack trace (its errors are
 * exceptions); krpc-sim writes frames in the layout of Mono's, naming where
 * in the server the error arose.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core.h"

/* The frame an error gets when nobody said where it arose. */
#define ERR_TRACE_DEFAULT	"KRPC.Service.Services.ExecuteCall ()"

/* Sets an error (replacing any previous one, trace included). */
void
err_set(struct sim_err *e, const char *service, const char *name, const char *fmt, ...)
{
	va_list ap;

	err_clear(e);
	e->service = util_strdup(service);
	e->name = util_strdup(name);
	va_start(ap, fmt);
	e->desc = util_vprintf(fmt, ap);
	va_end(ap);
}

/*
 * Writes frames (ap: more of them, up to a NULL) after kept, a trace or
 * NULL, as the error's trace: each frame a line "  at " ... in Mono's layout.
 */
static void
err_frames(struct sim_err *e, const char *kept, const char *frame, va_list ap)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	const char *f;

	if (kept != NULL)
		krpc_buf_append(&b, kept, strlen(kept));
	for (f = frame; f != NULL; f = va_arg(ap, const char *)) {
		if (b.len > 0)
			krpc_buf_byte(&b, '\n');
		krpc_buf_append(&b, "  at ", 5);
		krpc_buf_append(&b, f, strlen(f));
		krpc_buf_append(&b, " [0x00000] in <krpc-sim>:0 ", 27);
	}
	free(e->trace);
	e->trace = krpc_buf_ok(&b) ? util_strndup((const char *)b.data, b.len) : NULL;
	krpc_buf_free(&b);
}

/*
 * Sets the stack trace from frames, innermost first, each a method with its
 * parameter list ("KRPC.Core.StartStream (System.UInt64 streamId)"), ending
 * at the first NULL.
 */
void
err_trace(struct sim_err *e, const char *frame, ...)
{
	va_list ap;

	va_start(ap, frame);
	err_frames(e, NULL, frame, ap);
	va_end(ap);
}

/* Adds frames, innermost first, after the error's trace (as its callers); NULL ends them. */
void
err_trace_outer(struct sim_err *e, const char *frame, ...)
{
	va_list ap;

	va_start(ap, frame);
	err_frames(e, e->trace, frame, ap);
	va_end(ap);
}

/* Copies src into dst (replacing it). */
void
err_copy(struct sim_err *dst, const struct sim_err *src)
{
	err_set(dst, src->service, src->name, "%s", src->desc ? src->desc : "");
	dst->trace = src->trace != NULL ? util_strdup(src->trace) : NULL;
}

/* Frees an error's texts. */
void
err_clear(struct sim_err *e)
{
	free(e->service);
	free(e->name);
	free(e->desc);
	free(e->trace);
	e->service = e->name = e->desc = e->trace = NULL;
}

/* Appends an encoded krpc.schema.Error (with a trace, as the server's always has). */
void
err_write(const struct sim_err *e, krpc_buf_t *b)
{
	struct sim_err dflt = { NULL, NULL, NULL, NULL };
	const char *f[4] = { e->service, e->name, e->desc, e->trace };
	uint32_t i;

	if (f[3] == NULL) {
		err_trace(&dflt, ERR_TRACE_DEFAULT, NULL);
		f[3] = dflt.trace;
	}
	for (i = 0; i < 4; i++) {
		if (f[i] != NULL && f[i][0] != '\0')
			krpc_buf_field_bytes(b, i + 1, f[i], strlen(f[i]));
	}
	err_clear(&dflt);
}
