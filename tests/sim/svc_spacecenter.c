/*
 * krpc-sim: the SpaceCenter subset of SPACECENTER.md (service id 2), with
 * the game's wire names and types, over a small deterministic flight model
 * so that the kRPC client documentation's examples do something real.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "svc_spacecenter.h"

/*
 * Flight model (for krpc-sim --help and krpc-sim(1)):
 *
 *   One vessel ("Kerbal X") stands on the launch pad of Kerbin (radius
 *   600000 m, surface gravity 9.81 m/s^2, weakening with the square of the
 *   distance from the centre): mean altitude 70 m, surface altitude 5 m
 *   (the terrain there is 65 m above sea level), speed 0.  Universal time
 *   starts at 0 and advances by 1/rate s every update (rate: --update-rate,
 *   60 by default), so simulated time follows the update count, not the
 *   wall clock.  The first Control.ActivateNextStage ignites the engines;
 *   from then on the thrust follows the throttle (clamped to 0..1): 3.5 g
 *   at full throttle, a net climb of 2.5 g, straight up, with fuel for 60 s
 *   at full throttle (longer at less).  The vessel then coasts up, falls
 *   back and comes to rest on the pad: it never goes below it.  Launched at
 *   full throttle (set throttle 1, then ActivateNextStage) it passes 1000 m
 *   of mean altitude about 8.7 s later.  Motion is vertical only: in the
 *   body's reference frame Flight.VerticalSpeed is the climb rate and
 *   Flight.Speed its size; in the vessel's own and surface frames (the
 *   surface frame is Vessel.Flight's default) both are 0, as in the game.
 *   Vessel.Position is (0, 600000 + mean altitude, 0) in the body's frame
 *   and (0, 0, 0) in the vessel's frames.  Control.Abort only sets a flag.
 *   While a WarpTo(ut) call waits, time runs maxRailsRate times faster
 *   (clamped to 10..100000; physics in steps of at most 0.02 s), never past
 *   ut; the call returns in the first update at or after ut, and never in
 *   the update it was made.  set_ActiveVessel (there is one vessel) and
 *   ActivateNextStage (it creates no vessels) return one update later.
 */

#define SVC_SC_G0		9.81		/* m/s^2 at the surface */
#define SVC_SC_RADIUS	600000.0	/* Kerbin, m */
#define SVC_SC_PAD		70.0		/* mean altitude on the pad, m */
#define SVC_SC_TERRAIN	65.0		/* terrain height at the pad, m */
#define SVC_SC_THRUST	(3.5 * SVC_SC_G0)	/* acceleration at full throttle, m/s^2 */
#define SVC_SC_FUEL		60.0		/* seconds of full-throttle burn */
#define SVC_SC_SUBSTEP	0.02		/* longest physics step while warping, s */
#define SVC_SC_WARP_MIN	10.0
#define SVC_SC_WARP_MAX	100000.0

/* The fixed set of objects (static storage: nothing to free). */
static struct svc_sc_obj svc_sc_vessel = { .cls = "Vessel" };
static struct svc_sc_obj svc_sc_orbit = { .cls = "Orbit" };
static struct svc_sc_obj svc_sc_body = { .cls = "CelestialBody" };
static struct svc_sc_obj svc_sc_control = { .cls = "Control" };
static struct svc_sc_obj svc_sc_frames[SVC_SC_NFRAMES] = {
	{ .cls = "ReferenceFrame", .frame = SVC_SC_FRAME_SURFACE },
	{ .cls = "ReferenceFrame", .frame = SVC_SC_FRAME_VESSEL },
	{ .cls = "ReferenceFrame", .frame = SVC_SC_FRAME_BODY },
};
static struct svc_sc_obj svc_sc_flights[SVC_SC_NFRAMES] = {
	{ .cls = "Flight", .frame = SVC_SC_FRAME_SURFACE },
	{ .cls = "Flight", .frame = SVC_SC_FRAME_VESSEL },
	{ .cls = "Flight", .frame = SVC_SC_FRAME_BODY },
};

/* The simulated world. */
static struct {
	char	*name;
	size_t	 namelen;
	double	 ut;		/* s */
	double	 alt;		/* m above the pad */
	double	 vel;		/* m/s, up */
	double	 fuel;		/* s of full-throttle burn left */
	float	 throttle;	/* 0..1 */
	bool	 abort;
	bool	 ignited;
	bool	 warping;	/* a WarpTo ran in the last update: */
	uint64_t warp_driven;	/* the update it ran in */
	double	 warp_until;	/* the UT it waits for */
	double	 warp_rate;	/* and its speed-up */
} svc_sc;

