/*
 * krpc-sim: the game's UI service (service id 7, every scene) as far as
 * ownership goes: canvases, and panels, texts, buttons and input fields
 * placed on a canvas or in a panel, each belonging to the client that made
 * it (svc_owned.c); removing one removes what is inside it.  The stock
 * canvas is the game's: anyone may place things on it, nobody may remove
 * it.  Nothing is shown; a button is never clicked unless a client sets
 * Clicked.  Not on kRPC's TestServer: krpc-sim(1) lists it among the sim's
 * own services.
 */
#include <stdlib.h>

#include "svc_owned.h"

/* Property slots of UI objects. */
enum svc_ui_slot {
	SVC_UI_VISIBLE,		/* its own flag; Visible also needs its parents' */
	SVC_UI_A,		/* Text: content; Button: clicked; InputField: value */
	SVC_UI_B,		/* InputField: changed */
};

enum svc_ui_kind {
	SVC_UI_OWNED,		/* made by a client */
	SVC_UI_STOCK,		/* the stock canvas */
};

static struct svc_owned_set svc_ui = { "UI", "UI object not found", NULL };
static struct svc_owned *svc_ui_stock;

/*
 * A new object of class cls inside parent (NULL: a canvas), made by the
 * caller; visible from argument vis (-1: true); a (taken, may be NULL) and
 * b (taken, may be NULL) its other properties.
 */
static struct svc_owned *
svc_ui_new(sim_call_t *c, const char *cls, struct svc_owned *parent, int vis, krpc_value_t *a,
    krpc_value_t *b)
{
	krpc_value_t *v = vis >= 0 ? svc_owned_arg(c, (size_t)vis) : krpc_value_bool(true);
	struct svc_owned *o = v != NULL ? svc_owned_new(c, &svc_ui, cls, SVC_UI_OWNED, parent, true) :
	    NULL;

	if (o == NULL) {
		krpc_value_free(v);
		krpc_value_free(a);
		krpc_value_free(b);
		return NULL;
	}
	svc_owned_put(o, SVC_UI_VISIBLE, v);
	svc_owned_put(o, SVC_UI_A, a);
	svc_owned_put(o, SVC_UI_B, b);
	return o;
}

/* AddCanvas() → Canvas. */
static sim_rc_t
svc_ui_add_canvas(sim_call_t *c)
{
	return svc_owned_return(c, svc_ui_new(c, "Canvas", NULL, -1, NULL, NULL));
}

/* get_StockCanvas: the game's canvas, made on first use. */
static sim_rc_t
svc_ui_stock_canvas(sim_call_t *c)
{
	if (svc_ui_stock == NULL) {
		svc_ui_stock = svc_owned_new(c, &svc_ui, "Canvas", SVC_UI_STOCK, NULL, false);
		if (svc_ui_stock == NULL)
			return SIM_DONE;
		svc_owned_put(svc_ui_stock, SVC_UI_VISIBLE, krpc_value_bool(true));
	}
	return svc_owned_return(c, svc_ui_stock);
}

/* Clear(clientOnly = false): clients' objects (the stock canvas stays). */
static sim_rc_t
svc_ui_clear(sim_call_t *c)
{
	return svc_owned_clear(c, &svc_ui);
}

/* <Class>_Remove: the stock canvas never; otherwise the owner only. */
static sim_rc_t
svc_ui_remove(sim_call_t *c)
{
	struct svc_owned *o = sim_arg_data(c, 0);

	if (o->kind == SVC_UI_STOCK) {
		sim_error(c, "KRPC", "InvalidOperationException", "UI object is not removable");
		return SIM_DONE;
	}
	return svc_owned_remove(c, &svc_ui);
}

/* <Container>_AddPanel(visible = true) → Panel. */
static sim_rc_t
svc_ui_add_panel(sim_call_t *c)
{
	return svc_owned_return(c, svc_ui_new(c, "Panel", sim_arg_data(c, 0), 1, NULL, NULL));
}

/* <Container>_AddText(content, visible = true) → Text. */
static sim_rc_t
svc_ui_add_text(sim_call_t *c)
{
	return svc_owned_return(c, svc_ui_new(c, "Text", sim_arg_data(c, 0), 2,
	    svc_owned_arg(c, 1), NULL));
}

/* <Container>_AddButton(content, visible = true) → Button, not clicked. */
static sim_rc_t
svc_ui_add_button(sim_call_t *c)
{
	return svc_owned_return(c, svc_ui_new(c, "Button", sim_arg_data(c, 0), 2,
	    krpc_value_bool(false), NULL));
}

/* <Container>_AddInputField(visible = true) → InputField, empty and unchanged. */
static sim_rc_t
svc_ui_add_input_field(sim_call_t *c)
{
	return svc_owned_return(c, svc_ui_new(c, "InputField", sim_arg_data(c, 0), 1,
	    krpc_value_string(""), krpc_value_bool(false)));
}

/* <Class>_get_Visible: its own flag and every parent's (Unity's activeInHierarchy). */
static sim_rc_t
svc_ui_get_visible(sim_call_t *c)
{
	const struct svc_owned *o;
	bool shown = true, own;

	for (o = sim_arg_data(c, 0); o != NULL && shown; o = o->parent)
		shown = krpc_value_as_bool(o->props[SVC_UI_VISIBLE], &own) == KRPC_OK && own;
	sim_return(c, krpc_value_bool(shown));
	return SIM_DONE;
}

