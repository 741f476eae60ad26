/*
 * Integration tests of what krpc-sim, like the game, ties to the client that
 * took it and gives back when that client disconnects: the auto-pilot (its
 * last engager), the manual control inputs (once every client that set one
 * has gone), and the Drawing and UI objects (their creator's; only it may
 * remove them; Clear(clientOnly) and the hierarchy of UI objects).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svctest.h"

#define CONTROL	"class(SpaceCenter.Control)"
#define AP	"class(SpaceCenter.AutoPilot)"
#define FRAME	"class(SpaceCenter.ReferenceFrame)"
#define V3	"tuple(double, double, double)"

/* The active vessel's object reached by getter (Vessel_get_Control, Vessel_get_AutoPilot...). */
static uint64_t
vessel_part(th_client_t *c, const char *type, const char *getter)
{
	uint64_t vessel = svt_call_obj(c, "class(SpaceCenter.Vessel)", SC, "get_ActiveVessel", 0);

	return svt_call_obj(c, type, SC, getter, 1, krpc_value_object(vessel));
}

/* A float property of an object. */
static float
get_float(th_client_t *c, const char *proc, uint64_t obj)
{
	krpc_value_t *v = svt_call_ok(c, "float", SC, proc, 1, krpc_value_object(obj));
	float f = -1000;

	ck_assert(krpc_value_as_float(v, &f) == KRPC_OK);
	krpc_value_free(v);
	return f;
}

/* A bool property of an object. */
static bool
get_bool(th_client_t *c, const char *svc, const char *proc, uint64_t obj)
{
	krpc_value_t *v = svt_call_ok(c, "bool", svc, proc, 1, krpc_value_object(obj));
	bool b = false;

	ck_assert(krpc_value_as_bool(v, &b) == KRPC_OK);
	krpc_value_free(v);
	return b;
}

/* Waits up to 5 s for a float property to become want (NaN: NaN). */
static bool
wait_float(th_client_t *c, const char *proc, uint64_t obj, float want)
{
	double end = th_now() + 5;
	float f;

	do {
		f = get_float(c, proc, obj);
		if (f == want || (isnan(want) && isnan(f)))
			return true;
		th_sleep(0.02);
	} while (th_now() < end);
	fprintf(stderr, "%s: %f, not %f\n", proc, f, want);
	return false;
}

/* True if the object is gone: its Visible getter fails with ObjectDestroyedException. */
static bool
destroyed(th_client_t *c, const char *svc, const char *getter, uint64_t obj)
{
	char *service = NULL, *name = NULL, *err;
	bool gone;

	err = th_call_error(c, &service, &name, svc, getter, 1, krpc_value_object(obj));
	gone = err != NULL && strcmp(name, "ObjectDestroyedException") == 0;
	free(err);
	free(service);
	free(name);
	return gone;
}

/* Waits up to 5 s for destroyed() to be want. */
static bool
wait_destroyed(th_client_t *c, const char *svc, const char *getter, uint64_t obj, bool want)
{
	double end = th_now() + 5;

	do {
		if (destroyed(c, svc, getter, obj) == want)
			return true;
		th_sleep(0.02);
	} while (th_now() < end);
	return false;
}

/* A line drawn by c in the vessel's surface frame. */
static uint64_t
add_line(th_client_t *c, double x)
{
	uint64_t frame = vessel_part(c, FRAME, "Vessel_get_SurfaceReferenceFrame");

	return svt_call_obj(c, "class(Drawing.Line)", "Drawing", "AddLine", 3, th_vec3(0, 0, 0),
	    th_vec3(x, 0, 0), krpc_value_object(frame));
}

