/*
 * The rules: what the game ties to the calling client, in one table.  Some
 * procedures answer or act for their caller (kRPC's CallContext.Client):
 * their calls run on the client's own upstream session (session.c), never
 * on the shared connection, and their streams are never shared.  The
 * services named in upstream.isolate are treated so as a whole (exact
 * ownership: the game itself sees which client made what).  The other rows
 * are the ownership ledger's (ledger.c): what a client takes through the
 * shared connection, and what gives it back when the client leaves, as the
 * game would on its disconnection.  A new rule is one row.
 */
#include "config.h"

#include <string.h>

#include "krpcmuxd.h"

#define SC	"SpaceCenter"
#define DRAWING_NOT_FOUND	"Drawing object not found"
#define UI_NOT_FOUND		"UI object not found"

/*
 * Service, procedure, kind, then what the kind needs: the procedure that
 * gives the thing back (release) and the game's refusal (text).  Sources:
 * kRPC's AutoPilot.cs, PilotAddon.cs, ActuatorControlAddon.cs,
 * PartHighlightAddon.cs, PartForcesAddon.cs, ConstructedOrbitsAddon.cs,
 * ResourceTransferAddon.cs and the Drawing and UI services' Addon.cs.
 */
static const struct rule rules_table[] = {
	/* Counts per calling client and id (TESTSERVICE.md 3); a stream of it counts its owner's. */
	{ "TestService", "Counter", RULE_CALLER, NULL, NULL },
	{ "TestService", "CounterStruct", RULE_CALLER, NULL, NULL },

	/* The auto-pilot: its last engager's, reset and disengaged when that client leaves. */
	{ SC, "Vessel_get_AutoPilot", RULE_AUTOPILOT, "Vessel_get_SurfaceReferenceFrame", NULL },
	{ SC, "AutoPilot_Engage", RULE_ENGAGE, "AutoPilot_Disengage", NULL },
	{ SC, "AutoPilot_Disengage", RULE_DISENGAGE, NULL, NULL },

	/* Manual inputs: zeroed, the throttle kept, once every client that set one left. */
	{ SC, "Control_set_Pitch", RULE_INPUT, NULL, NULL },
	{ SC, "Control_set_Yaw", RULE_INPUT, NULL, NULL },
	{ SC, "Control_set_Roll", RULE_INPUT, NULL, NULL },
	{ SC, "Control_set_Forward", RULE_INPUT, NULL, NULL },
	{ SC, "Control_set_Up", RULE_INPUT, NULL, NULL },
	{ SC, "Control_set_Right", RULE_INPUT, NULL, NULL },
	{ SC, "Control_set_WheelThrottle", RULE_INPUT, NULL, NULL },
	{ SC, "Control_set_WheelSteering", RULE_INPUT, NULL, NULL },
	{ SC, "Control_set_Throttle", RULE_THROTTLE, NULL, NULL },

	/* Actuator overrides: their last commander's, switched off when it leaves. */
	{ SC, "RCS_set_InputOverride", RULE_OVERRIDE, NULL, NULL },
	{ SC, "RCS_set_RotationOverride", RULE_RETAG, "RCS_set_InputOverride", NULL },
	{ SC, "RCS_set_TranslationOverride", RULE_RETAG, "RCS_set_InputOverride", NULL },
	{ SC, "ControlSurface_set_DeflectionOverride", RULE_OVERRIDE, NULL, NULL },
	{ SC, "ControlSurface_set_Deflection", RULE_RETAG, "ControlSurface_set_DeflectionOverride",
	    NULL },

	/* Part highlights: each highlighting client's, unhighlighted when it leaves. */
	{ SC, "Part_set_Highlighted", RULE_MARK, NULL, NULL },

	/* Objects made for their caller, removed when it leaves (anyone may remove them). */
	{ SC, "Part_AddForce", RULE_CREATES, "Force_Remove", NULL },
	{ SC, "Force_Remove", RULE_REMOVES, NULL, NULL },
	{ SC, "ResourceTransfer_static_Start", RULE_CREATES, "ResourceTransfer_Remove", NULL },
	{ SC, "ResourceTransfer_Remove", RULE_REMOVES, NULL, NULL },
	{ SC, "Orbit_static_CreateFromPositionAndVelocity", RULE_CREATES, "Orbit_Remove", NULL },
	{ SC, "Orbit_static_CreateFromOrbitalElements", RULE_CREATES, "Orbit_Remove", NULL },
	{ SC, "Orbit_Remove", RULE_REMOVES, NULL, NULL },

	/* Drawing: the creator's; only it may remove them; Clear(clientOnly). */
	{ "Drawing", "AddLine", RULE_CREATES, "Line_Remove", NULL },
	{ "Drawing", "AddDirection", RULE_CREATES, "Line_Remove", NULL },
	{ "Drawing", "AddDirectionFromCom", RULE_CREATES, "Line_Remove", NULL },
	{ "Drawing", "AddPolygon", RULE_CREATES, "Polygon_Remove", NULL },
	{ "Drawing", "AddText", RULE_CREATES, "Text_Remove", NULL },
	{ "Drawing", "Line_Remove", RULE_REMOVES, NULL, DRAWING_NOT_FOUND },
	{ "Drawing", "Polygon_Remove", RULE_REMOVES, NULL, DRAWING_NOT_FOUND },
	{ "Drawing", "Text_Remove", RULE_REMOVES, NULL, DRAWING_NOT_FOUND },
	{ "Drawing", "Clear", RULE_CLEAR, NULL, NULL },

	/* UI: the same, for canvases and what is placed in canvases and panels. */
	{ "UI", "AddCanvas", RULE_CREATES, "Canvas_Remove", NULL },
	{ "UI", "Canvas_Remove", RULE_REMOVES, NULL, UI_NOT_FOUND },
	{ "UI", "Canvas_AddPanel", RULE_CREATES, "Panel_Remove", NULL },
	{ "UI", "Panel_AddPanel", RULE_CREATES, "Panel_Remove", NULL },
	{ "UI", "Panel_Remove", RULE_REMOVES, NULL, UI_NOT_FOUND },
	{ "UI", "Canvas_AddText", RULE_CREATES, "Text_Remove", NULL },
	{ "UI", "Panel_AddText", RULE_CREATES, "Text_Remove", NULL },
	{ "UI", "Text_Remove", RULE_REMOVES, NULL, UI_NOT_FOUND },
	{ "UI", "Canvas_AddInputField", RULE_CREATES, "InputField_Remove", NULL },
	{ "UI", "Panel_AddInputField", RULE_CREATES, "InputField_Remove", NULL },
	{ "UI", "InputField_Remove", RULE_REMOVES, NULL, UI_NOT_FOUND },
	{ "UI", "Canvas_AddButton", RULE_CREATES, "Button_Remove", NULL },
	{ "UI", "Panel_AddButton", RULE_CREATES, "Button_Remove", NULL },
	{ "UI", "Button_Remove", RULE_REMOVES, NULL, UI_NOT_FOUND },
	{ "UI", "Canvas_AddSlider", RULE_CREATES, "Slider_Remove", NULL },
	{ "UI", "Panel_AddSlider", RULE_CREATES, "Slider_Remove", NULL },
	{ "UI", "Slider_Remove", RULE_REMOVES, NULL, UI_NOT_FOUND },
	{ "UI", "Canvas_AddDropdown", RULE_CREATES, "Dropdown_Remove", NULL },
	{ "UI", "Panel_AddDropdown", RULE_CREATES, "Dropdown_Remove", NULL },
	{ "UI", "Dropdown_Remove", RULE_REMOVES, NULL, UI_NOT_FOUND },
	{ "UI", "Canvas_AddImage", RULE_CREATES, "Image_Remove", NULL },
	{ "UI", "Panel_AddImage", RULE_CREATES, "Image_Remove", NULL },
	{ "UI", "Image_Remove", RULE_REMOVES, NULL, UI_NOT_FOUND },
	{ "UI", "Canvas_AddScrollView", RULE_CREATES, "ScrollView_Remove", NULL },
	{ "UI", "Panel_AddScrollView", RULE_CREATES, "ScrollView_Remove", NULL },
	{ "UI", "ScrollView_Remove", RULE_REMOVES, NULL, UI_NOT_FOUND },
	{ "UI", "Canvas_AddToggle", RULE_CREATES, "Toggle_Remove", NULL },
	{ "UI", "Panel_AddToggle", RULE_CREATES, "Toggle_Remove", NULL },
	{ "UI", "Toggle_Remove", RULE_REMOVES, NULL, UI_NOT_FOUND },
	{ "UI", "Clear", RULE_CLEAR, NULL, NULL },

	{ NULL, NULL, 0, NULL, NULL },
};

