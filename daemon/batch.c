/*
 * Batching: several clients' Requests sent upstream as one Request, and the
 * server's one Response cut back into each Request's own.  The real server
 * takes at most one request per connection per poll round (kRPC's
 * Core.PollRequests), so one shared connection carrying N clients' requests
 * one by one gets a round per request where N direct connections get N
 * requests per round; one batched Request runs them all in one round.
 *
 * Pure byte work, no I/O: a Request is nothing but repeated field 1, so
 * concatenating serialised Requests gives one Request with every call in
 * order; a Response holds one field-2 result per call in the same order, so
 * each part's answer is a contiguous slice of it, itself a valid Response.
 */
#include "config.h"

#include <string.h>

#include "krpcmuxd.h"

/* Calls in a serialised Request (its field-1 entries; the router checked the structure). */
size_t
batch_calls(const uint8_t *req, size_t len)
{
	krpc_pbr_t r = { req, len, 0 };
	krpc_pbr_field_t f;
	size_t n = 0;

	while (krpc_pbr_next(&r, &f) == 1)
		n += f.number == 1 && f.wire == KRPC_WIRE_LEN;
	return n;
}

/*
 * Cuts a batch's Response into its parts' Responses: parts[i] is the slice
 * holding the counts[i] results of part i (empty for a part of no calls).
 */
enum batch_split
batch_split(const uint8_t *resp, size_t len, const size_t *counts, size_t nparts,
    struct wire_slice *parts)
{
	krpc_pbr_t r = { resp, len, 0 };
	krpc_pbr_field_t f;
	size_t part = 0, seen = 0, start = 0;
	int rc;

	while (part < nparts && counts[part] == 0)
		parts[part++] = (struct wire_slice){ resp, 0 };
	while ((rc = krpc_pbr_next(&r, &f)) == 1) {
		if (f.number == 1)
			return BATCH_ERROR;
		if (f.number != 2 || f.wire != KRPC_WIRE_LEN || part == nparts)
			return BATCH_BAD;
		if (++seen < counts[part])
			continue;
		parts[part] = (struct wire_slice){ resp + start, r.off - start };
		start = r.off;
		seen = 0;
		while (++part < nparts && counts[part] == 0)
			parts[part] = (struct wire_slice){ resp + start, 0 };
	}
	return rc == 0 && part == nparts ? BATCH_OK : BATCH_BAD;
}

/*
 * True if a request-level error came from decoding the Request, before any
 * call ran: then each part can be sent again on its own and only the part
 * that is at fault fails.  The server fills stack_trace (its verbose-errors
 * option, on by default) and a decoding failure's trace runs through the
 * RPC stream's Read; an empty trace is taken as a decoding failure too, the
 * only request-level error a non-yielding request can meet.  What is left
 * is an exception thrown by a yielding procedure after its first yield:
 * its calls ran, so it is not sent again.
 */
bool
batch_decode_error(const uint8_t *resp, size_t len)
{
	static const char marker[] = "RPCStream.Read";
	krpc_pbr_t r = { resp, len, 0 }, e;
	krpc_pbr_field_t f;

	while (krpc_pbr_next(&r, &f) == 1) {
		if (f.number != 1 || f.wire != KRPC_WIRE_LEN)
			continue;
		e = (krpc_pbr_t){ f.data, f.len, 0 };
		while (krpc_pbr_next(&e, &f) == 1) {
			if (f.number == 4 && f.wire == KRPC_WIRE_LEN)
				return f.len == 0 || memmem(f.data, f.len, marker, sizeof marker - 1) != NULL;
		}
		return true;
	}
	return false;
}
