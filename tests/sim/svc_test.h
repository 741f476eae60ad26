/*
 * krpc-sim TestService, private interface: the handlers that keep state
 * (TestClass objects, service properties, per-client counters, the "Later"
 * counters, timer events) live in svc_test_state.c; svc_test.c holds the
 * service tables and the stateless handlers.
 */
#ifndef KRPC_SIM_SVC_TEST_H
#define KRPC_SIM_SVC_TEST_H

#include "sim.h"

/* Type texts shared by the tables and the handlers. */
#define SVC_TEST_CLASS	"class(TestService.TestClass)"
#define SVC_TEST_ENUM	"enum(TestService.TestEnum)"
#define SVC_TEST_STRUCT	"struct(TestService.TestStruct)"

/* Sets v as the result, or an out-of-memory error if v is NULL. */
sim_rc_t	svc_test_ret(sim_call_t *, krpc_value_t *);

void		svc_test_state_init(sim_server_t *);
void		svc_test_state_fini(sim_server_t *);

/* Service procedures with state. */
sim_rc_t	svc_test_state_CreateTestObject(sim_call_t *);
sim_rc_t	svc_test_state_OptionalArguments(sim_call_t *);
sim_rc_t	svc_test_state_CounterStruct(sim_call_t *);
sim_rc_t	svc_test_state_AddToObjectList(sim_call_t *);
sim_rc_t	svc_test_state_Counter(sim_call_t *);
sim_rc_t	svc_test_state_ResetInvalidOperationExceptionLater(sim_call_t *);
sim_rc_t	svc_test_state_ThrowInvalidOperationExceptionLater(sim_call_t *);
sim_rc_t	svc_test_state_ResetCustomExceptionLater(sim_call_t *);
sim_rc_t	svc_test_state_ThrowCustomExceptionLater(sim_call_t *);
sim_rc_t	svc_test_state_OnTimer(sim_call_t *);
sim_rc_t	svc_test_state_OnTimerUsingLambda(sim_call_t *);

/* Service properties. */
sim_rc_t	svc_test_state_get_StringProperty(sim_call_t *);
sim_rc_t	svc_test_state_set_StringProperty(sim_call_t *);
sim_rc_t	svc_test_state_set_StringPropertyPrivateGet(sim_call_t *);
sim_rc_t	svc_test_state_get_ObjectProperty(sim_call_t *);
sim_rc_t	svc_test_state_set_ObjectProperty(sim_call_t *);
sim_rc_t	svc_test_state_get_NullableObject(sim_call_t *);
sim_rc_t	svc_test_state_set_NullableObject(sim_call_t *);
sim_rc_t	svc_test_state_get_DeprecatedProperty(sim_call_t *);
sim_rc_t	svc_test_state_set_DeprecatedProperty(sim_call_t *);

/* Class TestClass. */
sim_rc_t	svc_test_state_GetValue(sim_call_t *);
sim_rc_t	svc_test_state_FloatToString(sim_call_t *);
sim_rc_t	svc_test_state_ObjectToString(sim_call_t *);
sim_rc_t	svc_test_state_ClassOptionalArguments(sim_call_t *);
sim_rc_t	svc_test_state_get_IntProperty(sim_call_t *);
sim_rc_t	svc_test_state_set_IntProperty(sim_call_t *);
sim_rc_t	svc_test_state_get_ClassObjectProperty(sim_call_t *);
sim_rc_t	svc_test_state_set_ClassObjectProperty(sim_call_t *);
sim_rc_t	svc_test_state_set_Value(sim_call_t *);
sim_rc_t	svc_test_state_get_Value(sim_call_t *);

#endif