/* ---- Flight model ----------------------------------------------------- */

/* One physics step of dt seconds: thrust, gravity, the pad as floor. */
static void
svc_sc_physics_step(double dt)
{
	double r = SVC_SC_RADIUS + SVC_SC_PAD + svc_sc.alt;
	double g = SVC_SC_G0 * (SVC_SC_RADIUS / r) * (SVC_SC_RADIUS / r);
	double a = -g, burn;

	if (svc_sc.ignited && svc_sc.fuel > 0 && svc_sc.throttle > 0) {
		a += SVC_SC_THRUST * svc_sc.throttle;
		burn = svc_sc.throttle * dt;
		svc_sc.fuel = burn < svc_sc.fuel ? svc_sc.fuel - burn : 0;
	}
	if (svc_sc.alt <= 0 && a <= 0) {
		svc_sc.alt = 0;
		svc_sc.vel = 0;
		return;
	}
	svc_sc.alt += svc_sc.vel * dt + 0.5 * a * dt * dt;
	svc_sc.vel += a * dt;
	if (svc_sc.alt <= 0) {
		svc_sc.alt = 0;
		svc_sc.vel = 0;
	}
}

/* Advances the flight by dt seconds in steps no longer than SVC_SC_SUBSTEP. */
static void
svc_sc_physics(double dt)
{
	double n = ceil(dt / SVC_SC_SUBSTEP), i;

	if (n <= 1) {
		svc_sc_physics_step(dt);
		return;
	}
	for (i = 0; i < n; i++) {
		if (svc_sc.alt <= 0 && svc_sc.vel == 0 && !(svc_sc.ignited && svc_sc.fuel > 0 && svc_sc.throttle > 0))
			return;		/* resting on the pad: nothing changes */
		svc_sc_physics_step(dt / n);
	}
}

/* Each update: advance UT (faster while a WarpTo waits) and the flight. */
static void
svc_sc_tick(sim_server_t *srv)
{
	double rate = sim_server_rate(srv);
	double dt = rate > 0 ? 1.0 / rate : 1.0 / 60, step = dt;

	if (svc_sc.warping && sim_server_updates(srv) - svc_sc.warp_driven > 1)
		svc_sc.warping = false;		/* no WarpTo drives it any more */
	if (svc_sc.warping && svc_sc.ut < svc_sc.warp_until) {
		step = dt * svc_sc.warp_rate;
		if (step > svc_sc.warp_until - svc_sc.ut)
			step = svc_sc.warp_until - svc_sc.ut;
		if (step < dt)
			step = dt;
	}
	svc_sc.ut += step;
	svc_sc_physics(step);
}

/* ---- Objects ---------------------------------------------------------- */

/* Object-store match: the same static object. */
static bool
svc_sc_same(const void *data, const void *key)
{
	return data == key;
}

/* The id of one of the fixed objects, stored on first use; 0 on failure. */
static uint64_t
svc_sc_id(sim_server_t *srv, struct svc_sc_obj *o)
{
	if (o->id != 0 && sim_object_get(srv, o->id, "SpaceCenter", o->cls) == o)
		return o->id;
	o->id = sim_object_find(srv, "SpaceCenter", o->cls, svc_sc_same, o);
	if (o->id == 0)
		o->id = sim_object_add(srv, "SpaceCenter", o->cls, o);
	return o->id;
}

/* Returns one of the fixed objects. */
sim_rc_t
svc_sc_ret_obj(sim_call_t *c, struct svc_sc_obj *o)
{
	uint64_t id = svc_sc_id(sim_call_server(c), o);

	if (id == 0)
		sim_error(c, NULL, NULL, "Out of memory");
	else
		sim_return(c, krpc_value_object(id));
	return SIM_DONE;
}

/* The frame of a ReferenceFrame argument; null means the surface frame. */
enum svc_sc_frame
svc_sc_arg_frame(sim_call_t *c, size_t i)
{
	const struct svc_sc_obj *f = sim_arg_data(c, i);

	return f != NULL ? f->frame : SVC_SC_FRAME_SURFACE;
}

