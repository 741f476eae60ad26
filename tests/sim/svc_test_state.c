/*
 * krpc-sim TestService, the handlers that keep state: TestClass objects
 * (equal by current value), the global service properties and "Later"
 * counters, the per-client Counter table, and the OnTimer events.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dotnet.h"
#include "svc_test.h"

/* A TestClass object: its value and properties (the data in the object store). */
struct svc_test_obj {
	char		*value;
	size_t		 len;
	int32_t		 int_prop;
	uint64_t	 obj_prop;	/* object id, 0 = null */
};

/* A string property, null until written. */
struct svc_test_str {
	char		*s;
	size_t		 len;
};

/* One Counter: a client's count for one id string. */
struct svc_test_counter {
	struct svc_test_counter	*next;
	uint8_t			 client[16];
	uint32_t		 count;
	size_t			 len;
	char			 id[];
};

#define SVC_TEST_BUCKETS	256

/* A timer event of OnTimer or OnTimerUsingLambda. */
struct svc_test_timer {
	double		 start;		/* sim_server_now() at the call */
	double		 period;	/* seconds */
	uint32_t	 repeats;	/* 0 = unlimited */
	double		 fired;		/* firings reported so far */
	bool		 lambda;	/* OnTimerUsingLambda: checked only while started */
	bool		 done;
};

/* The whole service state: global, as the real server's static fields. */
static struct {
	struct svc_test_obj	**objs;		/* every TestClass ever created, for fini */
	size_t			  nobjs, capobjs;
	struct svc_test_counter	 *counters[SVC_TEST_BUCKETS];
	struct svc_test_str	  string_prop, private_get, deprecated_prop;
	uint64_t		  object_prop, nullable_obj;
	int32_t			  invalid_later, custom_later;
} svc_test_st;

/* ---- TestClass objects ------------------------------------------------ */

/* Key for finding a TestClass by value. */
struct svc_test_key {
	const char	*s;
	size_t		 len;
};

/* Object-store match: a TestClass whose current value equals the key. */
static bool
svc_test_state_match(const void *data, const void *key)
{
	const struct svc_test_obj *o = data;
	const struct svc_test_key *k = key;

	return o->len == k->len && memcmp(o->value, k->s, k->len) == 0;
}

/* The id of the TestClass with this value, stored anew if none has it; 0 on out-of-memory. */
static uint64_t
svc_test_state_object(sim_server_t *srv, const char *s, size_t len)
{
	struct svc_test_key key = { s, len };
	struct svc_test_obj *o, **objs;
	uint64_t id;

	id = sim_object_find(srv, "TestService", "TestClass", svc_test_state_match, &key);
	if (id != 0)
		return id;
	if (svc_test_st.nobjs == svc_test_st.capobjs) {
		size_t cap = svc_test_st.capobjs ? svc_test_st.capobjs * 2 : 16;

		if ((objs = realloc(svc_test_st.objs, cap * sizeof(*objs))) == NULL)
			return 0;
		svc_test_st.objs = objs;
		svc_test_st.capobjs = cap;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL || (o->value = malloc(len + 1)) == NULL) {
		free(o);
		return 0;
	}
	memcpy(o->value, s, len);
	o->value[len] = '\0';
	o->len = len;
	if ((id = sim_object_add(srv, "TestService", "TestClass", o)) == 0) {
		free(o->value);
		free(o);
		return 0;
	}
	svc_test_st.objs[svc_test_st.nobjs++] = o;
	return id;
}

/* A CLASS value for an object id (0 = null). */
static krpc_value_t *
svc_test_state_ref(uint64_t id)
{
	return id != 0 ? krpc_value_object(id) : krpc_value_null(KRPC_TYPE_CLASS);
}

/* Turns a built string into a STRING value (NULL on out-of-memory) and frees it. */
static krpc_value_t *
svc_test_state_strval(krpc_buf_t *b)
{
	krpc_value_t *v = NULL;

	if (krpc_buf_ok(b))
		v = krpc_value_string_n(b->len ? (const char *)b->data : "", b->len);
	krpc_buf_free(b);
	return v;
}

/* Appends an object's value, or "null" for a null argument. */
static void
svc_test_state_append_obj(krpc_buf_t *b, const struct svc_test_obj *o)
{
	if (o != NULL)
		krpc_buf_append(b, o->value, o->len);
	else
		krpc_buf_append(b, "null", 4);
}

/* Appends string argument i. */
static void
svc_test_state_append_arg(krpc_buf_t *b, sim_call_t *c, size_t i)
{
	size_t len = 0;
	const char *s = sim_arg_str(c, i, &len);

	if (s != NULL)
		krpc_buf_append(b, s, len);
}

