/*
 * Configuration: one table describes every option (path, type, default,
 * range, reloadable, help).  The libconfig parser, the command-line flags,
 * `-t`, the admin socket and the documentation check all read it.
 */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "krpcmuxd.h"

#define OFF(f) offsetof(struct config, f)

/* The procedures known to yield across server updates (PROTOCOL.md 6.4). */
#define CONFIG_SLOW_DEFAULT						\
	"SpaceCenter.set_ActiveVessel,SpaceCenter.LaunchVessel,"	\
	"SpaceCenter.LaunchVesselFromVAB,SpaceCenter.LaunchVesselFromSPH," \
	"SpaceCenter.Load,SpaceCenter.Quickload,SpaceCenter.WarpTo,"	\
	"SpaceCenter.AutoPilot_Wait,SpaceCenter.Control_ActivateNextStage," \
	"SpaceCenter.Decoupler_Decouple,SpaceCenter.DockingPort_Undock," \
	"SpaceCenter.Control_Board,SpaceCenter.Control_ReleaseLadder,"	\
	"SpaceCenter.CrewMember_EVA,SpaceCenter.Editor_LoadVessel,"	\
	"SpaceCenter.Editor_LaunchVessel,Debug.SetCircularOrbit,Debug.SetOrbit," \
	"Debug.SetFlight,Debug.SetPosition,Debug.SetVelocity,Debug.SetLanded," \
	"TestService.BlockingProcedure"

