/*
 * krpc-sim procedure calls: resolving a ProcedureCall by name or id,
 * decoding its arguments (defaults, nulls, object ids, nested calls), running
 * the handler with the checks of PROTOCOL.md 4.3-4.4 and 6.3, and encoding
 * the ProcedureResult.  Also the sim.h call API handlers use.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define CALL_NEST_MAX 8		/* procedure calls inside procedure calls */

/* Stack frames of the errors the server's own checks raise. */
#define CALL_FRAME_SIGNATURE	"KRPC.Service.Services.GetProcedureSignature " \
	"(KRPC.Service.Messages.ProcedureCall call)"
#define CALL_FRAME_CONTINUATION	"KRPC.Service.ProcedureCallContinuation..ctor " \
	"(KRPC.Service.Messages.ProcedureCall procedureCall)"
#define CALL_FRAME_ARGUMENTS	"KRPC.Service.Services.SetArguments (KRPC.Service.Scanner." \
	"ProcedureSignature procedure, System.Collections.Generic.IList`1[T] arguments)"
#define CALL_FRAME_EXECUTE	"KRPC.Service.Services.ExecuteCall (KRPC.Service.Scanner." \
	"ProcedureSignature procedure, System.Object instance, System.Object[] arguments)"
/* where a stream's call runs: its result goes into the stream's ProcedureResult */
#define CALL_FRAME_EXECUTE_INTO	"KRPC.Service.Services.ExecuteCallInto (KRPC.Service.Scanner." \
	"ProcedureSignature procedure, System.Object instance, System.Object[] arguments, " \
	"KRPC.Service.Messages.ProcedureResult result)"
#define CALL_FRAME_RETURN	"KRPC.Service.Services.CheckReturnValue (KRPC.Service.Scanner." \
	"ProcedureSignature procedure, System.Object returnValue)"
#define CALL_FRAME_INVOKE	"KRPC.Service.ProcedureHandler.Invoke (System.Object instance, " \
	"System.Object[] arguments)"
#define CALL_FRAME_INVOKE_STATIC "KRPC.Service.ClassStaticMethodHandler.Invoke " \
	"(System.Object instance, System.Object[] arguments)"

struct call_spec {
	const struct svc_proc	*proc;
	krpc_value_t		*args[SIM_PARAMS_MAX];	/* NULL: not given, no default */
	krpc_buf_t		 key;			/* arguments' encodings, for equality */
};

struct sim_call {
	sim_server_t		*server;
	sim_client_t		*client;
	const struct call_spec	*spec;
	bool			 first;
	bool			 streaming;
	void			*state;
	krpc_value_t		*result;
	bool			 failed;
	struct sim_err		 err;
};

/* ---- resolution and decoding ----------------------------------------- */

static enum call_rc call_spec_decode(sim_server_t *, const Krpc__Schema__ProcedureCall *,
    struct call_spec **, struct sim_err *, int);
static enum call_rc call_spec_parse_depth(sim_server_t *, const uint8_t *, size_t,
    struct call_spec **, struct sim_err *, int);

/* Finds the procedure a call names; NULL with a call-level error. */
static const struct svc_proc *
call_resolve(const Krpc__Schema__ProcedureCall *pc, struct sim_err *err)
{
	const struct sim_service *svc;
	const struct svc_proc *proc;

	svc = pc->service_id > 0 ? services_by_id(pc->service_id) : services_by_name(pc->service);
	if (svc == NULL) {
		if (pc->service_id > 0)
			err_set(err, "", "", "Service with id %" PRIu32 " not found", pc->service_id);
		else
			err_set(err, "", "", "Service \"%s\" not found", pc->service);
		err_trace(err, CALL_FRAME_SIGNATURE, CALL_FRAME_CONTINUATION, NULL);
		return NULL;
	}
	proc = pc->procedure_id > 0 ? services_proc_by_id(svc, pc->procedure_id) :
	    services_proc(svc, pc->procedure);
	if (proc == NULL) {
		if (pc->procedure_id > 0)
			err_set(err, "", "", "Procedure with id %" PRIu32 " not found", pc->procedure_id);
		else
			err_set(err, "", "", "Procedure \"%s\" not found, in service \"%s\"",
			    pc->procedure, svc->name);
	}
	if (proc == NULL)
		err_trace(err, CALL_FRAME_SIGNATURE, CALL_FRAME_CONTINUATION, NULL);
	return proc;
}

