/*
 * What the game gives back when a script exits (issue 11), differentially:
 * the same scripted scenarios run straight against krpc-sim, through
 * krpcmuxd (its ownership ledger), and through krpcmuxd in exact mode
 * (upstream.isolate = ["Drawing", "UI"]: the game tracks those itself, on
 * each client's own connection).  After each step an observer connected to
 * krpc-sim itself reads the game state (the auto-pilot, the control inputs,
 * which of the scripts' objects still exist), waits for it to settle on the
 * step's expected state, and checks it stays there; the states of every
 * path are compared at the end.  A script runs in its own process and
 * leaves by closing its connection and exiting 0, or by dying of SIGKILL;
 * the two-script Clear scenario closes its connections from the test.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemontest.h"

#define SC	"SpaceCenter"
#define FRAME	"class(SpaceCenter.ReferenceFrame)"
#define STEPS	6
#define OBJS	16

enum path {
	PATH_DIRECT,		/* scripts connect to the game itself */
	PATH_LEDGER,		/* through krpcmuxd: its ledger gives back */
	PATH_EXACT,		/* through krpcmuxd, Drawing and UI on each client's own connection */
	NPATHS,
};

static const char *const path_names[NPATHS] = {
	"direct", "through krpcmuxd", "through krpcmuxd, exact mode",
};

/* An object a script made, by the label the expected states use. */
struct obj {
	char		 label[8];
	const char	*service;
	char		 getter[48];	/* <Class>_get_Visible: fails once it is destroyed */
	uint64_t	 id;
};

/* One path's game, proxy, observer and the scripts' objects. */
struct world {
	struct dt	 t;
	enum path	 path;
	th_client_t	*obs;
	uint64_t	 vessel, ap, control, surface, body;
	struct obj	 objs[OBJS];
	size_t		 nobjs;
	char		 note[512];	/* what a step's refusals said */
	char		 seen[STEPS][1024];
	int		 steps;
};

/* The ids a script's actions produced (written through a pipe by a script's own process). */
struct made {
	uint64_t	 id[8];
	bool		 ok;
};

/* ---- calls that report failure instead of failing the test (a child uses them too) ---- */

/* Calls and returns an object id (0 on any error); type NULL: a void call, 1 on success. */
static uint64_t
call(th_client_t *c, const char *type, const char *svc, const char *proc, size_t n, ...)
{
	Krpc__Schema__Response *r;
	krpc_value_t *v = NULL;
	krpc_type_t *t = NULL;
	uint64_t id = 0;
	char why[256];
	va_list ap;

	va_start(ap, n);
	r = th_vcall(c, svc, proc, n, ap);
	va_end(ap);
	if (r == NULL || r->error != NULL || r->n_results != 1 || r->results[0]->error != NULL) {
		fprintf(stderr, "%s.%s failed\n", svc, proc);
		goto out;
	}
	if (type == NULL) {
		id = 1;
		goto out;
	}
	t = krpc_type_parse(type, why, sizeof why);
	if (t != NULL && krpc_msg_result_value(r->results[0], t, &v, why, sizeof why) == KRPC_OK)
		(void)krpc_value_as_object(v, &id);
out:
	krpc_value_free(v);
	krpc_type_free(t);
	if (r != NULL)
		krpc__schema__response__free_unpacked(r, NULL);
	return id;
}

/* The error text of a call that must fail ("" if it succeeded). */
static void
call_refused(th_client_t *c, char *out, size_t len, const char *svc, const char *proc, uint64_t obj)
{
	char *err = th_call_error(c, NULL, NULL, svc, proc, 1, krpc_value_object(obj));

	snprintf(out, len, "%s", err != NULL ? err : "");
	free(err);
}

/* A line from the origin to (x, 0, 0) in the vessel's surface frame. */
static uint64_t
line(th_client_t *c, const struct world *w, double x)
{
	return call(c, "class(Drawing.Line)", "Drawing", "AddLine", 3, th_vec3(0, 0, 0),
	    th_vec3(x, 0, 0), krpc_value_object(w->surface));
}