/* A NULL default means "computed at start" (the kRPC default socket paths). */
const struct config_option config_options[] = {
	{ "upstream.address", "upstream-address", CONFIG_STRING, "127.0.0.1", 0, 0, false,
	  OFF(upstream_address), "Address of the kRPC server (TCP)." },
	{ "upstream.rpc_port", "upstream-rpc-port", CONFIG_INT, "50000", 1, 65535, false,
	  OFF(upstream_rpc_port), "RPC port of the kRPC server." },
	{ "upstream.stream_port", "upstream-stream-port", CONFIG_INT, "50001", 1, 65535, false,
	  OFF(upstream_stream_port), "Stream port of the kRPC server." },
	{ "upstream.rpc_path", "upstream-rpc-path", CONFIG_STRING, "", 0, 0, false,
	  OFF(upstream_rpc_path),
	  "RPC Unix socket of the kRPC server; with stream_path, used instead of TCP." },
	{ "upstream.stream_path", "upstream-stream-path", CONFIG_STRING, "", 0, 0, false,
	  OFF(upstream_stream_path), "Stream Unix socket of the kRPC server." },
	{ "upstream.client_name", NULL, CONFIG_STRING, "krpcmuxd", 0, 0, false,
	  OFF(upstream_client_name), "Client name the proxy gives the server (shown in the game)." },
	{ "upstream.wait", NULL, CONFIG_DOUBLE, "10", 0, 3600, true,
	  OFF(upstream_wait),
	  "Seconds a new client's handshake waits for the server before it is refused." },
	{ "upstream.connect_timeout", NULL, CONFIG_DOUBLE, "5", 0.1, 600, true,
	  OFF(upstream_connect_timeout), "Seconds allowed for a TCP or Unix connect to the server." },
	{ "upstream.retry_min", NULL, CONFIG_DOUBLE, "0.5", 0.01, 3600, true,
	  OFF(upstream_retry_min), "First reconnection delay in seconds (doubles after each failure)." },
	{ "upstream.retry_max", NULL, CONFIG_DOUBLE, "30", 0.01, 86400, true,
	  OFF(upstream_retry_max), "Longest reconnection delay in seconds." },
	{ "upstream.stall_timeout", NULL, CONFIG_DOUBLE, "20", 0, 3600, true,
	  OFF(upstream_stall_timeout),
	  "Seconds the server may send nothing while requests wait for it before it is treated as "
	  "lost (0: never); a probe tells a long yielding call from a stopped server." },
	{ "upstream.slow_lanes", NULL, CONFIG_INT, "2", 0, 16, true,
	  OFF(upstream_slow_lanes),
	  "Extra upstream RPC connections for yielding calls (0: all on the primary)." },
	{ "upstream.batch_calls", NULL, CONFIG_INT, "64", 1, 1024, true,
	  OFF(upstream_batch_calls),
	  "Most calls joined into one upstream request while requests queue (1: no batching)." },
	{ "upstream.isolate", NULL, CONFIG_LIST, "", 0, 0, true,
	  OFF(upstream_isolate),
	  "Services (\"UI\") or procedures (\"Service.Procedure\") whose calls run on each "
	  "client's own upstream connection, so the game itself owns what they create per client "
	  "(instead of the proxy's ledger)." },
	{ "upstream.slow_procedures", NULL, CONFIG_LIST, CONFIG_SLOW_DEFAULT, 0, 0, true,
	  OFF(upstream_slow_procedures), "Procedures (Service.Procedure) sent over a slow lane." },
	{ "listen.rpc_path", "rpc-path", CONFIG_STRING, NULL, 0, 0, false,
	  OFF(listen_rpc_path),
	  "Unix socket for clients' RPC connections (default: the kRPC default path; \"\": none)." },
	{ "listen.stream_path", "stream-path", CONFIG_STRING, NULL, 0, 0, false,
	  OFF(listen_stream_path), "Unix socket for clients' stream connections." },
	{ "listen.socket_mode", NULL, CONFIG_MODE, "0600", 0, 0777, false,
	  OFF(listen_socket_mode), "File mode of the Unix sockets (octal string)." },
	{ "listen.address", "listen-address", CONFIG_STRING, "127.0.0.1", 0, 0, false,
	  OFF(listen_address), "Address of the TCP listeners." },
	{ "listen.rpc_port", "rpc-port", CONFIG_INT, "0", 0, 65535, false,
	  OFF(listen_rpc_port), "TCP port for clients' RPC connections (0: no TCP)." },
	{ "listen.stream_port", "stream-port", CONFIG_INT, "0", 0, 65535, false,
	  OFF(listen_stream_port), "TCP port for clients' stream connections." },
	{ "limits.max_clients", NULL, CONFIG_INT, "4096", 1, 1000000, true,
	  OFF(limits_max_clients), "Most clients connected at once; more are refused." },
	{ "limits.max_message_size", NULL, CONFIG_INT, "16777216", 1024, 1073741824, true,
	  OFF(limits_max_message_size), "Largest message a client may send, in bytes." },
	{ "limits.output_high_watermark", NULL, CONFIG_INT, "1048576", 4096, 1073741824, true,
	  OFF(limits_output_high),
	  "Bytes queued to a client above which its reading stops and its streams conflate." },
	{ "limits.output_low_watermark", NULL, CONFIG_INT, "262144", 0, 1073741824, true,
	  OFF(limits_output_low), "Bytes queued to a client below which it is served again." },
	{ "limits.stop_timeout", NULL, CONFIG_DOUBLE, "10", 0, 3600, true,
	  OFF(limits_stop_timeout),
	  "Seconds a graceful stop waits for the calls in flight before failing them." },
	{ "limits.handshake_timeout", NULL, CONFIG_DOUBLE, "3", 0.1, 3600, true,
	  OFF(limits_handshake_timeout),
	  "Seconds a new connection has to send its ConnectionRequest (the server's own is 3)." },
	{ "limits.message_timeout", NULL, CONFIG_DOUBLE, "10", 0, 3600, true,
	  OFF(limits_message_timeout),
	  "Seconds a client may leave a message half sent, nothing more arriving, before it is "
	  "dropped (0: never)." },
	{ "limits.client_streams", NULL, CONFIG_INT, "1024", 1, 1000000, true,
	  OFF(limits_client_streams),
	  "Most streams and events one client may hold; a call adding another gets an error." },
	{ "limits.client_calls", NULL, CONFIG_INT, "4096", 1, 1000000, true,
	  OFF(limits_client_calls),
	  "Most calls of one client's requests running at once; a request with more calls than "
	  "this is refused with an error." },
	{ "limits.client_requests", NULL, CONFIG_INT, "1024", 1, 1000000, true,
	  OFF(limits_client_requests),
	  "Requests one client may have sent and not had answered; at this many the proxy reads "
	  "no more from it until answers go out." },
	{ "limits.clients_per_user", NULL, CONFIG_INT, "1024", 1, 1000000, true,
	  OFF(limits_clients_per_user),
	  "Most clients connected at once from one user (Unix sockets) or one address (TCP); "
	  "more are refused." },
	{ "access.users", NULL, CONFIG_LIST, "", 0, 0, true,
	  OFF(access_users),
	  "Users (names or uids) whose clients may connect over the Unix sockets, besides the "
	  "proxy's own user and root, who always may; \"*\": every user." },
	{ "access.groups", NULL, CONFIG_LIST, "", 0, 0, true,
	  OFF(access_groups),
	  "Groups (names or gids) whose members may connect over the Unix sockets." },
	{ "access.addresses", NULL, CONFIG_LIST, "127.0.0.0/8,::1", 0, 0, true,
	  OFF(access_addresses),
	  "Client addresses or networks (\"192.168.1.0/24\") allowed over TCP; \"*\": every "
	  "address." },
	{ "log.level", "log-level", CONFIG_LEVEL, "info", 0, 0, true,
	  OFF(log_level), "Most verbose level logged: error, warn, info or debug." },
	{ "log.syslog", NULL, CONFIG_BOOL, "false", 0, 0, true,
	  OFF(log_syslog), "Log to syslog (facility daemon) instead of standard error." },
	{ "admin.path", "admin-path", CONFIG_STRING, NULL, 0, 0, false,
	  OFF(admin_path),
	  "Unix socket of the admin interface (default: $XDG_RUNTIME_DIR/krpcmux/admin or "
	  "/tmp/krpcmux-USER/admin; \"\": none)." },
	{ NULL, NULL, 0, NULL, 0, 0, false, 0, NULL },
};

