/*
 * A client's request as the router and the intercepts both handle it:
 * failing it as a whole (undoing the subscriptions its earlier calls made),
 * the request-level error Response, and a parsed call packed again.  Below
 * router.c and intercept.c, so that neither calls the other for these.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

/* Encodes a Response holding a request-level error. */
void
rreq_error_response(krpc_buf_t *b, const char *service, const char *name,
    const char *description)
{
	krpc_buf_t e = KRPC_BUF_INIT;

	wire_error(&e, service, name, description);
	xbuf_check(&e);
	wire_response_error(b, e.data, e.len);
	krpc_buf_free(&e);
}

/*
 * A request that fails as a whole gives the client no stream ids: the
 * subscriptions its earlier calls created are undone (the server would not
 * have run them: it decodes every argument before running any call).
 */
static void
rreq_undo(struct rreq *r)
{
	struct sub *s;
	size_t i;

	for (i = 0; r->client != NULL && i < r->ncalls; i++) {
		if (!r->calls[i].created)
			continue;
		r->calls[i].created = false;
		if ((s = streamtab_find(r->client, r->calls[i].created_id)) != NULL)
			streamtab_unsubscribe(s);
	}
}

/* Fails the whole request with a request-level error. */
void
rreq_fail(struct rreq *r, const char *description)
{
	rreq_undo(r);
	krpc_buf_reset(&r->response);
	rreq_error_response(&r->response, NULL, NULL, description);
	xbuf_check(&r->response);
	r->state = RREQ_DONE;
}

/* Fails the whole request with the Error an upstream Response carried. */
void
rreq_fail_error(struct rreq *r, const uint8_t *error, size_t len)
{
	rreq_undo(r);
	krpc_buf_reset(&r->response);
	wire_response_error(&r->response, error, len);
	xbuf_check(&r->response);
	r->state = RREQ_DONE;
}

/* Fails the request because the upstream is not connected. */
void
rreq_fail_down(struct rreq *r)
{
	char desc[512];

	snprintf(desc, sizeof desc, "krpcmuxd: the game's kRPC server is not connected (%s)",
	    upstream_why_down());
	rreq_fail(r, desc);
}

/* Serialises a parsed call. */
void
rreq_pack_call(const Krpc__Schema__ProcedureCall *pc, krpc_buf_t *b)
{
	size_t len = krpc__schema__procedure_call__get_packed_size(pc);

	if (len == 0)
		return;		/* an empty call (b's data may be NULL: no pointer arithmetic) */
	if (!krpc_buf_reserve(b, b->len + len))
		log_fatal("out of memory packing a call");
	b->len += krpc__schema__procedure_call__pack(pc, b->data + b->len);
}
