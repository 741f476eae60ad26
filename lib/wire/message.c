/*
 * kRPC message helpers: writing calls and requests directly as protobuf
 * bytes, unpacking responses and stream updates, decoding results, and the
 * canonical key of a ProcedureCall.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

static void
msg_why(char *why, size_t whylen, const char *what, size_t len)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "malformed %s message (%zu bytes)", what, len);
}

/* Writes an Argument message into its own buffer, then as field 3 of the call. */
static void
msg_write_arg(krpc_buf_t *b, krpc_buf_t *tmp, const krpc_msg_arg_t *a)
{
	krpc_buf_reset(tmp);
	if (a->position != 0)
		krpc_buf_field_varint(tmp, 1, a->position);
	if (a->len > 0 && !a->is_null)
		krpc_buf_field_bytes(tmp, 2, a->value, a->len);
	if (a->is_null)
		krpc_buf_field_varint(tmp, 3, 1);
	if (!krpc_buf_ok(tmp))
		b->failed = true;
	krpc_buf_field_bytes(b, 3, tmp->data, tmp->len);
}

/* Appends a serialised ProcedureCall. */
void
krpc_msg_call(krpc_buf_t *b, const char *service, const char *procedure,
    const krpc_msg_arg_t *args, size_t nargs)
{
	krpc_buf_t tmp = KRPC_BUF_INIT;
	size_t i;

	if (service != NULL && *service != '\0')
		krpc_buf_field_bytes(b, 1, service, strlen(service));
	if (procedure != NULL && *procedure != '\0')
		krpc_buf_field_bytes(b, 2, procedure, strlen(procedure));
	for (i = 0; i < nargs; i++)
		msg_write_arg(b, &tmp, &args[i]);
	krpc_buf_free(&tmp);
}

/* Appends a serialised ProcedureCall built from values. */
void
krpc_msg_call_values(krpc_buf_t *b, const char *service, const char *procedure,
    const krpc_value_t *const *args, size_t nargs)
{
	krpc_buf_t tmp = KRPC_BUF_INIT, val = KRPC_BUF_INIT;
	krpc_msg_arg_t a;
	size_t i;

	krpc_msg_call(b, service, procedure, NULL, 0);
	for (i = 0; i < nargs; i++) {
		if (args[i] == NULL)
			continue;
		krpc_buf_reset(&val);
		krpc_value_write(args[i], &val);
		if (!krpc_buf_ok(&val))
			b->failed = true;
		a.position = (uint32_t)i;
		a.value = val.data;
		a.len = val.len;
		a.is_null = krpc_value_is_null(args[i]);
		msg_write_arg(b, &tmp, &a);
	}
	krpc_buf_free(&tmp);
	krpc_buf_free(&val);
}

/* Appends a call to a Request. */
void
krpc_msg_request_add(krpc_buf_t *req, const uint8_t *call, size_t len)
{
	krpc_buf_field_bytes(req, 1, call, len);
}

Krpc__Schema__Response *
krpc_msg_response_read(const uint8_t *p, size_t len, char *why, size_t whylen)
{
	Krpc__Schema__Response *m = krpc__schema__response__unpack(NULL, len, p);

	if (m == NULL)
		msg_why(why, whylen, "Response", len);
	return m;
}

Krpc__Schema__StreamUpdate *
krpc_msg_update_read(const uint8_t *p, size_t len, char *why, size_t whylen)
{
	Krpc__Schema__StreamUpdate *m = krpc__schema__stream_update__unpack(NULL, len, p);

	if (m == NULL)
		msg_why(why, whylen, "StreamUpdate", len);
	return m;
}

Krpc__Schema__Request *
krpc_msg_request_read(const uint8_t *p, size_t len, char *why, size_t whylen)
{
	Krpc__Schema__Request *m = krpc__schema__request__unpack(NULL, len, p);

	if (m == NULL)
		msg_why(why, whylen, "Request", len);
	return m;
}

Krpc__Schema__ProcedureCall *
krpc_msg_call_read(const uint8_t *p, size_t len, char *why, size_t whylen)
{
	Krpc__Schema__ProcedureCall *m = krpc__schema__procedure_call__unpack(NULL, len, p);

	if (m == NULL)
		msg_why(why, whylen, "ProcedureCall", len);
	return m;
}

bool
krpc_msg_error_set(const Krpc__Schema__Error *e)
{
	return e != NULL && (e->service[0] != '\0' || e->name[0] != '\0' || e->description[0] != '\0');
}

/* Decodes a result's value. */
krpc_code_t
krpc_msg_result_value(const Krpc__Schema__ProcedureResult *r, const krpc_type_t *t,
    krpc_value_t **out, char *why, size_t whylen)
{
	*out = NULL;
	if (r->error != NULL) {
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "%s", r->error->description);
		return KRPC_ERR_RPC;
	}
	if (t == NULL)
		return KRPC_OK;
	return krpc_value_decode(t, r->value.data, r->value.len, r->is_null, out, why, whylen);
}

/*
 * Orders argument indexes by position, keeping wire order among equal
 * positions (so the last of them wins).  Calls have few arguments: a stable
 * insertion sort is enough.
 */
static void
msg_key_sort(const Krpc__Schema__ProcedureCall *c, size_t *order, size_t n)
{
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		k = i;
		for (j = i; j > 0 && c->arguments[order[j - 1]]->position > c->arguments[k]->position; j--)
			order[j] = order[j - 1];
		order[j] = k;
	}
}

/* Writes a name-or-id field of the key. */
static void
msg_key_name(krpc_buf_t *b, const char *name, uint32_t id)
{
	if (id > 0) {
		krpc_buf_byte(b, 1);
		krpc_buf_varint(b, id);
	} else {
		krpc_buf_byte(b, 0);
		krpc_buf_varint(b, strlen(name));
		krpc_buf_append(b, name, strlen(name));
	}
}

/* Appends the canonical key of a call. */
void
krpc_msg_call_key(krpc_buf_t *b, const Krpc__Schema__ProcedureCall *c, krpc_msg_key_fn fn,
    void *ud)
{
	size_t i, n = c->n_arguments, *order;
	const Krpc__Schema__Argument *a;
	krpc_key_arg_t how;
	bool null;

	msg_key_name(b, c->service, c->service_id);
	msg_key_name(b, c->procedure, c->procedure_id);
	if (n == 0)
		return;
	if ((order = malloc(n * sizeof *order)) == NULL) {
		b->failed = true;
		return;
	}
	msg_key_sort(c, order, n);
	for (i = 0; i < n; i++) {
		a = c->arguments[order[i]];
		if (i + 1 < n && c->arguments[order[i + 1]]->position == a->position)
			continue;	/* a later argument for this position wins */
		how = fn != NULL ? fn(ud, c, a) : KRPC_KEY_KEEP;
		if (how == KRPC_KEY_DROP)
			continue;
		null = a->is_null || how == KRPC_KEY_NULL;
		krpc_buf_varint(b, a->position);
		krpc_buf_byte(b, null ? 1 : 0);
		krpc_buf_varint(b, null ? 0 : a->value.len);
		if (!null)
			krpc_buf_append(b, a->value.data, a->value.len);
	}
	free(order);
}