/* Decodes a nested call's arguments too (request-level errors, as the server). */
static int
call_check_nested(sim_server_t *s, const krpc_value_t *v, struct sim_err *err, int depth)
{
	struct call_spec *nested;
	const uint8_t *data;
	size_t len;

	if (depth >= CALL_NEST_MAX) {
		err_set(err, "", "", "Procedure calls nested too deeply");
		return -1;
	}
	data = krpc_value_data(v, &len);
	if (call_spec_parse_depth(s, data, len, &nested, err, depth + 1) == CALL_BAD_ARGS)
		return -1;
	call_spec_free(nested);
	err_clear(err);
	return 0;
}

/* Decodes one argument with its parameter's type (request-level errors). */
static int
call_decode_arg(sim_server_t *s, const krpc_type_t *t, const Krpc__Schema__Argument *a,
    krpc_value_t **out, struct sim_err *err, int depth)
{
	if (a->is_null) {
		*out = krpc_value_null(krpc_type_code(t));
		return 0;
	}
	if (decode_value(s, t, a->value.data, a->value.len, out, err) != 0)
		return -1;
	if (krpc_type_code(t) != KRPC_TYPE_PROCEDURE_CALL || call_check_nested(s, *out, err,
	    depth) == 0)
		return 0;
	krpc_value_free(*out);
	*out = NULL;
	return -1;
}

/* Writes the equality key of a spec's arguments. */
static void
call_spec_key(struct call_spec *sp)
{
	uint8_t *enc;
	size_t k, len;

	for (k = 0; k < sp->proc->nparams; k++) {
		const krpc_value_t *v = sp->args[k];

		krpc_buf_byte(&sp->key, v == NULL ? 0 : krpc_value_is_null(v) ? 1 : 2);
		if (v == NULL || krpc_value_is_null(v) || krpc_value_encode(v, &enc, &len) != KRPC_OK)
			continue;
		krpc_buf_varint(&sp->key, len);
		krpc_buf_append(&sp->key, enc, len);
		free(enc);
	}
}

/* Resolves and decodes a call at a nesting depth. */
static enum call_rc
call_spec_decode(sim_server_t *s, const Krpc__Schema__ProcedureCall *pc, struct call_spec **out,
    struct sim_err *err, int depth)
{
	const Krpc__Schema__Argument *slot[SIM_PARAMS_MAX] = { NULL };
	const struct svc_proc *proc;
	struct call_spec *sp;
	size_t i;

	*out = NULL;
	if ((proc = call_resolve(pc, err)) == NULL)
		return CALL_UNRESOLVED;
	for (i = 0; i < pc->n_arguments; i++) {
		if (pc->arguments[i]->position < proc->nparams)
			slot[pc->arguments[i]->position] = pc->arguments[i];	/* last wins */
	}
	sp = util_calloc(1, sizeof *sp);
	sp->proc = proc;
	for (i = 0; i < proc->nparams; i++) {
		if (slot[i] != NULL) {
			if (call_decode_arg(s, proc->ptype[i], slot[i], &sp->args[i], err, depth) != 0) {
				call_spec_free(sp);
				return CALL_BAD_ARGS;
			}
		} else if (proc->pdef[i] != NULL)
			sp->args[i] = krpc_value_clone(proc->pdef[i]);
	}
	call_spec_key(sp);
	*out = sp;
	return CALL_OK;
}

/* Parses serialized ProcedureCall bytes and decodes it at a depth. */
static enum call_rc
call_spec_parse_depth(sim_server_t *s, const uint8_t *p, size_t len, struct call_spec **out,
    struct sim_err *err, int depth)
{
	Krpc__Schema__ProcedureCall *pc;
	enum call_rc rc;

	*out = NULL;
	pc = (Krpc__Schema__ProcedureCall *)krpc_lenient_read(KRPC_LENIENT_CALL, p, len, NULL);
	if (pc == NULL) {
		err_set(err, "", "", "Failed to decode a procedure call: malformed ProcedureCall message");
		return CALL_BAD_ARGS;
	}
	rc = call_spec_decode(s, pc, out, err, depth);
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
	return rc;
}