/* x + y + z + (obj's value or "null"), the arguments starting at first. */
static sim_rc_t
svc_test_state_optional(sim_call_t *c, size_t first)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	size_t i;

	for (i = first; i < first + 3; i++)
		svc_test_state_append_arg(&b, c, i);
	svc_test_state_append_obj(&b, sim_arg_data(c, first + 3));
	return svc_test_ret(c, svc_test_state_strval(&b));
}

/* The instance (argument 0) of a TestClass member; sets an error if missing. */
static struct svc_test_obj *
svc_test_state_this(sim_call_t *c)
{
	struct svc_test_obj *o = sim_arg_data(c, 0);

	if (o == NULL)
		sim_error(c, NULL, NULL, "Instance not found");
	return o;
}

/* ---- Counters --------------------------------------------------------- */

/* FNV-1a over the client id and the counter id. */
static size_t
svc_test_state_hash(const uint8_t *client, const char *id, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ client[i]) * 16777619u;
	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)id[i]) * 16777619u;
	return h % SVC_TEST_BUCKETS;
}

/* Increments the caller's counter for id; false on out-of-memory. */
static bool
svc_test_state_count(sim_call_t *c, const char *id, size_t len, int32_t *out)
{
	const uint8_t *client = sim_client_id(sim_call_client(c));
	size_t h = svc_test_state_hash(client, id, len);
	struct svc_test_counter *k;

	for (k = svc_test_st.counters[h]; k != NULL; k = k->next) {
		if (k->len == len && memcmp(k->client, client, 16) == 0 && memcmp(k->id, id, len) == 0)
			break;
	}
	if (k == NULL) {
		if ((k = calloc(1, sizeof(*k) + len + 1)) == NULL)
			return false;
		memcpy(k->client, client, 16);
		memcpy(k->id, id, len);
		k->len = len;
		k->next = svc_test_st.counters[h];
		svc_test_st.counters[h] = k;
	}
	*out = (int32_t)++k->count;
	return true;
}

/* Forgets the counters of a client whose RPC connection has closed. */
void
svc_test_state_client_gone(sim_server_t *srv, const uint8_t id[16])
{
	struct svc_test_counter **pk, *k;
	size_t i;

	for (i = 0; i < SVC_TEST_BUCKETS; i++) {
		for (pk = &svc_test_st.counters[i]; (k = *pk) != NULL;) {
			if (memcmp(k->client, id, 16) == 0) {
				*pk = k->next;
				free(k);
			} else
				pk = &k->next;
		}
	}
}

/* ---- Service procedures ----------------------------------------------- */

/* CreateTestObject: the object whose value is the argument. */
sim_rc_t
svc_test_state_CreateTestObject(sim_call_t *c)
{
	size_t len = 0;
	const char *s = sim_arg_str(c, 0, &len);
	uint64_t id = svc_test_state_object(sim_call_server(c), s, len);

	return svc_test_ret(c, id != 0 ? krpc_value_object(id) : NULL);
}

/* OptionalArguments(x, y, z, obj). */
sim_rc_t
svc_test_state_OptionalArguments(sim_call_t *c)
{
	return svc_test_state_optional(c, 0);
}

/* CounterStruct(id): {Counter(id), id, ValueA, []}. */
sim_rc_t
svc_test_state_CounterStruct(sim_call_t *c)
{
	size_t len = 0;
	const char *id = sim_arg_str(c, 0, &len);
	krpc_value_t *s;
	int32_t n;

	if (!svc_test_state_count(c, id, len, &n))
		return svc_test_ret(c, NULL);
	s = krpc_value_collection(KRPC_TYPE_STRUCT);
	if (krpc_value_append(s, krpc_value_sint32(n)) != KRPC_OK ||
	    krpc_value_append(s, krpc_value_string_n(id, len)) != KRPC_OK ||
	    krpc_value_append(s, krpc_value_enum(0)) != KRPC_OK ||
	    krpc_value_append(s, krpc_value_collection(KRPC_TYPE_LIST)) != KRPC_OK) {
		krpc_value_free(s);
		s = NULL;
	}
	return svc_test_ret(c, s);
}

/* AddToObjectList(l, value): l with CreateTestObject(value) appended. */
sim_rc_t
svc_test_state_AddToObjectList(sim_call_t *c)
{
	size_t len = 0;
	const char *s = sim_arg_str(c, 1, &len);
	uint64_t id = svc_test_state_object(sim_call_server(c), s, len);
	krpc_value_t *l = krpc_value_clone(sim_arg(c, 0));

	if (id == 0 || krpc_value_append(l, krpc_value_object(id)) != KRPC_OK) {
		krpc_value_free(l);
		l = NULL;
	}
	return svc_test_ret(c, l);
}

