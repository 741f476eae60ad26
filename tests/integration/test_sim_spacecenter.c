/*
 * Integration tests of krpc-sim's SpaceCenter subset through a real krpc-sim
 * over TCP: objects shared by value, the flight model, streams, the custom
 * altitude event of the kRPC documentation, WarpTo and the scene restriction.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svctest.h"

/* ---- SpaceCenter ------------------------------------------------------ */

#define VESSEL	"class(SpaceCenter.Vessel)"
#define FRAME	"class(SpaceCenter.ReferenceFrame)"
#define FLIGHT	"class(SpaceCenter.Flight)"
#define CONTROL	"class(SpaceCenter.Control)"

/* The objects a script reaches from the active vessel. */
struct scene {
	uint64_t	vessel, orbit, body, body_frame, flight, body_flight, control;
};

/* Walks vessel → orbit → body → frame, flight() and control as the docs' examples do. */
static void
scene_get(th_client_t *c, struct scene *s)
{
	s->vessel = svt_call_obj(c, VESSEL, SC, "get_ActiveVessel", 0);
	ck_assert_uint_gt(s->vessel, 0);
	s->orbit = svt_call_obj(c, "class(SpaceCenter.Orbit)", SC, "Vessel_get_Orbit", 1,
	    krpc_value_object(s->vessel));
	s->body = svt_call_obj(c, "class(SpaceCenter.CelestialBody)", SC, "Orbit_get_Body", 1,
	    krpc_value_object(s->orbit));
	s->body_frame = svt_call_obj(c, FRAME, SC, "CelestialBody_get_ReferenceFrame", 1,
	    krpc_value_object(s->body));
	s->flight = svt_call_obj(c, FLIGHT, SC, "Vessel_Flight", 1, krpc_value_object(s->vessel));
	s->body_flight = svt_call_obj(c, FLIGHT, SC, "Vessel_Flight", 2, krpc_value_object(s->vessel),
	    krpc_value_object(s->body_frame));
	s->control = svt_call_obj(c, CONTROL, SC, "Vessel_get_Control", 1, krpc_value_object(s->vessel));
}

/* Vessel.Position(frame) as three doubles. */
static void
position(th_client_t *c, const struct scene *s, uint64_t frame, double xyz[3])
{
	krpc_value_t *v = svt_call_ok(c, "tuple(double, double, double)", SC, "Vessel_Position", 2,
	    krpc_value_object(s->vessel), krpc_value_object(frame));
	int i;

	ck_assert_uint_eq(krpc_value_count(v), 3);
	for (i = 0; i < 3; i++)
		ck_assert(krpc_value_as_double(krpc_value_item(v, (size_t)i), &xyz[i]) == KRPC_OK);
	krpc_value_free(v);
}