/* The ReferenceFrame object of a frame. */
struct svc_sc_obj *
svc_sc_frame_obj(enum svc_sc_frame f)
{
	return &svc_sc_frames[f];
}

/* The frame of the Flight instance (argument 0). */
static enum svc_sc_frame
svc_sc_flight_frame(sim_call_t *c)
{
	return svc_sc_arg_frame(c, 0);
}

/* ---- Service members -------------------------------------------------- */

/*
 * WarpTo(ut, maxRailsRate, maxPhysicsRate): yields until UT >= ut.  Like the
 * game's, every run of a waiting call drives the warp for the next update,
 * so a call dropped with its connection stops warping, and of several
 * waiting calls the last one run in an update sets the pace.
 */
static sim_rc_t
svc_sc_warp_to(sim_call_t *c)
{
	double ut = sim_arg_double(c, 0), rate = sim_arg_float(c, 1);

	if (!sim_call_first(c) && (svc_sc.ut >= ut || isnan(ut)))
		return SIM_DONE;	/* the first run always yields: at least one update */
	if (!(rate >= SVC_SC_WARP_MIN))
		rate = SVC_SC_WARP_MIN;
	if (rate > SVC_SC_WARP_MAX)
		rate = SVC_SC_WARP_MAX;
	svc_sc.warp_until = ut;
	svc_sc.warp_rate = rate;
	svc_sc.warp_driven = sim_server_updates(sim_call_server(c));
	svc_sc.warping = true;
	return SIM_YIELD;
}

/* get_ActiveVessel. */
static sim_rc_t
svc_sc_get_active_vessel(sim_call_t *c)
{
	return svc_sc_ret_obj(c, &svc_sc_vessel);
}

/* set_ActiveVessel: the only vessel is already active; the switch takes one update. */
static sim_rc_t
svc_sc_set_active_vessel(sim_call_t *c)
{
	return sim_call_first(c) ? SIM_YIELD : SIM_DONE;
}

/* get_UT. */
static sim_rc_t
svc_sc_get_ut(sim_call_t *c)
{
	sim_return(c, krpc_value_double(svc_sc.ut));
	return SIM_DONE;
}

/* CelestialBody_get_Name. */
static sim_rc_t
svc_sc_body_name(sim_call_t *c)
{
	sim_return(c, krpc_value_string("Kerbin"));
	return SIM_DONE;
}

/* CelestialBody_get_ReferenceFrame. */
static sim_rc_t
svc_sc_body_frame(sim_call_t *c)
{
	return svc_sc_ret_obj(c, &svc_sc_frames[SVC_SC_FRAME_BODY]);
}

/* Control_ActivateNextStage: ignites the engines; returns one update later, no new vessels. */
static sim_rc_t
svc_sc_activate_next_stage(sim_call_t *c)
{
	if (sim_call_first(c)) {
		svc_sc.ignited = true;
		return SIM_YIELD;
	}
	sim_return(c, krpc_value_collection(KRPC_TYPE_LIST));
	return SIM_DONE;
}

/* Control_get_Abort. */
static sim_rc_t
svc_sc_get_abort(sim_call_t *c)
{
	sim_return(c, krpc_value_bool(svc_sc.abort));
	return SIM_DONE;
}

/* Control_set_Abort: only the flag. */
static sim_rc_t
svc_sc_set_abort(sim_call_t *c)
{
	svc_sc.abort = sim_arg_bool(c, 1);
	return SIM_DONE;
}

/* Control_get_Throttle. */
static sim_rc_t
svc_sc_get_throttle(sim_call_t *c)
{
	sim_return(c, krpc_value_float(svc_sc.throttle));
	return SIM_DONE;
}

/* Control_set_Throttle: clamped to 0..1; its caller counts as a client that set inputs. */
static sim_rc_t
svc_sc_set_throttle(sim_call_t *c)
{
	float t = sim_arg_float(c, 1);

	svc_sc_pilot_took_inputs(c);
	svc_sc.throttle = t > 1 ? 1 : t >= 0 ? t : 0;
	return SIM_DONE;
}

/* Flight_get_MeanAltitude. */
static sim_rc_t
svc_sc_mean_altitude(sim_call_t *c)
{
	sim_return(c, krpc_value_double(SVC_SC_PAD + svc_sc.alt));
	return SIM_DONE;
}