START_TEST(test_autopilot_last_engager)
{
	th_client_t *a = svt_cli(), *b = svt_cli(), *obs = svt_cli();
	uint64_t ap = vessel_part(a, AP, "Vessel_get_AutoPilot");
	uint64_t body = svt_call_obj(obs, FRAME, SC, "CelestialBody_get_ReferenceFrame", 1,
	    krpc_value_object(svt_call_obj(obs, "class(SpaceCenter.CelestialBody)", SC,
	    "Orbit_get_Body", 1, krpc_value_object(vessel_part(obs, "class(SpaceCenter.Orbit)",
	    "Vessel_get_Orbit")))));
	uint64_t surface = vessel_part(obs, FRAME, "Vessel_get_SurfaceReferenceFrame");
	uint64_t own = vessel_part(obs, FRAME, "Vessel_get_ReferenceFrame");
	struct svt_err e;

	ck_assert_uint_eq(vessel_part(b, AP, "Vessel_get_AutoPilot"), ap);	/* one per vessel */
	ck_assert(get_float(obs, "AutoPilot_get_PitchError", ap) == 0);		/* disengaged */
	ck_assert(isnan(get_float(obs, "AutoPilot_get_TargetRoll", ap)));
	ck_assert_uint_eq(svt_call_obj(obs, FRAME, SC, "AutoPilot_get_ReferenceFrame", 1,
	    krpc_value_object(ap)), surface);
	svt_call_err(&e, a, SC, "AutoPilot_set_ReferenceFrame", 2, krpc_value_object(ap),
	    krpc_value_object(own));
	svt_check_err(&e, "KRPC", "ArgumentException",
	    "Invalid reference frame; must not rotate with the vessel");

	svt_call_void(a, SC, "AutoPilot_set_ReferenceFrame", 2, krpc_value_object(ap),
	    krpc_value_object(body));
	svt_call_void(a, SC, "AutoPilot_TargetPitchAndHeading", 3, krpc_value_object(ap),
	    krpc_value_float(45), krpc_value_float(90));
	svt_call_void(a, SC, "AutoPilot_set_TargetRoll", 2, krpc_value_object(ap), krpc_value_float(30));
	svt_call_void(a, SC, "AutoPilot_Engage", 1, krpc_value_object(ap));
	ck_assert(get_float(obs, "AutoPilot_get_PitchError", ap) == 45);
	ck_assert(get_float(obs, "AutoPilot_get_HeadingError", ap) == 90);
	ck_assert(get_float(obs, "AutoPilot_get_RollError", ap) == 30);
	ck_assert(get_float(obs, "AutoPilot_get_Error", ap) == 45);

	/* b engages it too, so a's leaving changes nothing: the last engager owns it. */
	svt_call_void(b, SC, "AutoPilot_Engage", 1, krpc_value_object(ap));
	th_client_close(a);
	th_sleep(0.2);
	ck_assert(get_float(obs, "AutoPilot_get_TargetPitch", ap) == 45);
	ck_assert(get_float(obs, "AutoPilot_get_PitchError", ap) == 45);

	/* b leaves: reset to the surface frame, 0, 0, no roll, and disengaged. */
	th_client_close(b);
	ck_assert(wait_float(obs, "AutoPilot_get_PitchError", ap, 0));
	ck_assert(get_float(obs, "AutoPilot_get_TargetPitch", ap) == 0);
	ck_assert(get_float(obs, "AutoPilot_get_TargetHeading", ap) == 0);
	ck_assert(isnan(get_float(obs, "AutoPilot_get_TargetRoll", ap)));
	ck_assert_uint_eq(svt_call_obj(obs, FRAME, SC, "AutoPilot_get_ReferenceFrame", 1,
	    krpc_value_object(ap)), surface);
	th_client_close(obs);
}
END_TEST

START_TEST(test_autopilot_disengaged_stays)
{
	th_client_t *a = svt_cli(), *obs = svt_cli();
	uint64_t ap = vessel_part(a, AP, "Vessel_get_AutoPilot");

	/* Disengaged before leaving: the targets are the client's to keep. */
	svt_call_void(a, SC, "AutoPilot_set_TargetPitch", 2, krpc_value_object(ap), krpc_value_float(10));
	svt_call_void(a, SC, "AutoPilot_Engage", 1, krpc_value_object(ap));
	svt_call_void(a, SC, "AutoPilot_Disengage", 1, krpc_value_object(ap));
	th_client_close(a);
	th_sleep(0.2);
	ck_assert(get_float(obs, "AutoPilot_get_TargetPitch", ap) == 10);
	th_client_close(obs);
}
END_TEST