struct config *cfg;

/* Field accessors. */
#define FIELD(c, o, type) ((type *)(void *)((char *)(c) + (o)->offset))

/* Frees a NULL-terminated string list. */
static void
config_list_free(char **list)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		free(list[i]);
	free(list);
}

/* Splits comma-separated text into a list (empty items dropped). */
static char **
config_list_split(const char *text)
{
	char **list = xcalloc(1, sizeof *list);
	size_t n = 0;
	const char *p = text, *end;

	while (*p != '\0') {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && *p == ' ')
			p++;
		if (end > p) {
			list = xreallocarray(list, n + 2, sizeof *list);
			list[n++] = xstrndup(p, (size_t)(end - p));
			list[n] = NULL;
		}
		p = *end == ',' ? end + 1 : end;
	}
	return list;
}

/* Parses a whole integer. */
static bool
config_parse_long(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);	/* "08" is eight, not a bad octal number */
	return errno == 0 && end != s && *end == '\0';
}

/* Checks a number against the option's range. */
static bool
config_range(const struct config_option *o, double v, char *why, size_t whylen)
{
	if (v >= o->min && v <= o->max && !isnan(v))
		return true;
	if (o->type == CONFIG_INT)
		snprintf(why, whylen, "%s: must be between %.0f and %.0f", o->path, o->min, o->max);
	else
		snprintf(why, whylen, "%s: must be between %g and %g", o->path, o->min, o->max);
	return false;
}

/* Parses an octal mode string. */
static bool
config_parse_mode(const char *s, int *out)
{
	char *end;
	long v;

	if (*s == '\0' || strspn(s, "01234567") != strlen(s))
		return false;
	v = strtol(s, &end, 8);
	if (v < 0 || v > 0777)
		return false;
	*out = (int)v;
	return true;
}

/* Sets an INT or DOUBLE option from text, within its range. */
static bool
config_set_number(struct config *c, const struct config_option *o, const char *text, char *why,
    size_t whylen)
{
	long long l;
	double d;
	char *end;

	if (o->type == CONFIG_INT) {
		if (!config_parse_long(text, &l)) {
			snprintf(why, whylen, "%s: \"%s\" is not an integer", o->path, text);
			return false;
		}
		if (!config_range(o, (double)l, why, whylen))
			return false;
		*FIELD(c, o, int) = (int)l;
		return true;
	}
	errno = 0;
	d = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0') {
		snprintf(why, whylen, "%s: \"%s\" is not a number", o->path, text);
		return false;
	}
	if (!config_range(o, d, why, whylen))
		return false;
	*FIELD(c, o, double) = d;
	return true;
}

