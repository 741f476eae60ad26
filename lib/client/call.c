/*
 * Calls on the RPC connection: preparing a ProcedureCall (by the caller's
 * types, or checked against the service model), one request at a time
 * under the RPC mutex, and decoding the result or the server's error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Sends a request and reads its Response (rpc_mu held). */
static krpc_code_t
call_exchange_locked(krpc_client_t *c, const uint8_t *req, size_t len, Krpc__Schema__Response **out)
{
	double deadline = krpc_time_deadline(c->call_timeout);
	const uint8_t *body;
	size_t blen;
	krpc_code_t rc;
	char why[128];

	if (c->rpc_broken)
		return krpc_error_set(KRPC_ERR_IO, "the RPC connection was lost");
	if ((rc = krpc_conn_send(c->rpc, req, len)) != KRPC_OK) {
		c->rpc_broken = rc != KRPC_ERR_NOMEM;
		return rc;
	}
	for (;;) {
		rc = krpc_conn_recv(c->rpc, deadline, &body, &blen);
		if (rc == KRPC_ERR_TIMEOUT) {
			c->rpc_skip++;	/* the late response is dropped by the next call */
			return rc;
		}
		if (rc != KRPC_OK) {
			c->rpc_broken = true;
			return rc;
		}
		if (c->rpc_skip == 0)
			break;
		c->rpc_skip--;
	}
	if ((*out = krpc_msg_response_read(body, blen, why, sizeof why)) == NULL) {
		c->rpc_broken = true;
		return krpc_error_set(KRPC_ERR_PROTOCOL, "%s", why);
	}
	return KRPC_OK;
}

/* One request/response exchange, serialised with the other threads'. */
static krpc_code_t
call_exchange(krpc_client_t *c, const uint8_t *req, size_t len, Krpc__Schema__Response **out)
{
	krpc_code_t rc;

	*out = NULL;
	pthread_mutex_lock(&c->rpc_mu);
	rc = call_exchange_locked(c, req, len, out);
	pthread_mutex_unlock(&c->rpc_mu);
	if (rc == KRPC_ERR_IO && krpc_client_closing(c))
		rc = krpc_error_set(KRPC_ERR_CLOSED, "the client is closed");
	return rc;
}

/* The single result of a Response, decoded with t. */
static krpc_code_t
call_result(const Krpc__Schema__Response *resp, const krpc_type_t *t, krpc_value_t **result)
{
	const Krpc__Schema__ProcedureResult *r;
	char why[256];

	if (resp->error != NULL)
		return krpc_proxy_error(resp->error);
	if (resp->n_results != 1)
		return krpc_error_set(KRPC_ERR_PROTOCOL, "a response to one call holds %zu results",
		    resp->n_results);
	r = resp->results[0];
	if (r->error != NULL)
		return krpc_proxy_error(r->error);
	if (result == NULL || t == NULL)
		return KRPC_OK;
	why[0] = '\0';
	if (krpc_value_decode(t, r->value.data, r->value.len, r->is_null, result, why, sizeof why) !=
	    KRPC_OK) {
		*result = NULL;
		return krpc_error_set(KRPC_ERR_MALFORMED, "cannot decode the result: %s", why);
	}
	return KRPC_OK;
}

/* Runs one serialised ProcedureCall. */
krpc_code_t
krpc_call_run(krpc_client_t *c, const uint8_t *call, size_t len, const krpc_type_t *t,
    krpc_value_t **result)
{
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *resp;
	krpc_code_t rc;

	if (result != NULL)
		*result = NULL;
	krpc_msg_request_add(&req, call, len);
	if (!krpc_buf_ok(&req)) {
		krpc_buf_free(&req);
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	}
	rc = call_exchange(c, req.data, req.len, &resp);
	krpc_buf_free(&req);
	if (rc != KRPC_OK)
		return rc;
	rc = call_result(resp, t, result);
	krpc__schema__response__free_unpacked(resp, NULL);
	return rc;
}

/* Parses the caller's return type text, resolving structs through the model. */
krpc_code_t
krpc_call_parse_type(krpc_client_t *c, const char *text, krpc_type_t **out)
{
	const krpc_services_t *m;
	krpc_code_t rc;
	char why[128];

	*out = NULL;
	if (*text == '\0')
		return KRPC_OK;		/* void */
	if ((*out = krpc_type_parse(text, why, sizeof why)) == NULL)
		return krpc_error_set(KRPC_ERR_TYPE, "bad return type \"%s\": %s", text, why);
	if (!krpc_services_unresolved(*out))
		return KRPC_OK;
	if (c == NULL)
		rc = krpc_error_set(KRPC_ERR_TYPE, "structure fields unknown in \"%s\"", text);
	else if ((rc = krpc_client_services(c, &m)) == KRPC_OK)
		rc = krpc_services_resolve(m, *out);
	if (rc != KRPC_OK) {
		krpc_type_free(*out);
		*out = NULL;
	}
	return rc;
}

