/*
 * Fuzz target for the wire codec: framing under input-chosen chunking, value
 * decoding under a set of types (with the decode → encode → decode property),
 * message unpacking and the canonical call key.  Built for libFuzzer by
 * `make fuzz` (clang), and run over pseudo-random inputs in `make check` by
 * fuzz_main.c.
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *fuzz_types[] = {
	"double", "float", "sint32", "sint64", "uint32", "uint64", "bool", "string", "bytes",
	"class(S.C)", "enum(S.E)", "list(sint32)", "set(string)", "tuple(sint32, bool, double)",
	"dict(string, list(sint32))", "list(tuple(uint64, dict(sint64, bytes)))",
	"struct(S.T: sint32, string, enum(S.E), list(sint32))", "procedure_call",
};
#define N_FUZZ_TYPES (sizeof fuzz_types / sizeof fuzz_types[0])

/* Crashes (so the fuzzer reports it) when a property does not hold. */
static void
fuzz_require(int ok)
{
	if (!ok)
		abort();
}

/* Frames: feed the input in chunks whose sizes come from the input itself. */
static void
fuzz_frames(const uint8_t *p, size_t len)
{
	krpc_framer_t *f = krpc_framer_new(4096);
	const uint8_t *body;
	size_t off = 0, n, blen, total = 0;

	while (off < len) {
		n = 1 + p[off] % 17;
		if (n > len - off)
			n = len - off;
		fuzz_require(krpc_framer_feed(f, p + off, n));
		off += n;
		while (krpc_framer_next(f, &body, &blen) == KRPC_FRAME_OK) {
			fuzz_require(blen <= 4096);
			total += blen;
		}
	}
	fuzz_require(total <= len);
	krpc_framer_free(f);
}

/* Values: decode with a type chosen by the first byte; re-encode what decodes. */
static void
fuzz_value(const uint8_t *p, size_t len)
{
	krpc_type_t *t;
	krpc_value_t *v = NULL, *again = NULL;
	uint8_t *out;
	size_t olen;

	if (len == 0)
		return;
	t = krpc_type_parse(fuzz_types[p[0] % N_FUZZ_TYPES], NULL, 0);
	fuzz_require(t != NULL);
	if (krpc_value_decode(t, p + 1, len - 1, false, &v, NULL, 0) == KRPC_OK) {
		fuzz_require(krpc_value_encode(v, &out, &olen) == KRPC_OK);
		fuzz_require(krpc_value_decode(t, out, olen, false, &again, NULL, 0) == KRPC_OK);
		fuzz_require(krpc_value_equal(v, again));
		free(out);
		free(krpc_value_format(v));
	} else
		fuzz_require(v == NULL);
	krpc_value_free(v);
	krpc_value_free(again);
	krpc_type_free(t);
}

/* Messages: unpack as each message kind; key every call that unpacks. */
static void
fuzz_messages(const uint8_t *p, size_t len)
{
	Krpc__Schema__Request *req = krpc_msg_request_read(p, len, NULL, 0);
	Krpc__Schema__Response *resp = krpc_msg_response_read(p, len, NULL, 0);
	Krpc__Schema__StreamUpdate *up = krpc_msg_update_read(p, len, NULL, 0);
	krpc_buf_t key = KRPC_BUF_INIT;
	size_t i;

	for (i = 0; req != NULL && i < req->n_calls; i++) {
		krpc_buf_reset(&key);
		krpc_msg_call_key(&key, req->calls[i], NULL, NULL);
		fuzz_require(krpc_buf_ok(&key));
	}
	krpc_buf_free(&key);
	if (req)
		krpc__schema__request__free_unpacked(req, NULL);
	if (resp)
		krpc__schema__response__free_unpacked(resp, NULL);
	if (up)
		krpc__schema__stream_update__free_unpacked(up, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t len)
{
	if (len == 0)
		return 0;
	switch (p[0] % 3) {
	case 0:
		fuzz_frames(p + 1, len - 1);
		break;
	case 1:
		fuzz_value(p + 1, len - 1);
		break;
	default:
		fuzz_messages(p + 1, len - 1);
		break;
	}
	return 0;
}
