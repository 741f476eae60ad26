/*
 * krpc-sim object store (PROTOCOL.md section 9): one per server, shared by
 * every connection, ids from 1 (0 is null), never reused while the process
 * runs.  Services own their objects' data unless stored with a free function.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct object {
	char	*service;
	char	*cls;
	void	*data;
	void	(*free_fn)(void *);
	bool	 removed;
};

struct object_store {
	struct object	*v;	/* id = index + 1 */
	size_t		 n;
	size_t		 cap;
};

/* The object with id, or NULL if never issued. */
static struct object *
object_at(struct object_store *st, uint64_t id)
{
	if (id == 0 || id > st->n)
		return NULL;
	return &st->v[id - 1];
}

/* True if o is a live object of that class. */
static bool
object_is(const struct object *o, const char *service, const char *cls)
{
	return !o->removed && strcmp(o->service, service) == 0 && strcmp(o->cls, cls) == 0;
}

/* A new empty store. */
struct object_store *
object_store_new(void)
{
	return util_calloc(1, sizeof(struct object_store));
}

/* Frees the store and the data stored with a free function. */
void
object_store_free(struct object_store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++) {
		if (st->v[i].free_fn != NULL && !st->v[i].removed)
			st->v[i].free_fn(st->v[i].data);
		free(st->v[i].service);
		free(st->v[i].cls);
	}
	free(st->v);
	free(st);
}

/* Stores data under a new id; free_fn (may be NULL) frees it with the store. */
uint64_t
object_add_owned(sim_server_t *s, const char *service, const char *cls, void *data,
    void (*free_fn)(void *))
{
	struct object_store *st = server_objects(s);
	struct object *o;

	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->v = util_reallocarray(st->v, st->cap, sizeof *st->v);
	}
	o = &st->v[st->n++];
	o->service = util_strdup(service);
	o->cls = util_strdup(cls);
	o->data = data;
	o->free_fn = free_fn;
	o->removed = false;
	return st->n;
}

/*
 * Checks an object id met while decoding a request: it exists and was not
 * destroyed, and (with a service) is of that class.  -1 with a request-level
 * error in err (unless err is NULL).
 */
int
object_check(sim_server_t *s, uint64_t id, const char *service, const char *cls,
    struct sim_err *err)
{
	struct object *o = object_at(server_objects(s), id);
	char have[256];

	if (o == NULL || o->removed || (service != NULL && (strcmp(o->service, service) != 0 ||
	    strcmp(o->cls, cls) != 0))) {
		if (err == NULL)
			return -1;
	} else
		return 0;
	if (o == NULL)
		err_set(err, "KRPC", "ArgumentException", "Instance not found");
	else if (o->removed)
		err_set(err, "KRPC", "ObjectDestroyedException", "The object with id %" PRIu64
		    " no longer exists, as the game object it referred to was destroyed", id);
	else {
		snprintf(have, sizeof have, "%s", services_class_dotnet(o->service, o->cls));
		err_set(err, "KRPC", "ArgumentException", "Object with id %" PRIu64
		    " is of type %s, not %s", id, have, services_class_dotnet(service, cls));
	}
	err_trace(err, "KRPC.Service.ObjectStore.GetInstance (System.UInt64 instanceId)",
	    "KRPC.Server.ProtocolBuffers.Encoder.Decode (Google.Protobuf.ByteString value, "
	    "System.Type type)", NULL);
	return -1;
}

/* The .NET name of object id's class ("?" if there is no such object). */
const char *
object_dotnet(sim_server_t *s, uint64_t id)
{
	struct object *o = object_at(server_objects(s), id);

	return o != NULL ? services_class_dotnet(o->service, o->cls) : "?";
}

/* ---- the sim.h API --------------------------------------------------- */

/* Finds a stored object of a class for which match(data, key) holds. */
uint64_t
sim_object_find(sim_server_t *s, const char *service, const char *cls,
    bool (*match)(const void *, const void *), const void *key)
{
	struct object_store *st = server_objects(s);
	size_t i;

	for (i = 0; i < st->n; i++) {
		if (object_is(&st->v[i], service, cls) && match(st->v[i].data, key))
			return i + 1;
	}
	return 0;
}

/* Stores data (owned by the service) under a new id. */
uint64_t
sim_object_add(sim_server_t *s, const char *service, const char *cls, void *data)
{
	return object_add_owned(s, service, cls, data, NULL);
}

/* The data of object id if it is of that class, else NULL. */
void *
sim_object_get(sim_server_t *s, uint64_t id, const char *service, const char *cls)
{
	struct object *o = object_at(server_objects(s), id);

	if (o == NULL || !object_is(o, service, cls))
		return NULL;
	return o->data;
}

/* Destroys object id: later uses fail with ObjectDestroyedException. */
void
sim_object_remove(sim_server_t *s, uint64_t id)
{
	struct object *o = object_at(server_objects(s), id);

	if (o != NULL)
		o->removed = true;
}
