/*
 * Helpers shared by the integration tests of krpc-sim's services
 * (test_sim_services.c, test_sim_spacecenter.c): a fresh krpc-sim per test
 * case, and calls that fail the running Check test when the server does
 * not answer as expected.  Value arguments follow th_call(): nargs
 * krpc_value_t * whose ownership is taken, NULL meaning "omitted".
 */
#ifndef KRPC_SVCTEST_H
#define KRPC_SVCTEST_H

#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness.h"

#define TS	"TestService"
#define SC	"SpaceCenter"

/* An error as a test sees it. */
struct svt_err {
	char	service[64];
	char	name[64];
	char	desc[1024];
	bool	request_level;	/* Response.error rather than ProcedureResult.error */
};

/* ---- Server ----------------------------------------------------------- */

/* Unchecked fixtures: start a fresh krpc-sim (default scene, or SpaceCenter). */
void		 svt_setup(void);
void		 svt_setup_space_center(void);
/* Stops it; an unclean exit makes svt_run() fail. */
void		 svt_teardown(void);
/* A test case with its own krpc-sim (setup is one of the fixtures above). */
TCase		*svt_tcase(Suite *, const char *name, void (*setup)(void), double timeout);
/* Runs the suite; the exit status of the test program. */
int		 svt_run(Suite *);

/* A client with RPC and stream connections / with an RPC connection only. */
th_client_t	*svt_cli(void);
th_client_t	*svt_cli_rpc_only(void);

/* ---- Calls ------------------------------------------------------------ */

/* The decoded result (type text; NULL for a void procedure, returns NULL). */
krpc_value_t	*svt_vcall_ok(th_client_t *, const char *type, const char *svc, const char *proc,
		    size_t nargs, va_list);
krpc_value_t	*svt_call_ok(th_client_t *, const char *type, const char *svc, const char *proc,
		    size_t nargs, ...);
void		 svt_call_void(th_client_t *, const char *svc, const char *proc, size_t nargs, ...);
/* Checks a STRING result. */
void		 svt_expect_str(th_client_t *, const char *want, const char *svc, const char *proc,
		    size_t nargs, ...);
/* A SINT32 or ENUMERATION result (type text says which). */
int32_t		 svt_call_int(th_client_t *, const char *type, const char *svc, const char *proc,
		    size_t nargs, ...);
double		 svt_call_double(th_client_t *, const char *svc, const char *proc, size_t nargs, ...);
/* An object id (type: the CLASS type text); 0 for null. */
uint64_t	 svt_call_obj(th_client_t *, const char *type, const char *svc, const char *proc,
		    size_t nargs, ...);
/* Checks a null result. */
void		 svt_expect_null(th_client_t *, const char *type, const char *svc, const char *proc,
		    size_t nargs, ...);
/* The error of a call that must fail. */
void		 svt_call_err(struct svt_err *, th_client_t *, const char *svc, const char *proc,
		    size_t nargs, ...);
/* Checks an error's service, name and description (desc NULL: not checked). */
void		 svt_check_err(const struct svt_err *, const char *service, const char *name,
		    const char *desc);

/* ---- Values and streams ----------------------------------------------- */

/* A LIST or SET of n sint32 values (int arguments). */
krpc_value_t	*svt_ints(krpc_type_code_t, size_t n, ...);
/* Checks a collection of n sint32 values. */
void		 svt_check_ints(const krpc_value_t *, size_t n, ...);
/* The stream id in an EVENT or STREAM value. */
uint64_t	 svt_stream_id(const krpc_value_t *, krpc_type_code_t);
/* Waits for a true value of an event's stream; false on timeout. */
bool		 svt_wait_true(th_client_t *, uint64_t id, double timeout);
/* The next value of a DOUBLE stream (fails the test after timeout). */
double		 svt_stream_double(th_client_t *, uint64_t id, double timeout);

#endif
