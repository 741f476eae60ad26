/*
 * krpc-sim: the game's Drawing service (service id 3, Flight scene) as far
 * as ownership goes: lines, polygons and text drawn in the scene, each
 * belonging to the client that drew it (svc_owned.c).  Nothing is rendered;
 * the objects keep their properties, Remove and Clear(clientOnly) act as in
 * the game, and a client's objects are destroyed when it disconnects.  Not
 * on kRPC's TestServer: krpc-sim(1) lists it among the sim's own services.
 */
#include <stdlib.h>

#include "svc_owned.h"

/* Property slots of Drawing objects. */
enum svc_drw_slot {
	SVC_DRW_VISIBLE,
	SVC_DRW_FRAME,
	SVC_DRW_COLOR,
	SVC_DRW_C,		/* Line, Polygon: thickness; Text: content */
	SVC_DRW_A,		/* Line: start; Polygon: vertices; Text: position */
	SVC_DRW_B,		/* Line: end; Text: rotation */
};

static struct svc_owned_set svc_drw = { "Drawing", "Drawing object not found", NULL };

/* A tuple of three doubles. */
static krpc_value_t *
svc_drw_tuple3(double x, double y, double z)
{
	krpc_value_t *t = krpc_value_collection(KRPC_TYPE_TUPLE);

	if (t == NULL || krpc_value_append(t, krpc_value_double(x)) != KRPC_OK ||
	    krpc_value_append(t, krpc_value_double(y)) != KRPC_OK ||
	    krpc_value_append(t, krpc_value_double(z)) != KRPC_OK) {
		krpc_value_free(t);
		return NULL;
	}
	return t;
}

/*
 * A new object of class cls drawn by the caller: visible and its frame
 * from arguments vis and frame, white, 0.1 thick; a and b (taken; b NULL
 * for a polygon) its shape.  NULL with the call's error set if out of
 * memory.
 */
static struct svc_owned *
svc_drw_new(sim_call_t *c, const char *cls, size_t frame, size_t vis, krpc_value_t *a,
    krpc_value_t *b)
{
	struct svc_owned *o = NULL;
	krpc_value_t *color = svc_drw_tuple3(1, 1, 1), *width = krpc_value_float(0.1f);
	krpc_value_t *fv = svc_owned_arg(c, frame), *vv = svc_owned_arg(c, vis);

	if (a != NULL && color != NULL && width != NULL && fv != NULL && vv != NULL)
		o = svc_owned_new(c, &svc_drw, cls, 0, NULL, true);
	else
		sim_error(c, NULL, NULL, "Out of memory");
	if (o == NULL) {
		krpc_value_free(a);
		krpc_value_free(b);
		krpc_value_free(color);
		krpc_value_free(width);
		krpc_value_free(fv);
		krpc_value_free(vv);
		return NULL;
	}
	svc_owned_put(o, SVC_DRW_A, a);
	svc_owned_put(o, SVC_DRW_B, b);
	svc_owned_put(o, SVC_DRW_COLOR, color);
	svc_owned_put(o, SVC_DRW_C, width);
	svc_owned_put(o, SVC_DRW_FRAME, fv);
	svc_owned_put(o, SVC_DRW_VISIBLE, vv);
	return o;
}

/* AddLine(start, end, referenceFrame, visible = true) → Line. */
static sim_rc_t
svc_drw_add_line(sim_call_t *c)
{
	return svc_owned_return(c, svc_drw_new(c, "Line", 2, 3, svc_owned_arg(c, 0),
	    svc_owned_arg(c, 1)));
}

/* AddDirection(direction, referenceFrame, length = 10, visible = true) → Line from the origin. */
static sim_rc_t
svc_drw_add_direction(sim_call_t *c)
{
	const krpc_value_t *d = sim_arg(c, 0);
	double v[3] = { 0, 0, 0 }, len = sim_arg_float(c, 2);
	size_t i;

	for (i = 0; i < 3 && i < krpc_value_count(d); i++)
		(void)krpc_value_as_double(krpc_value_item(d, i), &v[i]);
	return svc_owned_return(c, svc_drw_new(c, "Line", 1, 3, svc_drw_tuple3(0, 0, 0),
	    svc_drw_tuple3(v[0] * len, v[1] * len, v[2] * len)));
}

/* AddPolygon(vertices, referenceFrame, visible = true) → Polygon. */
static sim_rc_t
svc_drw_add_polygon(sim_call_t *c)
{
	return svc_owned_return(c, svc_drw_new(c, "Polygon", 1, 2, svc_owned_arg(c, 0), NULL));
}

/*
 * AddText(text, referenceFrame, position, rotation, visible = true) → Text.
 */
static sim_rc_t
svc_drw_add_text(sim_call_t *c)
{
	struct svc_owned *o = svc_drw_new(c, "Text", 1, 4, svc_owned_arg(c, 2), svc_owned_arg(c, 3));
	krpc_value_t *text;

	if (o != NULL && (text = svc_owned_arg(c, 0)) != NULL)
		svc_owned_put(o, SVC_DRW_C, text);
	return svc_owned_return(c, o);
}

/* Clear(clientOnly = false). */
static sim_rc_t
svc_drw_clear(sim_call_t *c)
{
	return svc_owned_clear(c, &svc_drw);
}

/* <Class>_Remove. */
static sim_rc_t
svc_drw_remove(sim_call_t *c)
{
	return svc_owned_remove(c, &svc_drw);
}

