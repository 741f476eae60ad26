/*
 * krpc-sim: objects a client creates and owns, as kRPC's Drawing and UI
 * services keep them (ClientOwnedObjects): each belongs to the client whose
 * call made it, only that client may Remove it, Clear(clientOnly) removes
 * the caller's or everyone's, and the owner's disconnection destroys them.
 * A destroyed object is gone from the object store (using it fails with
 * ObjectDestroyedException), and so are the objects placed inside it.  The
 * properties are plain values kept per object (svc_drawing.c, svc_ui.c).
 */
#ifndef KRPC_SIM_SVC_OWNED_H
#define KRPC_SIM_SVC_OWNED_H

#include "sim.h"

#define SVC_OWNED_PROPS	6

struct svc_owned {
	uint64_t		 id;
	const char		*cls;
	sim_client_t		*owner;		/* NULL: the game's (not removable) */
	bool			 destroyed;
	struct svc_owned	*parent;	/* destroyed with it (UI), or NULL */
	int			 kind;		/* the service's own tag */
	krpc_value_t		*props[SVC_OWNED_PROPS];
	struct svc_owned	*next;		/* the set, newest first */
};

/* One service's objects. */
struct svc_owned_set {
	const char		*service;
	const char		*not_found;	/* Remove of an object the caller does not own */
	struct svc_owned	*all;
};

/*
 * A new object of class cls in the set, owned by the caller (or by nobody
 * with owned false), inside parent (may be NULL), stored in the object
 * store; NULL with the call's error set if out of memory.
 */
struct svc_owned *svc_owned_new(sim_call_t *, struct svc_owned_set *, const char *cls,
		    int kind, struct svc_owned *parent, bool owned);
/* Returns the object to the caller (its id). */
sim_rc_t	 svc_owned_return(sim_call_t *, struct svc_owned *);
/* <Class>_Remove: the caller's own object is destroyed; another's is not found. */
sim_rc_t	 svc_owned_remove(sim_call_t *, struct svc_owned_set *);
/* Clear(clientOnly = false): the caller's objects, or every object. */
sim_rc_t	 svc_owned_clear(sim_call_t *, struct svc_owned_set *);
/* A client left: its objects are destroyed. */
void		 svc_owned_client_gone(sim_server_t *, struct svc_owned_set *, sim_client_t *);
/* Frees the set (exit). */
void		 svc_owned_free_all(struct svc_owned_set *);
/* The value of property slot of the instance (argument 0); sets it from argument 1. */
sim_rc_t	 svc_owned_get(sim_call_t *, int slot);
sim_rc_t	 svc_owned_set(sim_call_t *, int slot);
/* Stores a property (takes the value). */
void		 svc_owned_put(struct svc_owned *, int slot, krpc_value_t *);
/* A copy of argument i (NULL with the call's error set if out of memory). */
krpc_value_t	*svc_owned_arg(sim_call_t *, size_t i);

#endif
