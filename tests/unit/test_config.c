/*
 * Unit tests of krpcmuxd's configuration: the option table's defaults, the
 * libconfig file and the command-line flags, one-line errors naming the
 * option, cross-checks, reload helpers, and that conf/krpcmuxd.conf and the
 * man pages document every option (with the right defaults).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "krpcmuxd.h"

static char tmpdir[] = "/tmp/krpcmux-config.XXXXXX";

/* Writes text to a file in the temporary directory; returns its path (static, 4 slots). */
static const char *
conf_file(const char *text)
{
	static char slots[4][256];
	static int n;
	char *path = slots[n % 4];
	FILE *f;

	snprintf(path, sizeof slots[0], "%s/c%d.conf", tmpdir, n++);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text; NULL with why on error. */
static struct config *
load(const char *text, char *why, size_t whylen)
{
	return config_load(conf_file(text), false, NULL, 0, why, whylen);
}

/* Reads a whole source file (malloc'd). */
static char *
slurp(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char path[1024], *buf;
	FILE *f;
	long len;

	snprintf(path, sizeof path, "%s/%s", top != NULL ? top : ".", rel);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

static void
setup(void)
{
	static bool made;

	if (!made && mkdtemp(tmpdir) == NULL)
		ck_abort_msg("mkdtemp");
	made = true;
}

/* Every option's default is what the table says. */
START_TEST(test_defaults)
{
	const struct config_option *o;
	struct config *c;
	char why[256], value[4096];

	setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
	c = config_load(NULL, true, NULL, 0, why, sizeof why);
	ck_assert_msg(c != NULL, "%s", why);
	for (o = config_options; o->path != NULL; o++) {
		if (o->def == NULL)
			continue;
		config_format(c, o, value, sizeof value);
		ck_assert_msg(strcmp(value, o->def) == 0, "%s: %s != %s", o->path, value, o->def);
	}
	ck_assert_str_eq(c->listen_rpc_path, "/run/user/4242/krpc/rpc");
	ck_assert_str_eq(c->listen_stream_path, "/run/user/4242/krpc/stream");
	ck_assert_str_eq(c->admin_path, "/run/user/4242/krpcmux/admin");
	ck_assert_int_eq(c->upstream_rpc_port, 50000);
	ck_assert_int_eq(c->listen_socket_mode, 0600);
	ck_assert_int_eq(c->upstream_slow_lanes, 2);
	ck_assert(config_is_slow(c, "SpaceCenter", "WarpTo"));
	ck_assert(config_is_slow(c, "TestService", "BlockingProcedure"));
	ck_assert(!config_is_slow(c, "SpaceCenter", "get_UT"));
	ck_assert(!config_is_slow(c, "SpaceCenter", "Warp"));
	config_free(c);
	/*
	 * Without XDG_RUNTIME_DIR: <tmp>/krpc-<user>, as kRPC's server computes
	 * it on mono ($TMPDIR, $TMP, $TEMP or /tmp; $USER or the account).
	 */
	unsetenv("XDG_RUNTIME_DIR");
	setenv("TMPDIR", "/somewhere/else/", 1);
	setenv("USER", "jeb", 1);
	c = config_load(NULL, true, NULL, 0, why, sizeof why);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->listen_rpc_path, "/somewhere/else/krpc-jeb/rpc");
	ck_assert_str_eq(c->admin_path, "/somewhere/else/krpcmux-jeb/admin");
	config_free(c);
	unsetenv("TMPDIR");
	unsetenv("TMP");
	unsetenv("TEMP");
	c = config_load(NULL, true, NULL, 0, why, sizeof why);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->listen_stream_path, "/tmp/krpc-jeb/stream");
	config_free(c);
}
END_TEST