/* ---- specs: public --------------------------------------------------- */

/* Resolves a call and decodes its arguments. */
enum call_rc
call_spec_new(sim_server_t *s, const Krpc__Schema__ProcedureCall *pc, struct call_spec **out,
    struct sim_err *err)
{
	return call_spec_decode(s, pc, out, err, 0);
}

/* Resolves and decodes a PROCEDURE_CALL value's bytes. */
enum call_rc
call_spec_parse(sim_server_t *s, const uint8_t *p, size_t len, struct call_spec **out,
    struct sim_err *err)
{
	return call_spec_parse_depth(s, p, len, out, err, 0);
}

/* Frees a spec and its argument values. */
void
call_spec_free(struct call_spec *sp)
{
	size_t k;

	if (sp == NULL)
		return;
	for (k = 0; k < SIM_PARAMS_MAX; k++)
		krpc_value_free(sp->args[k]);
	krpc_buf_free(&sp->key);
	free(sp);
}

/* The procedure a spec calls. */
const struct svc_proc *
call_spec_proc(const struct call_spec *sp)
{
	return sp->proc;
}

/* The argument check's error for an object of another class than parameter k's. */
static void
call_wrong_class(sim_server_t *s, struct sim_err *err, const struct svc_proc *proc, size_t k,
    uint64_t id)
{
	char want[256];

	snprintf(want, sizeof want, "%s", services_dotnet(proc->ptype[k]));
	err_set(err, "", "", "Incorrect argument type for parameter %s in %s.%s. Expected an "
	    "argument of type %s, got %s", proc->p->params[k].name, proc->svc->name, proc->p->name,
	    want, object_dotnet(s, id));
}

/*
 * The argument checks of PROTOCOL.md 4.3-4.4 (every parameter given or
 * defaulted, null only where allowed, objects of the parameter's class), in
 * parameter order as the real server's SetArguments makes them; -1 with a
 * call-level error in err.
 */
int
call_spec_check(sim_server_t *s, const struct call_spec *sp, struct sim_err *err)
{
	const struct svc_proc *proc = sp->proc;
	const struct sim_param *pa;
	uint64_t id;
	size_t k;

	for (k = 0; k < proc->nparams; k++) {
		pa = &proc->p->params[k];
		if (sp->args[k] == NULL)
			err_set(err, "", "", "Argument not specified for parameter %s in %s.%s",
			    pa->name, proc->svc->name, proc->p->name);
		else if (krpc_value_is_null(sp->args[k]) &&
		    !(pa->flags & (SIM_NULLABLE | SIM_DEFAULT_NULL)))
			err_set(err, "", "", "Incorrect argument type for parameter %s in %s.%s. "
			    "Expected an argument of type %s, got null", pa->name, proc->svc->name,
			    proc->p->name, services_dotnet(proc->ptype[k]));
		else if (krpc_type_code(proc->ptype[k]) == KRPC_TYPE_CLASS &&
		    krpc_value_as_object(sp->args[k], &id) == KRPC_OK && id != 0 &&
		    object_check(s, id, krpc_type_service(proc->ptype[k]),
		    krpc_type_name(proc->ptype[k]), NULL) != 0)
			call_wrong_class(s, err, proc, k, id);
		else
			continue;
		err_trace(err, CALL_FRAME_ARGUMENTS, CALL_FRAME_EXECUTE, NULL);
		return -1;
	}
	return 0;
}

/* True if a and b call the same procedure with equal arguments (P 7). */
bool
call_spec_equal(const struct call_spec *a, const struct call_spec *b)
{
	return a->proc == b->proc && a->proc->comparable && a->key.len == b->key.len &&
	    (a->key.len == 0 || memcmp(a->key.data, b->key.data, a->key.len) == 0);
}

/* ---- running --------------------------------------------------------- */

/* The outermost frame of an error raised running c: a stream's call runs "into" its result. */
static const char *
call_frame_execute(const sim_call_t *c)
{
	return c->streaming ? CALL_FRAME_EXECUTE_INTO : CALL_FRAME_EXECUTE;
}

