/*
 * The rules: what the game ties to the calling client, in one table.  Some
 * procedures answer or act for their caller (kRPC's CallContext.Client):
 * their calls run on the client's own upstream session (session.c), never
 * on the shared connection, and their streams are never shared.  The
 * services named in upstream.isolate are treated so as a whole (exact
 * ownership: the game itself sees which client made what).  The ownership
 * ledger's rules (what a client takes and what releases it when it leaves)
 * are rows of this same table.
 */
#include "config.h"

#include <string.h>

#include "krpcmuxd.h"

/* The procedures whose value or effect depends on the caller, besides KRPC's own. */
static const struct rule rules_table[] = {
	/* Counts per calling client and id (TESTSERVICE.md 3); a stream of it counts its owner's. */
	{ "TestService", "Counter", RULE_CALLER },
	{ "TestService", "CounterStruct", RULE_CALLER },
	{ NULL, NULL, 0 },
};

/* The rule for a procedure, or NULL. */
const struct rule *
rules_find(const char *service, const char *procedure)
{
	const struct rule *r;

	for (r = rules_table; r->service != NULL; r++) {
		if (strcmp(r->service, service) == 0 && strcmp(r->procedure, procedure) == 0)
			return r;
	}
	return NULL;
}

/* True if an entry of upstream.isolate ("Service" or "Service.Procedure") names the procedure. */
static bool
rules_listed(const struct config *c, const char *service, const char *procedure)
{
	size_t i, sl = strlen(service);
	const char *p;

	for (i = 0; c->upstream_isolate != NULL && c->upstream_isolate[i] != NULL; i++) {
		p = c->upstream_isolate[i];
		if (strncmp(p, service, sl) != 0)
			continue;
		if (p[sl] == '\0' || (p[sl] == '.' && strcmp(p + sl + 1, procedure) == 0))
			return true;
	}
	return false;
}

/*
 * True if calls of the procedure run on the calling client's own session:
 * it depends on its caller, or upstream.isolate names it or its service.
 * KRPC's own procedures never do: the proxy answers or maps them itself.
 */
bool
rules_isolated(const struct config *c, const char *service, const char *procedure)
{
	const struct rule *r;

	if (strcmp(service, "KRPC") == 0)
		return false;
	if ((r = rules_find(service, procedure)) != NULL && r->kind == RULE_CALLER)
		return true;
	return rules_listed(c, service, procedure);
}