/* Every type read from a file. */
START_TEST(test_file)
{
	char why[256];
	struct config *c = load(
	    "upstream = { address = \"10.0.0.5\"; rpc_port = 6000; wait = 2.5; connect_timeout = 3;\n"
	    "  slow_procedures = [ \"A.b\", \"C.d\" ]; client_name = \"proxy one\"; };\n"
	    "listen = { socket_mode = \"0660\"; rpc_path = \"\"; stream_path = \"\";\n"
	    "  rpc_port = 7000; stream_port = 7001; };\n"
	    "log = { level = \"debug\"; syslog = true; };\n"
	    "limits = { max_clients = 10; };\n", why, sizeof why);

	ck_assert_msg(c != NULL, "%s", why);
	ck_assert_str_eq(c->upstream_address, "10.0.0.5");
	ck_assert_int_eq(c->upstream_rpc_port, 6000);
	ck_assert(c->upstream_wait == 2.5 && c->upstream_connect_timeout == 3);
	ck_assert_str_eq(c->upstream_client_name, "proxy one");
	ck_assert(config_is_slow(c, "A", "b") && config_is_slow(c, "C", "d"));
	ck_assert(!config_is_slow(c, "SpaceCenter", "WarpTo"));
	ck_assert_int_eq(c->listen_socket_mode, 0660);
	ck_assert_str_eq(c->listen_rpc_path, "");
	ck_assert_int_eq(c->listen_rpc_port, 7000);
	ck_assert_int_eq(c->log_level, LOG_LEVEL_DEBUG);
	ck_assert(c->log_syslog);
	ck_assert_int_eq(c->limits_max_clients, 10);
	config_free(c);
}
END_TEST

/* Bad files: one line naming the file, line and option. */
START_TEST(test_file_errors)
{
	static const struct {
		const char	*text;
		const char	*error;
	} cases[] = {
		{ "upstream = { rpc_port = \"x\"; };\n", ":1: upstream.rpc_port: must be an integer" },
		{ "\nupstream = { rpc_port = 0; };\n", ":2: upstream.rpc_port: must be between 1 and 65535" },
		{ "upstream = { nope = 1; };\n", ":1: upstream.nope: unknown option" },
		{ "nope = 1;\n", ":1: nope: unknown option" },
		{ "upstream = { wait = \"soon\"; };\n", "upstream.wait: must be a number" },
		{ "upstream = { wait = -1.0; };\n", "upstream.wait: must be between 0 and 3600" },
		{ "log = { syslog = 1; };\n", "log.syslog: must be true or false" },
		{ "log = { level = \"loud\"; };\n", "log.level: \"loud\" is not one of error, warn, info, debug" },
		{ "listen = { socket_mode = 600; };\n", "listen.socket_mode: must be a string of octal digits" },
		{ "listen = { socket_mode = \"0999\"; };\n", "listen.socket_mode: \"0999\" is not an octal file mode" },
		{ "upstream = { slow_procedures = \"A.b\"; };\n", "upstream.slow_procedures: must be a list" },
		{ "upstream = { rpc_port = 5 ", "syntax error" },
		{ "upstream = { rpc_path = \"/a\"; };\n", "upstream.stream_path: must be set together with upstream.rpc_path" },
		{ "listen = { rpc_port = 5000; };\n", "listen.stream_port: must be set together with listen.rpc_port" },
		{ "listen = { rpc_port = 5000; stream_port = 5000; };\n", "listen.stream_port: must differ" },
		{ "listen = { rpc_path = \"\"; stream_path = \"\"; };\n", "no listener configured" },
		{ "limits = { output_low_watermark = 2000000; };\n", "limits.output_low_watermark: must be below" },
		{ "upstream = { retry_min = 100.0; retry_max = 10.0; };\n", "upstream.retry_min: must not exceed" },
		{ "listen = { rpc_path = \"/x/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"; };\n",
		    "listen.rpc_path: \"/x/aaa" },
		{ "upstream = { rpc_path = \"/s/r\"; stream_path = \"/s/s\"; };\nlisten = { rpc_path = \"/s/r\"; };\n",
		    "must not listen on the server's own socket path" },
	};
	char why[512];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		why[0] = '\0';
		ck_assert_msg(load(cases[i].text, why, sizeof why) == NULL, "case %zu loaded", i);
		ck_assert_msg(strstr(why, cases[i].error) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, why,
		    cases[i].error);
		ck_assert_msg(strchr(why, '\n') == NULL, "case %zu: not one line", i);
	}
	why[0] = '\0';
	ck_assert_ptr_null(config_load("/nonexistent/x.conf", false, NULL, 0, why, sizeof why));
	ck_assert_ptr_nonnull(strstr(why, "/nonexistent/x.conf: cannot read the file"));
}
END_TEST