/* Sets a BOOL option from true/yes/1 or false/no/0. */
static bool
config_set_bool(struct config *c, const struct config_option *o, const char *text, char *why,
    size_t whylen)
{
	if (strcasecmp(text, "true") == 0 || strcasecmp(text, "yes") == 0 || strcmp(text, "1") == 0)
		*FIELD(c, o, bool) = true;
	else if (strcasecmp(text, "false") == 0 || strcasecmp(text, "no") == 0 ||
	    strcmp(text, "0") == 0)
		*FIELD(c, o, bool) = false;
	else {
		snprintf(why, whylen, "%s: \"%s\" is not true or false", o->path, text);
		return false;
	}
	return true;
}

/* Sets an option from text (defaults and flags). */
static bool
config_set_text(struct config *c, const struct config_option *o, const char *text, char *why,
    size_t whylen)
{
	enum log_level level;

	switch (o->type) {
	case CONFIG_STRING:
		free(*FIELD(c, o, char *));
		*FIELD(c, o, char *) = xstrdup(text);
		return true;
	case CONFIG_INT:
	case CONFIG_DOUBLE:
		return config_set_number(c, o, text, why, whylen);
	case CONFIG_BOOL:
		return config_set_bool(c, o, text, why, whylen);
	case CONFIG_MODE:
		if (!config_parse_mode(text, FIELD(c, o, int))) {
			snprintf(why, whylen, "%s: \"%s\" is not an octal file mode such as \"0600\"",
			    o->path, text);
			return false;
		}
		return true;
	case CONFIG_LEVEL:
		if (!log_level_parse(text, &level)) {
			snprintf(why, whylen, "%s: \"%s\" is not one of error, warn, info, debug",
			    o->path, text);
			return false;
		}
		*FIELD(c, o, int) = (int)level;
		return true;
	case CONFIG_LIST:
		config_list_free(*FIELD(c, o, char **));
		*FIELD(c, o, char **) = config_list_split(text);
		return true;
	}
	return false;
}

/* Fills in every default. */
static bool
config_defaults(struct config *c, char *why, size_t whylen)
{
	const struct config_option *o;

	for (o = config_options; o->path != NULL; o++) {
		if (o->def != NULL && !config_set_text(c, o, o->def, why, whylen))
			return false;
	}
	return true;
}

/* Fills computed defaults the file and flags left unset. */
static bool
config_computed(struct config *c, char *why, size_t whylen)
{
	if (c->listen_rpc_path == NULL &&
	    (c->listen_rpc_path = util_runtime_path("krpc", "rpc", why, whylen)) == NULL)
		return false;
	if (c->listen_stream_path == NULL &&
	    (c->listen_stream_path = util_runtime_path("krpc", "stream", why, whylen)) == NULL)
		return false;
	if (c->admin_path == NULL &&
	    (c->admin_path = util_runtime_path("krpcmux", "admin", why, whylen)) == NULL)
		return false;
	return true;
}

/* Reads a list setting (comma-free strings) into the config. */
static bool
config_set_list(struct config *c, const struct config_option *o, config_setting_t *s, char *why,
    size_t whylen)
{
	krpc_buf_t list = KRPC_BUF_INIT;
	const char *item;
	int i, n = config_setting_length(s);
	bool ok;

	for (i = 0; i < n; i++) {
		if ((item = config_setting_get_string_elem(s, i)) == NULL || strchr(item, ',') != NULL) {
			krpc_buf_free(&list);
			snprintf(why, whylen, "%s: item %d is not a string without commas", o->path,
			    i + 1);
			return false;
		}
		if (i > 0)
			krpc_buf_byte(&list, ',');
		krpc_buf_append(&list, item, strlen(item));
	}
	krpc_buf_byte(&list, '\0');
	xbuf_check(&list);
	ok = config_set_text(c, o, (const char *)list.data, why, whylen);
	krpc_buf_free(&list);
	return ok;
}