/* Flight_get_SurfaceAltitude. */
static sim_rc_t
svc_sc_surface_altitude(sim_call_t *c)
{
	sim_return(c, krpc_value_double(SVC_SC_PAD - SVC_SC_TERRAIN + svc_sc.alt));
	return SIM_DONE;
}

/*
 * Flight_get_Speed: relative to the flight's frame.  The vessel's own and
 * surface frames move with it, so there it is 0, as in the game.
 */
static sim_rc_t
svc_sc_speed(sim_call_t *c)
{
	bool body = svc_sc_flight_frame(c) == SVC_SC_FRAME_BODY;

	sim_return(c, krpc_value_double(body ? fabs(svc_sc.vel) : 0));
	return SIM_DONE;
}

/* Flight_get_VerticalSpeed: as Speed, with the sign of the motion. */
static sim_rc_t
svc_sc_vertical_speed(sim_call_t *c)
{
	bool body = svc_sc_flight_frame(c) == SVC_SC_FRAME_BODY;

	sim_return(c, krpc_value_double(body ? svc_sc.vel : 0));
	return SIM_DONE;
}

/* Orbit_get_Body. */
static sim_rc_t
svc_sc_orbit_body(sim_call_t *c)
{
	return svc_sc_ret_obj(c, &svc_sc_body);
}

/* Vessel_Flight(referenceFrame = null): the Flight for that frame. */
static sim_rc_t
svc_sc_vessel_flight(sim_call_t *c)
{
	return svc_sc_ret_obj(c, &svc_sc_flights[svc_sc_arg_frame(c, 1)]);
}

/* Vessel_Position(referenceFrame). */
static sim_rc_t
svc_sc_vessel_position(sim_call_t *c)
{
	double y = svc_sc_arg_frame(c, 1) == SVC_SC_FRAME_BODY ? SVC_SC_RADIUS + SVC_SC_PAD + svc_sc.alt : 0;
	krpc_value_t *t = krpc_value_collection(KRPC_TYPE_TUPLE);

	if (krpc_value_append(t, krpc_value_double(0)) != KRPC_OK ||
	    krpc_value_append(t, krpc_value_double(y)) != KRPC_OK ||
	    krpc_value_append(t, krpc_value_double(0)) != KRPC_OK) {
		krpc_value_free(t);
		sim_error(c, NULL, NULL, "Out of memory");
		return SIM_DONE;
	}
	sim_return(c, t);
	return SIM_DONE;
}

/* Vessel_get_Control. */
static sim_rc_t
svc_sc_vessel_control(sim_call_t *c)
{
	return svc_sc_ret_obj(c, &svc_sc_control);
}

/* Vessel_get_Name. */
static sim_rc_t
svc_sc_get_name(sim_call_t *c)
{
	sim_return(c, krpc_value_string_n(svc_sc.name, svc_sc.namelen));
	return SIM_DONE;
}

