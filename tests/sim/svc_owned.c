/*
 * krpc-sim: client-owned objects for the Drawing and UI services (see
 * svc_owned.h): creation, ownership checks on Remove, Clear(clientOnly),
 * destruction with the owner's disconnection, and plain value properties.
 */
#include <stdlib.h>

#include "svc_owned.h"

/* A new object of class cls, owned by the caller unless owned is false. */
struct svc_owned *
svc_owned_new(sim_call_t *c, struct svc_owned_set *set, const char *cls, int kind,
    struct svc_owned *parent, bool owned)
{
	struct svc_owned *o = calloc(1, sizeof *o);

	if (o == NULL) {
		sim_error(c, NULL, NULL, "Out of memory");
		return NULL;
	}
	o->cls = cls;
	o->kind = kind;
	o->parent = parent;
	o->owner = owned ? sim_call_client(c) : NULL;
	o->id = sim_object_add(sim_call_server(c), set->service, cls, o);
	if (o->id == 0) {
		free(o);
		sim_error(c, NULL, NULL, "Out of memory");
		return NULL;
	}
	o->next = set->all;
	set->all = o;
	return o;
}

/* Returns the object's id. */
sim_rc_t
svc_owned_return(sim_call_t *c, struct svc_owned *o)
{
	if (o != NULL)
		sim_return(c, krpc_value_object(o->id));
	return SIM_DONE;
}

/* Destroys an object and what was placed inside it. */
static void
svc_owned_destroy(sim_server_t *srv, struct svc_owned_set *set, struct svc_owned *o)
{
	struct svc_owned *x;

	if (o->destroyed)
		return;
	o->destroyed = true;
	o->owner = NULL;
	sim_object_remove(srv, o->id);
	for (x = set->all; x != NULL; x = x->next) {
		if (x->parent == o)
			svc_owned_destroy(srv, set, x);
	}
}

/* <Class>_Remove: only the owner may; to anyone else the object is not found. */
sim_rc_t
svc_owned_remove(sim_call_t *c, struct svc_owned_set *set)
{
	struct svc_owned *o = sim_arg_data(c, 0);

	if (o->owner == NULL || o->owner != sim_call_client(c)) {
		sim_error(c, "KRPC", "ArgumentException", "%s", set->not_found);
		return SIM_DONE;
	}
	svc_owned_destroy(sim_call_server(c), set, o);
	return SIM_DONE;
}

/* Clear(clientOnly): the caller's objects, or every client's (the game's own stay). */
sim_rc_t
svc_owned_clear(sim_call_t *c, struct svc_owned_set *set)
{
	sim_client_t *me = sim_call_client(c);
	bool mine = sim_arg_bool(c, 0);
	struct svc_owned *o;

	for (o = set->all; o != NULL; o = o->next) {
		if (o->owner != NULL && (!mine || o->owner == me))
			svc_owned_destroy(sim_call_server(c), set, o);
	}
	return SIM_DONE;
}

/* A client left: the objects it owned are destroyed. */
void
svc_owned_client_gone(sim_server_t *srv, struct svc_owned_set *set, sim_client_t *gone)
{
	struct svc_owned *o;

	for (o = set->all; o != NULL; o = o->next) {
		if (o->owner == gone)
			svc_owned_destroy(srv, set, o);
	}
}

/* Frees every object of the set. */
void
svc_owned_free_all(struct svc_owned_set *set)
{
	struct svc_owned *o, *next;
	int i;

	for (o = set->all; o != NULL; o = next) {
		next = o->next;
		for (i = 0; i < SVC_OWNED_PROPS; i++)
			krpc_value_free(o->props[i]);
		free(o);
	}
	set->all = NULL;
}

/* Stores a property value (taking it). */
void
svc_owned_put(struct svc_owned *o, int slot, krpc_value_t *v)
{
	krpc_value_free(o->props[slot]);
	o->props[slot] = v;
}

/* A copy of argument i. */
krpc_value_t *
svc_owned_arg(sim_call_t *c, size_t i)
{
	krpc_value_t *v = krpc_value_clone(sim_arg(c, i));

	if (v == NULL)
		sim_error(c, NULL, NULL, "Out of memory");
	return v;
}

/* A property getter: the stored value of the instance. */
sim_rc_t
svc_owned_get(sim_call_t *c, int slot)
{
	struct svc_owned *o = sim_arg_data(c, 0);
	krpc_value_t *v = krpc_value_clone(o->props[slot]);

	if (v == NULL)
		sim_error(c, NULL, NULL, "Out of memory");
	else
		sim_return(c, v);
	return SIM_DONE;
}

/* A property setter: argument 1 becomes the stored value. */
sim_rc_t
svc_owned_set(sim_call_t *c, int slot)
{
	krpc_value_t *v = svc_owned_arg(c, 1);

	if (v != NULL)
		svc_owned_put(sim_arg_data(c, 0), slot, v);
	return SIM_DONE;
}