/* Counter(id, divisor): the caller's count for id, divided. */
sim_rc_t
svc_test_state_Counter(sim_call_t *c)
{
	size_t len = 0;
	const char *id = sim_arg_str(c, 0, &len);
	int32_t divisor = sim_arg_int(c, 1), n;

	if (!svc_test_state_count(c, id, len, &n))
		return svc_test_ret(c, NULL);
	if (divisor == 0) {
		sim_error(c, NULL, NULL, "Attempted to divide by zero.");
		return SIM_DONE;
	}
	if (divisor == -1)	/* C# wraps int.MinValue / -1; C would trap */
		return svc_test_ret(c, krpc_value_sint32((int32_t)(0u - (uint32_t)n)));
	return svc_test_ret(c, krpc_value_sint32(n / divisor));
}

/* ResetInvalidOperationExceptionLater. */
sim_rc_t
svc_test_state_ResetInvalidOperationExceptionLater(sim_call_t *c)
{
	svc_test_st.invalid_later = 0;
	return SIM_DONE;
}

/* ThrowInvalidOperationExceptionLater: 0 for 101 calls after a reset, then the error. */
sim_rc_t
svc_test_state_ThrowInvalidOperationExceptionLater(sim_call_t *c)
{
	if (svc_test_st.invalid_later > 100) {
		sim_error(c, "KRPC", "InvalidOperationException", "Invalid operation");
		return SIM_DONE;
	}
	svc_test_st.invalid_later++;
	return svc_test_ret(c, krpc_value_sint32(0));
}

/* ResetCustomExceptionLater. */
sim_rc_t
svc_test_state_ResetCustomExceptionLater(sim_call_t *c)
{
	svc_test_st.custom_later = 0;
	return SIM_DONE;
}

/* ThrowCustomExceptionLater: as ThrowInvalidOperationExceptionLater, with CustomException. */
sim_rc_t
svc_test_state_ThrowCustomExceptionLater(sim_call_t *c)
{
	if (svc_test_st.custom_later > 100) {
		sim_error(c, "TestService", "CustomException", "A custom kRPC exception");
		return SIM_DONE;
	}
	svc_test_st.custom_later++;
	return svc_test_ret(c, krpc_value_sint32(0));
}

/* ---- Events ----------------------------------------------------------- */

/*
 * Event poll: a periodic timer reports each new firing (several since the
 * last poll give one true) and its last one; the lambda form fires once,
 * when polled while started after its time has passed.
 */
static sim_fire_t
svc_test_state_timer_poll(void *ud, sim_server_t *srv, bool started)
{
	struct svc_test_timer *t = ud;
	double n;

	if (t->done)
		return SIM_FIRE_NONE;
	if ((n = floor((sim_server_now(srv) - t->start) / t->period)) < 1)
		return SIM_FIRE_NONE;
	if (t->lambda) {
		if (!started)
			return SIM_FIRE_NONE;
		t->done = true;
		return SIM_FIRE_LAST;
	}
	if (n <= t->fired)
		return SIM_FIRE_NONE;
	t->fired = n;
	if (t->repeats != 0 && n >= t->repeats) {
		t->done = true;
		return SIM_FIRE_LAST;
	}
	return SIM_FIRE;
}

/* The System.Timers.Timer complaint about a zero interval. */
static sim_rc_t
svc_test_state_bad_interval(sim_call_t *c)
{
	sim_error(c, "KRPC", "ArgumentException", "Invalid value '0' for parameter 'interval'.");
	return SIM_DONE;
}

/*
 * Starts a timer event for the caller.  The real OnTimer registers its event
 * before it makes the timer, so a 0 ms interval fails after registering an
 * event that never fires; OnTimerUsingLambda makes the timer first.
 */
static sim_rc_t
svc_test_state_timer(sim_call_t *c, uint32_t ms, uint32_t repeats, bool lambda)
{
	struct svc_test_timer *t;
	krpc_value_t *ev;

	if (ms == 0 && lambda)
		return svc_test_state_bad_interval(c);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return svc_test_ret(c, NULL);
	t->start = sim_server_now(sim_call_server(c));
	t->period = ms / 1000.0;
	t->repeats = repeats;
	t->lambda = lambda;
	t->done = ms == 0;
	if ((ev = sim_event_new(c, svc_test_state_timer_poll, t, free)) == NULL)
		return SIM_DONE;
	if (ms == 0) {
		krpc_value_free(ev);
		return svc_test_state_bad_interval(c);
	}
	sim_return(c, ev);
	return SIM_DONE;
}