/* Vessel_set_Name. */
static sim_rc_t
svc_sc_set_name(sim_call_t *c)
{
	size_t len = 0;
	const char *s = sim_arg_str(c, 1, &len);
	char *copy = malloc(len + 1);

	if (copy == NULL) {
		sim_error(c, NULL, NULL, "Out of memory");
		return SIM_DONE;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	free(svc_sc.name);
	svc_sc.name = copy;
	svc_sc.namelen = len;
	return SIM_DONE;
}

/* Vessel_get_Orbit. */
static sim_rc_t
svc_sc_vessel_orbit(sim_call_t *c)
{
	return svc_sc_ret_obj(c, &svc_sc_orbit);
}

/* Vessel_get_ReferenceFrame. */
static sim_rc_t
svc_sc_vessel_frame(sim_call_t *c)
{
	return svc_sc_ret_obj(c, &svc_sc_frames[SVC_SC_FRAME_VESSEL]);
}

/* Vessel_get_SurfaceReferenceFrame. */
static sim_rc_t
svc_sc_vessel_surface_frame(sim_call_t *c)
{
	return svc_sc_ret_obj(c, &svc_sc_frames[SVC_SC_FRAME_SURFACE]);
}

/* ---- Lifetime --------------------------------------------------------- */

/* The vessel on the pad, engines cold, full tanks, UT 0. */
static void
svc_sc_init(sim_server_t *srv)
{
	int i;

	memset(&svc_sc, 0, sizeof(svc_sc));
	svc_sc_vessel.id = svc_sc_orbit.id = svc_sc_body.id = svc_sc_control.id = 0;
	for (i = 0; i < SVC_SC_NFRAMES; i++)
		svc_sc_frames[i].id = svc_sc_flights[i].id = 0;
	svc_sc.name = strdup("Kerbal X");
	svc_sc.namelen = svc_sc.name != NULL ? strlen(svc_sc.name) : 0;
	svc_sc.fuel = SVC_SC_FUEL;
	svc_sc_pilot_reset();
}

/* Frees the vessel name. */
static void
svc_sc_fini(sim_server_t *srv)
{
	free(svc_sc.name);
	memset(&svc_sc, 0, sizeof(svc_sc));
	svc_sc_pilot_reset();
}

/* ---- Tables ----------------------------------------------------------- */

#define VESSEL		"class(SpaceCenter.Vessel)"
#define FRAME		"class(SpaceCenter.ReferenceFrame)"
#define THIS(t)		{ "this", (t), 0, NULL }
#define P(n, t)		{ (n), (t), 0, NULL }
#define F		SIM_FLIGHT

#define AP		"class(SpaceCenter.AutoPilot)"
#define AP_FLOAT(n, f, text)						\
	{ .name = "AutoPilot_get_" n, .fn = svc_sc_pilot_get_##f, .ret = "float", .flags = F, \
	  .doc = text, .params = { THIS(AP) } },				\
	{ .name = "AutoPilot_set_" n, .fn = svc_sc_pilot_set_##f, .flags = F, \
	  .doc = text, .params = { THIS(AP), P("value", "float") } }
#define AP_ERROR(n, f, text)						\
	{ .name = "AutoPilot_get_" n, .fn = svc_sc_pilot_##f, .ret = "float", .flags = F, \
	  .doc = text, .params = { THIS(AP) } }
#define CONTROL_INPUT(wire, c_name, what)				\
	{ .name = "Control_get_" #wire, .fn = svc_sc_pilot_get_##c_name, .ret = "float", \
	  .flags = F, .doc = "The " what ", from -1 to 1.",		\
	  .params = { THIS("class(SpaceCenter.Control)") } },		\
	{ .name = "Control_set_" #wire, .fn = svc_sc_pilot_set_##c_name, .flags = F, \
	  .doc = "The " what ", from -1 to 1.",				\
	  .params = { THIS("class(SpaceCenter.Control)"), P("value", "float") } },

static const struct sim_proc svc_sc_procs[] = {
	{ .name = "WarpTo", .fn = svc_sc_warp_to, .flags = F,
	  .doc = "Speeds up time until universal time <paramref name=\"ut\" /> and returns\n"
	      "once it has been reached.",
	  .params = { P("ut", "double"), { "maxRailsRate", "float", SIM_DEFAULT, "0050c347" },
	      { "maxPhysicsRate", "float", SIM_DEFAULT, "00000040" } } },
	{ .name = "get_ActiveVessel", .fn = svc_sc_get_active_vessel, .ret = VESSEL,
	  .flags = F | SIM_RET_NULLABLE, .doc = "The vessel under control." },
	{ .name = "set_ActiveVessel", .fn = svc_sc_set_active_vessel, .flags = F,
	  .doc = "The vessel under control.", .params = { P("value", VESSEL) } },
	{ .name = "get_UT", .fn = svc_sc_get_ut, .ret = "double", .flags = F,
	  .doc = "Universal time, in seconds." },
	{ .name = "AutoPilot_Engage", .fn = svc_sc_pilot_engage, .flags = F,
	  .doc = "Engages the auto-pilot.  The client that engaged it last owns it: when\n"
	      "that client disconnects, the auto-pilot is reset and disengaged.",
	  .params = { THIS(AP) } },
	{ .name = "AutoPilot_Disengage", .fn = svc_sc_pilot_disengage, .flags = F,
	  .doc = "Disengages the auto-pilot.", .params = { THIS(AP) } },
	{ .name = "AutoPilot_TargetPitchAndHeading", .fn = svc_sc_pilot_pitch_and_heading,
	  .flags = F, .doc = "Sets the target pitch and heading, in degrees.",
	  .params = { THIS(AP), P("pitch", "float"), P("heading", "float") } },
	AP_ERROR("Error", error, "Degrees between where the vessel points and the target\n"
	    "direction; 0 while the auto-pilot is disengaged."),
	AP_ERROR("PitchError", pitch_error, "Degrees between the vessel's pitch and the target\n"
	    "pitch; 0 while the auto-pilot is disengaged."),
	AP_ERROR("HeadingError", heading_error, "Degrees between the vessel's heading and the\n"
	    "target heading; 0 while the auto-pilot is disengaged."),
	AP_ERROR("RollError", roll_error, "Degrees between the vessel's roll and the target\n"
	    "roll; 0 while the auto-pilot is disengaged or has no target roll."),
	{ .name = "AutoPilot_get_ReferenceFrame", .fn = svc_sc_pilot_get_frame, .ret = FRAME,
	  .flags = F, .doc = "The frame the target direction is in.", .params = { THIS(AP) } },
	{ .name = "AutoPilot_set_ReferenceFrame", .fn = svc_sc_pilot_set_frame, .flags = F,
	  .doc = "The frame the target direction is in; not one that turns with the vessel.",
	  .params = { THIS(AP), P("value", FRAME) } },
	AP_FLOAT("TargetPitch", target_pitch, "The target pitch, in degrees from -90 to 90."),
	AP_FLOAT("TargetHeading", target_heading, "The target heading, in degrees from 0 to 360."),
	AP_FLOAT("TargetRoll", target_roll, "The target roll, in degrees; NaN when there is none."),
	{ .name = "CelestialBody_get_Name", .fn = svc_sc_body_name, .ret = "string", .flags = F,
	  .doc = "What the body is called.", .params = { THIS("class(SpaceCenter.CelestialBody)") } },
	{ .name = "CelestialBody_get_ReferenceFrame", .fn = svc_sc_body_frame, .ret = FRAME,
	  .flags = F, .doc = "A frame centred on the body that rotates with it.",
	  .params = { THIS("class(SpaceCenter.CelestialBody)") } },
	{ .name = "Control_ActivateNextStage", .fn = svc_sc_activate_next_stage,
	  .ret = "list(" VESSEL ")", .flags = F,
	  .doc = "Fires the next stage, as the space bar does in the game.",
	  .params = { THIS("class(SpaceCenter.Control)") } },
	{ .name = "Control_get_Abort", .fn = svc_sc_get_abort, .ret = "bool", .flags = F,
	  .doc = "Whether the abort action group is on.",
	  .params = { THIS("class(SpaceCenter.Control)") } },
	{ .name = "Control_set_Abort", .fn = svc_sc_set_abort, .flags = F,
	  .doc = "Whether the abort action group is on.",
	  .params = { THIS("class(SpaceCenter.Control)"), P("value", "bool") } },
	{ .name = "Control_get_Throttle", .fn = svc_sc_get_throttle, .ret = "float", .flags = F,
	  .doc = "Throttle setting, from 0 to 1.",
	  .params = { THIS("class(SpaceCenter.Control)") } },
	{ .name = "Control_set_Throttle", .fn = svc_sc_set_throttle, .flags = F,
	  .doc = "Throttle setting, from 0 to 1.",
	  .params = { THIS("class(SpaceCenter.Control)"), P("value", "float") } },
	SVC_SC_INPUTS(CONTROL_INPUT)
	{ .name = "Flight_get_MeanAltitude", .fn = svc_sc_mean_altitude, .ret = "double", .flags = F,
	  .doc = "Height above sea level, in meters.",
	  .params = { THIS("class(SpaceCenter.Flight)") } },
	{ .name = "Flight_get_Speed", .fn = svc_sc_speed, .ret = "double", .flags = F,
	  .doc = "How fast the vessel moves in the flight's reference frame, in meters per second.",
	  .params = { THIS("class(SpaceCenter.Flight)") } },
	{ .name = "Flight_get_SurfaceAltitude", .fn = svc_sc_surface_altitude, .ret = "double",
	  .flags = F, .doc = "Height above the terrain below the vessel, in meters.", .params = { THIS("class(SpaceCenter.Flight)") } },
	{ .name = "Flight_get_VerticalSpeed", .fn = svc_sc_vertical_speed, .ret = "double", .flags = F,
	  .doc = "How fast the vessel climbs (negative: descends) in the flight's reference\n"
	      "frame, in meters per second.", .params = { THIS("class(SpaceCenter.Flight)") } },
	{ .name = "Orbit_get_Body", .fn = svc_sc_orbit_body, .ret = "class(SpaceCenter.CelestialBody)",
	  .flags = F, .doc = "The body being orbited.", .params = { THIS("class(SpaceCenter.Orbit)") } },
	{ .name = "Vessel_Flight", .fn = svc_sc_vessel_flight, .ret = "class(SpaceCenter.Flight)",
	  .flags = F, .doc = "Telemetry of the vessel in a reference frame (by default the vessel's\n"
	      "surface frame).",
	  .params = { THIS(VESSEL),
	      { "referenceFrame", FRAME, SIM_NULLABLE | SIM_DEFAULT_NULL, NULL } } },
	{ .name = "Vessel_Position", .fn = svc_sc_vessel_position,
	  .ret = "tuple(double, double, double)", .flags = F,
	  .doc = "Where the vessel's center of mass is, in the given reference frame.",
	  .params = { THIS(VESSEL), P("referenceFrame", FRAME) } },
	{ .name = "Vessel_get_AutoPilot", .fn = svc_sc_pilot_get, .ret = AP, .flags = F,
	  .doc = "The vessel's auto-pilot.", .params = { THIS(VESSEL) } },
	{ .name = "Vessel_get_Control", .fn = svc_sc_vessel_control,
	  .ret = "class(SpaceCenter.Control)", .flags = F,
	  .doc = "The vessel's control inputs (throttle, staging, action groups).",
	  .params = { THIS(VESSEL) } },
	{ .name = "Vessel_get_Name", .fn = svc_sc_get_name, .ret = "string", .flags = F,
	  .doc = "What the vessel is called.", .params = { THIS(VESSEL) } },
	{ .name = "Vessel_set_Name", .fn = svc_sc_set_name, .flags = F,
	  .doc = "What the vessel is called.", .params = { THIS(VESSEL), P("value", "string") } },
	{ .name = "Vessel_get_Orbit", .fn = svc_sc_vessel_orbit, .ret = "class(SpaceCenter.Orbit)",
	  .flags = F, .doc = "The vessel's orbit.", .params = { THIS(VESSEL) } },
	{ .name = "Vessel_get_ReferenceFrame", .fn = svc_sc_vessel_frame, .ret = FRAME, .flags = F,
	  .doc = "A frame centred on the vessel that turns with it.", .params = { THIS(VESSEL) } },
	{ .name = "Vessel_get_SurfaceReferenceFrame", .fn = svc_sc_vessel_surface_frame, .ret = FRAME,
	  .flags = F, .doc = "A frame centred on the vessel and aligned with the surface below it.",
	  .params = { THIS(VESSEL) } },
};

static const struct sim_class svc_sc_classes[] = {
	{ .name = "AutoPilot", .dotnet = "KRPC.SpaceCenter.Services.AutoPilot",
	  .doc = "A vessel's auto-pilot." },
	{ .name = "CelestialBody", .dotnet = "KRPC.SpaceCenter.Services.CelestialBody",
	  .doc = "A planet or moon." },
	{ .name = "Control", .dotnet = "KRPC.SpaceCenter.Services.Control",
	  .doc = "The controls of a vessel." },
	{ .name = "Flight", .dotnet = "KRPC.SpaceCenter.Services.Flight",
	  .doc = "Flight telemetry of a vessel in one reference frame." },
	{ .name = "Orbit", .dotnet = "KRPC.SpaceCenter.Services.Orbit",
	  .doc = "An orbit around a body." },
	{ .name = "ReferenceFrame", .dotnet = "KRPC.SpaceCenter.Services.ReferenceFrame",
	  .doc = "A reference frame for positions and velocities." },
	{ .name = "Vessel", .dotnet = "KRPC.SpaceCenter.Services.Vessel",
	  .doc = "A vessel." },
};

const struct sim_service sim_service_spacecenter = {
	.name = "SpaceCenter",
	.id = 2,
	.doc = "The game: krpc-sim simulates a subset of it (the active vessel, its flight,\n"
	    "orbit body, reference frames and controls, universal time and time warp).",
	.procs = svc_sc_procs,
	.nprocs = sizeof(svc_sc_procs) / sizeof(svc_sc_procs[0]),
	.classes = svc_sc_classes,
	.nclasses = sizeof(svc_sc_classes) / sizeof(svc_sc_classes[0]),
	.init = svc_sc_init,
	.tick = svc_sc_tick,
	.fini = svc_sc_fini,
	.client_gone = svc_sc_pilot_client_gone,
};
