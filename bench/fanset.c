/*
 * What the fan-out clients subscribe to.  The value must change on every
 * server update, and must not depend on the caller (a caller-dependent
 * procedure such as TestService.Counter is evaluated per client, never
 * shared, so it would measure N upstream streams, not fan-out):
 *
 *   ut        krpc-sim's SpaceCenter.get_UT (one stream; +1/60 s each update)
 *   status    KRPC.GetStatus, on any server (one stream; it counts its own
 *             evaluations, so it changes every update): the set used with
 *             kRPC's TestServer, which has no SpaceCenter
 *   flight10  ten distinct krpc-sim streams of a rocket in powered flight
 *             (UT, its position, and four flight values in two frames),
 *             launched just before the clients subscribe
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bench.h"

const char *const fanset_names[FANSET_N] = { "ut", "status", "flight10" };

/* Appends a varint-encoded object id argument. */
static void
fanset_obj_arg(krpc_msg_arg_t *a, uint8_t *buf, uint32_t pos, uint64_t id)
{
	size_t n = krpc_varint_put(buf, id);

	*a = (krpc_msg_arg_t){ .position = pos, .value = buf, .len = n };
}

/* Calls service.procedure with up to two object arguments (0: none); the object id returned, or 0. */
static uint64_t
fanset_object(struct net_conn *c, const char *service, const char *procedure, uint64_t a0,
    uint64_t a1)
{
	uint8_t b0[KRPC_VARINT64_MAX], b1[KRPC_VARINT64_MAX];
	krpc_msg_arg_t args[2] = { { 0 }, { 0 } };
	krpc_buf_t req = KRPC_BUF_INIT;
	const uint8_t *v;
	char why[256];
	size_t vlen, n = 0;
	uint64_t id = 0;

	if (a0 != 0)
		fanset_obj_arg(&args[n++], b0, 0, a0);
	if (a1 != 0)
		fanset_obj_arg(&args[n++], b1, 1, a1);
	net_request(&req, service, procedure, args, n);
	if (!krpc_buf_ok(&req) || net_call(c, &req, &v, &vlen, why, sizeof why) != 0)
		fprintf(stderr, "krpcmux-bench: %s.%s: %s\n", service, procedure, why);
	else if (v == NULL || krpc_varint_get(v, vlen, &id) <= 0)
		id = 0;
	krpc_buf_free(&req);
	return id;
}

/* Adds a serialised ProcedureCall of procedure with object arguments to the set. */
static void
fanset_add(struct fanset *s, const char *service, const char *procedure, uint64_t a0, uint64_t a1)
{
	uint8_t b0[KRPC_VARINT64_MAX], b1[KRPC_VARINT64_MAX];
	krpc_msg_arg_t args[2] = { { 0 }, { 0 } };
	size_t n = 0;

	if (a0 != 0)
		fanset_obj_arg(&args[n++], b0, 0, a0);
	if (a1 != 0)
		fanset_obj_arg(&args[n++], b1, 1, a1);
	s->call[s->n] = (krpc_buf_t)KRPC_BUF_INIT;
	krpc_msg_call(&s->call[s->n++], service, procedure, args, n);
}

/* Sets the throttle and stages: the rocket climbs, so its flight values change every update. */
static int
fanset_launch(struct net_conn *c, uint64_t vessel)
{
	uint64_t control = fanset_object(c, "SpaceCenter", "Vessel_get_Control", vessel, 0);
	float one = 1.0f;
	uint32_t bits;
	uint8_t b0[KRPC_VARINT64_MAX], le[4];
	krpc_msg_arg_t args[2];
	krpc_buf_t req = KRPC_BUF_INIT;
	const uint8_t *v;
	char why[256];
	size_t vlen;
	int rc;

	if (control == 0)
		return -1;
	memcpy(&bits, &one, sizeof bits);
	krpc_put_le32(le, bits);
	fanset_obj_arg(&args[0], b0, 0, control);
	args[1] = (krpc_msg_arg_t){ .position = 1, .value = le, .len = 4 };
	net_request(&req, "SpaceCenter", "Control_set_Throttle", args, 2);
	rc = krpc_buf_ok(&req) ? net_call(c, &req, &v, &vlen, why, sizeof why) : -1;
	krpc_buf_reset(&req);
	net_request(&req, "SpaceCenter", "Control_ActivateNextStage", args, 1);
	if (rc == 0)
		rc = krpc_buf_ok(&req) ? net_call(c, &req, &v, &vlen, why, sizeof why) : -1;
	if (rc != 0)
		fprintf(stderr, "krpcmux-bench: launching: %s\n", why);
	krpc_buf_free(&req);
	return rc;
}