/*
 * The trace of a call a handler could not resolve (a procedure it takes as
 * an argument): raised inside the handler, under ExecuteCall.  ctor is the
 * object the handler builds from the call (NULL: none); static_method says
 * the handler is a class's static method.
 */
void
call_trace_nested(struct sim_err *err, const char *ctor, const char *handler, bool static_method)
{
	const char *invoke = static_method ? CALL_FRAME_INVOKE_STATIC : CALL_FRAME_INVOKE;

	if (ctor != NULL)
		err_trace(err, CALL_FRAME_SIGNATURE, ctor, handler, invoke, CALL_FRAME_EXECUTE, NULL);
	else
		err_trace(err, CALL_FRAME_SIGNATURE, handler, invoke, CALL_FRAME_EXECUTE, NULL);
}

/* A call of spec as client (spec must outlive the call). */
sim_call_t *
call_new(sim_server_t *s, sim_client_t *client, const struct call_spec *spec, bool streaming)
{
	sim_call_t *c = util_calloc(1, sizeof *c);

	c->server = s;
	c->client = client;
	c->spec = spec;
	c->first = true;
	c->streaming = streaming;
	return c;
}

/* Frees a call, its state block, result and error. */
void
call_free(sim_call_t *c)
{
	if (c == NULL)
		return;
	free(c->state);
	krpc_value_free(c->result);
	err_clear(&c->err);
	free(c);
}

/* The checks made before a handler's first run; false with the error set. */
static bool
call_precheck(sim_call_t *c)
{
	const struct svc_proc *proc = c->spec->proc;
	int scene = sim_server_scene(c->server);

	/* the real server fills the arguments before it checks the scene */
	if (call_spec_check(c->server, c->spec, &c->err) != 0) {
		c->failed = true;
		return false;
	}
	if ((proc->p->flags & SIM_FLIGHT) && scene != SIM_SCENE_FLIGHT) {
		sim_error(c, NULL, NULL, "Procedure not available in game scene '%s'",
		    services_scene_name(scene));
		return false;
	}
	return true;
}

/* Checks a finished handler's result against the return type. */
static void
call_postcheck(sim_call_t *c)
{
	const struct svc_proc *proc = c->spec->proc;

	if (c->failed) {
		krpc_value_free(c->result);
		c->result = NULL;
		return;
	}
	if (proc->ret == NULL) {
		krpc_value_free(c->result);	/* void: a stray value is dropped */
		c->result = NULL;
		return;
	}
	if (c->result != NULL && !krpc_value_is_null(c->result))
		return;
	if (proc->p->flags & SIM_RET_NULLABLE) {
		if (c->result == NULL)
			c->result = krpc_value_null(krpc_type_code(proc->ret));
		return;
	}
	sim_error(c, NULL, NULL, "Incorrect value returned by %s.%s. Expected a non-null value of "
	    "type %s, got null, but the procedure is not marked as nullable.", proc->svc->name,
	    proc->p->name, services_dotnet(proc->ret));
	err_trace(&c->err, CALL_FRAME_RETURN, call_frame_execute(c), NULL);
}

/* A handler's error gets a trace through the procedure (as a thrown exception has). */
static void
call_trace_handler(sim_call_t *c)
{
	const struct svc_proc *proc = c->spec->proc;
	char frame[256], method[128];
	const char *ns, *p = proc->p->name, *cut;

	if (!c->failed || c->err.trace != NULL)
		return;
	ns = strcmp(proc->svc->name, "TestService") == 0 ? "TestServer." :
	    strcmp(proc->svc->name, "KRPC") == 0 ? "KRPC.Service.KRPC." :
	    strcmp(proc->svc->name, "SpaceCenter") == 0 ? "KRPC.SpaceCenter.Services." :
	    "KRPC.Benchmarks.";
	if ((cut = strstr(p, "_static_")) != NULL)
		snprintf(method, sizeof method, "%.*s.%s", (int)(cut - p), p, cut + 8);
	else if ((cut = strchr(p, '_')) != NULL && strncmp(p, "get_", 4) != 0 &&
	    strncmp(p, "set_", 4) != 0)
		snprintf(method, sizeof method, "%.*s.%s", (int)(cut - p), p, cut + 1);
	else
		snprintf(method, sizeof method, "%s", p);
	snprintf(frame, sizeof frame, "%s%s.%s ()", ns, proc->svc->name, method);
	err_trace(&c->err, frame, CALL_FRAME_INVOKE, call_frame_execute(c), NULL);
}