START_TEST(test_inputs_cleared_by_the_last_setter)
{
	th_client_t *a = svt_cli(), *b = svt_cli(), *obs = svt_cli();
	uint64_t ctl = vessel_part(a, CONTROL, "Vessel_get_Control");
	static const char *const inputs[] = { "Pitch", "Yaw", "Roll", "Forward", "Up", "Right",
	    "WheelThrottle", "WheelSteering" };
	char proc[64];
	size_t i;

	for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		snprintf(proc, sizeof proc, "Control_set_%s", inputs[i]);
		svt_call_void(a, SC, proc, 2, krpc_value_object(ctl), krpc_value_float(2));
		snprintf(proc, sizeof proc, "Control_get_%s", inputs[i]);
		ck_assert_msg(get_float(obs, proc, ctl) == 1, "%s clamped", inputs[i]);
	}
	svt_call_void(a, SC, "Control_set_Pitch", 2, krpc_value_object(ctl), krpc_value_float(-0.5f));
	/* b set only the throttle, which counts it among the clients that set inputs. */
	svt_call_void(b, SC, "Control_set_Throttle", 2, krpc_value_object(ctl), krpc_value_float(0.75f));
	th_client_close(a);
	th_sleep(0.2);
	ck_assert(get_float(obs, "Control_get_Pitch", ctl) == -0.5f);
	th_client_close(b);
	ck_assert(wait_float(obs, "Control_get_Pitch", ctl, 0));
	for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		snprintf(proc, sizeof proc, "Control_get_%s", inputs[i]);
		ck_assert_msg(get_float(obs, proc, ctl) == 0, "%s zeroed", inputs[i]);
	}
	ck_assert(get_float(obs, "Control_get_Throttle", ctl) == 0.75f);	/* kept */
	th_client_close(obs);
}
END_TEST

START_TEST(test_drawing_owners)
{
	th_client_t *a = svt_cli(), *b = svt_cli(), *obs = svt_cli();
	uint64_t la = add_line(a, 1), la2 = add_line(a, 2), lb = add_line(b, 3), poly, text, dir;
	uint64_t frame = vessel_part(b, FRAME, "Vessel_get_SurfaceReferenceFrame");
	krpc_value_t *verts = krpc_value_collection(KRPC_TYPE_LIST), *v, *rot;
	struct svt_err e;
	double x;

	krpc_value_append(verts, th_vec3(1, 0, 0));
	krpc_value_append(verts, th_vec3(2, 0, 0));
	poly = svt_call_obj(b, "class(Drawing.Polygon)", "Drawing", "AddPolygon", 2, verts,
	    krpc_value_object(frame));
	rot = th_vec3(0, 0, 0);
	krpc_value_append(rot, krpc_value_double(1));
	text = svt_call_obj(b, "class(Drawing.Text)", "Drawing", "AddText", 4,
	    krpc_value_string("hello"), krpc_value_object(frame), th_vec3(0, 0, 0), rot);
	dir = svt_call_obj(b, "class(Drawing.Line)", "Drawing", "AddDirection", 3, th_vec3(1, 0, 0),
	    krpc_value_object(frame), krpc_value_float(5));
	svt_expect_str(obs, "hello", "Drawing", "Text_get_Content", 1, krpc_value_object(text));
	v = svt_call_ok(obs, V3, "Drawing", "Line_get_End", 1, krpc_value_object(dir));
	ck_assert(krpc_value_as_double(krpc_value_item(v, 0), &x) == KRPC_OK && x == 5);
	krpc_value_free(v);

	/* Only the owner may remove its object; to others it is not found. */
	svt_call_err(&e, b, "Drawing", "Line_Remove", 1, krpc_value_object(la));
	svt_check_err(&e, "KRPC", "ArgumentException", "Drawing object not found");
	svt_call_void(a, "Drawing", "Line_Remove", 1, krpc_value_object(la2));
	ck_assert(destroyed(obs, "Drawing", "Line_get_Visible", la2));
	svt_call_err(&e, a, "Drawing", "Line_get_Visible", 1, krpc_value_object(la2));
	svt_check_err(&e, "KRPC", "ObjectDestroyedException", NULL);
	ck_assert(e.request_level);

	/* Clear(clientOnly = true) removes the caller's objects only. */
	svt_call_void(b, "Drawing", "Clear", 1, krpc_value_bool(true));
	ck_assert(destroyed(obs, "Drawing", "Line_get_Visible", lb));
	ck_assert(destroyed(obs, "Drawing", "Polygon_get_Visible", poly));
	ck_assert(destroyed(obs, "Drawing", "Text_get_Visible", text));
	ck_assert(!destroyed(obs, "Drawing", "Line_get_Visible", la));

	/* a disconnects: the game destroys what it drew. */
	lb = add_line(b, 4);
	th_client_close(a);
	ck_assert(wait_destroyed(obs, "Drawing", "Line_get_Visible", la, true));
	ck_assert(!destroyed(obs, "Drawing", "Line_get_Visible", lb));

	/* Clear() removes everybody's. */
	svt_call_void(obs, "Drawing", "Clear", 0);
	ck_assert(destroyed(obs, "Drawing", "Line_get_Visible", lb));
	th_client_close(b);
	th_client_close(obs);
}
END_TEST