/* The ten flight streams, after launching the rocket. */
static int
fanset_flight(struct fanset *s, struct net_conn *c)
{
	static const char *const values[] = {
		"Flight_get_MeanAltitude", "Flight_get_SurfaceAltitude", "Flight_get_Speed",
		"Flight_get_VerticalSpeed",
	};
	uint64_t vessel, orbit, body, frame, fsurf, fbody;
	size_t i;

	if ((vessel = fanset_object(c, "SpaceCenter", "get_ActiveVessel", 0, 0)) == 0 ||
	    (orbit = fanset_object(c, "SpaceCenter", "Vessel_get_Orbit", vessel, 0)) == 0 ||
	    (body = fanset_object(c, "SpaceCenter", "Orbit_get_Body", orbit, 0)) == 0 ||
	    (frame = fanset_object(c, "SpaceCenter", "CelestialBody_get_ReferenceFrame", body, 0)) == 0 ||
	    (fsurf = fanset_object(c, "SpaceCenter", "Vessel_Flight", vessel, 0)) == 0 ||
	    (fbody = fanset_object(c, "SpaceCenter", "Vessel_Flight", vessel, frame)) == 0 ||
	    fanset_launch(c, vessel) != 0)
		return -1;
	fanset_add(s, "SpaceCenter", "get_UT", 0, 0);
	fanset_add(s, "SpaceCenter", "Vessel_Position", vessel, frame);
	for (i = 0; i < 4; i++) {
		fanset_add(s, "SpaceCenter", values[i], fsurf, 0);
		fanset_add(s, "SpaceCenter", values[i], fbody, 0);
	}
	return 0;
}

/* Prepares the calls of a set; c is a direct connection to the server (for flight10). */
int
fanset_prepare(struct fanset *s, enum fanset_kind kind, struct net_conn *c)
{
	memset(s, 0, sizeof *s);
	s->kind = kind;
	if (kind == FANSET_UT)
		fanset_add(s, "SpaceCenter", "get_UT", 0, 0);
	else if (kind == FANSET_STATUS)
		fanset_add(s, "KRPC", "GetStatus", 0, 0);
	else if (fanset_flight(s, c) != 0) {
		fanset_free(s);
		return -1;
	}
	return 0;
}

void
fanset_free(struct fanset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		krpc_buf_free(&s->call[i]);
	s->n = 0;
}

/*
 * A number that must grow from one value of stream i to the next, as bits
 * for the spread (values every client shares): UT for ut and flight10's
 * first stream, GetStatus.stream_rpcs_executed for status.  false if the
 * value is malformed; *tracked false for streams not checked (the other
 * flight values rise and fall).
 */
bool
fanset_value(const struct fanset *s, size_t i, const uint8_t *v, size_t len, double *x,
    bool *tracked)
{
	krpc_pbr_t r = { v, len, 0 };
	krpc_pbr_field_t f;
	uint64_t bits;

	*tracked = i == 0;
	*x = NAN;
	if (s->kind == FANSET_STATUS) {
		*x = 0;		/* proto3 leaves a zero out */
		while (krpc_pbr_next(&r, &f) == 1)
			if (f.number == 17 && f.wire == KRPC_WIRE_VARINT)
				*x = (double)f.varint;
		return true;
	}
	if (i > 0)
		return len > 0;	/* flight10's other values (the position is a Tuple) */
	if (len != 8)
		return false;
	bits = krpc_get_le64(v);
	memcpy(x, &bits, sizeof *x);
	return true;
}