/* OnTimer(milliseconds, repeats): true every period, repeats times (0 = forever). */
sim_rc_t
svc_test_state_OnTimer(sim_call_t *c)
{
	return svc_test_state_timer(c, sim_arg_uint(c, 0), sim_arg_uint(c, 1), false);
}

/* OnTimerUsingLambda(milliseconds): true once, after the time, while started. */
sim_rc_t
svc_test_state_OnTimerUsingLambda(sim_call_t *c)
{
	return svc_test_state_timer(c, sim_arg_uint(c, 0), 1, true);
}

/* ---- Service properties ----------------------------------------------- */

/* The value of a string property (null until written). */
static sim_rc_t
svc_test_state_get_str(sim_call_t *c, const struct svc_test_str *p)
{
	if (p->s == NULL)
		return svc_test_ret(c, krpc_value_null(KRPC_TYPE_STRING));
	return svc_test_ret(c, krpc_value_string_n(p->s, p->len));
}

/* Stores string argument i in a property. */
static sim_rc_t
svc_test_state_set_str(sim_call_t *c, struct svc_test_str *p, size_t i)
{
	size_t len = 0;
	const char *s = sim_arg_str(c, i, &len);
	char *copy;

	if (s == NULL || (copy = malloc(len + 1)) == NULL)
		return svc_test_ret(c, NULL);
	memcpy(copy, s, len);
	copy[len] = '\0';
	free(p->s);
	p->s = copy;
	p->len = len;
	return SIM_DONE;
}

/* get_StringProperty. */
sim_rc_t
svc_test_state_get_StringProperty(sim_call_t *c)
{
	return svc_test_state_get_str(c, &svc_test_st.string_prop);
}

/* set_StringProperty. */
sim_rc_t
svc_test_state_set_StringProperty(sim_call_t *c)
{
	return svc_test_state_set_str(c, &svc_test_st.string_prop, 0);
}

/* set_StringPropertyPrivateGet: write-only. */
sim_rc_t
svc_test_state_set_StringPropertyPrivateGet(sim_call_t *c)
{
	return svc_test_state_set_str(c, &svc_test_st.private_get, 0);
}

/* get_DeprecatedProperty. */
sim_rc_t
svc_test_state_get_DeprecatedProperty(sim_call_t *c)
{
	return svc_test_state_get_str(c, &svc_test_st.deprecated_prop);
}

/* set_DeprecatedProperty. */
sim_rc_t
svc_test_state_set_DeprecatedProperty(sim_call_t *c)
{
	return svc_test_state_set_str(c, &svc_test_st.deprecated_prop, 0);
}

/* get_ObjectProperty. */
sim_rc_t
svc_test_state_get_ObjectProperty(sim_call_t *c)
{
	return svc_test_ret(c, svc_test_state_ref(svc_test_st.object_prop));
}

/* set_ObjectProperty: null allowed. */
sim_rc_t
svc_test_state_set_ObjectProperty(sim_call_t *c)
{
	svc_test_st.object_prop = sim_arg_object(c, 0);
	return SIM_DONE;
}

/* get_NullableObject. */
sim_rc_t
svc_test_state_get_NullableObject(sim_call_t *c)
{
	return svc_test_ret(c, svc_test_state_ref(svc_test_st.nullable_obj));
}

/* set_NullableObject: the parameter is nullable, but the setter refuses null. */
sim_rc_t
svc_test_state_set_NullableObject(sim_call_t *c)
{
	uint64_t id = sim_arg_object(c, 0);

	if (id == 0) {
		sim_error(c, "KRPC", "ArgumentNullException", "Value cannot be null.\nParameter name: value");
		return SIM_DONE;
	}
	svc_test_st.nullable_obj = id;
	return SIM_DONE;
}

/* ---- Class TestClass -------------------------------------------------- */

/* TestClass_GetValue: "value=" + value. */
sim_rc_t
svc_test_state_GetValue(sim_call_t *c)
{
	struct svc_test_obj *o = svc_test_state_this(c);
	krpc_buf_t b = KRPC_BUF_INIT;

	if (o == NULL)
		return SIM_DONE;
	krpc_buf_append(&b, "value=", 6);
	krpc_buf_append(&b, o->value, o->len);
	return svc_test_ret(c, svc_test_state_strval(&b));
}

