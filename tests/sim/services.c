/*
 * krpc-sim service registry: the service tables in listing order, their
 * procedures with parameter types resolved (STRUCT fields filled in from the
 * struct tables) and defaults decoded, lookups by name and by numeric id,
 * and the .NET type names used in error texts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define SERVICES_DEPTH_MAX 16

/* The services, in the order GetServices lists them. */
static const struct sim_service *const services_list[] = {
	&sim_service_krpc,
	&sim_service_spacecenter,
	&sim_service_test,
	&sim_service_benchmark,
	&sim_service_drawing,		/* krpc-sim's own: not on kRPC's TestServer */
	&sim_service_ui,
};
#define SERVICES_N (sizeof services_list / sizeof services_list[0])

static struct svc_proc	*services_procs[SERVICES_N];
static uint8_t		*services_schema_bytes;
static size_t		 services_schema_len;

static const char *const services_scenes[] = {
	"SpaceCenter", "Flight", "TrackingStation", "EditorVAB", "EditorSPH",
	"MissionBuilder", "AstronautComplex", "MissionControl",
	"ResearchAndDevelopment", "Administration",
};

/* Index of a service in the list, or -1. */
static int
services_index(const struct sim_service *svc)
{
	size_t i;

	for (i = 0; i < SERVICES_N; i++) {
		if (services_list[i] == svc)
			return (int)i;
	}
	return -1;
}

/* The struct definition svc.name, or NULL. */
const struct sim_struct *
services_struct(const char *service, const char *name)
{
	const struct sim_service *svc = services_by_name(service);
	size_t i;

	for (i = 0; svc != NULL && i < svc->nstructs; i++) {
		if (strcmp(svc->structs[i].name, name) == 0)
			return &svc->structs[i];
	}
	return NULL;
}

/* True if service declares a class (CLASS) or enumeration (ENUMERATION) name. */
static bool
services_declares(krpc_type_code_t code, const char *service, const char *name)
{
	const struct sim_service *svc = services_by_name(service);
	size_t i;

	for (i = 0; svc != NULL && code == KRPC_TYPE_CLASS && i < svc->nclasses; i++) {
		if (strcmp(svc->classes[i].name, name) == 0)
			return true;
	}
	for (i = 0; svc != NULL && code == KRPC_TYPE_ENUMERATION && i < svc->nenums; i++) {
		if (strcmp(svc->enums[i].name, name) == 0)
			return true;
	}
	return false;
}

static krpc_type_t *services_resolve(const krpc_type_t *, int, char *, size_t);

/* A STRUCT type with its fields' types, resolved in turn. */
static krpc_type_t *
services_resolve_struct(const krpc_type_t *t, int depth, char *why, size_t whylen)
{
	const struct sim_struct *st = services_struct(krpc_type_service(t), krpc_type_name(t));
	krpc_type_t *out, *ft, *rt;
	size_t i;

	if (st == NULL) {
		snprintf(why, whylen, "unknown struct %s.%s", krpc_type_service(t), krpc_type_name(t));
		return NULL;
	}
	out = krpc_type_named(KRPC_TYPE_STRUCT, krpc_type_service(t), krpc_type_name(t));
	for (i = 0; out != NULL && i < SIM_FIELDS_MAX && st->fields[i].name != NULL; i++) {
		if ((ft = krpc_type_parse(st->fields[i].type, why, whylen)) == NULL)
			goto fail;
		rt = services_resolve(ft, depth + 1, why, whylen);
		krpc_type_free(ft);
		if (rt == NULL || krpc_type_add(out, rt) != KRPC_OK)
			goto fail;
	}
	if (out != NULL && krpc_type_count(out) == 0) {
		snprintf(why, whylen, "struct %s.%s has no fields", st->name, krpc_type_service(t));
		goto fail;
	}
	return out;
fail:
	krpc_type_free(out);
	return NULL;
}