/* The property getters and setters, one pair per slot. */
#define SVC_DRW_PROP_FNS(slot)						\
static sim_rc_t svc_drw_get_##slot(sim_call_t *c) { return svc_owned_get(c, SVC_DRW_##slot); } \
static sim_rc_t svc_drw_set_##slot(sim_call_t *c) { return svc_owned_set(c, SVC_DRW_##slot); }
SVC_DRW_PROP_FNS(VISIBLE)
SVC_DRW_PROP_FNS(FRAME)
SVC_DRW_PROP_FNS(COLOR)
SVC_DRW_PROP_FNS(C)
SVC_DRW_PROP_FNS(A)
SVC_DRW_PROP_FNS(B)
#undef SVC_DRW_PROP_FNS

/* A client disconnected: the game destroys what it drew. */
static void
svc_drw_client_gone(sim_server_t *srv, sim_client_t *gone)
{
	svc_owned_client_gone(srv, &svc_drw, gone);
}

/* Frees every object (exit). */
static void
svc_drw_fini(sim_server_t *srv)
{
	svc_owned_free_all(&svc_drw);
}

/* ---- Tables ----------------------------------------------------------- */

#define F		SIM_FLIGHT
#define FRAME		"class(SpaceCenter.ReferenceFrame)"
#define V3		"tuple(double, double, double)"
#define V4		"tuple(double, double, double, double)"
#define P(n, t)		{ (n), (t), 0, NULL }
#define VISIBLE		{ "visible", "bool", SIM_DEFAULT, "01" }
#define OBJ(cls)	"class(Drawing." cls ")"
#define PROP(cls, wire, slot, type, text)				\
	{ .name = cls "_get_" wire, .fn = svc_drw_get_##slot, .ret = type, .flags = F, \
	  .doc = text, .params = { P("this", OBJ(cls)) } },		\
	{ .name = cls "_set_" wire, .fn = svc_drw_set_##slot, .flags = F,	\
	  .doc = text, .params = { P("this", OBJ(cls)), P("value", type) } }
#define COMMON(cls)							\
	{ .name = cls "_Remove", .fn = svc_drw_remove, .flags = F,		\
	  .doc = "Removes the object; only the client that drew it may.",	\
	  .params = { P("this", OBJ(cls)) } },				\
	PROP(cls, "Color", COLOR, V3, "Its color, as red, green and blue from 0 to 1."), \
	PROP(cls, "ReferenceFrame", FRAME, FRAME, "The frame its positions are in."), \
	PROP(cls, "Visible", VISIBLE, "bool", "Whether it is drawn.")

static const struct sim_proc svc_drw_procs[] = {
	{ .name = "AddLine", .fn = svc_drw_add_line, .ret = OBJ("Line"), .flags = F,
	  .doc = "Draws a line in the scene.",
	  .params = { P("start", V3), P("end", V3), P("referenceFrame", FRAME), VISIBLE } },
	{ .name = "AddDirection", .fn = svc_drw_add_direction, .ret = OBJ("Line"), .flags = F,
	  .doc = "Draws a direction from the active vessel's center of mass.",
	  .params = { P("direction", V3), P("referenceFrame", FRAME),
	      { "length", "float", SIM_DEFAULT, "00002041" }, VISIBLE } },
	{ .name = "AddPolygon", .fn = svc_drw_add_polygon, .ret = OBJ("Polygon"), .flags = F,
	  .doc = "Draws a polygon through the vertices.",
	  .params = { P("vertices", "list(" V3 ")"), P("referenceFrame", FRAME), VISIBLE } },
	{ .name = "AddText", .fn = svc_drw_add_text, .ret = OBJ("Text"), .flags = F,
	  .doc = "Draws text in the scene.",
	  .params = { P("text", "string"), P("referenceFrame", FRAME), P("position", V3),
	      P("rotation", V4), VISIBLE } },
	{ .name = "Clear", .fn = svc_drw_clear, .flags = F,
	  .doc = "Removes every object drawn, or with clientOnly only the caller's.",
	  .params = { { "clientOnly", "bool", SIM_DEFAULT, "00" } } },
	COMMON("Line"),
	PROP("Line", "Start", A, V3, "Where the line starts."),
	PROP("Line", "End", B, V3, "Where the line ends."),
	PROP("Line", "Thickness", C, "float", "How thick the line is."),
	COMMON("Polygon"),
	PROP("Polygon", "Vertices", A, "list(" V3 ")", "The polygon's vertices."),
	PROP("Polygon", "Thickness", C, "float", "How thick the polygon's edges are."),
	COMMON("Text"),
	PROP("Text", "Content", C, "string", "The text."),
	PROP("Text", "Position", A, V3, "Where the text is."),
	PROP("Text", "Rotation", B, V4, "The text's rotation, as a quaternion."),
};

static const struct sim_class svc_drw_classes[] = {
	{ .name = "Line", .dotnet = "KRPC.Drawing.Line", .doc = "A line." },
	{ .name = "Polygon", .dotnet = "KRPC.Drawing.Polygon", .doc = "A polygon." },
	{ .name = "Text", .dotnet = "KRPC.Drawing.Text", .doc = "Text drawn in the scene." },
};

const struct sim_service sim_service_drawing = {
	.name = "Drawing",
	.id = 3,
	.doc = "Drawing in the flight scene: krpc-sim keeps the objects and who drew them,\n"
	    "and draws nothing.",
	.procs = svc_drw_procs,
	.nprocs = sizeof(svc_drw_procs) / sizeof(svc_drw_procs[0]),
	.classes = svc_drw_classes,
	.nclasses = sizeof(svc_drw_classes) / sizeof(svc_drw_classes[0]),
	.fini = svc_drw_fini,
	.client_gone = svc_drw_client_gone,
};