/* Reads one scalar or list setting into the config. */
static bool
config_set_setting(struct config *c, const struct config_option *o, config_setting_t *s,
    char *why, size_t whylen)
{
	int type = config_setting_type(s);
	char num[64];

	switch (o->type) {
	case CONFIG_INT:
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
			break;
		snprintf(num, sizeof num, "%lld", config_setting_get_int64(s));
		return config_set_text(c, o, num, why, whylen);
	case CONFIG_DOUBLE:
		if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64)
			snprintf(num, sizeof num, "%lld", config_setting_get_int64(s));
		else if (type == CONFIG_TYPE_FLOAT)
			snprintf(num, sizeof num, "%.17g", config_setting_get_float(s));
		else
			break;
		return config_set_text(c, o, num, why, whylen);
	case CONFIG_BOOL:
		if (type != CONFIG_TYPE_BOOL)
			break;
		return config_set_text(c, o, config_setting_get_bool(s) ? "true" : "false", why, whylen);
	case CONFIG_STRING:
	case CONFIG_MODE:
	case CONFIG_LEVEL:
		if (type != CONFIG_TYPE_STRING)
			break;
		return config_set_text(c, o, config_setting_get_string(s), why, whylen);
	case CONFIG_LIST:
		if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
			break;
		return config_set_list(c, o, s, why, whylen);
	}
	snprintf(why, whylen, "%s: must be %s", o->path,
	    o->type == CONFIG_INT ? "an integer" :
	    o->type == CONFIG_DOUBLE ? "a number" :
	    o->type == CONFIG_BOOL ? "true or false" :
	    o->type == CONFIG_LIST ? "a list of strings such as [\"Service.Procedure\"]" :
	    o->type == CONFIG_MODE ? "a string of octal digits such as \"0600\"" : "a string");
	return false;
}

/* Rejects settings the table does not know (typos must not pass silently). */
static bool
config_check_unknown(config_setting_t *group, const char *file, char *why, size_t whylen)
{
	config_setting_t *s;
	char path[256];
	const char *parent = config_setting_name(group);
	int i;

	for (i = 0; (s = config_setting_get_elem(group, (unsigned)i)) != NULL; i++) {
		if (parent != NULL)
			snprintf(path, sizeof path, "%s.%s", parent, config_setting_name(s));
		else
			snprintf(path, sizeof path, "%s", config_setting_name(s));
		if (config_setting_is_group(s) && parent == NULL) {
			if (!config_check_unknown(s, file, why, whylen))
				return false;
			continue;
		}
		if (config_find(path) == NULL) {
			snprintf(why, whylen, "%s:%d: %s: unknown option", file,
			    config_setting_source_line(s), path);
			return false;
		}
	}
	return true;
}

/* Reads the file's settings over the defaults. */
static bool
config_read_file_into(struct config *c, const char *file, char *why, size_t whylen)
{
	config_t lc;
	config_setting_t *s;
	const struct config_option *o;
	char detail[512];
	bool ok = false;

	config_init(&lc);
	if (!config_read_file(&lc, file)) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			snprintf(why, whylen, "%s: cannot read the file: %s", file, strerror(errno));
		else
			snprintf(why, whylen, "%s:%d: syntax error: %s", file, config_error_line(&lc),
			    config_error_text(&lc));
		goto out;
	}
	if (!config_check_unknown(config_root_setting(&lc), file, why, whylen))
		goto out;
	for (o = config_options; o->path != NULL; o++) {
		if ((s = config_lookup(&lc, o->path)) == NULL)
			continue;
		if (!config_set_setting(c, o, s, detail, sizeof detail)) {
			snprintf(why, whylen, "%s:%d: %s", file, config_setting_source_line(s), detail);
			goto out;
		}
	}
	ok = true;
out:
	config_destroy(&lc);
	return ok;
}

/* Checks a socket path's length (PROTOCOL.md 3.3: 100 bytes). */
static bool
config_check_path(const char *what, const char *path, char *why, size_t whylen)
{
	if (path != NULL && strlen(path) > 100) {
		snprintf(why, whylen, "%s: \"%s\" is longer than 100 bytes", what, path);
		return false;
	}
	return true;
}