START_TEST(test_sc_objects_and_pad)
{
	th_client_t *c = svt_cli(), *c2 = svt_cli();
	struct scene s, s2;
	uint64_t vframe, sframe;
	double xyz[3], alt;
	krpc_value_t *v;
	float f;
	int i;

	scene_get(c, &s);
	scene_get(c2, &s2);
	ck_assert(memcmp(&s, &s2, sizeof(s)) == 0);	/* objects shared by value */
	ck_assert_uint_ne(s.flight, s.body_flight);
	sframe = svt_call_obj(c, FRAME, SC, "Vessel_get_SurfaceReferenceFrame", 1, krpc_value_object(s.vessel));
	vframe = svt_call_obj(c, FRAME, SC, "Vessel_get_ReferenceFrame", 1, krpc_value_object(s.vessel));
	ck_assert(sframe != vframe && sframe != s.body_frame);
	ck_assert_uint_eq(svt_call_obj(c, FLIGHT, SC, "Vessel_Flight", 2, krpc_value_object(s.vessel),
	    krpc_value_object(sframe)), s.flight);
	ck_assert_uint_eq(svt_call_obj(c, FLIGHT, SC, "Vessel_Flight", 2, krpc_value_object(s.vessel),
	    krpc_value_null(KRPC_TYPE_CLASS)), s.flight);

	/* Names. */
	svt_expect_str(c, "Kerbin", SC, "CelestialBody_get_Name", 1, krpc_value_object(s.body));
	v = svt_call_ok(c, "string", SC, "Vessel_get_Name", 1, krpc_value_object(s.vessel));
	ck_assert_uint_gt(strlen(krpc_value_str(v, NULL)), 0);
	krpc_value_free(v);
	svt_call_void(c, SC, "Vessel_set_Name", 2, krpc_value_object(s.vessel), krpc_value_string("My Vessel"));
	svt_expect_str(c2, "My Vessel", SC, "Vessel_get_Name", 1, krpc_value_object(s.vessel));
	svt_call_void(c, SC, "set_ActiveVessel", 1, krpc_value_object(s.vessel));
	ck_assert_uint_eq(svt_call_obj(c, VESSEL, SC, "get_ActiveVessel", 0), s.vessel);

	/* On the pad. */
	alt = svt_call_double(c, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight));
	ck_assert_msg(alt > 60 && alt < 80, "pad altitude %f", alt);
	ck_assert(svt_call_double(c, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.body_flight)) == alt);
	ck_assert(svt_call_double(c, SC, "Flight_get_SurfaceAltitude", 1, krpc_value_object(s.flight)) < alt);
	ck_assert(svt_call_double(c, SC, "Flight_get_Speed", 1, krpc_value_object(s.body_flight)) == 0);
	ck_assert(svt_call_double(c, SC, "Flight_get_VerticalSpeed", 1, krpc_value_object(s.body_flight)) == 0);
	th_sleep(0.2);
	ck_assert(svt_call_double(c, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight)) == alt);
	for (i = 0; i < 20; i++) {	/* the docs' loop over vessel.position(body frame) */
		position(c, &s, s.body_frame, xyz);
		ck_assert(xyz[0] == 0 && xyz[2] == 0);
		ck_assert_msg(fabs(xyz[1] - (600000 + alt)) < 1e-6, "position %f", xyz[1]);
	}
	position(c, &s, vframe, xyz);
	ck_assert(xyz[0] == 0 && xyz[1] == 0 && xyz[2] == 0);

	/* Throttle clamping; abort is only a flag. */
	svt_call_void(c, SC, "Control_set_Throttle", 2, krpc_value_object(s.control), krpc_value_float(1.5f));
	v = svt_call_ok(c, "float", SC, "Control_get_Throttle", 1, krpc_value_object(s.control));
	ck_assert(krpc_value_as_float(v, &f) == KRPC_OK && f == 1.0f);
	krpc_value_free(v);
	svt_call_void(c, SC, "Control_set_Throttle", 2, krpc_value_object(s.control), krpc_value_float(-2));
	v = svt_call_ok(c, "float", SC, "Control_get_Throttle", 1, krpc_value_object(s.control));
	ck_assert(krpc_value_as_float(v, &f) == KRPC_OK && f == 0.0f);
	krpc_value_free(v);
	svt_call_void(c, SC, "Control_set_Throttle", 2, krpc_value_object(s.control), krpc_value_float(0.25f));
	v = svt_call_ok(c, "float", SC, "Control_get_Throttle", 1, krpc_value_object(s.control));
	ck_assert(krpc_value_as_float(v, &f) == KRPC_OK && f == 0.25f);
	krpc_value_free(v);
	ck_assert(svt_call_double(c, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight)) == alt);
	th_client_close(c);
	th_client_close(c2);
}
END_TEST

START_TEST(test_sc_abort_stream)
{
	th_client_t *c = svt_cli(), *c2 = svt_cli();
	struct scene s;
	krpc_value_t *v;
	uint64_t id;
	bool b = true;

	scene_get(c, &s);
	/* with abort.condition: wait until another client sets the flag. */
	id = th_add_stream(c, th_proc_call(SC, "Control_get_Abort", 1, krpc_value_object(s.control)), true);
	ck_assert(id != UINT64_MAX);
	v = th_wait_stream(c, id, "bool", 5.0, NULL, 0);
	ck_assert(v != NULL && krpc_value_as_bool(v, &b) == KRPC_OK && !b);
	krpc_value_free(v);
	svt_call_void(c2, SC, "Control_set_Abort", 2, krpc_value_object(s.control), krpc_value_bool(true));
	v = th_wait_stream(c, id, "bool", 5.0, NULL, 0);
	ck_assert(v != NULL && krpc_value_as_bool(v, &b) == KRPC_OK && b);
	krpc_value_free(v);
	v = svt_call_ok(c, "bool", SC, "Control_get_Abort", 1, krpc_value_object(s.control));
	ck_assert(krpc_value_as_bool(v, &b) == KRPC_OK && b);
	krpc_value_free(v);
	th_client_close(c);
	th_client_close(c2);
}
END_TEST