/* A copy of t with STRUCT fields filled in and named types checked. */
static krpc_type_t *
services_resolve(const krpc_type_t *t, int depth, char *why, size_t whylen)
{
	krpc_type_code_t code = krpc_type_code(t);
	krpc_type_t *out, *sub;
	size_t i;

	if (depth > SERVICES_DEPTH_MAX) {
		snprintf(why, whylen, "type nested too deeply (recursive struct?)");
		return NULL;
	}
	if (code == KRPC_TYPE_STRUCT)
		return services_resolve_struct(t, depth, why, whylen);
	if (code == KRPC_TYPE_CLASS || code == KRPC_TYPE_ENUMERATION) {
		if (!services_declares(code, krpc_type_service(t), krpc_type_name(t))) {
			snprintf(why, whylen, "unknown %s %s.%s", code == KRPC_TYPE_CLASS ? "class" : "enum",
			    krpc_type_service(t), krpc_type_name(t));
			return NULL;
		}
		return krpc_type_clone(t);
	}
	out = krpc_type_new(code);
	for (i = 0; out != NULL && i < krpc_type_count(t); i++) {
		sub = services_resolve(krpc_type_sub(t, i), depth + 1, why, whylen);
		if (sub == NULL || krpc_type_add(out, sub) != KRPC_OK) {
			krpc_type_free(out);
			return NULL;
		}
	}
	return out;
}

/* True if values of t compare by reference in C# (lists, sets, dictionaries). */
static bool
services_by_reference(const krpc_type_t *t)
{
	krpc_type_code_t code = krpc_type_code(t);
	size_t i;

	if (code == KRPC_TYPE_LIST || code == KRPC_TYPE_SET || code == KRPC_TYPE_DICTIONARY)
		return true;
	for (i = 0; i < krpc_type_count(t); i++) {
		if (services_by_reference(krpc_type_sub(t, i)))
			return true;
	}
	return false;
}

/* Decodes hex text into a malloc'd buffer; -1 if it is not hex. */
static int
services_unhex(const char *hex, uint8_t **out, size_t *len)
{
	size_t n = strlen(hex), i;
	unsigned int byte;

	if (n % 2 != 0)
		return -1;
	*out = util_calloc(1, n / 2 + 1);
	for (i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
			free(*out);
			return -1;
		}
		(*out)[i] = (uint8_t)byte;
	}
	*len = n / 2;
	return 0;
}

/* Decodes a parameter's default value. */
static int
services_default(struct svc_proc *sp, size_t k, char *why, size_t whylen)
{
	const struct sim_param *pa = &sp->p->params[k];
	uint8_t *bytes;
	size_t len;
	char reason[256];

	if (pa->flags & SIM_DEFAULT_NULL) {
		sp->pdef[k] = krpc_value_null(krpc_type_code(sp->ptype[k]));
		return 0;
	}
	if (!(pa->flags & SIM_DEFAULT))
		return 0;
	if (services_unhex(pa->def ? pa->def : "", &bytes, &len) != 0) {
		snprintf(why, whylen, "default of %s is not hex", pa->name);
		return -1;
	}
	if (krpc_value_decode(sp->ptype[k], bytes, len, false, &sp->pdef[k], reason,
	    sizeof reason) != KRPC_OK) {
		snprintf(why, whylen, "default of %s: %.200s", pa->name, reason);
		free(bytes);
		return -1;
	}
	free(bytes);
	return 0;
}

/* Fills in the resolved form of procedure j of svc. */
static int
services_proc_init(struct svc_proc *sp, const struct sim_service *svc, size_t j, char *why,
    size_t whylen)
{
	const struct sim_proc *p = &svc->procs[j];
	char reason[256];
	size_t k;

	sp->svc = svc;
	sp->p = p;
	sp->id = (uint32_t)j + 1;
	sp->comparable = true;
	for (k = 0; k < SIM_PARAMS_MAX && p->params[k].name != NULL; k++) {
		sp->ptype[k] = services_type(p->params[k].type, reason, sizeof reason);
		sp->nparams = k + 1;
		if (sp->ptype[k] == NULL) {
			snprintf(why, whylen, "%s.%s: parameter %s: %.200s", svc->name, p->name,
			    p->params[k].name, reason);
			return -1;
		}
		if (services_default(sp, k, reason, sizeof reason) != 0) {
			snprintf(why, whylen, "%s.%s: %.200s", svc->name, p->name, reason);
			return -1;
		}
		if (services_by_reference(sp->ptype[k]))
			sp->comparable = false;
	}
	if (p->ret != NULL && (sp->ret = services_type(p->ret, reason, sizeof reason)) == NULL) {
		snprintf(why, whylen, "%s.%s: return type: %.200s", svc->name, p->name, reason);
		return -1;
	}
	return 0;
}

/* Frees the resolved forms of a service's procedures. */
static void
services_procs_free(struct svc_proc *procs, size_t n)
{
	size_t j, k;

	for (j = 0; procs != NULL && j < n; j++) {
		for (k = 0; k < procs[j].nparams; k++) {
			krpc_type_free(procs[j].ptype[k]);
			krpc_value_free(procs[j].pdef[k]);
		}
		krpc_type_free(procs[j].ret);
	}
	free(procs);
}

