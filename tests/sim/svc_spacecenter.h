/*
 * krpc-sim's SpaceCenter subset, shared by its two files: svc_spacecenter.c
 * (the service table, the flight model, the vessel's fixed objects) and
 * svc_sc_pilot.c (the auto-pilot and the manual control inputs, which the
 * game gives back when the client that took them disconnects).
 */
#ifndef KRPC_SIM_SVC_SPACECENTER_H
#define KRPC_SIM_SVC_SPACECENTER_H

#include "sim.h"

/* Reference frames of the subset. */
enum svc_sc_frame {
	SVC_SC_FRAME_SURFACE,	/* the vessel's surface frame (Flight's default) */
	SVC_SC_FRAME_VESSEL,	/* the vessel's own frame */
	SVC_SC_FRAME_BODY,	/* Kerbin's rotating frame */
	SVC_SC_NFRAMES,
};

/* An object of the subset: the data the object store holds. */
struct svc_sc_obj {
	const char		*cls;
	enum svc_sc_frame	 frame;		/* ReferenceFrame and Flight */
	uint64_t		 id;		/* its id once stored */
};

/* svc_spacecenter.c: returns one of the fixed objects (stored on first use). */
sim_rc_t	 svc_sc_ret_obj(sim_call_t *, struct svc_sc_obj *);
/* svc_spacecenter.c: the frame of a ReferenceFrame argument; null means the surface frame. */
enum svc_sc_frame svc_sc_arg_frame(sim_call_t *, size_t i);
/* svc_spacecenter.c: the ReferenceFrame object of a frame. */
struct svc_sc_obj *svc_sc_frame_obj(enum svc_sc_frame);

/* svc_sc_pilot.c: the vessel's auto-pilot and manual inputs as at launch (start and exit). */
void		 svc_sc_pilot_reset(void);
/* svc_sc_pilot.c: a client left: its auto-pilot engagement and inputs are released. */
void		 svc_sc_pilot_client_gone(sim_server_t *, sim_client_t *);
/* svc_sc_pilot.c: Control_set_Throttle counts its caller as a client that set inputs. */
void		 svc_sc_pilot_took_inputs(sim_call_t *);

/* svc_sc_pilot.c: the handlers. */
sim_rc_t	 svc_sc_pilot_get(sim_call_t *);		/* Vessel_get_AutoPilot */
sim_rc_t	 svc_sc_pilot_engage(sim_call_t *);
sim_rc_t	 svc_sc_pilot_disengage(sim_call_t *);
sim_rc_t	 svc_sc_pilot_error(sim_call_t *);
sim_rc_t	 svc_sc_pilot_pitch_error(sim_call_t *);
sim_rc_t	 svc_sc_pilot_heading_error(sim_call_t *);
sim_rc_t	 svc_sc_pilot_roll_error(sim_call_t *);
sim_rc_t	 svc_sc_pilot_get_frame(sim_call_t *);
sim_rc_t	 svc_sc_pilot_set_frame(sim_call_t *);
sim_rc_t	 svc_sc_pilot_get_target_pitch(sim_call_t *);
sim_rc_t	 svc_sc_pilot_set_target_pitch(sim_call_t *);
sim_rc_t	 svc_sc_pilot_get_target_heading(sim_call_t *);
sim_rc_t	 svc_sc_pilot_set_target_heading(sim_call_t *);
sim_rc_t	 svc_sc_pilot_get_target_roll(sim_call_t *);
sim_rc_t	 svc_sc_pilot_set_target_roll(sim_call_t *);
sim_rc_t	 svc_sc_pilot_pitch_and_heading(sim_call_t *);

/*
 * The manual control inputs besides the throttle (kRPC's Control.cs), each
 * from -1 to 1: X(wire name, C name, what it steers).  The game zeroes them
 * all once every client that set an input (the throttle too) has gone.
 */
#define SVC_SC_INPUTS(X)						\
	X(Pitch, pitch, "pitch control; the w and s keys")		\
	X(Yaw, yaw, "yaw control; the a and d keys")			\
	X(Roll, roll, "roll control; the q and e keys")			\
	X(Forward, forward, "forward translation; the h and n keys")	\
	X(Up, up, "up translation; the i and k keys")			\
	X(Right, right, "right translation; the j and l keys")		\
	X(WheelThrottle, wheel_throttle, "wheel throttle (1 forwards, -1 backwards)") \
	X(WheelSteering, wheel_steering, "wheel steering (1 left, -1 right)")

#define SVC_SC_INPUT_DECL(wire, name, what)				\
	sim_rc_t svc_sc_pilot_get_##name(sim_call_t *);			\
	sim_rc_t svc_sc_pilot_set_##name(sim_call_t *);
SVC_SC_INPUTS(SVC_SC_INPUT_DECL)
#undef SVC_SC_INPUT_DECL

#endif
