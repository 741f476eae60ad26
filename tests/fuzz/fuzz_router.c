/*
 * Fuzz target for request routing: clients' Requests (well-formed ones
 * built from the input, naming forwarded, intercepted, yielding, isolated,
 * event and unknown procedures, nested calls and stream ids the proxy gave
 * out; and raw frames) through router.c, intercept.c, rreq.c, the stream
 * table and the lanes with their batches, against a fake game server that
 * answers each upstream request as the input says (in kind, with errors,
 * with too many or too few results, with garbage, or by hanging up) and
 * sends stream updates; clients that stop reading, close, or come late.
 * Built for libFuzzer by `make fuzz`, and run over its seed corpus and
 * pseudo-random inputs in `make check`.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzzd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A Request of one to three calls built from the input. */
static void
fuzz_request(struct fz_client *c, struct fz_input *in)
{
	krpc_buf_t req = KRPC_BUF_INIT;
	int i, n = 1 + fz_byte(in) % 3;

	for (i = 0; i < n; i++)
		fz_call(&req, in);
	xbuf_check(&req);
	fz_send(c->rpc, req.data, req.len);
	krpc_buf_free(&req);
}

/* One operation of the input on client c. */
static void
fuzz_op(struct fz_client *cl, int k, uint8_t op, struct fz_input *in)
{
	struct fz_client *c = &cl[k];
	const uint8_t *bytes;
	size_t n;

	switch (op & 15) {
	case 0:
	case 1:
	case 2:
	case 3:
		if (c->rpc >= 0)
			fuzz_request(c, in);
		break;
	case 4:		/* a frame of any bytes */
		n = fz_chunk(in, &bytes, 255);
		if (c->rpc >= 0)
			fz_send(c->rpc, bytes, n);
		break;
	case 5:		/* bytes with no framing */
		n = fz_chunk(in, &bytes, 255);
		if (c->rpc >= 0)
			fz_write(c->rpc, bytes, n);
		break;
	case 6:
	case 7:
		fz_answer(FZ_PRIMARY, in);
		break;
	case 8:
		fz_answer(op & 0x10 ? FZ_SLOW : FZ_OWN, in);
		break;
	case 9:
		fz_update(in);
		break;
	case 10:	/* stops or starts reading its answers */
		c->reading = !c->reading;
		break;
	case 11:	/* closes its stream connection */
		if (c->stream >= 0)
			close(c->stream);
		c->stream = -1;
		break;
	case 12:
		fz_client_close(c);
		break;
	case 13:	/* a new client in a free place */
		if (c->rpc < 0)
			fz_connect(c, op & 0x10, "late");
		break;
	case 14:
		if (op & 0x10)
			fz_lost();
		break;
	case 15:	/* the server answers everything waiting on the primary */
		for (n = 0; n < 16; n++)
			fz_answer(FZ_PRIMARY, in);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_input in = { data, size };
	struct fz_client c[FZ_CLIENTS];
	uint8_t op;
	int k;

	fz_init();
	fz_begin(true, fz_byte(&in) & 1);
	memset(c, 0, sizeof c);
	for (k = 0; k < FZ_CLIENTS; k++) {
		c[k].rpc = c[k].stream = -1;
		if (k < 2)
			fz_connect(&c[k], k == 0, "fuzz");
	}
	while (in.len > 0) {
		op = fz_byte(&in);
		fuzz_op(c, (op >> 5) % FZ_CLIENTS, op, &in);
		fz_run();
		fz_clients_poll(c, FZ_CLIENTS);
	}
	fz_end();
	for (k = 0; k < FZ_CLIENTS; k++)
		fz_client_close(&c[k]);
	return 0;
}