/* The other property getters and setters, one pair per slot. */
#define SVC_UI_PROP_FNS(slot)						\
static sim_rc_t svc_ui_get_##slot(sim_call_t *c) { return svc_owned_get(c, SVC_UI_##slot); } \
static sim_rc_t svc_ui_set_##slot(sim_call_t *c) { return svc_owned_set(c, SVC_UI_##slot); }
SVC_UI_PROP_FNS(A)
SVC_UI_PROP_FNS(B)
#undef SVC_UI_PROP_FNS

/* <Class>_set_Visible. */
static sim_rc_t
svc_ui_set_visible(sim_call_t *c)
{
	return svc_owned_set(c, SVC_UI_VISIBLE);
}

/* A client disconnected: the game destroys what it made. */
static void
svc_ui_client_gone(sim_server_t *srv, sim_client_t *gone)
{
	svc_owned_client_gone(srv, &svc_ui, gone);
}

/* Frees every object (exit). */
static void
svc_ui_fini(sim_server_t *srv)
{
	svc_owned_free_all(&svc_ui);
	svc_ui_stock = NULL;
}

/* ---- Tables ----------------------------------------------------------- */

#define P(n, t)		{ (n), (t), 0, NULL }
#define VISIBLE		{ "visible", "bool", SIM_DEFAULT, "01" }
#define OBJ(cls)	"class(UI." cls ")"
#define THIS(cls)	P("this", OBJ(cls))
#define PROP(cls, wire, slot, type, text)				\
	{ .name = cls "_get_" wire, .fn = svc_ui_get_##slot, .ret = type, .doc = text, \
	  .params = { THIS(cls) } },					\
	{ .name = cls "_set_" wire, .fn = svc_ui_set_##slot, .doc = text,	\
	  .params = { THIS(cls), P("value", type) } }
#define COMMON(cls)							\
	{ .name = cls "_Remove", .fn = svc_ui_remove,			\
	  .doc = "Removes the object and what is inside it; only the client that made\n" \
	      "it may.", .params = { THIS(cls) } },			\
	PROP(cls, "Visible", visible, "bool", "Whether it is shown.")
#define CONTAINER(cls)							\
	{ .name = cls "_AddPanel", .fn = svc_ui_add_panel, .ret = OBJ("Panel"),	\
	  .doc = "Adds a panel inside it.", .params = { THIS(cls), VISIBLE } }, \
	{ .name = cls "_AddText", .fn = svc_ui_add_text, .ret = OBJ("Text"),	\
	  .doc = "Adds text inside it.",				\
	  .params = { THIS(cls), P("content", "string"), VISIBLE } },	\
	{ .name = cls "_AddInputField", .fn = svc_ui_add_input_field,	\
	  .ret = OBJ("InputField"), .doc = "Adds an input field inside it.",	\
	  .params = { THIS(cls), VISIBLE } },				\
	{ .name = cls "_AddButton", .fn = svc_ui_add_button, .ret = OBJ("Button"), \
	  .doc = "Adds a button inside it.",				\
	  .params = { THIS(cls), P("content", "string"), VISIBLE } },	\
	COMMON(cls)

static const struct sim_proc svc_ui_procs[] = {
	{ .name = "AddCanvas", .fn = svc_ui_add_canvas, .ret = OBJ("Canvas"),
	  .doc = "Adds a canvas of the caller's." },
	{ .name = "Clear", .fn = svc_ui_clear,
	  .doc = "Removes every client's objects, or with clientOnly only the caller's.",
	  .params = { { "clientOnly", "bool", SIM_DEFAULT, "00" } } },
	{ .name = "get_StockCanvas", .fn = svc_ui_stock_canvas, .ret = OBJ("Canvas"),
	  .doc = "The game's own canvas." },
	COMMON("Button"),
	PROP("Button", "Clicked", A, "bool", "Whether the button was clicked; reset it to\n"
	    "see the next click."),
	CONTAINER("Canvas"),
	COMMON("InputField"),
	PROP("InputField", "Value", A, "string", "The text in the field."),
	PROP("InputField", "Changed", B, "bool", "Whether the text was changed; reset it to\n"
	    "see the next change."),
	CONTAINER("Panel"),
	COMMON("Text"),
	PROP("Text", "Content", A, "string", "The text."),
};

static const struct sim_class svc_ui_classes[] = {
	{ .name = "Button", .dotnet = "KRPC.UI.Button", .doc = "A button." },
	{ .name = "Canvas", .dotnet = "KRPC.UI.Canvas", .doc = "A canvas for UI elements." },
	{ .name = "InputField", .dotnet = "KRPC.UI.InputField", .doc = "An input field." },
	{ .name = "Panel", .dotnet = "KRPC.UI.Panel", .doc = "A container for UI elements." },
	{ .name = "Text", .dotnet = "KRPC.UI.Text", .doc = "A text label." },
};

const struct sim_service sim_service_ui = {
	.name = "UI",
	.id = 7,
	.doc = "The game's user interface: krpc-sim keeps the objects and who made them,\n"
	    "and shows nothing.",
	.procs = svc_ui_procs,
	.nprocs = sizeof(svc_ui_procs) / sizeof(svc_ui_procs[0]),
	.classes = svc_ui_classes,
	.nclasses = sizeof(svc_ui_classes) / sizeof(svc_ui_classes[0]),
	.fini = svc_ui_fini,
	.client_gone = svc_ui_client_gone,
};
