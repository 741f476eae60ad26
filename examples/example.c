/*
 * Helpers shared by the krpcmux examples (see example.h): command line,
 * connecting, error checks and Python-style printing.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "example.h"

static const char *ex_prog = "example";

/* Prints the usage text. */
static void
ex_usage(FILE *f, const char *what, unsigned extra)
{
	fprintf(f, "Usage: %s [OPTION]...\n%s\n\n"
	    "Where the kRPC server (or krpcmuxd) is; by default TCP 127.0.0.1:50000/50001:\n"
	    "      --name NAME         client name shown by the server\n"
	    "      --address ADDR      server address\n"
	    "      --rpc-port N        RPC port\n"
	    "      --stream-port N     stream port\n"
	    "      --rpc-path PATH     RPC Unix socket instead of TCP (krpc.connect_local)\n"
	    "      --stream-path PATH  stream Unix socket (default: the kRPC default path)\n",
	    ex_prog, what);
	if (extra & EX_OPT_COUNT)
		fputs("  -n, --count N           stop after N iterations (default: never)\n", f);
	if (extra & EX_OPT_SECONDS)
		fputs("  -s, --seconds S         stop after S seconds (default: never)\n", f);
	if (extra & EX_OPT_RATE)
		fputs("  -r, --rate HZ           stream rate (default 0: every server update)\n", f);
	fputs("  -h, --help              show this help and exit\n", f);
}

/* A number from an option, or a usage error. */
static double
ex_number(const char *opt, const char *arg, double min, double max)
{
	char *end;
	double v = strtod(arg, &end);

	if (*arg == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "%s: bad value for --%s: %s\n", ex_prog, opt, arg);
		exit(2);
	}
	return v;
}

