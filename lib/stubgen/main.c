/*
 * krpc-stubgen: writes typed C stubs (a header and a source per service)
 * for libkrpcmux from the service definitions of a kRPC server or of a
 * saved KRPC.GetServices dump.  See krpc-stubgen(1).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubgen.h"

struct main_opts {
	input_opts_t	 in;
	const char	*dump;		/* read from this file instead of a server */
	const char	*save_dump;	/* also save the definitions here */
	const char	*outdir;
	const char	*subdir;	/* headers in OUTDIR/SUBDIR, included as "SUBDIR/X.h" */
	bool		 list;
	bool		 quiet;
	char		**services;	/* names given on the command line */
	int		 nservices;
};

/* Prints the usage text. */
static void
main_usage(FILE *f)
{
	fputs("Usage: " STUBGEN_NAME " [OPTION]... [SERVICE]...\n"
	    "Writes typed C stubs for libkrpcmux: SERVICE.h and SERVICE.c for each service\n"
	    "(all services if none is named), from a kRPC server's KRPC.GetServices.\n"
	    "\n"
	    "Where the definitions come from (default: a server at 127.0.0.1:50000):\n"
	    "  -a, --address ADDR     the server's address\n"
	    "  -p, --rpc-port N       the server's RPC port\n"
	    "      --rpc-path PATH    the server's RPC Unix socket (as krpc.connect_local)\n"
	    "  -n, --name NAME        client name shown by the server (default krpc-stubgen)\n"
	    "  -t, --timeout SECONDS  limit for connecting and for the call (default 30)\n"
	    "  -d, --dump FILE        a saved GetServices dump instead of a server\n"
	    "      --save-dump FILE   also save the definitions read, as a dump\n"
	    "\n"
	    "Output:\n"
	    "  -o, --output-dir DIR   where to write the files (default .; created if\n"
	    "                         missing); files that would not change are left alone\n"
	    "      --header-subdir D  write the headers into DIR/D, included as \"D/SERVICE.h\"\n"
	    "                         (krpcmux: the layout of the installed stubs)\n"
	    "  -l, --list             list the services instead of writing stubs\n"
	    "  -q, --quiet            do not report the files written\n"
	    "  -h, --help             show this help and exit\n"
	    "  -V, --version          show the version and exit\n", f);
}

/* Parses the command line; exits on errors, --help and --version. */
static void
main_parse(int argc, char **argv, struct main_opts *o)
{
	static const struct option longopts[] = {
		{ "address", required_argument, NULL, 'a' },
		{ "rpc-port", required_argument, NULL, 'p' },
		{ "rpc-path", required_argument, NULL, 'P' },
		{ "name", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "dump", required_argument, NULL, 'd' },
		{ "save-dump", required_argument, NULL, 'S' },
		{ "output-dir", required_argument, NULL, 'o' },
		{ "header-subdir", required_argument, NULL, 'H' },
		{ "list", no_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "a:p:n:t:d:o:lqhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': o->in.address = optarg; break;
		case 'P': o->in.rpc_path = optarg; break;
		case 'n': o->in.name = optarg; break;
		case 'd': o->dump = optarg; break;
		case 'S': o->save_dump = optarg; break;
		case 'o': o->outdir = optarg; break;
		case 'H': o->subdir = optarg; break;
		case 'l': o->list = true; break;
		case 'q': o->quiet = true; break;
		case 'p':
			o->in.rpc_port = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o->in.rpc_port <= 0 || o->in.rpc_port > 65535)
				goto bad;
			break;
		case 't':
			o->in.timeout = strtod(optarg, &end);
			if (*end != '\0' || *optarg == '\0')
				goto bad;
			break;
		case 'h':
			main_usage(stdout);
			exit(0);
		case 'V':
			printf(STUBGEN_NAME " (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			exit(0);
		default:
			main_usage(stderr);
			exit(2);
		}
	}
	o->services = argv + optind;
	o->nservices = argc - optind;
	return;
bad:
	fprintf(stderr, STUBGEN_NAME ": bad value for -%c: %s\n", ch == 'P' ? 'p' : ch, optarg);
	exit(2);
}