/* Runs the call (or re-runs it after SIM_YIELD). */
sim_rc_t
call_run(sim_call_t *c)
{
	const struct svc_proc *proc = c->spec->proc;
	sim_rc_t rc;

	if (c->first && !call_precheck(c))
		return SIM_DONE;
	if (proc->p->fn == NULL) {
		sim_error(c, NULL, NULL, "Procedure %s.%s is not implemented by krpc-sim",
		    proc->svc->name, proc->p->name);
		return SIM_DONE;
	}
	rc = proc->p->fn(c);
	if (rc == SIM_YIELD && !c->failed) {
		c->first = false;
		return SIM_YIELD;
	}
	call_trace_handler(c);
	call_postcheck(c);
	return SIM_DONE;
}

/* True if the finished call failed. */
bool
call_failed(const sim_call_t *c)
{
	return c->failed;
}

/* The call's error (when call_failed()). */
const struct sim_err *
call_err(const sim_call_t *c)
{
	return &c->err;
}

/* The result value (borrowed; NULL for void or error). */
const krpc_value_t *
call_value(const sim_call_t *c)
{
	return c->failed ? NULL : c->result;
}

/* Sets the call's error from e. */
void
call_set_err(sim_call_t *c, const struct sim_err *e)
{
	err_copy(&c->err, e);
	c->failed = true;
}

/* Appends the encoded ProcedureResult of a finished call. */
void
call_result_write(const sim_call_t *c, krpc_buf_t *b)
{
	krpc_buf_t tmp = KRPC_BUF_INIT;

	if (c->failed) {
		err_write(&c->err, &tmp);
		krpc_buf_field_bytes(b, 1, tmp.data, tmp.len);
	} else if (c->result != NULL && krpc_value_is_null(c->result))
		krpc_buf_field_varint(b, 3, 1);
	else if (c->result != NULL) {
		krpc_value_write(c->result, &tmp);
		if (tmp.len > 0)
			krpc_buf_field_bytes(b, 2, tmp.data, tmp.len);
	}
	if (!krpc_buf_ok(&tmp))
		b->failed = true;
	krpc_buf_free(&tmp);
}

/* ---- the sim.h API: arguments ---------------------------------------- */

/* Argument i, decoded, defaults filled in. */
const krpc_value_t *
sim_arg(sim_call_t *c, size_t i)
{
	return i < SIM_PARAMS_MAX ? c->spec->args[i] : NULL;
}

/* The typed readers of sim.h: 0 (false) if the argument is null or of another type. */
#define CALL_ARG_READER(fn, ctype, reader)				\
ctype									\
fn(sim_call_t *c, size_t i)						\
{									\
	ctype v = 0;							\
	const krpc_value_t *a = sim_arg(c, i);				\
									\
	if (a != NULL && reader(a, &v) != KRPC_OK)			\
		v = 0;							\
	return v;							\
}

CALL_ARG_READER(sim_arg_double, double, krpc_value_as_double)
CALL_ARG_READER(sim_arg_float, float, krpc_value_as_float)
CALL_ARG_READER(sim_arg_int, int32_t, krpc_value_as_sint32)
CALL_ARG_READER(sim_arg_long, int64_t, krpc_value_as_sint64)
CALL_ARG_READER(sim_arg_uint, uint32_t, krpc_value_as_uint32)
CALL_ARG_READER(sim_arg_ulong, uint64_t, krpc_value_as_uint64)
CALL_ARG_READER(sim_arg_bool, bool, krpc_value_as_bool)
CALL_ARG_READER(sim_arg_object, uint64_t, krpc_value_as_object)

/* A STRING argument, NUL-terminated; NULL if null. */
const char *
sim_arg_str(sim_call_t *c, size_t i, size_t *len)
{
	const krpc_value_t *a = sim_arg(c, i);
	size_t n = 0;
	const char *s = a ? krpc_value_str(a, &n) : NULL;

	if (len != NULL)
		*len = n;
	return s;
}

