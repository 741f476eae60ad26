/*
 * krpc-sim requests (PROTOCOL.md 6.2-6.4): decodes a Request, runs its calls
 * in order with a result each, keeps a request whose call yields so it can
 * be resumed next update (holding back only its own connection), and writes
 * the Response, or a request-level error when an argument did not decode.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core.h"

/*
 * The frames the real server's request-level errors end with: it decodes a
 * whole Request, every argument included, in RPCStream.Read when it polls a
 * connection (krpcmuxd's batching tells such an error by the last one).
 */
#define RPC_FRAME_ARGUMENT	"KRPC.Server.ProtocolBuffers.MessageExtensions.ToMessage " \
	"(KRPC.Schema.KRPC.Argument argument, System.Type type)"
#define RPC_FRAME_CALL		"KRPC.Server.ProtocolBuffers.MessageExtensions.ToMessage " \
	"(KRPC.Schema.KRPC.ProcedureCall call)"
#define RPC_FRAME_REQUEST	"KRPC.Server.ProtocolBuffers.MessageExtensions.ToMessage " \
	"(KRPC.Schema.KRPC.Request request)"
#define RPC_FRAME_READ		"KRPC.Server.ProtocolBuffers.RPCStream.Read " \
	"(KRPC.Service.Messages.Request& request, System.Byte[] data, System.Int32 offset, " \
	"System.Int32 length)"

struct rpc_req {
	size_t			  ncalls;
	struct call_spec	**specs;	/* NULL: unresolved, errs[i] says why */
	struct sim_err		 *errs;
	size_t			  next;		/* next call to run */
	sim_call_t		 *yielded;	/* the call at next, between updates */
	krpc_buf_t		  response;	/* Response being built */
	bool			  answered;	/* a request-level error went out instead */
};

/* Writes a request-level error Response. */
static void
rpc_send_error(sim_client_t *client, const struct sim_err *err)
{
	krpc_buf_t e = KRPC_BUF_INIT, r = KRPC_BUF_INIT;

	err_write(err, &e);
	krpc_buf_field_bytes(&r, 1, e.data, e.len);
	if (client_rpc(client) != NULL && krpc_buf_ok(&r))
		conn_send(client_rpc(client), r.data, r.len);
	krpc_buf_free(&e);
	krpc_buf_free(&r);
}

/* Appends one ProcedureResult to the response. */
static void
rpc_add_result(struct rpc_req *r, const sim_call_t *c, const struct sim_err *err)
{
	krpc_buf_t res = KRPC_BUF_INIT, e = KRPC_BUF_INIT;

	if (c != NULL)
		call_result_write(c, &res);
	else {
		err_write(err, &e);
		krpc_buf_field_bytes(&res, 1, e.data, e.len);
	}
	krpc_buf_field_bytes(&r->response, 2, res.data, res.len);
	if (!krpc_buf_ok(&res) || !krpc_buf_ok(&e))
		r->response.failed = true;
	krpc_buf_free(&res);
	krpc_buf_free(&e);
}

/*
 * Runs the request's calls from where it stopped.  Returns false if a call
 * yielded (the request is then pending on the client).
 */
static bool
rpc_run(sim_server_t *s, sim_client_t *client, struct rpc_req *r)
{
	sim_call_t *c;
	bool rerun;

	while (r->next < r->ncalls) {
		if (r->specs[r->next] == NULL) {
			rpc_add_result(r, NULL, &r->errs[r->next++]);
			continue;
		}
		rerun = r->yielded != NULL;
		c = rerun ? r->yielded : call_new(s, client, r->specs[r->next], false);
		r->yielded = NULL;
		if (call_run(c) == SIM_YIELD) {
			r->yielded = c;
			return false;
		}
		if (rerun && call_failed(c)) {
			/* thrown after a yield: the real server reports it for the request */
			rpc_send_error(client, call_err(c));
			call_free(c);
			r->answered = true;
			return true;
		}
		rpc_add_result(r, c, NULL);
		call_free(c);
		r->next++;
	}
	return true;
}

/* Runs a request until done or yielded; frees it when done. */
static void
rpc_continue(sim_server_t *s, sim_client_t *client, struct rpc_req *r)
{
	bool done = rpc_run(s, client, r);

	server_count_rpc(s);
	if (!done) {
		client_set_pending(client, r);
		return;
	}
	client_set_pending(client, NULL);
	if (!r->answered && krpc_buf_ok(&r->response) && client_rpc(client) != NULL)
		conn_send(client_rpc(client), r->response.data, r->response.len);
	rpc_req_free(r);
}

/* ---- public ---------------------------------------------------------- */

/*
 * Decodes a Request as the server does when it polls a connection: its calls
 * resolved and their arguments decoded.  NULL when there is nothing to run:
 * a request-level error was answered at once, or (*fatal) the bytes are not
 * a Request and the connection must close.
 */
struct rpc_req *
rpc_decode(sim_server_t *s, sim_client_t *client, const uint8_t *body, size_t len, bool *fatal)
{
	Krpc__Schema__Request *req;
	struct rpc_req *r;
	size_t i;

	*fatal = false;
	req = (Krpc__Schema__Request *)krpc_lenient_read(KRPC_LENIENT_REQUEST, body, len, NULL);
	if (req == NULL) {
		*fatal = true;
		return NULL;
	}
	r = util_calloc(1, sizeof *r);
	r->ncalls = req->n_calls;
	r->specs = util_calloc(r->ncalls, sizeof *r->specs);
	r->errs = util_calloc(r->ncalls, sizeof *r->errs);
	for (i = 0; i < r->ncalls; i++) {
		if (call_spec_new(s, req->calls[i], &r->specs[i], &r->errs[i]) != CALL_BAD_ARGS)
			continue;
		/* an argument that does not decode fails the whole request (P 6.3) */
		err_trace_outer(&r->errs[i], RPC_FRAME_ARGUMENT, RPC_FRAME_CALL, RPC_FRAME_REQUEST,
		    RPC_FRAME_READ, NULL);
		rpc_send_error(client, &r->errs[i]);
		rpc_req_free(r);
		r = NULL;
		break;
	}
	krpc__schema__request__free_unpacked(req, NULL);
	return r;
}

/* Runs a decoded request, or resumes the client's yielded one (r NULL). */
void
rpc_execute(sim_server_t *s, sim_client_t *client, struct rpc_req *r)
{
	if (r == NULL)
		r = client_pending(client);
	if (r != NULL)
		rpc_continue(s, client, r);
}

/* Frees a request and whatever it holds. */
void
rpc_req_free(struct rpc_req *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ncalls; i++) {
		call_spec_free(r->specs[i]);
		err_clear(&r->errs[i]);
	}
	free(r->specs);
	free(r->errs);
	call_free(r->yielded);
	krpc_buf_free(&r->response);
	free(r);
}