/* TestClass_FloatToString(x): value + FloatToString(x). */
sim_rc_t
svc_test_state_FloatToString(sim_call_t *c)
{
	struct svc_test_obj *o = svc_test_state_this(c);
	krpc_buf_t b = KRPC_BUF_INIT;
	char text[DOTNET_NUM_MAX];

	if (o == NULL)
		return SIM_DONE;
	dotnet_float(sim_arg_float(c, 1), text);
	krpc_buf_append(&b, o->value, o->len);
	krpc_buf_append(&b, text, strlen(text));
	return svc_test_ret(c, svc_test_state_strval(&b));
}

/* TestClass_ObjectToString(other): value + (other's value or "null"). */
sim_rc_t
svc_test_state_ObjectToString(sim_call_t *c)
{
	struct svc_test_obj *o = svc_test_state_this(c);
	krpc_buf_t b = KRPC_BUF_INIT;

	if (o == NULL)
		return SIM_DONE;
	krpc_buf_append(&b, o->value, o->len);
	svc_test_state_append_obj(&b, sim_arg_data(c, 1));
	return svc_test_ret(c, svc_test_state_strval(&b));
}

/* TestClass_OptionalArguments(x, y, z, obj): as the service procedure. */
sim_rc_t
svc_test_state_ClassOptionalArguments(sim_call_t *c)
{
	if (svc_test_state_this(c) == NULL)
		return SIM_DONE;
	return svc_test_state_optional(c, 1);
}

/* TestClass_get_IntProperty. */
sim_rc_t
svc_test_state_get_IntProperty(sim_call_t *c)
{
	struct svc_test_obj *o = svc_test_state_this(c);

	return o == NULL ? SIM_DONE : svc_test_ret(c, krpc_value_sint32(o->int_prop));
}

/* TestClass_set_IntProperty. */
sim_rc_t
svc_test_state_set_IntProperty(sim_call_t *c)
{
	struct svc_test_obj *o = svc_test_state_this(c);

	if (o != NULL)
		o->int_prop = sim_arg_int(c, 1);
	return SIM_DONE;
}

/* TestClass_get_ObjectProperty. */
sim_rc_t
svc_test_state_get_ClassObjectProperty(sim_call_t *c)
{
	struct svc_test_obj *o = svc_test_state_this(c);

	return o == NULL ? SIM_DONE : svc_test_ret(c, svc_test_state_ref(o->obj_prop));
}

/* TestClass_set_ObjectProperty: null allowed. */
sim_rc_t
svc_test_state_set_ClassObjectProperty(sim_call_t *c)
{
	struct svc_test_obj *o = svc_test_state_this(c);

	if (o != NULL)
		o->obj_prop = sim_arg_object(c, 1);
	return SIM_DONE;
}

/* TestClass_set_StringPropertyPrivateGet: replaces the object's value (same id). */
sim_rc_t
svc_test_state_set_Value(sim_call_t *c)
{
	struct svc_test_obj *o = svc_test_state_this(c);
	struct svc_test_str v = { NULL, 0 };

	if (o == NULL || svc_test_state_set_str(c, &v, 1) != SIM_DONE || v.s == NULL)
		return SIM_DONE;
	free(o->value);
	o->value = v.s;
	o->len = v.len;
	return SIM_DONE;
}

/* TestClass_get_StringPropertyPrivateSet: the object's value. */
sim_rc_t
svc_test_state_get_Value(sim_call_t *c)
{
	struct svc_test_obj *o = svc_test_state_this(c);

	return o == NULL ? SIM_DONE : svc_test_ret(c, krpc_value_string_n(o->value, o->len));
}

/* ---- Lifetime --------------------------------------------------------- */

/* Starts from the state of a freshly started test server. */
void
svc_test_state_init(sim_server_t *srv)
{
	memset(&svc_test_st, 0, sizeof(svc_test_st));
}

/* Frees every object, property and counter. */
void
svc_test_state_fini(sim_server_t *srv)
{
	struct svc_test_counter *k;
	size_t i;

	for (i = 0; i < svc_test_st.nobjs; i++) {
		free(svc_test_st.objs[i]->value);
		free(svc_test_st.objs[i]);
	}
	free(svc_test_st.objs);
	for (i = 0; i < SVC_TEST_BUCKETS; i++) {
		while ((k = svc_test_st.counters[i]) != NULL) {
			svc_test_st.counters[i] = k->next;
			free(k);
		}
	}
	free(svc_test_st.string_prop.s);
	free(svc_test_st.private_get.s);
	free(svc_test_st.deprecated_prop.s);
	memset(&svc_test_st, 0, sizeof(svc_test_st));
}
