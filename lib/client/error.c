/*
 * The per-thread error state behind error.h (errno-like), and saved errors
 * (krpc_fault_t) that streams keep and raise again on each read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct krpc_fault {
	krpc_code_t	 code;
	char		*message;
	char		*service;
	char		*name;
	char		*description;
	char		*stack_trace;
};

/* What a thread sees when it has no error, or the state cannot be stored. */
static const char error_oom[] = "out of memory";

static __thread struct krpc_fault error_tls;
static __thread bool error_tls_keyed;
static pthread_key_t error_key;
static pthread_once_t error_once = PTHREAD_ONCE_INIT;

/* Frees the strings of an error and zeroes it. */
static void
error_fault_clear(struct krpc_fault *f)
{
	free(f->message);
	free(f->service);
	free(f->name);
	free(f->description);
	free(f->stack_trace);
	memset(f, 0, sizeof *f);
}

/* Thread exit: frees the thread's strings. */
static void
error_key_destroy(void *p)
{
	error_fault_clear(p);
}

/* Creates the key whose destructor frees a thread's strings. */
static void
error_key_make(void)
{
	(void)pthread_key_create(&error_key, error_key_destroy);
}

/*
 * At exit (or when the library is unloaded): frees the strings of the
 * thread that exits, normally the main thread, whose key destructor never
 * runs.  Other threads free theirs as they end.
 */
__attribute__((destructor)) static void
error_at_exit(void)
{
	error_fault_clear(&error_tls);
}

/* This thread's state, registered for cleanup at thread exit. */
static struct krpc_fault *
error_state(void)
{
	if (!error_tls_keyed) {
		pthread_once(&error_once, error_key_make);
		if (pthread_setspecific(error_key, &error_tls) == 0)
			error_tls_keyed = true;
	}
	return &error_tls;
}

/* A copy of s ("" for NULL), or NULL on out-of-memory. */
static char *
error_dup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/* Copies src into the thread's state (dst), keeping the code even on out-of-memory. */
static krpc_code_t
error_store(const struct krpc_fault *src)
{
	struct krpc_fault *dst = error_state();

	error_fault_clear(dst);
	dst->code = src->code;
	dst->message = error_dup(src->message);
	dst->service = error_dup(src->service);
	dst->name = error_dup(src->name);
	dst->description = error_dup(src->description);
	dst->stack_trace = error_dup(src->stack_trace);
	return src->code;
}

/* Fills f from a server Error; false on out-of-memory. */
static bool
error_fill_rpc(struct krpc_fault *f, const Krpc__Schema__Error *e)
{
	const char *svc = e->service ? e->service : "", *name = e->name ? e->name : "";
	const char *desc = e->description ? e->description : "";
	size_t len = strlen(svc) + strlen(name) + strlen(desc) + 4;

	f->code = KRPC_ERR_RPC;
	if ((f->message = malloc(len)) == NULL)
		return false;
	if (*name != '\0')
		snprintf(f->message, len, "%s%s%s: %s", svc, *svc ? "." : "", name, desc);
	else
		snprintf(f->message, len, "%s", desc);
	f->service = strdup(svc);
	f->name = strdup(name);
	f->description = strdup(desc);
	f->stack_trace = strdup(e->stack_trace ? e->stack_trace : "");
	return f->service && f->name && f->description && f->stack_trace;
}

/* Records a library error for this thread. */
krpc_code_t
krpc_error_setv(krpc_code_t code, const char *fmt, va_list ap)
{
	struct krpc_fault f = { code, NULL, NULL, NULL, NULL, NULL };
	char msg[1024];

	if (fmt == NULL)
		snprintf(msg, sizeof msg, "%s", code == KRPC_OK ? "" : krpc_code_str(code));
	else
		vsnprintf(msg, sizeof msg, fmt, ap);
	f.message = msg;
	f.description = msg;
	return error_store(&f);
}

/* Records an error for this thread (printf-style message; public). */
krpc_code_t
krpc_error_set(krpc_code_t code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = krpc_error_setv(code, fmt, ap);
	va_end(ap);
	return code;
}

/* The codec's failures (see codec.h), recorded by krpc_error_set() itself. */
krpc_code_t krpc_wire_fail(krpc_code_t, const char *, ...) __attribute__((alias("krpc_error_set")));

/* Records a server error. */
krpc_code_t
krpc_error_set_rpc(const Krpc__Schema__Error *e)
{
	struct krpc_fault f = { 0, NULL, NULL, NULL, NULL, NULL };

	error_fill_rpc(&f, e);
	error_store(&f);
	error_fault_clear(&f);
	return KRPC_ERR_RPC;
}

/* Records a refused handshake. */
krpc_code_t
krpc_error_set_handshake(const char *status, const char *message)
{
	struct krpc_fault f = { KRPC_ERR_HANDSHAKE, NULL, NULL, NULL, NULL, NULL };
	char msg[1024];

	snprintf(msg, sizeof msg, "%s: %s", status, message);
	f.message = msg;
	f.description = (char *)message;
	return error_store(&f);
}

/* A saved copy of a server error. */
krpc_fault_t *
krpc_error_fault_rpc(const Krpc__Schema__Error *e)
{
	krpc_fault_t *f = calloc(1, sizeof *f);

	if (f != NULL && !error_fill_rpc(f, e)) {
		krpc_error_fault_free(f);
		f = NULL;
	}
	return f;
}

/* A saved library error. */
krpc_fault_t *
krpc_error_fault(krpc_code_t code, const char *message)
{
	krpc_fault_t *f = calloc(1, sizeof *f);

	if (f == NULL)
		return NULL;
	f->code = code;
	f->message = error_dup(message);
	f->description = error_dup(message);
	if (f->message == NULL || f->description == NULL) {
		krpc_error_fault_free(f);
		return NULL;
	}
	return f;
}

/* Records a saved error for this thread. */
krpc_code_t
krpc_error_raise(const krpc_fault_t *f)
{
	return error_store(f);
}

/* Frees a saved error. */
void
krpc_error_fault_free(krpc_fault_t *f)
{
	if (f == NULL)
		return;
	error_fault_clear(f);
	free(f);
}

/* ---- public accessors ----------------------------------------------- */

/* The code of this thread's last error. */
krpc_code_t
krpc_error_code(void)
{
	return error_tls.code;
}

/* A description of this thread's last error. */
const char *
krpc_error_message(void)
{
	if (error_tls.message != NULL)
		return error_tls.message;
	return error_tls.code == KRPC_OK ? "" : error_oom;
}

/* The service of the last server error. */
const char *
krpc_error_service(void)
{
	return error_tls.service != NULL ? error_tls.service : "";
}

/* The exception name of the last server error. */
const char *
krpc_error_name(void)
{
	return error_tls.name != NULL ? error_tls.name : "";
}

/* The server's text for the last error. */
const char *
krpc_error_description(void)
{
	if (error_tls.description != NULL)
		return error_tls.description;
	return krpc_error_message();
}

/* The stack trace of the last server error. */
const char *
krpc_error_stack_trace(void)
{
	return error_tls.stack_trace != NULL ? error_tls.stack_trace : "";
}