START_TEST(test_sc_launch)
{
	th_client_t *c = svt_cli();
	struct scene s;
	krpc_value_t *expr, *v;
	uint64_t ev, alt_id, pos_id, ut_id;
	double t0, t, ut0, ut, alt, prev, xyz[3];
	int i;

	scene_get(c, &s);
	/* The custom event of the docs: mean_altitude > 1000. */
	v = svt_call_ok(c, "class(KRPC.Expression)", "KRPC", "Expression_static_Call", 1,
	    th_proc_call(SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight)));
	expr = svt_call_ok(c, "class(KRPC.Expression)", "KRPC", "Expression_static_GreaterThan", 2, v,
	    svt_call_ok(c, "class(KRPC.Expression)", "KRPC", "Expression_static_ConstantDouble", 1,
	    krpc_value_double(1000)));
	v = svt_call_ok(c, "event", "KRPC", "AddEvent", 1, expr);
	ev = svt_stream_id(v, KRPC_TYPE_EVENT);
	krpc_value_free(v);
	svt_call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(ev));
	alt_id = th_add_stream(c, th_proc_call(SC, "Flight_get_MeanAltitude", 1,
	    krpc_value_object(s.flight)), true);
	pos_id = th_add_stream(c, th_proc_call(SC, "Vessel_Position", 2, krpc_value_object(s.vessel),
	    krpc_value_object(s.body_frame)), true);
	ut_id = th_add_stream(c, th_proc_call(SC, "get_UT", 0), false);
	ck_assert(alt_id != UINT64_MAX && pos_id != UINT64_MAX && ut_id != UINT64_MAX);
	ck_assert_msg(!svt_wait_true(c, ev, 0.3), "the altitude event fired on the pad");

	/* Launch: throttle 1, then stage. */
	ut0 = svt_call_double(c, SC, "get_UT", 0);
	svt_call_void(c, SC, "Control_set_Throttle", 2, krpc_value_object(s.control), krpc_value_float(1));
	v = svt_call_ok(c, "list(" VESSEL ")", SC, "Control_ActivateNextStage", 1, krpc_value_object(s.control));
	ck_assert_uint_eq(krpc_value_count(v), 0);
	krpc_value_free(v);
	t0 = th_now();
	ck_assert_msg(svt_wait_true(c, ev, 20.0), "altitude never passed 1000 m");
	t = th_now() - t0;
	ut = svt_call_double(c, SC, "get_UT", 0);
	alt = svt_call_double(c, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight));
	ck_assert_msg(alt > 1000, "event fired at %f m", alt);
	/* About 8.7 s of game time at 2.5 g net; paced at 60 updates/s, as much wall time. */
	ck_assert_msg(ut - ut0 > 8.5 && ut - ut0 < 10, "1000 m passed %.2f s of UT after launch",
	    ut - ut0);
	ck_assert_msg(t > 4 && t < 19, "1000 m passed %.1f s after launch", t);
	ck_assert(svt_call_double(c, SC, "Flight_get_VerticalSpeed", 1, krpc_value_object(s.body_flight)) > 0);
	ck_assert(svt_call_double(c, SC, "Flight_get_Speed", 1, krpc_value_object(s.body_flight)) > 0);
	ck_assert(svt_call_double(c, SC, "Flight_get_VerticalSpeed", 1, krpc_value_object(s.flight)) == 0);
	position(c, &s, s.body_frame, xyz);
	ck_assert(xyz[1] > 600000 + 1000);

	/* Streams keep changing while the vessel climbs. */
	prev = svt_stream_double(c, alt_id, 2.0);
	for (i = 0; i < 5; i++) {
		alt = svt_stream_double(c, alt_id, 2.0);
		ck_assert_msg(alt > prev, "altitude stream %f after %f", alt, prev);
		prev = alt;
	}
	svt_call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(ut_id));
	ut0 = svt_stream_double(c, ut_id, 2.0);
	ck_assert(svt_stream_double(c, ut_id, 2.0) > ut0);
	th_client_close(c);
}
END_TEST