/* Checks that two options are set together ("" or 0 meaning unset). */
static bool
config_pair(bool a_set, bool b_set, const char *a, const char *b, char *why, size_t whylen)
{
	if (a_set == b_set)
		return true;
	snprintf(why, whylen, "%s: must be set together with %s", a_set ? b : a, a_set ? a : b);
	return false;
}

/* Checks the listeners: pairs, distinct, at least one, never the server's own paths. */
static bool
config_validate_listen(const struct config *c, char *why, size_t whylen)
{
	bool up_unix = *c->upstream_rpc_path != '\0';

	if (!config_pair(*c->listen_rpc_path != '\0', *c->listen_stream_path != '\0',
	    "listen.rpc_path", "listen.stream_path", why, whylen) ||
	    !config_pair(c->listen_rpc_port != 0, c->listen_stream_port != 0, "listen.rpc_port",
	    "listen.stream_port", why, whylen))
		return false;
	if (c->listen_rpc_port != 0 && c->listen_rpc_port == c->listen_stream_port) {
		snprintf(why, whylen, "listen.stream_port: must differ from listen.rpc_port");
		return false;
	}
	if (*c->listen_rpc_path != '\0' && strcmp(c->listen_rpc_path, c->listen_stream_path) == 0) {
		snprintf(why, whylen, "listen.stream_path: must differ from listen.rpc_path");
		return false;
	}
	if (*c->listen_rpc_path == '\0' && c->listen_rpc_port == 0) {
		snprintf(why, whylen, "listen.rpc_path: no listener configured (set a path or a port)");
		return false;
	}
	if (up_unix && (strcmp(c->upstream_rpc_path, c->listen_rpc_path) == 0 ||
	    strcmp(c->upstream_rpc_path, c->listen_stream_path) == 0 ||
	    strcmp(c->upstream_stream_path, c->listen_rpc_path) == 0 ||
	    strcmp(c->upstream_stream_path, c->listen_stream_path) == 0)) {
		snprintf(why, whylen, "listen.rpc_path: the proxy must not listen on the server's own "
		    "socket path");
		return false;
	}
	return true;
}

/* Checks the options against each other. */
static bool
config_validate(const struct config *c, char *why, size_t whylen)
{
	if (!config_pair(*c->upstream_rpc_path != '\0', *c->upstream_stream_path != '\0',
	    "upstream.rpc_path", "upstream.stream_path", why, whylen) ||
	    !config_validate_listen(c, why, whylen))
		return false;
	if (c->limits_output_low >= c->limits_output_high) {
		snprintf(why, whylen, "limits.output_low_watermark: must be below "
		    "limits.output_high_watermark (%d)", c->limits_output_high);
		return false;
	}
	if (c->upstream_retry_min > c->upstream_retry_max) {
		snprintf(why, whylen, "upstream.retry_min: must not exceed upstream.retry_max (%g)",
		    c->upstream_retry_max);
		return false;
	}
	return config_check_path("listen.rpc_path", c->listen_rpc_path, why, whylen) &&
	    config_check_path("listen.stream_path", c->listen_stream_path, why, whylen) &&
	    config_check_path("upstream.rpc_path", c->upstream_rpc_path, why, whylen) &&
	    config_check_path("upstream.stream_path", c->upstream_stream_path, why, whylen) &&
	    config_check_path("admin.path", c->admin_path, why, whylen);
}

/* Loads the configuration: defaults, then the file, then the flags. */
struct config *
config_load(const char *file, bool missing_ok, const struct config_flag *flags, size_t nflags,
    char *why, size_t whylen)
{
	struct config *c = xcalloc(1, sizeof *c);
	char detail[512];
	size_t i;

	if (!config_defaults(c, why, whylen))
		goto fail;
	if (file != NULL && !(missing_ok && access(file, F_OK) != 0) &&
	    !config_read_file_into(c, file, why, whylen))
		goto fail;
	for (i = 0; i < nflags; i++) {
		if (!config_set_text(c, flags[i].option, flags[i].value, detail, sizeof detail)) {
			/* "upstream.rpc_port: ..." becomes "--upstream-rpc-port: ..." */
			snprintf(why, whylen, "--%s%s", flags[i].option->flag,
			    detail + strlen(flags[i].option->path));
			goto fail;
		}
	}
	if (!config_computed(c, why, whylen) || !config_validate(c, why, whylen) ||
	    (c->access = access_parse(c, why, whylen)) == NULL)
		goto fail;
	return c;
fail:
	config_free(c);
	return NULL;
}

