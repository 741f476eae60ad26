/*
 * Helpers shared by the krpcmux examples: the command line every example
 * accepts (where the server is, and a count or duration for the loops that
 * run forever in Python), connecting, checking calls, and printing values
 * the way Python's print() does.
 */
#ifndef KRPC_EXAMPLE_H
#define KRPC_EXAMPLE_H

#include <stdbool.h>
#include <stddef.h>

#include <krpcmux/krpcmux.h>

/* Options beyond the connection ones, for ex_parse(). */
#define EX_OPT_COUNT	0x1	/* -n/--count N: iterations (default: forever) */
#define EX_OPT_SECONDS	0x2	/* -s/--seconds S: run time (default: forever) */
#define EX_OPT_RATE	0x4	/* -r/--rate HZ: stream rate (default 0, every update) */

struct ex_opts {
	const char	*name;		/* --name, NULL if not given */
	const char	*address;	/* --address (default 127.0.0.1) */
	int		 rpc_port;	/* --rpc-port (default 50000) */
	int		 stream_port;	/* --stream-port (default 50001) */
	const char	*rpc_path;	/* --rpc-path: Unix sockets instead of TCP */
	const char	*stream_path;	/* --stream-path (default: the kRPC default path) */
	long		 count;		/* --count, -1 for forever */
	double		 seconds;	/* --seconds, negative for forever */
	float		 rate;		/* --rate */
};

/*
 * Parses the command line (exits with a usage message on errors and for
 * --help).  what is the one-line description for --help; extra is a set of
 * EX_OPT_* flags.
 */
void		 ex_parse(int argc, char **argv, struct ex_opts *, const char *what, unsigned extra);
/*
 * Connects as the options say, with name unless --name was given (NULL: no
 * name, like krpc.connect()); exits with the error on failure.
 */
krpc_client_t	*ex_connect(const struct ex_opts *, const char *name);
/* Exits with the library's error message if rc is not KRPC_OK. */
void		 ex_check(krpc_code_t rc, const char *what);
#define EX_CHECK(call) ex_check((call), #call)
/* True while a loop of --count iterations has iterations left. */
bool		 ex_more(const struct ex_opts *, long done);

/* Python's repr() of a float, in buf. */
const char	*ex_repr_double(double, char *buf, size_t len);
/* Prints a value as Python's print() does ("(1.0, 2.0, 3.0)", "True"), and a newline. */
void		 ex_print(const krpc_value_t *);
/* Prints a position as Python prints the tuple (x, y, z), and a newline. */
void		 ex_print_xyz(double x, double y, double z);
/* The value as Python prints it, into buf. */
const char	*ex_format(const krpc_value_t *, char *buf, size_t len);


#endif