/* The active vessel's auto-pilot as the script itself asks for it. */
static uint64_t
autopilot(th_client_t *c)
{
	uint64_t v = call(c, "class(SpaceCenter.Vessel)", SC, "get_ActiveVessel", 0);

	return v ? call(c, "class(SpaceCenter.AutoPilot)", SC, "Vessel_get_AutoPilot", 1,
	    krpc_value_object(v)) : 0;
}

/* Sets a float property of an object. */
static bool
set_float(th_client_t *c, const char *proc, uint64_t obj, float f)
{
	return call(c, NULL, SC, proc, 2, krpc_value_object(obj), krpc_value_float(f)) != 0;
}

/* ---- the world ----------------------------------------------------------- */

/* The objects every script and the observer use. */
static void
world_look(struct world *w)
{
	uint64_t orbit, body;

	w->vessel = call(w->obs, "class(SpaceCenter.Vessel)", SC, "get_ActiveVessel", 0);
	w->ap = call(w->obs, "class(SpaceCenter.AutoPilot)", SC, "Vessel_get_AutoPilot", 1,
	    krpc_value_object(w->vessel));
	w->control = call(w->obs, "class(SpaceCenter.Control)", SC, "Vessel_get_Control", 1,
	    krpc_value_object(w->vessel));
	w->surface = call(w->obs, FRAME, SC, "Vessel_get_SurfaceReferenceFrame", 1,
	    krpc_value_object(w->vessel));
	orbit = call(w->obs, "class(SpaceCenter.Orbit)", SC, "Vessel_get_Orbit", 1,
	    krpc_value_object(w->vessel));
	body = call(w->obs, "class(SpaceCenter.CelestialBody)", SC, "Orbit_get_Body", 1,
	    krpc_value_object(orbit));
	w->body = call(w->obs, FRAME, SC, "CelestialBody_get_ReferenceFrame", 1,
	    krpc_value_object(body));
	ck_assert(w->vessel && w->ap && w->control && w->surface && w->body);
}

/* Starts krpc-sim, and krpcmuxd in front of it unless the path is direct. */
static void
world_start(struct world *w, enum path path, const char *prefix)
{
	static const char exact[] = "upstream = { isolate = [\"Drawing\", \"UI\"]; };\n";

	memset(w, 0, sizeof *w);
	w->path = path;
	ck_assert_int_eq(dt_sim_start(&w->t, prefix, false), 0);
	if (path != PATH_DIRECT)
		ck_assert_int_eq(dt_daemon_start(&w->t, prefix, path == PATH_EXACT ? exact : NULL,
		    NULL, true), 0);
	w->obs = dt_direct(&w->t, "observer", false);
	ck_assert_ptr_nonnull(w->obs);
	world_look(w);
}

/* Stops what world_start() started. */
static void
world_stop(struct world *w)
{
	th_client_close(w->obs);
	if (w->path != PATH_DIRECT)
		dt_daemon_stop(&w->t);
	dt_sim_stop(&w->t);
}

/* A script's connection: to the game, or to the proxy. */
static th_client_t *
script(struct world *w, const char *name)
{
	th_client_t *c = w->path == PATH_DIRECT ? dt_direct(&w->t, name, true) :
	    dt_client(&w->t, name, true);

	ck_assert_ptr_nonnull(c);
	return c;
}

/* Labels an object a script made (class: its class in the service). */
static void
label(struct world *w, const char *lab, const char *service, const char *cls, uint64_t id)
{
	struct obj *o = &w->objs[w->nobjs++];

	ck_assert_msg(id != 0, "%s: %s was not made", path_names[w->path], lab);
	snprintf(o->label, sizeof o->label, "%s", lab);
	o->service = service;
	snprintf(o->getter, sizeof o->getter, "%s_get_Visible", cls);
	o->id = id;
}

/* ---- a script in its own process: it exits when told, or is killed ---------- */

/* A script's process: its pid and the pipe that tells it to exit. */
struct proc {
	pid_t		 pid;
	int		 go;		/* write end: a byte, and it closes its connection and exits */
};