/* Appends the .NET name of t. */
static void
services_dotnet_write(const krpc_type_t *t, krpc_buf_t *b)
{
	const char *s = NULL;
	size_t i, n = krpc_type_count(t);

	switch (krpc_type_code(t)) {
	case KRPC_TYPE_DOUBLE: s = "System.Double"; break;
	case KRPC_TYPE_FLOAT: s = "System.Single"; break;
	case KRPC_TYPE_SINT32: s = "System.Int32"; break;
	case KRPC_TYPE_SINT64: s = "System.Int64"; break;
	case KRPC_TYPE_UINT32: s = "System.UInt32"; break;
	case KRPC_TYPE_UINT64: s = "System.UInt64"; break;
	case KRPC_TYPE_BOOL: s = "System.Boolean"; break;
	case KRPC_TYPE_STRING: s = "System.String"; break;
	case KRPC_TYPE_BYTES: s = "System.Byte[]"; break;
	case KRPC_TYPE_PROCEDURE_CALL: s = "KRPC.Service.Messages.ProcedureCall"; break;
	case KRPC_TYPE_STREAM: s = "KRPC.Service.Messages.Stream"; break;
	case KRPC_TYPE_EVENT: s = "KRPC.Service.Messages.Event"; break;
	case KRPC_TYPE_STATUS: s = "KRPC.Service.Messages.Status"; break;
	case KRPC_TYPE_SERVICES: s = "KRPC.Service.Messages.Services"; break;
	case KRPC_TYPE_CLASS:
	case KRPC_TYPE_ENUMERATION:
	case KRPC_TYPE_STRUCT:
		s = services_class_dotnet(krpc_type_service(t), krpc_type_name(t));
		break;
	case KRPC_TYPE_LIST: s = "System.Collections.Generic.IList`1["; break;
	case KRPC_TYPE_SET: s = "System.Collections.Generic.HashSet`1["; break;
	case KRPC_TYPE_DICTIONARY: s = "System.Collections.Generic.IDictionary`2["; break;
	case KRPC_TYPE_TUPLE: s = n == 1 ? "System.Tuple`1[" : n == 2 ? "System.Tuple`2[" :
	    n == 3 ? "System.Tuple`3[" : n == 4 ? "System.Tuple`4[" : "System.Tuple`5["; break;
	default: s = "System.Object"; break;
	}
	krpc_buf_append(b, s, strlen(s));
	if (krpc_type_code(t) < KRPC_TYPE_TUPLE)
		return;
	for (i = 0; i < n; i++) {
		if (i > 0)
			krpc_buf_byte(b, ',');
		services_dotnet_write(krpc_type_sub(t, i), b);
	}
	krpc_buf_byte(b, ']');
}

/* ---- public ---------------------------------------------------------- */

/* Resolves every service table; -1 with a reason if a table is wrong. */
int
services_init(char *why, size_t whylen)
{
	const struct sim_service *svc;
	size_t i, j;

	for (i = 0; i < SERVICES_N; i++) {
		svc = services_list[i];
		services_procs[i] = util_calloc(svc->nprocs, sizeof(struct svc_proc));
		for (j = 0; j < svc->nprocs; j++) {
			if (services_proc_init(&services_procs[i][j], svc, j, why, whylen) != 0)
				goto fail;
		}
	}
	if ((services_schema_bytes = schema_build(&services_schema_len, why, whylen)) == NULL)
		goto fail;
	return 0;
fail:
	services_fini();
	return -1;
}

/* Frees what services_init() built. */
void
services_fini(void)
{
	size_t i;

	for (i = 0; i < SERVICES_N; i++) {
		services_procs_free(services_procs[i], services_list[i]->nprocs);
		services_procs[i] = NULL;
	}
	free(services_schema_bytes);
	services_schema_bytes = NULL;
}

/* The number of services. */
size_t
services_count(void)
{
	return SERVICES_N;
}

/* Service i in listing order, or NULL. */
const struct sim_service *
services_at(size_t i)
{
	return i < SERVICES_N ? services_list[i] : NULL;
}

/* A client's RPC connection closed: each service releases what it held for it. */
void
services_client_gone(sim_server_t *s, sim_client_t *c)
{
	size_t i;

	for (i = 0; i < SERVICES_N; i++) {
		if (services_list[i]->client_gone != NULL)
			services_list[i]->client_gone(s, c);
	}
}