/* Flags override the file; a bad flag names the flag. */
START_TEST(test_flags)
{
	struct config_flag flags[3];
	struct config *c;
	char why[256];
	const char *file = conf_file("upstream = { rpc_port = 1111; stream_port = 2222; };\n");

	ck_assert_ptr_null(config_find_flag("no-such-flag"));
	flags[0].option = config_find_flag("upstream-rpc-port");
	flags[0].value = "3333";
	flags[1].option = config_find_flag("log-level");
	flags[1].value = "warn";
	flags[2].option = config_find_flag("rpc-path");
	flags[2].value = "/tmp/flag-rpc";
	ck_assert(flags[0].option && flags[1].option && flags[2].option);
	c = config_load(file, false, flags, 3, why, sizeof why);
	ck_assert_msg(c != NULL, "%s", why);
	ck_assert_int_eq(c->upstream_rpc_port, 3333);
	ck_assert_int_eq(c->upstream_stream_port, 2222);
	ck_assert_int_eq(c->log_level, LOG_LEVEL_WARN);
	ck_assert_str_eq(c->listen_rpc_path, "/tmp/flag-rpc");
	config_free(c);
	flags[0].value = "many";
	ck_assert_ptr_null(config_load(file, false, flags, 1, why, sizeof why));
	ck_assert_str_eq(why, "--upstream-rpc-port: \"many\" is not an integer");
	flags[0].value = "70000";
	ck_assert_ptr_null(config_load(file, false, flags, 1, why, sizeof why));
	ck_assert_str_eq(why, "--upstream-rpc-port: must be between 1 and 65535");
	/* a missing default file is fine, a missing named one is not */
	ck_assert_ptr_nonnull(c = config_load("/nonexistent/default.conf", true, NULL, 0, why, sizeof why));
	config_free(c);
}
END_TEST

/* Reload keeps non-reloadable options: what differs can be swapped back. */
START_TEST(test_reload_helpers)
{
	char why[256];
	struct config *a = load("upstream = { rpc_port = 1; wait = 1.0; };\n", why, sizeof why);
	struct config *b = load("upstream = { rpc_port = 2; wait = 2.0; };\n", why, sizeof why);
	const struct config_option *port = config_find("upstream.rpc_port");
	const struct config_option *wait = config_find("upstream.wait");

	ck_assert(a && b && port && wait);
	ck_assert(!port->reloadable && wait->reloadable);
	ck_assert(config_differs(a, b, port) && config_differs(a, b, wait));
	ck_assert(!config_differs(a, b, config_find("upstream.address")));
	config_swap_option(b, a, port);
	ck_assert_int_eq(b->upstream_rpc_port, 1);
	ck_assert_int_eq(a->upstream_rpc_port, 2);
	ck_assert(b->upstream_wait == 2.0);
	config_free(a);
	config_free(b);
}
END_TEST

