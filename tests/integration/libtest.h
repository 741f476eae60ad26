/*
 * Shared helpers of the libkrpcmux integration tests: the server under
 * test and client connections to it.
 *
 * By default each test case's unchecked fixture starts krpc-sim listening
 * on TCP (ephemeral ports) and on Unix sockets at <tmp>/krpc/rpc and
 * <tmp>/krpc/stream.  To run the same tests against another server (e.g.
 * krpcmuxd in front of krpc-sim), set:
 *   KRPC_TEST_RPC=HOST:PORT or unix:PATH     (the RPC endpoint)
 *   KRPC_TEST_STREAM=HOST:PORT or unix:PATH  (the stream endpoint)
 * Tests that need krpc-sim itself (they restart or inspect it) are skipped
 * then, and Unix-socket tests run only if the endpoints are Unix sockets
 * (the default-path test only if they are DIR/krpc/rpc and DIR/krpc/stream).
 * Two more variables widen what runs against an external server:
 *   KRPC_TEST_EXCLUSIVE=1        nothing else uses that server, so its
 *                                server-wide counts are this test's
 *   KRPC_TEST_SERVER=testserver  tests that need a server of their own (to
 *                                kill it) start kRPC's TestServer instead of
 *                                krpc-sim
 */
#ifndef KRPC_LIBTEST_H
#define KRPC_LIBTEST_H

#include <check.h>
#include <pthread.h>
#include <stdbool.h>

#include "harness.h"
#include "krpcmux/krpcmux.h"

/* The endpoints of the server under test. */
struct lt_target {
	bool	 external;		/* from KRPC_TEST_RPC / KRPC_TEST_STREAM */
	bool	 tcp;			/* TCP endpoints known */
	char	 host[256];
	int	 rpc_port;
	int	 stream_port;
	bool	 local;			/* Unix endpoints known */
	char	 rpc_path[256];
	char	 stream_path[256];
	char	 runtime_dir[200];	/* XDG_RUNTIME_DIR giving those paths as defaults */
	bool	 exclusive;		/* the server serves this test alone */
};

/* A server of a test's own, on loopback TCP (krpc-sim, or the TestServer). */
struct lt_own {
	th_proc_t	*proc;
	int		 rpc_port;
	int		 stream_port;
};

extern struct lt_target lt;

/* Unchecked fixture: finds or starts the server (lt filled in). */
void		 lt_start(void);
/* Unchecked fixture: stops a started server. */
void		 lt_stop(void);
/* Adds the fixture and a timeout to a test case. */
void		 lt_tcase(TCase *, double timeout);

/*
 * Starts a server of the test's own (krpc-sim, or kRPC's TestServer when
 * KRPC_TEST_SERVER=testserver) on free loopback ports; asserts success.
 * Stop it with th_proc_stop(own->proc) or kill it with th_proc_signal().
 */
void		 lt_own_start(struct lt_own *);
/*
 * Starts krpcmuxd in front of upstream (TCP), listening on free loopback
 * TCP ports, with a configuration file holding conf (NULL: none); returns
 * once it accepts connections (it need not have reached the upstream).
 */
void		 lt_own_proxy(struct lt_own *proxy, const struct lt_own *upstream, const char *conf);
/* True if server-wide counts are this test's: our own krpc-sim, or KRPC_TEST_EXCLUSIVE. */
bool		 lt_server_exclusive(void);

/* A client of the server under test with both connections (asserts success). */
krpc_client_t	*lt_client(const char *name);
/* A client without a stream connection. */
krpc_client_t	*lt_client_nostream(const char *name);

/* KRPC.GetStatus().stream_rpcs: streams registered on the server. */
unsigned	 lt_stream_count(krpc_client_t *);

/* Asserts a library call succeeded, printing the error otherwise. */
#define LT_OK(expr) do {							\
	krpc_code_t lt_rc_ = (expr);						\
	ck_assert_msg(lt_rc_ == KRPC_OK, "%s -> %s: %s", #expr,		\
	    krpc_code_str(lt_rc_), krpc_error_message());			\
} while (0)

/* Asserts a library call failed with code. */
#define LT_FAILS(expr, code) do {						\
	krpc_code_t lt_rc_ = (expr);						\
	ck_assert_msg(lt_rc_ == (code), "%s -> %s (%s), expected %s", #expr,	\
	    krpc_code_str(lt_rc_), krpc_error_message(), krpc_code_str(code));	\
} while (0)

/* Calls service.procedure with ret type text and nargs values (taken); asserts success. */
krpc_value_t	*lt_call(krpc_client_t *, const char *service, const char *procedure, const char *ret,
		    size_t nargs, ...);
/* lt_call for a STRING result, returned malloc'd. */
char		*lt_call_str(krpc_client_t *, const char *service, const char *procedure,
		    size_t nargs, ...);
/*
 * A TestService.Counter id unique to this test process (base plus pid and
 * start time; the same base gives the same id).  Counters are per caller,
 * and through a proxy all clients are one caller: fresh ids keep runs
 * independent.  Static storage, 8 rotating slots.
 */
const char	*lt_id(const char *base);
/* The value as text (malloc'd, for messages). */
char		*lt_fmt(const krpc_value_t *);

/* A counting rendezvous for callbacks and threads (timeout in seconds). */
struct lt_count {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 n;
};

void		 lt_count_init(struct lt_count *);
void		 lt_count_add(struct lt_count *, int);
int		 lt_count_get(struct lt_count *);
/* True once n >= want, false on timeout. */
bool		 lt_count_wait(struct lt_count *, int want, double timeout);

#endif