START_TEST(test_sc_warp)
{
	th_client_t *c = svt_cli(), *c2 = svt_cli();
	struct scene s;
	krpc_buf_t req = KRPC_BUF_INIT;
	double ut0, ut, t0, alt;

	scene_get(c, &s);
	/* Warp an hour: UT jumps there in bounded wall time, never below the target. */
	ut0 = svt_call_double(c, SC, "get_UT", 0);
	t0 = th_now();
	svt_call_void(c, SC, "WarpTo", 1, krpc_value_double(ut0 + 3600));
	ut = svt_call_double(c, SC, "get_UT", 0);
	ck_assert_msg(th_now() - t0 < 10, "WarpTo(+1 h) took %.1f s", th_now() - t0);
	ck_assert_msg(ut >= ut0 + 3600 && ut < ut0 + 3601, "UT %f after warping to %f", ut, ut0 + 3600);

	/* WarpTo a past time still takes an update; another connection is served meanwhile. */
	svt_call_void(c, SC, "WarpTo", 3, krpc_value_double(0), krpc_value_float(10), krpc_value_float(1));
	ck_assert(svt_call_double(c, SC, "get_UT", 0) > ut);

	/* While one connection waits in a long warp, another keeps getting answers. */
	ut0 = svt_call_double(c, SC, "get_UT", 0);
	th_request_add(&req, SC, "WarpTo", 3, krpc_value_double(ut0 + 1e6), krpc_value_float(10),
	    krpc_value_float(2));
	ck_assert_int_eq(th_send_request(c, &req), 0);
	krpc_buf_free(&req);
	ck_assert_int_eq(svt_call_int(c2, "sint32", TS, "BlockingProcedure", 1, krpc_value_sint32(3)), 6);
	ut = svt_call_double(c2, SC, "get_UT", 0);
	ck_assert_msg(ut > ut0 && ut < ut0 + 100, "UT %f during a 10x warp from %f", ut, ut0);

	/* Launched during a warp, the vessel flies and falls back to the pad. */
	th_client_close(c);	/* drops the waiting call, which stops the warp */
	svt_call_void(c2, SC, "Control_set_Throttle", 2, krpc_value_object(s.control), krpc_value_float(1));
	krpc_value_free(svt_call_ok(c2, "list(" VESSEL ")", SC, "Control_ActivateNextStage", 1,
	    krpc_value_object(s.control)));
	ut0 = svt_call_double(c2, SC, "get_UT", 0);
	svt_call_void(c2, SC, "WarpTo", 2, krpc_value_double(ut0 + 30), krpc_value_float(100000));
	alt = svt_call_double(c2, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight));
	ck_assert_msg(alt > 5000, "altitude %f 30 s after launch", alt);
	ut0 = svt_call_double(c2, SC, "get_UT", 0);
	svt_call_void(c2, SC, "WarpTo", 2, krpc_value_double(ut0 + 3600), krpc_value_float(100000));
	alt = svt_call_double(c2, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight));
	ck_assert_msg(alt > 60 && alt < 80, "altitude %f an hour after launch", alt);
	ck_assert(svt_call_double(c2, SC, "Flight_get_Speed", 1, krpc_value_object(s.body_flight)) == 0);
	th_client_close(c2);
}
END_TEST

START_TEST(test_sc_scene_restriction)
{
	th_client_t *c = svt_cli();
	struct svt_err e;

	svt_call_err(&e, c, SC, "get_ActiveVessel", 0);
	svt_check_err(&e, "", "", "Procedure not available in game scene 'SpaceCenter'");
	ck_assert(!e.request_level);
	svt_call_err(&e, c, SC, "get_UT", 0);
	svt_check_err(&e, "", "", "Procedure not available in game scene 'SpaceCenter'");
	ck_assert_int_eq(svt_call_int(c, "enum(KRPC.GameScene)", "KRPC", "get_GameScene", 0), 0);
	svt_expect_str(c, "42", TS, "Int32ToString", 1, krpc_value_sint32(42));
	th_client_close(c);
}
END_TEST

START_TEST(test_sc_flight_scene)
{
	th_client_t *c = svt_cli();

	ck_assert_int_eq(svt_call_int(c, "enum(KRPC.GameScene)", "KRPC", "get_GameScene", 0), 1);
	ck_assert_uint_gt(svt_call_obj(c, VESSEL, SC, "get_ActiveVessel", 0), 0);
	th_client_close(c);
}
END_TEST

/* ---- Suite ------------------------------------------------------------ */

int
main(void)
{
	Suite *s = suite_create("sim_spacecenter");
	TCase *tc;

	tc = svt_tcase(s, "spacecenter", svt_setup, 60);
	tcase_add_test(tc, test_sc_flight_scene);
	tcase_add_test(tc, test_sc_objects_and_pad);
	tcase_add_test(tc, test_sc_abort_stream);
	tc = svt_tcase(s, "spacecenter-launch", svt_setup, 60);
	tcase_add_test(tc, test_sc_launch);
	tc = svt_tcase(s, "spacecenter-warp", svt_setup, 60);
	tcase_add_test(tc, test_sc_warp);
	tc = svt_tcase(s, "spacecenter-scene", svt_setup_space_center, 30);
	tcase_add_test(tc, test_sc_scene_restriction);

	return svt_run(s);
}