/* Parses the command line. */
void
ex_parse(int argc, char **argv, struct ex_opts *o, const char *what, unsigned extra)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'N' },
		{ "address", required_argument, NULL, 'A' },
		{ "rpc-port", required_argument, NULL, 'P' },
		{ "stream-port", required_argument, NULL, 'S' },
		{ "rpc-path", required_argument, NULL, 'R' },
		{ "stream-path", required_argument, NULL, 'T' },
		{ "count", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	if (argc > 0 && argv[0] != NULL)
		ex_prog = strrchr(argv[0], '/') != NULL ? strrchr(argv[0], '/') + 1 : argv[0];
	memset(o, 0, sizeof *o);
	o->address = KRPC_DEFAULT_ADDRESS;
	o->rpc_port = KRPC_DEFAULT_RPC_PORT;
	o->stream_port = KRPC_DEFAULT_STREAM_PORT;
	o->count = -1;
	o->seconds = -1;
	while ((ch = getopt_long(argc, argv, "n:s:r:h", longopts, NULL)) != -1) {
		if ((ch == 'n' && !(extra & EX_OPT_COUNT)) || (ch == 's' && !(extra & EX_OPT_SECONDS)) ||
		    (ch == 'r' && !(extra & EX_OPT_RATE)))
			ch = '?';
		switch (ch) {
		case 'N': o->name = optarg; break;
		case 'A': o->address = optarg; break;
		case 'P': o->rpc_port = (int)ex_number("rpc-port", optarg, 1, 65535); break;
		case 'S': o->stream_port = (int)ex_number("stream-port", optarg, 1, 65535); break;
		case 'R': o->rpc_path = optarg; break;
		case 'T': o->stream_path = optarg; break;
		case 'n': o->count = (long)ex_number("count", optarg, 0, 1e9); break;
		case 's': o->seconds = ex_number("seconds", optarg, 0, 1e9); break;
		case 'r': o->rate = (float)ex_number("rate", optarg, 0, 1e6); break;
		case 'h':
			ex_usage(stdout, what, extra);
			exit(0);
		default:
			ex_usage(stderr, what, extra);
			exit(2);
		}
	}
	if (optind < argc) {
		ex_usage(stderr, what, extra);
		exit(2);
	}
	/* Lines appear as they are printed, also when stdout is a file or a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Connects as the options say. */
krpc_client_t *
ex_connect(const struct ex_opts *o, const char *name)
{
	krpc_client_t *conn = NULL;
	krpc_code_t rc;

	if (o->name != NULL)
		name = o->name;
	if (o->rpc_path != NULL)
		rc = krpc_connect_local(&conn, name, o->rpc_path, o->stream_path);
	else
		rc = krpc_connect(&conn, name, o->address, o->rpc_port, o->stream_port);
	ex_check(rc, "connecting");
	return conn;
}

/* Exits with the error if rc is not KRPC_OK. */
void
ex_check(krpc_code_t rc, const char *what)
{
	if (rc == KRPC_OK)
		return;
	fprintf(stderr, "%s: %s: %s\n", ex_prog, what, krpc_error_message());
	exit(1);
}

/* True while iterations are left. */
bool
ex_more(const struct ex_opts *o, long done)
{
	return o->count < 0 || done < o->count;
}

/* Python's repr() of a float: the shortest round-trip digits, ".0" on whole numbers. */
const char *
ex_repr_double(double d, char *buf, size_t len)
{
	int prec, exp;

	if (isnan(d) || isinf(d)) {
		snprintf(buf, len, "%s", isnan(d) ? "nan" : d > 0 ? "inf" : "-inf");
		return buf;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, len, "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	snprintf(buf, len, "%.*e", prec - 1, d);
	exp = atoi(strchr(buf, 'e') + 1);
	if (exp < -4 || exp >= 16)
		return buf;	/* "1e+16", "1.5e-05", as Python writes them */
	snprintf(buf, len, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, d);
	if (strchr(buf, '.') == NULL && strlen(buf) + 3 <= len)
		strcat(buf, ".0");
	return buf;
}

/* Appends the Python text of v to buf (of len bytes, n used). */
static void
ex_format_into(const krpc_value_t *v, char *buf, size_t len, size_t *n)
{
	char num[64];
	const char *s = num;
	double d;
	float f;
	bool b;
	size_t i;

	if (v == NULL || krpc_value_is_null(v))
		s = "None";
	else if (krpc_value_as_double(v, &d) == KRPC_OK)
		ex_repr_double(d, num, sizeof num);
	else if (krpc_value_as_float(v, &f) == KRPC_OK)
		ex_repr_double(f, num, sizeof num);
	else if (krpc_value_as_bool(v, &b) == KRPC_OK)
		s = b ? "True" : "False";
	else if (krpc_value_code(v) == KRPC_TYPE_STRING)
		s = krpc_value_str(v, NULL);
	else if (krpc_value_code(v) == KRPC_TYPE_TUPLE || krpc_value_code(v) == KRPC_TYPE_LIST) {
		*n += (size_t)snprintf(buf + *n, len - *n, "%c", krpc_value_code(v) == KRPC_TYPE_TUPLE ? '(' : '[');
		for (i = 0; i < krpc_value_count(v) && *n < len; i++) {
			if (i > 0)
				*n += (size_t)snprintf(buf + *n, len - *n, ", ");
			ex_format_into(krpc_value_item(v, i), buf, len, n);
		}
		s = krpc_value_code(v) == KRPC_TYPE_TUPLE ? ")" : "]";
	} else {
		char *text = krpc_value_format(v);

		snprintf(num, sizeof num, "%s", text != NULL ? text : "?");
		free(text);
	}
	if (*n < len)
		*n += (size_t)snprintf(buf + *n, len - *n, "%s", s);
	if (*n >= len)
		*n = len - 1;
}

/* The value as Python prints it. */
const char *
ex_format(const krpc_value_t *v, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	ex_format_into(v, buf, len, &n);
	return buf;
}

/* Prints a value and a newline. */
void
ex_print(const krpc_value_t *v)
{
	char buf[512];

	printf("%s\n", ex_format(v, buf, sizeof buf));
}

/* Prints (x, y, z) as Python prints a tuple of floats. */
void
ex_print_xyz(double x, double y, double z)
{
	char a[64], b[64], c[64];

	printf("(%s, %s, %s)\n", ex_repr_double(x, a, sizeof a), ex_repr_double(y, b, sizeof b),
	    ex_repr_double(z, c, sizeof c));
}