/* The rule for a procedure, or NULL. */
const struct rule *
rules_find(const char *service, const char *procedure)
{
	const struct rule *r;

	for (r = rules_table; r->service != NULL; r++) {
		if (strcmp(r->service, service) == 0 && strcmp(r->procedure, procedure) == 0)
			return r;
	}
	return NULL;
}

/*
 * True if the proxy decides a call of the rule before it goes upstream:
 * Clear(clientOnly = true) is the caller's objects only, and a Remove with
 * a refusal text refuses another client's object.  The other rules only
 * need the call's result.
 */
bool
rules_decide(const struct rule *r)
{
	return r->kind == RULE_CLEAR || (r->kind == RULE_REMOVES && r->text != NULL);
}

/* True if an entry of upstream.isolate ("Service" or "Service.Procedure") names the procedure. */
static bool
rules_listed(const struct config *c, const char *service, const char *procedure)
{
	size_t i, sl = strlen(service);
	const char *p;

	for (i = 0; c->upstream_isolate != NULL && c->upstream_isolate[i] != NULL; i++) {
		p = c->upstream_isolate[i];
		if (strncmp(p, service, sl) != 0)
			continue;
		if (p[sl] == '\0' || (p[sl] == '.' && strcmp(p + sl + 1, procedure) == 0))
			return true;
	}
	return false;
}

/*
 * True if calls of the procedure run on the calling client's own session:
 * it depends on its caller, or upstream.isolate names it or its service.
 * KRPC's own procedures never do: the proxy answers or maps them itself.
 */
bool
rules_isolated(const struct config *c, const char *service, const char *procedure)
{
	const struct rule *r;

	if (strcmp(service, "KRPC") == 0)
		return false;
	if ((r = rules_find(service, procedure)) != NULL && r->kind == RULE_CALLER)
		return true;
	return rules_listed(c, service, procedure);
}