/* Frees a configuration. */
void
config_free(struct config *c)
{
	const struct config_option *o;

	if (c == NULL)
		return;
	for (o = config_options; o->path != NULL; o++) {
		if (o->type == CONFIG_STRING)
			free(*FIELD(c, o, char *));
		else if (o->type == CONFIG_LIST)
			config_list_free(*FIELD(c, o, char **));
	}
	access_free(c->access);
	free(c);
}

/* The option of a command-line flag. */
const struct config_option *
config_find_flag(const char *flag)
{
	const struct config_option *o;

	for (o = config_options; o->path != NULL; o++) {
		if (o->flag != NULL && strcmp(o->flag, flag) == 0)
			return o;
	}
	return NULL;
}

/* The option at a path. */
const struct config_option *
config_find(const char *path)
{
	const struct config_option *o;

	for (o = config_options; o->path != NULL; o++) {
		if (strcmp(o->path, path) == 0)
			return o;
	}
	return NULL;
}

/* Writes an option's value as text. */
void
config_format(const struct config *c, const struct config_option *o, char *out, size_t len)
{
	char **list;
	size_t i, n = 0;

	switch (o->type) {
	case CONFIG_STRING:
		snprintf(out, len, "%s", *FIELD(c, o, char *) ? *FIELD(c, o, char *) : "");
		break;
	case CONFIG_INT:
		snprintf(out, len, "%d", *FIELD(c, o, int));
		break;
	case CONFIG_DOUBLE:
		snprintf(out, len, "%g", *FIELD(c, o, double));
		break;
	case CONFIG_BOOL:
		snprintf(out, len, "%s", *FIELD(c, o, bool) ? "true" : "false");
		break;
	case CONFIG_MODE:
		snprintf(out, len, "%04o", (unsigned)*FIELD(c, o, int));
		break;
	case CONFIG_LEVEL:
		snprintf(out, len, "%s", log_level_name((enum log_level)*FIELD(c, o, int)));
		break;
	case CONFIG_LIST:
		list = *FIELD(c, o, char **);
		out[0] = '\0';
		for (i = 0; list != NULL && list[i] != NULL && n < len; i++)
			n += (size_t)snprintf(out + n, len - n, "%s%s", i ? "," : "", list[i]);
		break;
	}
}

/* True if the option's value differs between two configurations. */
bool
config_differs(const struct config *a, const struct config *b, const struct config_option *o)
{
	char va[4096], vb[4096];

	config_format(a, o, va, sizeof va);
	config_format(b, o, vb, sizeof vb);
	return strcmp(va, vb) != 0;
}

/* Swaps one option's value between two configurations. */
void
config_swap_option(struct config *a, struct config *b, const struct config_option *o)
{
	uint8_t tmp[sizeof(double) > sizeof(void *) ? sizeof(double) : sizeof(void *)];
	size_t size;

	switch (o->type) {
	case CONFIG_STRING:
	case CONFIG_LIST:
		size = sizeof(void *);
		break;
	case CONFIG_DOUBLE:
		size = sizeof(double);
		break;
	case CONFIG_BOOL:
		size = sizeof(bool);
		break;
	default:
		size = sizeof(int);
		break;
	}
	memcpy(tmp, (char *)a + o->offset, size);
	memcpy((char *)a + o->offset, (char *)b + o->offset, size);
	memcpy((char *)b + o->offset, tmp, size);
}

/* True if Service.Procedure is in the slow-lane list. */
bool
config_is_slow(const struct config *c, const char *service, const char *procedure)
{
	size_t i, sl = strlen(service);
	const char *p;

	for (i = 0; c->upstream_slow_procedures[i] != NULL; i++) {
		p = c->upstream_slow_procedures[i];
		if (strncmp(p, service, sl) == 0 && p[sl] == '.' && strcmp(p + sl + 1, procedure) == 0)
			return true;
	}
	return false;
}
