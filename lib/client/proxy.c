/*
 * One error model behind krpcmuxd: the proxy reports its own failures (the
 * game's server lost or not reachable, a broken upstream response) as
 * plain server errors and handshake refusals whose texts begin with
 * "krpcmuxd: "; a direct client meets the same failures as lost or refused
 * connections.  These map them to the codes of the direct case.
 */
#include <string.h>

#include "internal.h"

static const struct {
	const char	*prefix;
	krpc_code_t	 code;
} proxy_failures[] = {
	/* in flight when the game's server went away (krpcmuxd(8), THE GAME'S CONNECTION) */
	{ "krpcmuxd: lost the connection to the game's kRPC server", KRPC_ERR_IO },
	/* sent while it is away */
	{ "krpcmuxd: the game's kRPC server is not connected", KRPC_ERR_IO },
	/* a handshake that waited for it in vain (a TIMEOUT refusal) */
	{ "krpcmuxd: the game's kRPC server is not reachable", KRPC_ERR_IO },
	{ "krpcmuxd: the server sent a malformed", KRPC_ERR_PROTOCOL },
};

/* The code of a krpcmuxd failure text, or KRPC_OK for any other text. */
static krpc_code_t
proxy_code(const char *text)
{
	size_t i;

	for (i = 0; text != NULL && i < sizeof proxy_failures / sizeof proxy_failures[0]; i++) {
		if (strncmp(text, proxy_failures[i].prefix, strlen(proxy_failures[i].prefix)) == 0)
			return proxy_failures[i].code;
	}
	return KRPC_OK;
}

/* Records a server error: krpcmuxd's own failures under their direct codes, the rest as KRPC_ERR_RPC. */
krpc_code_t
krpc_proxy_error(const Krpc__Schema__Error *e)
{
	krpc_code_t code = KRPC_OK;

	if ((e->service == NULL || *e->service == '\0') && (e->name == NULL || *e->name == '\0'))
		code = proxy_code(e->description);
	if (code != KRPC_OK)
		return krpc_error_set(code, "%s", e->description);
	return krpc_error_set_rpc(e);
}

/* Records a refused handshake: krpcmuxd waiting in vain for the game is KRPC_ERR_IO. */
krpc_code_t
krpc_proxy_refusal(const char *status, const char *message)
{
	krpc_code_t code = strcmp(status, "TIMEOUT") == 0 ? proxy_code(message) : KRPC_OK;

	if (code != KRPC_OK)
		return krpc_error_set(code, "%s", message);
	return krpc_error_set_handshake(status, message);
}