/* The stored data of a CLASS argument; NULL if null. */
void *
sim_arg_data(sim_call_t *c, size_t i)
{
	const krpc_type_t *t;
	uint64_t id = sim_arg_object(c, i);

	if (id == 0 || i >= c->spec->proc->nparams)
		return NULL;
	t = c->spec->proc->ptype[i];
	return sim_object_get(c->server, id, krpc_type_service(t), krpc_type_name(t));
}

/* ---- the sim.h API: results and context ------------------------------ */

/* Sets the result (takes ownership). */
void
sim_return(sim_call_t *c, krpc_value_t *v)
{
	krpc_value_free(c->result);
	c->result = v;
}

/* Sets a call-level error. */
void
sim_error(sim_call_t *c, const char *service, const char *name, const char *fmt, ...)
{
	va_list ap;

	err_clear(&c->err);
	c->err.service = util_strdup(service);
	c->err.name = util_strdup(name);
	va_start(ap, fmt);
	c->err.desc = util_vprintf(fmt, ap);
	va_end(ap);
	c->failed = true;
}

/* A zeroed block that survives SIM_YIELD. */
void *
sim_call_state(sim_call_t *c, size_t size)
{
	if (c->state == NULL)
		c->state = util_calloc(1, size);
	return c->state;
}

/* True on the first run of a call. */
bool
sim_call_first(sim_call_t *c)
{
	return c->first;
}

/* The client the call runs as. */
sim_client_t *
sim_call_client(sim_call_t *c)
{
	return c->client;
}

/* The server. */
sim_server_t *
sim_call_server(sim_call_t *c)
{
	return c->server;
}

/* True when evaluated for a stream or an expression. */
bool
sim_call_streaming(sim_call_t *c)
{
	return c->streaming;
}

/* ---- the sim.h API: running a nested call ---------------------------- */

/* Unpacks encoded ProcedureResult bytes for sim_invoke(). */
static Krpc__Schema__ProcedureResult *
call_unpack_result(const krpc_buf_t *b)
{
	Krpc__Schema__ProcedureResult *r;

	r = krpc__schema__procedure_result__unpack(NULL, b->len, b->data ? b->data : (uint8_t *)"");
	if (r == NULL) {
		fputs("krpc-sim: out of memory\n", stderr);
		abort();
	}
	return r;
}

/* Runs a PROCEDURE_CALL value once as c's client (Benchmark.Call). */
sim_invoke_rc_t
sim_invoke(sim_call_t *c, const krpc_value_t *call, Krpc__Schema__ProcedureResult **result)
{
	struct sim_err err = { NULL, NULL, NULL, NULL };
	krpc_buf_t b = KRPC_BUF_INIT, e = KRPC_BUF_INIT;
	struct call_spec *sp = NULL;
	sim_invoke_rc_t rc = SIM_INVOKE_DONE;
	const uint8_t *data;
	sim_call_t *sub;
	size_t len = 0;

	data = call ? krpc_value_data(call, &len) : NULL;
	switch (call_spec_parse(c->server, data ? data : (const uint8_t *)"", len, &sp, &err)) {
	case CALL_OK:
		sub = call_new(c->server, c->client, sp, c->streaming);
		if (call_run(sub) == SIM_YIELD)
			rc = SIM_INVOKE_YIELDED;
		else
			call_result_write(sub, &b);
		call_free(sub);
		break;
	case CALL_UNRESOLVED:
		rc = SIM_INVOKE_UNRESOLVED;
		/* FALLTHROUGH */
	case CALL_BAD_ARGS:
		err_write(&err, &e);
		krpc_buf_field_bytes(&b, 1, e.data, e.len);
		break;
	}
	*result = call_unpack_result(&b);
	call_spec_free(sp);
	err_clear(&err);
	krpc_buf_free(&b);
	krpc_buf_free(&e);
	return rc;
}

/* Frees a result from sim_invoke(). */
void
sim_result_free(Krpc__Schema__ProcedureResult *r)
{
	if (r != NULL)
		krpc__schema__procedure_result__free_unpacked(r, NULL);
}
