/*
 * krpc-sim: the vessel's auto-pilot and manual control inputs, with the
 * ownership the game gives them (kRPC's AutoPilot.cs and PilotAddon.cs).
 * The auto-pilot belongs to the client that last engaged it: when that
 * client disconnects, the game resets its reference frame (the vessel's
 * surface frame), target pitch and heading (0) and roll (none) and
 * disengages it.  Manual inputs (pitch, yaw, roll, translation, wheels) are
 * zeroed, the throttle kept, once every client that set any input (the
 * throttle included) has disconnected.
 */
#include <math.h>
#include <stdlib.h>

#include "svc_spacecenter.h"

/* The vessel points straight up: its pitch, heading and roll, in degrees. */
#define SVC_SC_PILOT_PITCH	90.0
#define SVC_SC_PILOT_HEADING	0.0
#define SVC_SC_PILOT_ROLL	0.0

enum svc_sc_input {
#define SVC_SC_INPUT_ENUM(wire, name, what) SVC_SC_IN_##name,
	SVC_SC_INPUTS(SVC_SC_INPUT_ENUM)
#undef SVC_SC_INPUT_ENUM
	SVC_SC_NINPUTS,
};

static struct svc_sc_obj svc_sc_pilot_obj = { .cls = "AutoPilot" };

static struct {
	bool		 engaged;
	sim_client_t	*engager;	/* the client whose Engage holds it */
	enum svc_sc_frame frame;	/* of the targets */
	float		 pitch;		/* target pitch, heading and roll, degrees */
	float		 heading;
	float		 roll;		/* NaN: no target roll */
	float		 inputs[SVC_SC_NINPUTS];
	sim_client_t	**setters;	/* the clients that set an input */
	size_t		 nsetters;
} svc_sc_pilot;

/* The auto-pilot disengaged with its defaults (the surface frame, 0, 0, no roll). */
static void
svc_sc_pilot_defaults(void)
{
	svc_sc_pilot.engaged = false;
	svc_sc_pilot.engager = NULL;
	svc_sc_pilot.frame = SVC_SC_FRAME_SURFACE;
	svc_sc_pilot.pitch = 0;
	svc_sc_pilot.heading = 0;
	svc_sc_pilot.roll = NAN;
}

/* As at launch: disengaged, no inputs, nobody counted (also frees the client list). */
void
svc_sc_pilot_reset(void)
{
	size_t i;

	free(svc_sc_pilot.setters);
	svc_sc_pilot.setters = NULL;
	svc_sc_pilot.nsetters = 0;
	for (i = 0; i < SVC_SC_NINPUTS; i++)
		svc_sc_pilot.inputs[i] = 0;
	svc_sc_pilot_defaults();
	svc_sc_pilot_obj.id = 0;
}

/* Counts the calling client among those that set an input. */
void
svc_sc_pilot_took_inputs(sim_call_t *c)
{
	sim_client_t *me = sim_call_client(c), **more;
	size_t i;

	for (i = 0; i < svc_sc_pilot.nsetters; i++) {
		if (svc_sc_pilot.setters[i] == me)
			return;
	}
	more = realloc(svc_sc_pilot.setters, (svc_sc_pilot.nsetters + 1) * sizeof *more);
	if (more == NULL)
		return;		/* the count is a courtesy; the input is set anyway */
	svc_sc_pilot.setters = more;
	svc_sc_pilot.setters[svc_sc_pilot.nsetters++] = me;
}

/*
 * A client left: the auto-pilot it engaged is reset and disengaged, and
 * once no client that set an input is left, the inputs but the throttle
 * are zeroed.
 */
void
svc_sc_pilot_client_gone(sim_server_t *srv, sim_client_t *gone)
{
	size_t i;
	bool counted = false;

	if (svc_sc_pilot.engaged && svc_sc_pilot.engager == gone)
		svc_sc_pilot_defaults();
	for (i = 0; i < svc_sc_pilot.nsetters; i++) {
		if (svc_sc_pilot.setters[i] != gone)
			continue;
		svc_sc_pilot.setters[i] = svc_sc_pilot.setters[--svc_sc_pilot.nsetters];
		counted = true;
		break;
	}
	if (counted && svc_sc_pilot.nsetters == 0) {
		for (i = 0; i < SVC_SC_NINPUTS; i++)
			svc_sc_pilot.inputs[i] = 0;
	}
}

/* An angle brought into [-180, 180). */
static double
svc_sc_pilot_clamp180(double a)
{
	a = fmod(a + 180.0, 360.0);
	if (a < 0)
		a += 360.0;
	return a - 180.0;
}

/* Returns a float. */
static sim_rc_t
svc_sc_pilot_float(sim_call_t *c, double v)
{
	sim_return(c, krpc_value_float((float)v));
	return SIM_DONE;
}

/* Vessel_get_AutoPilot: one auto-pilot per vessel. */
sim_rc_t
svc_sc_pilot_get(sim_call_t *c)
{
	return svc_sc_ret_obj(c, &svc_sc_pilot_obj);
}

/* AutoPilot_Engage: the caller now owns it. */
sim_rc_t
svc_sc_pilot_engage(sim_call_t *c)
{
	svc_sc_pilot.engaged = true;
	svc_sc_pilot.engager = sim_call_client(c);
	return SIM_DONE;
}

/* AutoPilot_Disengage: whoever engaged it. */
sim_rc_t
svc_sc_pilot_disengage(sim_call_t *c)
{
	svc_sc_pilot.engaged = false;
	svc_sc_pilot.engager = NULL;
	return SIM_DONE;
}