/* conf/krpcmuxd.conf documents every option; uncommented, it gives the defaults. */
START_TEST(test_sample_documents_every_option)
{
	const struct config_option *o;
	char *text = slurp("conf/krpcmuxd.conf"), *line, *save = NULL, group[64] = "", name[64];
	krpc_buf_t active = KRPC_BUF_INIT, seen = KRPC_BUF_INIT;
	struct config *c, *def;
	char why[512], path[160], va[4096], vd[4096];
	const char *p;

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		p = line + strspn(line, " \t");
		if (p[0] == '#' && p[1] != ' ' && p[1] != '\0')
			p++;	/* a commented-out setting: "#name = value;" */
		else if (p[0] == '#' || p[0] == '\0')
			continue;
		if (sscanf(p, "%63[a-z_] = {", name) == 1 && strchr(p, '{') != NULL)
			snprintf(group, sizeof group, "%s", name);
		else if (p[0] == '}')
			group[0] = '\0';
		else if (sscanf(p, "%63[a-z_] =", name) == 1 && group[0] != '\0') {
			snprintf(path, sizeof path, "|%s.%s|", group, name);
			krpc_buf_append(&seen, path, strlen(path));
		}
		krpc_buf_append(&active, p, strlen(p));
		krpc_buf_byte(&active, '\n');
	}
	krpc_buf_byte(&active, '\0');
	krpc_buf_byte(&seen, '\0');
	for (o = config_options; o->path != NULL; o++) {
		snprintf(path, sizeof path, "|%s|", o->path);
		ck_assert_msg(strstr((char *)seen.data, path) != NULL, "%s is not in conf/krpcmuxd.conf",
		    o->path);
	}
	c = load((char *)active.data, why, sizeof why);
	ck_assert_msg(c != NULL, "the sample, uncommented: %s", why);
	def = config_load(NULL, true, NULL, 0, why, sizeof why);
	for (o = config_options; o->path != NULL; o++) {
		if (o->def == NULL)
			continue;	/* computed at start: the sample shows an example */
		config_format(c, o, va, sizeof va);
		config_format(def, o, vd, sizeof vd);
		ck_assert_msg(strcmp(va, vd) == 0, "sample says %s = %s, default is %s", o->path, va, vd);
	}
	config_free(c);
	config_free(def);
	krpc_buf_free(&active);
	krpc_buf_free(&seen);
	free(text);
}
END_TEST

/* Removes roff's escapes of minus signs: "\-\-rpc\-port" → "--rpc-port". */
static void
unroff(char *s)
{
	char *out = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == '-')
			s++;
		*out++ = *s;
	}
	*out = '\0';
}

/* The man pages document every option and every flag. */
START_TEST(test_man_pages_document_everything)
{
	const struct config_option *o;
	char *conf5 = slurp("docs/krpcmuxd.conf.5"), *man8 = slurp("docs/krpcmuxd.8");
	char flag[96];

	unroff(conf5);
	unroff(man8);
	for (o = config_options; o->path != NULL; o++) {
		ck_assert_msg(strstr(conf5, o->path) != NULL, "%s is not in krpcmuxd.conf(5)", o->path);
		if (o->flag == NULL)
			continue;
		snprintf(flag, sizeof flag, "--%s", o->flag);
		ck_assert_msg(strstr(man8, flag) != NULL, "%s is not in krpcmuxd(8)", flag);
	}
	ck_assert_ptr_nonnull(strstr(man8, "--test-config"));
	ck_assert_ptr_nonnull(strstr(man8, "--foreground"));
	free(conf5);
	free(man8);
}
END_TEST

/* Checks that one counter is named in krpcmuxd(8) as a tagged paragraph of its own. */
static void
counter_documented(const char *name, const char *help, uint64_t value, void *arg)
{
	char tag[96];

	snprintf(tag, sizeof tag, "\n.B %s\n", name);
	ck_assert_msg(strstr(arg, tag) != NULL, "counter %s is not in krpcmuxd(8)", name);
}

/* krpcmuxd(8) documents every counter of the stats output. */
START_TEST(test_man_page_documents_counters)
{
	char *man8 = slurp("docs/krpcmuxd.8");

	stats_foreach(counter_documented, man8);
	free(man8);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_unchecked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_file_errors);
	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_reload_helpers);
	tcase_add_test(tc, test_sample_documents_every_option);
	tcase_add_test(tc, test_man_pages_document_everything);
	tcase_add_test(tc, test_man_page_documents_counters);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (tmpdir[sizeof tmpdir - 7] != 'X') {
		char cmd[256];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
	return failed == 0 ? 0 : 1;
}