/* Writes one generated file and reports it. */
static int
main_write(const struct main_opts *o, const char *name, text_t *t)
{
	char *path = xmalloc(strlen(o->outdir) + strlen(name) + 2);
	int r;

	sprintf(path, "%s/%s", o->outdir, name);
	r = text_write_file(path, text_str(t), t->len);
	if (r >= 0 && !o->quiet)
		fprintf(stderr, STUBGEN_NAME ": %s %s\n", r ? "wrote" : "unchanged", path);
	free(path);
	return r < 0 ? -1 : 0;
}

/* Generates the two files of one service. */
static int
main_service(const struct main_opts *o, const krpc_services_t *m, const krpc_service_t *s)
{
	text_t h = TEXT_INIT, c = TEXT_INIT;
	sg_service_t *sv;
	int ret = -1;

	if ((sv = model_build(m, s)) == NULL)
		return -1;
	if (o->subdir != NULL)
		sv->include = arena_printf(sv->arena, "%s/%s.h", o->subdir, sv->name);
	header_emit(&h, sv);
	body_emit(&c, sv);
	if (main_write(o, sv->include, &h) == 0 &&
	    main_write(o, arena_printf(sv->arena, "%s.c", sv->name), &c) == 0)
		ret = 0;
	text_free(&h);
	text_free(&c);
	model_free(sv);
	return ret;
}

/* Lists the services. */
static void
main_list(const krpc_services_t *m)
{
	const krpc_service_t *s;
	size_t i;

	for (i = 0; i < krpc_services_count(m); i++) {
		s = krpc_services_at(m, i);
		printf("%s: %zu procedures, %zu classes, %zu enumerations, %zu structures\n",
		    krpc_service_name(s), krpc_service_procedure_count(s), krpc_service_class_count(s),
		    krpc_service_enum_count(s), krpc_service_struct_count(s));
	}
}

/* Generates the chosen services (all if none was named). */
static int
main_generate(const struct main_opts *o, const krpc_services_t *m)
{
	const krpc_service_t *s;
	size_t i;
	int j, ret = 0;

	if (o->nservices == 0) {
		for (i = 0; i < krpc_services_count(m); i++)
			ret |= main_service(o, m, krpc_services_at(m, i));
		return ret;
	}
	for (j = 0; j < o->nservices; j++) {
		if ((s = krpc_services_find(m, o->services[j])) == NULL) {
			fprintf(stderr, STUBGEN_NAME ": no service named %s\n", o->services[j]);
			ret = -1;
		} else
			ret |= main_service(o, m, s);
	}
	return ret;
}

/* Creates dir (or dir/sub) unless it exists; -1 after a message. */
static int
main_mkdir(const char *dir, const char *sub)
{
	char *path = xmalloc(strlen(dir) + (sub != NULL ? strlen(sub) : 0) + 2);
	int rc = 0;

	sprintf(path, "%s%s%s", dir, sub != NULL ? "/" : "", sub != NULL ? sub : "");
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, STUBGEN_NAME ": cannot create %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(path);
	return rc;
}

/* Reads the definitions, then lists the services or writes their stubs. */
int
main(int argc, char **argv)
{
	struct main_opts o = { { NULL, 0, NULL, STUBGEN_NAME, 30.0 }, NULL, NULL, ".", NULL, false,
	    false, NULL, 0 };
	krpc_services_t *m = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	int ret = 1;

	main_parse(argc, argv, &o);
	if ((o.dump != NULL ? input_from_dump(o.dump, &data, &len) :
	    input_from_server(&o.in, &data, &len)) != 0)
		goto done;
	if (krpc_services_parse(data, len, &m) != KRPC_OK) {
		fprintf(stderr, STUBGEN_NAME ": the service definitions do not decode: %s\n",
		    krpc_error_message());
		goto done;
	}
	if (o.save_dump != NULL && text_write_file(o.save_dump, data, len) < 0)
		goto done;
	if (!o.list && main_mkdir(o.outdir, NULL) != 0)
		goto done;
	if (!o.list && o.subdir != NULL && main_mkdir(o.outdir, o.subdir) != 0)
		goto done;
	if (o.list)
		main_list(m);
	else if (main_generate(&o, m) != 0)
		goto done;
	ret = 0;
done:
	krpc_services_free(m);
	free(data);
	return ret;
}
