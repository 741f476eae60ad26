/*
 * Helpers shared by the krpc-sim integration tests (see simtest.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simtest.h"

/*
 * Puts the words of $KRPC_SIM_WRAPPER (e.g. "valgrind --leak-check=full")
 * at the start of argv, at most max of them, so that every krpc-sim the
 * tests start runs under that tool; returns how many.
 */
static int
simtest_wrapper(const char **argv, int max)
{
	static char words[512];
	const char *env = getenv("KRPC_SIM_WRAPPER");
	char *w, *save = NULL;
	int n = 0;

	if (env == NULL || *env == '\0')
		return 0;
	snprintf(words, sizeof words, "%s", env);
	for (w = strtok_r(words, " ", &save); w != NULL && n < max; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	return n;
}

/* Starts krpc-sim and reads its ports from the ready line. */
int
simtest_start(struct simtest *t, const char *prefix, const char *const *extra)
{
	const char *argv[32];
	const char *out, *line;
	char name[64];
	int n = 0, i;

	memset(t, 0, sizeof *t);
	n = simtest_wrapper(argv, 8);
	argv[n++] = th_bin("tests/sim/krpc-sim");
	argv[n++] = "--rpc-port";
	argv[n++] = "0";
	argv[n++] = "--stream-port";
	argv[n++] = "0";
	argv[n++] = "--quiet";
	if (prefix != NULL) {
		snprintf(name, sizeof name, "%s-rpc", prefix);
		snprintf(t->rpc_path, sizeof t->rpc_path, "%s", th_tmp(name));
		snprintf(name, sizeof name, "%s-stream", prefix);
		snprintf(t->stream_path, sizeof t->stream_path, "%s", th_tmp(name));
		argv[n++] = "--rpc-path";
		argv[n++] = t->rpc_path;
		argv[n++] = "--stream-path";
		argv[n++] = t->stream_path;
	}
	for (i = 0; extra != NULL && extra[i] != NULL && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	if ((t->proc = th_spawn(argv, prefix ? t->stream_path : "stream=",
	    getenv("KRPC_SIM_WRAPPER") ? 120.0 : 10.0)) == NULL)
		return -1;
	out = th_proc_stdout(t->proc);
	if ((line = strstr(out, "rpc=127.0.0.1:")) == NULL ||
	    sscanf(line, "rpc=127.0.0.1:%d stream=127.0.0.1:%d", &t->rpc_port, &t->stream_port) != 2) {
		fprintf(stderr, "simtest: no TCP ports in the ready line: %s\n", out);
		simtest_stop(t);
		return -1;
	}
	return 0;
}

/* Stops the server. */
void
simtest_stop(struct simtest *t)
{
	th_proc_stop(t->proc);
	t->proc = NULL;
}

/* A TCP client on the server. */
th_client_t *
simtest_client(const struct simtest *t, const char *name, bool stream)
{
	return th_client_tcp(t->rpc_port, stream ? t->stream_port : 0, name);
}

/* The object id of a CLASS value. */
uint64_t
simtest_object(krpc_value_t *v)
{
	uint64_t id = 0;

	if (v != NULL && krpc_value_as_object(v, &id) != KRPC_OK)
		id = 0;
	krpc_value_free(v);
	return id;
}

/* The stream id of a STREAM or EVENT value. */
uint64_t
simtest_stream_id(krpc_value_t *v, bool event)
{
	Krpc__Schema__Stream *s = NULL;
	Krpc__Schema__Event *e = NULL;
	const uint8_t *data;
	uint64_t id = UINT64_MAX;
	size_t len = 0;

	if (v == NULL)
		return id;
	data = krpc_value_data(v, &len);
	if (event && (e = krpc__schema__event__unpack(NULL, len, data)) != NULL) {
		id = e->stream ? e->stream->id : 0;
		krpc__schema__event__free_unpacked(e, NULL);
	} else if (!event && (s = krpc__schema__stream__unpack(NULL, len, data)) != NULL) {
		id = s->id;
		krpc__schema__stream__free_unpacked(s, NULL);
	}
	krpc_value_free(v);
	return id;
}

/* KRPC.GetStatus. */
Krpc__Schema__Status *
simtest_status(th_client_t *c)
{
	krpc_value_t *v = th_call_value(c, "status", "KRPC", "GetStatus", 0);
	Krpc__Schema__Status *st = NULL;
	const uint8_t *data;
	size_t len;

	if (v != NULL) {
		data = krpc_value_data(v, &len);
		st = krpc__schema__status__unpack(NULL, len, data);
	}
	krpc_value_free(v);
	return st;
}

/* One call by numeric ids. */
Krpc__Schema__Response *
simtest_call_ids(th_client_t *c, uint32_t service_id, uint32_t procedure_id)
{
	Krpc__Schema__ProcedureCall pc = KRPC__SCHEMA__PROCEDURE_CALL__INIT;
	Krpc__Schema__ProcedureCall *calls[1] = { &pc };
	Krpc__Schema__Request req = KRPC__SCHEMA__REQUEST__INIT;

	pc.service_id = service_id;
	pc.procedure_id = procedure_id;
	req.n_calls = 1;
	req.calls = calls;
	if (th_send_msg(c->rpc, &req.base) != 0)
		return NULL;
	return th_recv_response(c, 10.0);
}

/* Counts updates carrying id within seconds. */
int
simtest_count_updates(th_client_t *c, uint64_t id, double seconds)
{
	double end = th_now() + seconds;
	Krpc__Schema__StreamUpdate *u;
	int n = 0;
	size_t i;

	while (th_now() < end) {
		if ((u = th_recv_update(c, end - th_now())) == NULL)
			break;
		for (i = 0; i < u->n_results; i++)
			n += u->results[i]->id == id;
		krpc__schema__stream_update__free_unpacked(u, NULL);
	}
	return n;
}