/*
 * Runs act in a child process with its own connection (through the path's
 * socket), sends back what it made, then waits for a word to close its
 * connection and exit 0 (or to be killed).  The child never returns:
 * nothing of the test process runs in it at exit.
 */
static struct proc
script_process(struct world *w, const char *name,
    bool (*act)(th_client_t *, const struct world *, struct made *), struct made *made)
{
	int out[2], go[2];
	struct proc p;
	ssize_t n;
	char byte;

	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(go), 0);
	p.pid = fork();
	ck_assert_int_ge(p.pid, 0);
	if (p.pid == 0) {
		th_client_t *c;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(out[0]);
		close(go[1]);
		c = w->path == PATH_DIRECT ? dt_direct(&w->t, name, true) : dt_client(&w->t, name, true);
		memset(made, 0, sizeof *made);
		made->ok = c != NULL && act(c, w, made);
		if (write(out[1], made, sizeof *made) != (ssize_t)sizeof *made)
			_exit(1);
		if (read(go[0], &byte, 1) != 1)
			_exit(2);
		th_client_close(c);
		_exit(0);
	}
	close(out[1]);
	close(go[0]);
	p.go = go[1];
	n = read(out[0], made, sizeof *made);
	close(out[0]);
	ck_assert_msg(n == (ssize_t)sizeof *made && made->ok, "%s: script %s failed",
	    path_names[w->path], name);
	return p;
}

