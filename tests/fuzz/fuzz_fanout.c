/*
 * Fuzz target for the stream-update fan-out: three clients hold shared
 * streams (one of them twice over), an owned event and a local stream
 * through real AddStream requests answered by the fake game server; then
 * the input sends StreamUpdates (known, unknown and error results, values
 * of any bytes), changes rates, starts and removes streams, stops clients
 * reading their stream connections (conflation) or closes them, and the
 * game may go away.  streamtab.c and fanout.c do the work.  Built for
 * libFuzzer by `make fuzz`, and run over its seed corpus and pseudo-random
 * inputs in `make check`.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzzd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Sends a one-call request from c. */
static void
fuzz_call1(struct fz_client *c, const char *service, const char *procedure,
    const krpc_msg_arg_t *args, size_t nargs)
{
	krpc_buf_t call = KRPC_BUF_INIT, req = KRPC_BUF_INIT;

	krpc_msg_call(&call, service, procedure, args, nargs);
	krpc_msg_request_add(&req, call.data, call.len);
	xbuf_check(&req);
	fz_send(c->rpc, req.data, req.len);
	krpc_buf_free(&call);
	krpc_buf_free(&req);
}

/* AddStream(TestService.Int32ToString(x), start) from c. */
static void
fuzz_add(struct fz_client *c, uint8_t x, bool start)
{
	krpc_buf_t nested = KRPC_BUF_INIT;
	uint8_t xv[2] = { (uint8_t)(x * 2), 0 }, sv[1] = { start };
	krpc_msg_arg_t inner = { 0, xv, 1, false }, args[2];

	krpc_msg_call(&nested, "TestService", "Int32ToString", &inner, 1);
	xbuf_check(&nested);
	args[0] = (krpc_msg_arg_t){ 0, nested.data, nested.len, false };
	args[1] = (krpc_msg_arg_t){ 1, sv, 1, false };
	fuzz_call1(c, "KRPC", "AddStream", args, 2);
	krpc_buf_free(&nested);
}

/* The fake server answers what waits on the primary: AddStream with id, in order. */
static void
fuzz_grant(uint8_t id)
{
	uint8_t script[] = { 0, 0, (uint8_t)(id - 1) };	/* in kind; result in kind; its id */
	struct fz_input in = { script, sizeof script };

	fz_run();
	fz_answer(FZ_PRIMARY, &in);
	fz_run();
}

/* Three clients and their streams: ids 1 and 2 shared, 3 an event, and GetClientID local. */
static void
fuzz_setup(struct fz_client *c)
{
	uint8_t ms[2] = { 100, 0 };
	krpc_msg_arg_t timer = { 0, ms, 1, false };
	int k;

	for (k = 0; k < 3; k++)
		fz_connect(&c[k], true, "fan");
	fuzz_add(&c[0], 1, true);
	fuzz_grant(1);
	fuzz_add(&c[1], 1, true);		/* shared: no upstream request */
	fuzz_add(&c[1], 2, true);
	fuzz_grant(2);
	fuzz_call1(&c[2], "TestService", "OnTimer", &timer, 1);
	fuzz_grant(3);
	fuzz_add(&c[2], 2, false);
	fz_run();
	fz_clients_poll(c, 3);
}

/* SetStreamRate(id, rate), StartStream(id) or RemoveStream(id) from c. */
static void
fuzz_manage(struct fz_client *c, uint8_t op, struct fz_input *in)
{
	uint8_t idv[KRPC_VARINT64_MAX], rate[4];
	krpc_msg_arg_t args[2];
	size_t i;

	args[0] = (krpc_msg_arg_t){ 0, idv, krpc_varint_put(idv, fz_id(in)), false };
	for (i = 0; i < 4; i++)
		rate[i] = fz_byte(in);
	args[1] = (krpc_msg_arg_t){ 1, rate, 4, false };
	if (op % 3 == 0)
		fuzz_call1(c, "KRPC", "SetStreamRate", args, 2);
	else
		fuzz_call1(c, "KRPC", op % 3 == 1 ? "StartStream" : "RemoveStream", args, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_input in = { data, size };
	struct fz_client c[FZ_CLIENTS];
	uint8_t op;
	int k;

	fz_init();
	fz_begin(true, true);
	memset(c, 0, sizeof c);
	for (k = 0; k < FZ_CLIENTS; k++)
		c[k].rpc = c[k].stream = -1;
	fuzz_setup(c);
	while (in.len > 0) {
		op = fz_byte(&in);
		k = (op >> 4) % 3;
		switch (op & 15) {
		case 0:
		case 1:
		case 2:
		case 3:
		case 4:
		case 5:
			fz_update(&in);
			break;
		case 6:
		case 7:
			if (c[k].rpc >= 0)
				fuzz_manage(&c[k], op >> 4, &in);
			break;
		case 8:
			c[k].reading = !c[k].reading;
			break;
		case 9:
			if (c[k].stream >= 0)
				close(c[k].stream);
			c[k].stream = -1;
			break;
		case 10:
			fz_answer(FZ_PRIMARY, &in);
			break;
		case 11:
			if (c[k].rpc >= 0)
				fuzz_add(&c[k], fz_byte(&in) % 4, op & 0x40);
			break;
		case 12:
			if (op & 0x40)
				fz_lost();
			break;
		default:	/* time passes: rate windows open */
			fz_time_passes(op & 0x40 ? 0.002 : 0.0002);
			break;
		}
		fz_run();
		fz_clients_poll(c, 3);
	}
	fz_end();
	for (k = 0; k < FZ_CLIENTS; k++)
		fz_client_close(&c[k]);
	return 0;
}
