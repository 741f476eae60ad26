/*
 * The limits one client, or one user, may reach: clients in all (with the
 * descriptor limit), connections per user (or TCP address), streams per
 * client, calls per request.  Each refusal is an error the client can
 * read, a counter and a log line; the lines are rate-limited per kind, so
 * that a client hammering a limit cannot flood the log.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

/* Log lines per kind of refusal: at most one each this many seconds. */
#define LIMITS_LOG_INTERVAL	1.0

/* The connections counted for one user or address. */
struct limits_peer {
	size_t	 n;
};

static struct htab	*limits_peers;		/* key: "u" uid or "a" address */
static size_t		 limits_fd_cap = SIZE_MAX;	/* clients the descriptor limit holds */
static struct log_rate	 limits_log_user, limits_log_streams, limits_log_calls;

/* The key a client counts under: its user on a Unix socket, its address over TCP. */
static size_t
limits_key(const struct client *c, char *key, size_t len)
{
	if (c->transport == PEER_UNIX && c->has_cred)
		return (size_t)snprintf(key, len, "u%lu", (unsigned long)c->uid);
	if (c->transport == PEER_UNIX)
		return (size_t)snprintf(key, len, "u?");
	return (size_t)snprintf(key, len, "a%s", c->address);
}

/* Who a key names, for the refusal text. */
static void
limits_who(const struct client *c, char *who, size_t len)
{
	if (c->transport == PEER_UNIX && c->has_cred)
		snprintf(who, len, "user %lu", (unsigned long)c->uid);
	else if (c->transport == PEER_UNIX)
		snprintf(who, len, "an unknown user");
	else
		snprintf(who, len, "address %s", c->address);
}

/*
 * Counts a new client against its user or address, until
 * limits_user_leave(): false if that makes more than
 * limits.clients_per_user.
 */
bool
limits_user_join(const struct client *c)
{
	struct limits_peer *p;
	char key[80];
	size_t klen = limits_key(c, key, sizeof key);

	if (limits_peers == NULL)
		limits_peers = htab_new();
	if ((p = htab_get(limits_peers, key, klen)) == NULL) {
		p = xcalloc(1, sizeof *p);
		htab_put(limits_peers, key, klen, p);
	}
	return ++p->n <= (size_t)cfg->limits_clients_per_user;
}

/* The handshake refusal of a client over limits.clients_per_user (malloc'd), counted and logged. */
char *
limits_user_refusal(const struct client *c)
{
	char who[80], *text;

	limits_who(c, who, sizeof who);
	xasprintf(&text, "krpcmuxd: too many connections from %s (limits.clients_per_user is %d); "
	    "try again later", who, cfg->limits_clients_per_user);
	stats_inc(clients_over_user_limit);
	log_rated(&limits_log_user, LIMITS_LOG_INTERVAL, LOG_LEVEL_WARN, c->prefix, "%s",
	    text + strlen("krpcmuxd: "));
	return text;
}

/* A client counted by limits_user_join() is gone. */
void
limits_user_leave(const struct client *c)
{
	struct limits_peer *p;
	char key[80];
	size_t klen = limits_key(c, key, sizeof key);

	if (limits_peers == NULL || (p = htab_get(limits_peers, key, klen)) == NULL)
		return;
	if (--p->n == 0) {
		htab_del(limits_peers, key, klen);
		free(p);
	}
	if (htab_count(limits_peers) == 0) {
		htab_free(limits_peers);
		limits_peers = NULL;
	}
}

/*
 * True if the client may hold adding more streams or events; else the
 * call's result becomes the error (call-level: the request goes on), and
 * the refusal is counted and logged.
 */
bool
limits_streams_ok(const struct client *c, size_t adding, krpc_buf_t *result)
{
	char text[256];

	if (c->nsubs + adding <= (size_t)cfg->limits_client_streams)
		return true;
	snprintf(text, sizeof text, "krpcmuxd: this client holds %zu streams and events, the most "
	    "limits.client_streams allows; remove one first", c->nsubs);
	krpc_buf_reset(result);
	wire_result_error(result, "", "", text);
	xbuf_check(result);
	stats_inc(streams_over_limit);
	log_rated(&limits_log_streams, LIMITS_LOG_INTERVAL, LOG_LEVEL_WARN, c->prefix,
	    "refused a stream: it holds %zu (limits.client_streams)", c->nsubs);
	return false;
}

/*
 * A request of ncalls calls: NULL if it may run, else the request-level
 * error (into buf) because it alone holds more calls than
 * limits.client_calls lets one client run at once.
 */
const char *
limits_calls_refusal(const struct client *c, size_t ncalls, char *buf, size_t len)
{
	if (ncalls <= (size_t)cfg->limits_client_calls)
		return NULL;
	snprintf(buf, len, "krpcmuxd: a request of %zu calls is more than one client may run at "
	    "once (limits.client_calls is %d); send fewer calls per request", ncalls,
	    cfg->limits_client_calls);
	stats_inc(requests_over_call_limit);
	log_rated(&limits_log_calls, LIMITS_LOG_INTERVAL, LOG_LEVEL_WARN, c->prefix,
	    "refused a request of %zu calls (limits.client_calls)", ncalls);
	return buf;
}

/* Sets how many clients the descriptor limit holds (SIZE_MAX: no bound). */
void
limits_set_fd_cap(size_t n)
{
	limits_fd_cap = n;
}

/* The most clients served: limits.max_clients, or fewer if the descriptors cannot hold more. */
size_t
limits_max_clients(void)
{
	size_t n = (size_t)cfg->limits_max_clients;

	return n < limits_fd_cap ? n : limits_fd_cap;
}

/* The answer to a handshake over limits_max_clients() (static storage). */
const char *
limits_clients_refusal(void)
{
	static char text[256];

	if ((size_t)cfg->limits_max_clients <= limits_fd_cap)
		snprintf(text, sizeof text, "krpcmuxd: too many clients (limits.max_clients is %d); "
		    "try again later", cfg->limits_max_clients);
	else
		snprintf(text, sizeof text, "krpcmuxd: too many clients (the proxy's descriptor limit "
		    "holds %zu); try again later", limits_fd_cap);
	return text;
}
