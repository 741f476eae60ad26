/*
 * krpc-sim errors: the service, name and description of a krpc.schema.Error,
 * and its encoding.  Plain errors have an empty service and name.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Sets an error (replacing any previous one). */
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

/* Frees an error's texts. */
void
err_clear(struct sim_err *e)
{
	free(e->service);
	free(e->name);
	free(e->desc);
	e->service = e->name = e->desc = NULL;
}

/* Appends an encoded krpc.schema.Error. */
void
err_write(const struct sim_err *e, krpc_buf_t *b)
{
	const char *f[3] = { e->service, e->name, e->desc };
	uint32_t i;

	for (i = 0; i < 3; i++) {
		if (f[i] != NULL && f[i][0] != '\0')
			krpc_buf_field_bytes(b, i + 1, f[i], strlen(f[i]));
	}
}