/* Looks a procedure up in the client's model, with the server's wording. */
krpc_code_t
krpc_call_lookup(krpc_client_t *c, const char *service, const char *procedure,
    const krpc_procedure_t **out)
{
	const krpc_services_t *m;
	const krpc_service_t *s;
	krpc_code_t rc;

	if ((rc = krpc_client_services(c, &m)) != KRPC_OK)
		return rc;
	if ((s = krpc_services_find(m, service)) == NULL)
		return krpc_error_set(KRPC_ERR_NOT_FOUND, "Service \"%s\" not found", service);
	if ((*out = krpc_service_procedure(s, procedure)) == NULL)
		return krpc_error_set(KRPC_ERR_NOT_FOUND, "Procedure \"%s\" not found, in service \"%s\"",
		    procedure, service);
	return KRPC_OK;
}

/* Prepares a call. */
krpc_code_t
krpc_call_prepare(krpc_client_t *c, const char *service, const char *procedure,
    krpc_value_t *const *args, size_t nargs, const char *ret, krpc_prepared_t *p)
{
	const krpc_procedure_t *proc;
	krpc_value_t **conv = NULL;
	krpc_code_t rc;

	memset(p, 0, sizeof *p);
	if (service == NULL || procedure == NULL || (nargs > 0 && args == NULL))
		return krpc_error_set(KRPC_ERR_ARG, "no service, procedure or arguments");
	if (ret != NULL) {
		if ((rc = krpc_call_parse_type(c, ret, &p->ret)) != KRPC_OK)
			return rc;
		krpc_msg_call_values(&p->call, service, procedure, (const krpc_value_t *const *)args, nargs);
	} else {
		if (c == NULL)
			return krpc_error_set(KRPC_ERR_ARG, "checking a call needs a client");
		if ((rc = krpc_call_lookup(c, service, procedure, &proc)) != KRPC_OK ||
		    (rc = krpc_invoke_check(proc, args, nargs, &conv)) != KRPC_OK)
			return rc;
		krpc_msg_call_values(&p->call, service, procedure, (const krpc_value_t *const *)conv, nargs);
		krpc_invoke_free_args(conv, nargs);
		if (proc->ret != NULL && (p->ret = krpc_type_clone(proc->ret)) == NULL)
			p->call.failed = true;
	}
	if (!krpc_buf_ok(&p->call)) {
		krpc_call_prepared_free(p);
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	}
	return KRPC_OK;
}

/* Frees a prepared call. */
void
krpc_call_prepared_free(krpc_prepared_t *p)
{
	krpc_buf_free(&p->call);
	krpc_type_free(p->ret);
	p->ret = NULL;
}

/* An internal call with a few owned arguments. */
krpc_code_t
krpc_call_simple(krpc_client_t *c, const char *service, const char *procedure, size_t nargs,
    krpc_value_t *arg0, krpc_value_t *arg1, krpc_value_t *arg2, const char *ret,
    krpc_value_t **result)
{
	krpc_value_t *args[3] = { arg0, arg1, arg2 };
	krpc_prepared_t p;
	krpc_code_t rc;
	size_t i;

	for (i = 0; i < nargs; i++) {
		if (args[i] == NULL) {
			rc = krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	if ((rc = krpc_call_prepare(c, service, procedure, args, nargs, ret, &p)) == KRPC_OK) {
		rc = krpc_call_run(c, p.call.data, p.call.len, p.ret, result);
		krpc_call_prepared_free(&p);
	}
out:
	for (i = 0; i < 3; i++)
		krpc_value_free(args[i]);
	return rc;
}

/* Calls a procedure by name. */
krpc_code_t
krpc_call(krpc_client_t *c, const char *service, const char *procedure,
    krpc_value_t *const *args, size_t nargs, const char *ret, krpc_value_t **result)
{
	krpc_prepared_t p;
	krpc_code_t rc;

	if (result != NULL)
		*result = NULL;
	if (c == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no client");
	if ((rc = krpc_client_enter(c)) != KRPC_OK)
		return rc;
	if ((rc = krpc_call_prepare(c, service, procedure, args, nargs, ret, &p)) == KRPC_OK) {
		rc = krpc_call_run(c, p.call.data, p.call.len, p.ret, result);
		krpc_call_prepared_free(&p);
	}
	krpc_client_leave(c);
	return rc;
}

/* A call as a PROCEDURE_CALL value. */
krpc_code_t
krpc_get_call(krpc_client_t *c, const char *service, const char *procedure,
    krpc_value_t *const *args, size_t nargs, krpc_value_t **out)
{
	krpc_prepared_t p;
	krpc_code_t rc;

	if (out == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no place for the call");
	*out = NULL;
	if (c != NULL && (rc = krpc_client_enter(c)) != KRPC_OK)
		return rc;
	/* Without a client, "" (void) skips the model: the call goes as given. */
	rc = krpc_call_prepare(c, service, procedure, args, nargs, c != NULL ? NULL : "", &p);
	if (rc == KRPC_OK) {
		*out = krpc_value_message(KRPC_TYPE_PROCEDURE_CALL, p.call.data, p.call.len);
		if (*out == NULL)
			rc = krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
		krpc_call_prepared_free(&p);
	}
	if (c != NULL)
		krpc_client_leave(c);
	return rc;
}
