/*
 * Fuzz target for the daemon's downstream connections: framing and the RPC
 * and stream handshakes (peer.c, client.c) under bytes in any chunks, on
 * two RPC and two stream connections at once: raw bytes, well-formed
 * ConnectionRequests of any type and name, stream handshakes naming a real
 * client's identifier, half and full closes, and the game coming and going
 * while handshakes wait for it.  Built for libFuzzer by `make fuzz`, and
 * run over its seed corpus and pseudo-random inputs in `make check`.
 */
#include <sys/socket.h>

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzzd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The identifier an RPC connection was given, read from its first answer. */
static void
fuzz_read_id(int fd, uint8_t *id, bool *have)
{
	static uint8_t buf[8192];	/* static: no AddressSanitizer shadow to set per call */
	size_t body, prefix;
	Krpc__Schema__ConnectionResponse *r;
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;

	if (n <= 0 || *have ||
	    krpc_frame_prefix(buf, (size_t)n, sizeof buf, &body, &prefix) != KRPC_FRAME_OK ||
	    prefix + body > (size_t)n)
		goto drain;
	r = krpc__schema__connection_response__unpack(NULL, body, buf + prefix);
	if (r != NULL && r->status == 0 && r->client_identifier.len == 16) {
		memcpy(id, r->client_identifier.data, 16);
		*have = true;
	}
	if (r != NULL)
		krpc__schema__connection_response__free_unpacked(r, NULL);
drain:
	if (n == (ssize_t)sizeof buf)	/* else that read took all there was */
		fz_drain(fd);
}

/* Reads what the proxy wrote to the four connections: one poll(), then only those with bytes. */
static void
fuzz_read_all(const int *fd, uint8_t ids[2][16], bool *have)
{
	struct pollfd p[4];
	int k;

	for (k = 0; k < 4; k++)
		p[k] = (struct pollfd){ fd[k], POLLIN, 0 };
	if (poll(p, 4, 0) <= 0)
		return;
	for (k = 0; k < 2; k++) {
		if (p[k].revents != 0)
			fuzz_read_id(fd[k], ids[k], &have[k]);
	}
	for (k = 2; k < 4; k++) {
		if (p[k].revents != 0)
			fz_drain(fd[k]);
	}
}

/* A ConnectionRequest of the input's type and name, or a stream one for an identifier. */
static void
fuzz_hello(int fd, struct fz_input *in, const uint8_t *id)
{
	Krpc__Schema__ConnectionRequest r = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;
	uint8_t buf[512], type = fz_byte(in);
	const uint8_t *name;
	char text[64];
	size_t len = fz_chunk(in, &name, sizeof text - 1);

	memcpy(text, name, len);
	text[len] = '\0';
	r.type = (Krpc__Schema__ConnectionRequest__Type)(id != NULL ? 1 : type % 3);
	r.client_name = text;
	if (id != NULL || (type & 0x80)) {
		r.client_identifier.data = (uint8_t *)(id != NULL ? id : in->p);
		r.client_identifier.len = id != NULL ? 16 : (in->len < 16 ? in->len : 16);
	}
	len = krpc__schema__connection_request__pack(&r, buf);
	fz_send(fd, buf, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_input in = { data, size };
	uint8_t flags, op, ids[2][16];
	bool have[2] = { false, false };
	const uint8_t *bytes;
	int fd[4], k;
	size_t n;

	fz_init();
	flags = fz_byte(&in);
	cfg->upstream_wait = flags & 4 ? 0 : 10;
	fz_begin(flags & 1, flags & 2);
	for (k = 0; k < 4; k++)
		fd[k] = fz_accept(k >= 2);	/* two RPC, then two stream connections */
	while (in.len > 0) {
		op = fz_byte(&in);
		k = op & 3;
		switch ((op >> 2) & 7) {
		case 0:
		case 1:
		case 2:		/* raw bytes: prefixes, bodies, in any chunks */
			n = fz_chunk(&in, &bytes, 255);
			fz_write(fd[k], bytes, n);
			break;
		case 3:		/* a well-formed request of any type */
			fuzz_hello(fd[k], &in, NULL);
			break;
		case 4:		/* a stream handshake for a real client */
			fuzz_hello(fd[2 + (k & 1)], &in, have[k & 1] ? ids[k & 1] : NULL);
			break;
		case 5:		/* the client shuts its writing */
			if (fd[k] >= 0)
				shutdown(fd[k], SHUT_WR);
			break;
		case 6:		/* the client closes; another connects in its place */
			if (fd[k] >= 0)
				close(fd[k]);
			fd[k] = fz_accept(k >= 2);
			if (k < 2)
				have[k] = false;
			break;
		case 7:		/* the game comes, or goes */
			if (upstream_ready())
				fz_lost();
			else
				fz_set_ready();
			break;
		}
		fz_run();
		fuzz_read_all(fd, ids, have);
	}
	fz_end();
	for (k = 0; k < 4; k++) {
		if (fd[k] >= 0)
			close(fd[k]);
	}
	return 0;
}