START_TEST(test_ui_hierarchy)
{
	th_client_t *a = svt_cli(), *b = svt_cli(), *obs = svt_cli();
	uint64_t canvas, panel, button, field, text, stock, bpanel, btext;
	struct svt_err e;

	canvas = svt_call_obj(a, "class(UI.Canvas)", "UI", "AddCanvas", 0);
	panel = svt_call_obj(a, "class(UI.Panel)", "UI", "Canvas_AddPanel", 1, krpc_value_object(canvas));
	button = svt_call_obj(a, "class(UI.Button)", "UI", "Panel_AddButton", 2,
	    krpc_value_object(panel), krpc_value_string("Go"));
	field = svt_call_obj(a, "class(UI.InputField)", "UI", "Canvas_AddInputField", 1,
	    krpc_value_object(canvas));
	text = svt_call_obj(b, "class(UI.Text)", "UI", "Panel_AddText", 2, krpc_value_object(panel),
	    krpc_value_string("b's"));
	svt_expect_str(obs, "b's", "UI", "Text_get_Content", 1, krpc_value_object(text));
	svt_expect_str(obs, "", "UI", "InputField_get_Value", 1, krpc_value_object(field));

	/* Visible needs the parents' too. */
	svt_call_void(a, "UI", "Panel_set_Visible", 2, krpc_value_object(panel), krpc_value_bool(false));
	ck_assert(!get_bool(obs, "UI", "Button_get_Visible", button));
	svt_call_void(a, "UI", "Panel_set_Visible", 2, krpc_value_object(panel), krpc_value_bool(true));
	ck_assert(get_bool(obs, "UI", "Button_get_Visible", button));

	/* The stock canvas is the game's; b's panel on it is b's. */
	stock = svt_call_obj(b, "class(UI.Canvas)", "UI", "get_StockCanvas", 0);
	svt_call_err(&e, b, "UI", "Canvas_Remove", 1, krpc_value_object(stock));
	svt_check_err(&e, "KRPC", "InvalidOperationException", "UI object is not removable");
	bpanel = svt_call_obj(b, "class(UI.Panel)", "UI", "Canvas_AddPanel", 1, krpc_value_object(stock));
	btext = svt_call_obj(b, "class(UI.Text)", "UI", "Panel_AddText", 2, krpc_value_object(bpanel),
	    krpc_value_string("x"));
	svt_call_err(&e, a, "UI", "Panel_Remove", 1, krpc_value_object(bpanel));
	svt_check_err(&e, "KRPC", "ArgumentException", "UI object not found");

	/* a leaves: its canvas goes, and everything inside it, b's text included. */
	th_client_close(a);
	ck_assert(wait_destroyed(obs, "UI", "Canvas_get_Visible", canvas, true));
	ck_assert(destroyed(obs, "UI", "Panel_get_Visible", panel));
	ck_assert(destroyed(obs, "UI", "Button_get_Visible", button));
	ck_assert(destroyed(obs, "UI", "InputField_get_Visible", field));
	ck_assert(destroyed(obs, "UI", "Text_get_Visible", text));
	ck_assert(!destroyed(obs, "UI", "Panel_get_Visible", bpanel));

	/* Removing a panel removes what is in it; Clear() leaves the stock canvas. */
	svt_call_void(b, "UI", "Panel_Remove", 1, krpc_value_object(bpanel));
	ck_assert(destroyed(obs, "UI", "Text_get_Visible", btext));
	bpanel = svt_call_obj(b, "class(UI.Panel)", "UI", "Canvas_AddPanel", 1, krpc_value_object(stock));
	svt_call_void(obs, "UI", "Clear", 0);
	ck_assert(destroyed(obs, "UI", "Panel_get_Visible", bpanel));
	ck_assert(!destroyed(obs, "UI", "Canvas_get_Visible", stock));
	th_client_close(b);
	th_client_close(obs);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sim_ownership");
	TCase *tc;

	tc = svt_tcase(s, "autopilot", svt_setup, 60);
	tcase_add_test(tc, test_autopilot_last_engager);
	tc = svt_tcase(s, "autopilot-disengaged", svt_setup, 60);
	tcase_add_test(tc, test_autopilot_disengaged_stays);
	tc = svt_tcase(s, "inputs", svt_setup, 60);
	tcase_add_test(tc, test_inputs_cleared_by_the_last_setter);
	tc = svt_tcase(s, "drawing", svt_setup, 60);
	tcase_add_test(tc, test_drawing_owners);
	tc = svt_tcase(s, "ui", svt_setup, 60);
	tcase_add_test(tc, test_ui_hierarchy);
	return svt_run(s);
}