/* The service called name, or NULL. */
const struct sim_service *
services_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < SERVICES_N; i++) {
		if (strcmp(services_list[i]->name, name) == 0)
			return services_list[i];
	}
	return NULL;
}

/* The service with numeric id, or NULL. */
const struct sim_service *
services_by_id(uint32_t id)
{
	size_t i;

	for (i = 0; i < SERVICES_N; i++) {
		if (services_list[i]->id == id)
			return services_list[i];
	}
	return NULL;
}

/* The procedure of svc with that wire name, or NULL. */
const struct svc_proc *
services_proc(const struct sim_service *svc, const char *name)
{
	int i = services_index(svc);
	size_t j;

	for (j = 0; i >= 0 && services_procs[i] != NULL && j < svc->nprocs; j++) {
		if (strcmp(svc->procs[j].name, name) == 0)
			return &services_procs[i][j];
	}
	return NULL;
}

/* The procedure of svc with numeric id (index + 1), or NULL. */
const struct svc_proc *
services_proc_by_id(const struct sim_service *svc, uint32_t id)
{
	int i = services_index(svc);

	if (i < 0 || services_procs[i] == NULL || id == 0 || id > svc->nprocs)
		return NULL;
	return &services_procs[i][id - 1];
}

/* A type from its text with STRUCT fields filled in; NULL with a reason. */
krpc_type_t *
services_type(const char *text, char *why, size_t whylen)
{
	krpc_type_t *t, *r;

	if ((t = krpc_type_parse(text, why, whylen)) == NULL)
		return NULL;
	r = services_resolve(t, 0, why, whylen);
	krpc_type_free(t);
	return r;
}

/* The .NET name of a declared class, struct or enumeration. */
const char *
services_class_dotnet(const char *service, const char *cls)
{
	static char out[256];
	const struct sim_service *svc = services_by_name(service);
	const char *prefix = NULL, *cut;
	size_t i;

	for (i = 0; svc != NULL && i < svc->nclasses; i++) {
		if (strcmp(svc->classes[i].name, cls) == 0 && svc->classes[i].dotnet != NULL)
			return svc->classes[i].dotnet;
		if (prefix == NULL)
			prefix = svc->classes[i].dotnet;
	}
	for (i = 0; svc != NULL && i < svc->nstructs; i++) {
		if (strcmp(svc->structs[i].name, cls) == 0 && svc->structs[i].dotnet != NULL)
			return svc->structs[i].dotnet;
		if (prefix == NULL)
			prefix = svc->structs[i].dotnet;
	}
	/* Enumerations have no .NET name in the tables: a sibling's namespace. */
	if (prefix != NULL && ((cut = strrchr(prefix, '+')) != NULL ||
	    (cut = strrchr(prefix, '.')) != NULL))
		snprintf(out, sizeof out, "%.*s%s", (int)(cut - prefix + 1), prefix, cls);
	else
		snprintf(out, sizeof out, "%s.%s", service, cls);
	return out;
}

/* The .NET name of a type (static storage until the next call). */
const char *
services_dotnet(const krpc_type_t *t)
{
	static char out[1024];
	krpc_buf_t b = KRPC_BUF_INIT;

	services_dotnet_write(t, &b);
	snprintf(out, sizeof out, "%.*s", krpc_buf_ok(&b) ? (int)b.len : 0, (const char *)b.data);
	krpc_buf_free(&b);
	return out;
}

/* The encoded krpc.schema.Services message. */
const uint8_t *
services_schema(size_t *len)
{
	*len = services_schema_len;
	return services_schema_bytes;
}

/* A scene's name in KRPC.GameScene, or "Unknown". */
const char *
services_scene_name(int scene)
{
	if (scene < 0 || (size_t)scene >= sizeof services_scenes / sizeof services_scenes[0])
		return "Unknown";
	return services_scenes[scene];
}

/* The scene number of a name (case-insensitive, '_' and '-' ignored), or -1. */
int
services_scene_parse(const char *name)
{
	char flat[64];
	size_t i, n = 0;

	for (i = 0; name[i] != '\0' && n + 1 < sizeof flat; i++) {
		if (name[i] != '_' && name[i] != '-')
			flat[n++] = name[i];
	}
	flat[n] = '\0';
	for (i = 0; i < sizeof services_scenes / sizeof services_scenes[0]; i++) {
		if (strcasecmp(flat, services_scenes[i]) == 0)
			return (int)i;
	}
	return -1;
}