/*
 * AutoPilot_get_Error: the angle between where the vessel points (straight
 * up) and the target direction; 0 when disengaged (SAS is off in the sim).
 */
sim_rc_t
svc_sc_pilot_error(sim_call_t *c)
{
	if (!svc_sc_pilot.engaged)
		return svc_sc_pilot_float(c, 0);
	return svc_sc_pilot_float(c, fabs(SVC_SC_PILOT_PITCH - svc_sc_pilot.pitch));
}

/* AutoPilot_get_PitchError: 0 when disengaged. */
sim_rc_t
svc_sc_pilot_pitch_error(sim_call_t *c)
{
	if (!svc_sc_pilot.engaged)
		return svc_sc_pilot_float(c, 0);
	return svc_sc_pilot_float(c, fabs(svc_sc_pilot_clamp180(svc_sc_pilot.pitch -
	    SVC_SC_PILOT_PITCH)));
}

/* AutoPilot_get_HeadingError: 0 when disengaged. */
sim_rc_t
svc_sc_pilot_heading_error(sim_call_t *c)
{
	if (!svc_sc_pilot.engaged)
		return svc_sc_pilot_float(c, 0);
	return svc_sc_pilot_float(c, fabs(svc_sc_pilot_clamp180(svc_sc_pilot.heading -
	    SVC_SC_PILOT_HEADING)));
}

/* AutoPilot_get_RollError: 0 when disengaged or without a target roll. */
sim_rc_t
svc_sc_pilot_roll_error(sim_call_t *c)
{
	if (!svc_sc_pilot.engaged || isnan(svc_sc_pilot.roll))
		return svc_sc_pilot_float(c, 0);
	return svc_sc_pilot_float(c, fabs(svc_sc_pilot_clamp180(svc_sc_pilot.roll -
	    SVC_SC_PILOT_ROLL)));
}

/* AutoPilot_get_ReferenceFrame. */
sim_rc_t
svc_sc_pilot_get_frame(sim_call_t *c)
{
	return svc_sc_ret_obj(c, svc_sc_frame_obj(svc_sc_pilot.frame));
}

/* AutoPilot_set_ReferenceFrame: not one that turns with the vessel. */
sim_rc_t
svc_sc_pilot_set_frame(sim_call_t *c)
{
	enum svc_sc_frame f = svc_sc_arg_frame(c, 1);

	if (f == SVC_SC_FRAME_VESSEL) {
		sim_error(c, "KRPC", "ArgumentException",
		    "Invalid reference frame; must not rotate with the vessel");
		return SIM_DONE;
	}
	svc_sc_pilot.frame = f;
	return SIM_DONE;
}

/* AutoPilot_get_TargetPitch. */
sim_rc_t
svc_sc_pilot_get_target_pitch(sim_call_t *c)
{
	return svc_sc_pilot_float(c, svc_sc_pilot.pitch);
}

/* AutoPilot_set_TargetPitch. */
sim_rc_t
svc_sc_pilot_set_target_pitch(sim_call_t *c)
{
	svc_sc_pilot.pitch = sim_arg_float(c, 1);
	return SIM_DONE;
}

/* AutoPilot_get_TargetHeading. */
sim_rc_t
svc_sc_pilot_get_target_heading(sim_call_t *c)
{
	return svc_sc_pilot_float(c, svc_sc_pilot.heading);
}

/* AutoPilot_set_TargetHeading. */
sim_rc_t
svc_sc_pilot_set_target_heading(sim_call_t *c)
{
	svc_sc_pilot.heading = sim_arg_float(c, 1);
	return SIM_DONE;
}

/* AutoPilot_get_TargetRoll: NaN without one. */
sim_rc_t
svc_sc_pilot_get_target_roll(sim_call_t *c)
{
	return svc_sc_pilot_float(c, svc_sc_pilot.roll);
}

/* AutoPilot_set_TargetRoll. */
sim_rc_t
svc_sc_pilot_set_target_roll(sim_call_t *c)
{
	svc_sc_pilot.roll = sim_arg_float(c, 1);
	return SIM_DONE;
}

/* AutoPilot_TargetPitchAndHeading(pitch, heading). */
sim_rc_t
svc_sc_pilot_pitch_and_heading(sim_call_t *c)
{
	svc_sc_pilot.pitch = sim_arg_float(c, 1);
	svc_sc_pilot.heading = sim_arg_float(c, 2);
	return SIM_DONE;
}

/* An input clamped to -1..1 (NaN stays NaN, as in the game's Clamp). */
static float
svc_sc_pilot_clamp1(float v)
{
	return v > 1 ? 1 : v < -1 ? -1 : v;
}

/* Control_get_<input> and Control_set_<input> (the setter counts its caller). */
#define SVC_SC_INPUT_FNS(wire, name, what)				\
sim_rc_t								\
svc_sc_pilot_get_##name(sim_call_t *c)					\
{									\
	return svc_sc_pilot_float(c, svc_sc_pilot.inputs[SVC_SC_IN_##name]); \
}									\
sim_rc_t								\
svc_sc_pilot_set_##name(sim_call_t *c)					\
{									\
	svc_sc_pilot_took_inputs(c);					\
	svc_sc_pilot.inputs[SVC_SC_IN_##name] = svc_sc_pilot_clamp1(sim_arg_float(c, 1)); \
	return SIM_DONE;						\
}
SVC_SC_INPUTS(SVC_SC_INPUT_FNS)
#undef SVC_SC_INPUT_FNS