/* Ends a script's process: it exits by itself, or dies of SIGKILL (its sockets close as it is reaped). */
static void
script_end(struct proc *p, bool crash)
{
	int status;

	if (crash)
		ck_assert_int_eq(kill(p->pid, SIGKILL), 0);
	else
		ck_assert_int_eq(write(p->go, "x", 1), 1);
	ck_assert_int_eq(waitpid(p->pid, &status, 0), p->pid);
	close(p->go);
	if (crash)
		ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	else
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- observing ------------------------------------------------------------- */

/* A float property of the observer's object; NAN on error. */
static double
read_float(struct world *w, const char *proc, uint64_t obj)
{
	krpc_value_t *v = th_call_value(w->obs, "float", SC, proc, 1, krpc_value_object(obj));
	float f = NAN;

	if (v == NULL || krpc_value_as_float(v, &f) != KRPC_OK)
		f = -999;
	krpc_value_free(v);
	return f;
}

/* Appends a number, "none" for NaN. */
static void
put_num(char *out, size_t len, const char *name, double v)
{
	size_t at = strlen(out);

	if (isnan(v))
		snprintf(out + at, len - at, " %s=none", name);
	else
		snprintf(out + at, len - at, " %s=%.2f", name, v);
}

/* True if an object is destroyed (its getter fails with ObjectDestroyedException). */
static bool
gone(struct world *w, const struct obj *o)
{
	char *name = NULL, *err = th_call_error(w->obs, NULL, &name, o->service, o->getter, 1,
	    krpc_value_object(o->id));
	bool destroyed = err != NULL && name != NULL && strcmp(name, "ObjectDestroyedException") == 0;

	free(err);
	free(name);
	return destroyed;
}

/* The game state as the observer sees it, as text. */
static void
observe(struct world *w, char *out, size_t len)
{
	uint64_t frame = call(w->obs, FRAME, SC, "AutoPilot_get_ReferenceFrame", 1,
	    krpc_value_object(w->ap));
	size_t i, at;

	snprintf(out, len, "autopilot engaged=%d", read_float(w, "AutoPilot_get_PitchError", w->ap) != 0);
	put_num(out, len, "pitch", read_float(w, "AutoPilot_get_TargetPitch", w->ap));
	put_num(out, len, "heading", read_float(w, "AutoPilot_get_TargetHeading", w->ap));
	put_num(out, len, "roll", read_float(w, "AutoPilot_get_TargetRoll", w->ap));
	at = strlen(out);
	snprintf(out + at, len - at, " frame=%s; inputs", frame == w->surface ? "surface" :
	    frame == w->body ? "body" : "other");
	put_num(out, len, "pitch", read_float(w, "Control_get_Pitch", w->control));
	put_num(out, len, "yaw", read_float(w, "Control_get_Yaw", w->control));
	put_num(out, len, "throttle", read_float(w, "Control_get_Throttle", w->control));
	for (i = 0; i < w->nobjs; i++) {
		at = strlen(out);
		snprintf(out + at, len - at, "%s %s=%s", i == 0 ? ";" : "", w->objs[i].label,
		    gone(w, &w->objs[i]) ? "gone" : "here");
	}
	if (w->note[0] != '\0') {
		at = strlen(out);
		snprintf(out + at, len - at, "; %s", w->note);
	}
}

/*
 * The step's state must be reached within 5 s (what a disconnection gives
 * back takes a moment on every path) and still hold a moment later: longer
 * when the step must change nothing, so that a wrong release has time to
 * show.
 */
static void
expect(struct world *w, const char *step, const char *want)
{
	bool unchanged = w->steps > 0 && strcmp(w->seen[w->steps - 1], want) == 0;
	double end = th_now() + 5;
	char got[1024];

	do {
		observe(w, got, sizeof got);
		if (strcmp(got, want) == 0)
			break;
		th_sleep(0.02);
	} while (th_now() < end);
	ck_assert_msg(strcmp(got, want) == 0, "%s, %s:\n  game: %s\n  want: %s", path_names[w->path],
	    step, got, want);
	th_sleep(unchanged ? 0.3 : 0.05);
	observe(w, got, sizeof got);
	ck_assert_msg(strcmp(got, want) == 0, "%s, %s, later:\n  game: %s\n  want: %s",
	    path_names[w->path], step, got, want);
	ck_assert_int_lt(w->steps, STEPS);
	snprintf(w->seen[w->steps++], sizeof w->seen[0], "%s", got);
}

/* Every path saw the same game state after every step. */
static void
same_on_every_path(const struct world *w)
{
	int p, s;

	for (p = 1; p < NPATHS; p++) {
		ck_assert_int_eq(w[p].steps, w[0].steps);
		for (s = 0; s < w[0].steps; s++)
			ck_assert_msg(strcmp(w[p].seen[s], w[0].seen[s]) == 0,
			    "step %d: %s saw\n  %s\nwhere %s saw\n  %s", s + 1, path_names[p],
			    w[p].seen[s], path_names[0], w[0].seen[s]);
	}
}

/* ---- scenario 1: a script takes everything, then exits or crashes ---------- */

/*
 * Script A: engages the auto-pilot (targets set, the body's frame), sets
 * pitch and throttle, draws two lines and removes one, and builds a canvas
 * with a panel holding a button.
 */
static bool
act_pilot(th_client_t *c, const struct world *w, struct made *m)
{
	uint64_t ap = autopilot(c);

	if (ap == 0 || !call(c, NULL, SC, "AutoPilot_set_ReferenceFrame", 2, krpc_value_object(ap),
	    krpc_value_object(w->body)) || !set_float(c, "AutoPilot_set_TargetPitch", ap, 30) ||
	    !set_float(c, "AutoPilot_set_TargetHeading", ap, 90) ||
	    !set_float(c, "AutoPilot_set_TargetRoll", ap, 10) ||
	    !call(c, NULL, SC, "AutoPilot_Engage", 1, krpc_value_object(ap)) ||
	    !set_float(c, "Control_set_Pitch", w->control, 0.5f) ||
	    !set_float(c, "Control_set_Throttle", w->control, 0.6f))
		return false;
	m->id[0] = line(c, w, 1);
	m->id[1] = line(c, w, 2);
	if (!call(c, NULL, "Drawing", "Line_Remove", 1, krpc_value_object(m->id[1])))
		return false;
	m->id[2] = call(c, "class(UI.Canvas)", "UI", "AddCanvas", 0);
	m->id[3] = call(c, "class(UI.Panel)", "UI", "Canvas_AddPanel", 1, krpc_value_object(m->id[2]));
	m->id[4] = call(c, "class(UI.Button)", "UI", "Panel_AddButton", 2, krpc_value_object(m->id[3]),
	    krpc_value_string("Abort"));
	return m->id[0] && m->id[1] && m->id[2] && m->id[3] && m->id[4];
}

/* Scenario 1 on one path: A acts in its own process, then exits or is killed. */
static void
scenario_pilot(struct world *w, bool crash)
{
	struct made m;
	struct proc p = script_process(w, "pilot", act_pilot, &m);

	label(w, "L1", "Drawing", "Line", m.id[0]);
	label(w, "L2", "Drawing", "Line", m.id[1]);
	label(w, "C1", "UI", "Canvas", m.id[2]);
	label(w, "P1", "UI", "Panel", m.id[3]);
	label(w, "B1", "UI", "Button", m.id[4]);
	expect(w, "the script took it all", "autopilot engaged=1 pitch=30.00 heading=90.00 "
	    "roll=10.00 frame=body; inputs pitch=0.50 yaw=0.00 throttle=0.60; L1=here L2=gone "
	    "C1=here P1=here B1=here");
	script_end(&p, crash);
	expect(w, crash ? "the script was killed" : "the script exited", "autopilot engaged=0 "
	    "pitch=0.00 heading=0.00 roll=none frame=surface; inputs pitch=0.00 yaw=0.00 "
	    "throttle=0.60; L1=gone L2=gone C1=gone P1=gone B1=gone");
}

/* Runs a scenario on every path, each with a fresh game (and proxy). */
static void
every_path(const char *prefix, void (*run)(struct world *, bool), bool crash)
{
	static struct world w[NPATHS];
	char name[32];
	int p;

	for (p = 0; p < NPATHS; p++) {
		snprintf(name, sizeof name, "%s%d", prefix, p);
		world_start(&w[p], (enum path)p, name);
		run(&w[p], crash);
		world_stop(&w[p]);
	}
	same_on_every_path(w);
}

START_TEST(test_script_exits)
{
	every_path("ex", scenario_pilot, false);
}
END_TEST

START_TEST(test_script_crashes)
{
	every_path("cr", scenario_pilot, true);
}
END_TEST

/* ---- scenario 2: two scripts set inputs and engage, one dies ---------------- */

/* Script A: pitch 0.25, engages the auto-pilot with target pitch 20. */
static bool
act_first(th_client_t *c, const struct world *w, struct made *m)
{
	uint64_t ap = autopilot(c);

	return ap != 0 && set_float(c, "Control_set_Pitch", w->control, 0.25f) &&
	    set_float(c, "AutoPilot_set_TargetPitch", ap, 20) &&
	    call(c, NULL, SC, "AutoPilot_Engage", 1, krpc_value_object(ap));
}

/* Scenario 2: A (its own process) and B both set inputs and engage; A is killed, then B exits. */
static void
scenario_two(struct world *w, bool crash)
{
	th_client_t *b;
	struct made m;
	struct proc p = script_process(w, "first", act_first, &m);
	uint64_t ap;

	(void)crash;
	b = script(w, "second");
	ap = autopilot(b);
	ck_assert(set_float(b, "Control_set_Yaw", w->control, -0.5f));
	ck_assert(call(b, NULL, SC, "AutoPilot_Engage", 1, krpc_value_object(ap)));
	expect(w, "both set inputs, the second engaged last", "autopilot engaged=1 pitch=20.00 "
	    "heading=0.00 roll=none frame=surface; inputs pitch=0.25 yaw=-0.50 throttle=0.00");
	script_end(&p, true);
	expect(w, "the first was killed", "autopilot engaged=1 pitch=20.00 heading=0.00 roll=none "
	    "frame=surface; inputs pitch=0.25 yaw=-0.50 throttle=0.00");
	th_client_close(b);
	expect(w, "the second exited", "autopilot engaged=0 pitch=0.00 heading=0.00 roll=none "
	    "frame=surface; inputs pitch=0.00 yaw=0.00 throttle=0.00");
}

START_TEST(test_two_scripts_inputs)
{
	every_path("two", scenario_two, true);
}
END_TEST

/* ---- scenario 3: Clear(clientOnly = true) with two scripts ----------------- */

/* Scenario 3: A and B draw and build; B cannot remove A's; A clears its own; B exits. */
static void
scenario_clear(struct world *w, bool crash)
{
	th_client_t *a = script(w, "a"), *b = script(w, "b");
	char e1[128], e2[128];
	uint64_t ca;

	(void)crash;
	label(w, "LA1", "Drawing", "Line", line(a, w, 1));
	label(w, "LA2", "Drawing", "Line", line(a, w, 2));
	label(w, "CA", "UI", "Canvas", ca = call(a, "class(UI.Canvas)", "UI", "AddCanvas", 0));
	label(w, "TA", "UI", "Text", call(a, "class(UI.Text)", "UI", "Canvas_AddText", 2,
	    krpc_value_object(ca), krpc_value_string("a")));
	label(w, "LB", "Drawing", "Line", line(b, w, 3));
	label(w, "CB", "UI", "Canvas", call(b, "class(UI.Canvas)", "UI", "AddCanvas", 0));
	label(w, "PB", "UI", "Panel", call(b, "class(UI.Panel)", "UI", "Canvas_AddPanel", 1,
	    krpc_value_object(ca)));			/* b's panel on a's canvas */
	expect(w, "both drew", "autopilot engaged=0 pitch=0.00 heading=0.00 roll=none "
	    "frame=surface; inputs pitch=0.00 yaw=0.00 throttle=0.00; LA1=here LA2=here CA=here "
	    "TA=here LB=here CB=here PB=here");

	call_refused(b, e1, sizeof e1, "Drawing", "Line_Remove", w->objs[0].id);
	call_refused(b, e2, sizeof e2, "UI", "Canvas_Remove", ca);
	snprintf(w->note, sizeof w->note, "b removing a's: \"%s\", \"%s\"", e1, e2);
	expect(w, "b tried to remove a's", "autopilot engaged=0 pitch=0.00 heading=0.00 roll=none "
	    "frame=surface; inputs pitch=0.00 yaw=0.00 throttle=0.00; LA1=here LA2=here CA=here "
	    "TA=here LB=here CB=here PB=here; b removing a's: \"Drawing object not found\", "
	    "\"UI object not found\"");
	w->note[0] = '\0';

	ck_assert(call(a, NULL, "Drawing", "Clear", 1, krpc_value_bool(true)));
	ck_assert(call(a, NULL, "UI", "Clear", 1, krpc_value_bool(true)));
	expect(w, "a cleared its own", "autopilot engaged=0 pitch=0.00 heading=0.00 roll=none "
	    "frame=surface; inputs pitch=0.00 yaw=0.00 throttle=0.00; LA1=gone LA2=gone CA=gone "
	    "TA=gone LB=here CB=here PB=gone");
	th_client_close(b);
	expect(w, "b exited", "autopilot engaged=0 pitch=0.00 heading=0.00 roll=none "
	    "frame=surface; inputs pitch=0.00 yaw=0.00 throttle=0.00; LA1=gone LA2=gone CA=gone "
	    "TA=gone LB=gone CB=gone PB=gone");
	th_client_close(a);
}

START_TEST(test_clear_client_only)
{
	every_path("clr", scenario_clear, false);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("daemon_own");
	TCase *tc = tcase_create("ownership");

	tcase_set_timeout(tc, 120);
	dt_add_sim_test(tc, test_script_exits, "Drawing, UI and the auto-pilot are krpc-sim's");
	dt_add_sim_test(tc, test_script_crashes, "Drawing, UI and the auto-pilot are krpc-sim's");
	dt_add_sim_test(tc, test_two_scripts_inputs, "the auto-pilot and inputs are krpc-sim's");
	dt_add_sim_test(tc, test_clear_client_only, "Drawing and UI are krpc-sim's");
	suite_add_tcase(s, tc);
	return dt_run(s);
}
