/*
 * krpcmuxd under fuzz: the daemon's own modules (peers, clients, router,
 * intercepts, stream table, fan-out, lanes, batches) in one process with a
 * fake game server.  Every connection is a real socket pair: the harness
 * holds the other ends.  upstream.c and session.c are replaced by fakes
 * (fuzzd.c) that put the proxy's upstream requests on lanes whose far ends
 * the harness reads and answers as the fuzz input says.  Inputs are read as
 * operations; whatever the bytes, every input ends with every client, peer
 * and request freed (leaks show under LeakSanitizer).
 */
#ifndef KRPC_FUZZD_H
#define KRPC_FUZZD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "krpcmuxd.h"

/* The proxy's upstream connections the fake server plays. */
enum fz_lane {
	FZ_PRIMARY,
	FZ_SLOW,
	FZ_OWN,		/* clients' own sessions (one shared lane) */
	FZ_LANES,
};

/* The fuzz input, read from the front. */
struct fz_input {
	const uint8_t	*p;
	size_t		 len;
};

/* A client's far ends. */
struct fz_client {
	int		 rpc;		/* -1 once closed */
	int		 stream;	/* -1 if none */
	uint8_t		 id[16];
	bool		 ready;		/* its RPC handshake succeeded */
	bool		 reading;	/* the harness reads what the proxy writes it */
	krpc_buf_t	 in;		/* its RPC bytes read, not yet a whole Response */
};

#define FZ_CLIENTS	4

/* Sets the daemon up once: event loop, configuration, the cached GetServices. */
void		 fz_init(void);
/* Starts an input: the upstream ready (or not), its lanes open. */
void		 fz_begin(bool ready, bool batching);
/* Ends an input: everything closed and freed. */
void		 fz_end(void);
/* Runs the event loop until nothing is left to do (a few passes). */
void		 fz_run(void);
/* Time passes (without sleeping under libFuzzer): rate windows open. */
void		 fz_time_passes(double seconds);

/* Bytes of the input: a byte (0 once empty), a length-prefixed chunk. */
uint8_t		 fz_byte(struct fz_input *);
size_t		 fz_chunk(struct fz_input *, const uint8_t **, size_t max);

/* A connection accepted by the proxy on the RPC or stream socket: the far end. */
int		 fz_accept(bool stream);
/* A client with a real handshake (and a stream connection if stream); false if refused. */
bool		 fz_connect(struct fz_client *, bool stream, const char *name);
/* Writes bytes to a far end (what the socket takes). */
void		 fz_write(int fd, const void *, size_t);
/* Writes one framed message. */
void		 fz_send(int fd, const void *, size_t);
/* Reads and drops what waits on a far end; false once it is closed. */
bool		 fz_drain(int fd);
/*
 * Reads what waits for clients (those that read) and notes a closed
 * connection; the stream and event ids in their Responses are remembered, for
 * later calls' arguments.
 */
void		 fz_clients_poll(struct fz_client *, size_t n);
void		 fz_client_close(struct fz_client *);

/* A stream id for an argument: one the proxy gave out lately, or a small number. */
uint64_t	 fz_id(struct fz_input *);
/* Appends a call of one of the procedures the harness knows, arguments from the input. */
void		 fz_call(krpc_buf_t *request, struct fz_input *);
/* The fake server reads the requests waiting on a lane, then answers the oldest as the input says. */
void		 fz_answer(enum fz_lane, struct fz_input *);
/* The fake server sends a StreamUpdate built from the input. */
void		 fz_update(struct fz_input *);
/* The game goes away: in-flight calls fail, clients are closed, as upstream.c does. */
void		 fz_lost(void);
/* The game is there (again): waiting handshakes are answered. */
void		 fz_set_ready(void);

#endif
