/*
 * krpcmuxd: the command line, the configuration lifecycle (load, -t,
 * SIGHUP reload), daemonising, signals, the ready line and shutdown.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "krpcmuxd.h"

static void	main_rlimit(void);

/* How long a graceful shutdown waits for output to flush, once the calls are answered. */
#define MAIN_GRACE	2.0

struct event_base *ev_base;

static struct {
	char			*file;		/* configuration file (absolute) */
	bool			 file_given;	/* -c: a missing file is an error */
	struct config_flag	*flags;
	size_t			 nflags;
	int			 ready_fd;	/* daemon mode: tells the parent we are ready */
	bool			 detached;	/* daemon mode, ready: logs go to syslog for good */
	bool			 ready;
	bool			 stopping;
	bool			 answered;	/* stopping: every client answered (or failed) */
	double			 stop_since;	/* stopping: since, then since answered */
	struct event		*stop_timer;
	struct event		*signals[3];
} m = { .ready_fd = -1 };

/* Prints the usage. */
static void
main_usage(FILE *f)
{
	const struct config_option *o;

	fprintf(f, "usage: krpcmuxd [-c FILE] [-f|--foreground] [-t|--test-config] "
	    "[--log-level LEVEL] [options]\n\n"
	    "A multiplexing proxy for kRPC: many clients share one connection to the game's\n"
	    "kRPC server, with identical streams deduplicated.\n\n"
	    "  -c, --config FILE     configuration file (default %s)\n"
	    "  -f, --foreground      stay in the foreground (logs on standard error unless log.syslog)\n"
	    "  -t, --test-config     check the configuration and the flags, then exit\n"
	    "  -h, --help            this text\n"
	    "  -V, --version         the version\n\n"
	    "Options overriding the configuration file:\n", KRPCMUXD_CONF);
	for (o = config_options; o->path != NULL; o++) {
		if (o->flag != NULL)
			fprintf(f, "  --%-22s %s (%s)\n", o->flag, o->help, o->path);
	}
	fprintf(f, "\nSee krpcmuxd(8) and krpcmuxd.conf(5).\n");
}

/* Builds the getopt table: the fixed options plus one per table flag. */
static struct option *
main_options(void)
{
	static const struct option fixed[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "test-config", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
	};
	const struct config_option *o;
	struct option *opts;
	size_t n = sizeof fixed / sizeof fixed[0], i = n;

	for (o = config_options; o->path != NULL; o++)
		n += o->flag != NULL;
	opts = xcalloc(n + 1, sizeof *opts);
	memcpy(opts, fixed, sizeof fixed);
	for (o = config_options; o->path != NULL; o++) {
		if (o->flag == NULL)
			continue;
		opts[i].name = o->flag;
		opts[i].has_arg = required_argument;
		opts[i].val = 0;
		i++;
	}
	return opts;
}

/* Parses the command line; exits on errors, --help and --version. */
static void
main_args(int argc, char **argv, bool *foreground, bool *test)
{
	struct option *opts = main_options();
	const struct config_option *o;
	int ch, idx;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:fthV", opts, &idx)) != -1) {
		switch (ch) {
		case 'c':
			free(m.file);
			m.file = xstrdup(optarg);
			m.file_given = true;
			break;
		case 'f':
			*foreground = true;
			break;
		case 't':
			*test = true;
			break;
		case 'h':
			main_usage(stdout);
			exit(0);
		case 'V':
			printf("krpcmuxd %s\n", PACKAGE_VERSION);
			exit(0);
		case 0:
			o = config_find_flag(opts[idx].name);
			m.flags = xreallocarray(m.flags, m.nflags + 1, sizeof *m.flags);
			m.flags[m.nflags].option = o;
			m.flags[m.nflags].value = xstrdup(optarg);
			m.nflags++;
			break;
		case ':':
			fprintf(stderr, "krpcmuxd: %s: needs a value\n", argv[optind - 1]);
			exit(1);
		default:
			fprintf(stderr, "krpcmuxd: %s: unknown option (see krpcmuxd --help)\n",
			    argv[optind - 1]);
			exit(1);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "krpcmuxd: %s: unexpected argument (see krpcmuxd --help)\n",
		    argv[optind]);
		exit(1);
	}
	free(opts);
}

/* Makes the configuration file path absolute (reloads may run after chdir). */
static void
main_absolute_file(void)
{
	char cwd[PATH_MAX], *abs;

	if (m.file == NULL || m.file[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return;
	xasprintf(&abs, "%s/%s", cwd, m.file);
	free(m.file);
	m.file = abs;
}

/* Loads the configuration named on the command line. */
static struct config *
main_load(char *why, size_t whylen)
{
	return config_load(m.file, !m.file_given, m.flags, m.nflags, why, whylen);
}

/* Reads the configuration again: a bad file changes nothing. */
static bool
main_reload_config(char *why, size_t whylen)
{
	const struct config_option *o;
	struct config *next;

	if ((next = main_load(why, whylen)) == NULL) {
		log_error(NULL, "reload failed, keeping the current configuration: %s", why);
		return false;
	}
	for (o = config_options; o->path != NULL; o++) {
		if (o->reloadable || !config_differs(cfg, next, o))
			continue;
		log_warn(NULL, "reload: %s changed; restart krpcmuxd to apply it", o->path);
		config_swap_option(next, cfg, o);
	}
	config_free(cfg);
	cfg = next;
	log_set_level((enum log_level)cfg->log_level);
	if (!m.detached)
		log_open(cfg->log_syslog);	/* a detached daemon has no stderr: syslog stays */
	upstream_reconfigure();
	main_rlimit();
	log_info(NULL, "configuration reloaded from %s", m.file ? m.file : "(defaults)");
	return true;
}

/* A reload (SIGHUP or the admin's): RELOADING=1, then READY=1 whatever the outcome. */
static bool
main_reload(char *why, size_t whylen)
{
	bool ok;

	service_reloading();
	ok = main_reload_config(why, whylen);
	service_reloaded(ok ? NULL : why);
	return ok;
}

/* Descriptors kept for everything but clients: listeners, the game's connections, logs. */
#define MAIN_FD_RESERVE	32

/*
 * Raises the open-file limit to the hard limit: each client needs two
 * sockets.  If even that cannot hold limits.max_clients, says so now and
 * serves fewer, refusing the others with a reason, rather than letting
 * them wait in the accept queue half connected.
 */
static void
main_rlimit(void)
{
	struct rlimit rl;
	size_t cap;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY) {
		limits_set_fd_cap(SIZE_MAX);
		return;
	}
	cap = rl.rlim_cur > MAIN_FD_RESERVE + 2 ? (size_t)(rl.rlim_cur - MAIN_FD_RESERVE) / 2 : 1;
	limits_set_fd_cap(cap);
	if (cap < (size_t)cfg->limits_max_clients)
		log_warn(NULL, "the open-file limit (%llu) holds %zu clients, fewer than "
		    "limits.max_clients (%d): the others will be refused; raise LimitNOFILE= or "
		    "ulimit -n", (unsigned long long)rl.rlim_cur, cap, cfg->limits_max_clients);
}

/* Forks; the parent waits until the child is ready (or failed) and exits. */
static void
main_daemonize(void)
{
	int fds[2], status;
	pid_t pid;
	char c;
	ssize_t n;

	if (pipe(fds) != 0 || (pid = fork()) == -1) {
		fprintf(stderr, "krpcmuxd: cannot daemonise: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(fds[1]);
		while ((n = read(fds[0], &c, 1)) == -1 && errno == EINTR)
			;
		if (n == 1)
			_exit(0);
		waitpid(pid, &status, 0);
		_exit(1);
	}
	close(fds[0]);
	m.ready_fd = fds[1];
	setsid();
}

/* Daemon mode, once ready: detach from the terminal and log to syslog. */
static void
main_detach(void)
{
	int fd;

	if (m.ready_fd == -1)
		return;
	if (write(m.ready_fd, "R", 1) != 1)
		log_warn(NULL, "cannot signal readiness to the parent process");
	close(m.ready_fd);
	m.ready_fd = -1;
	m.detached = true;
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_open(true);
	if (chdir("/") != 0)
		log_warn(NULL, "chdir /: %s", strerror(errno));
}

/* The upstream session became ready: the ready line, once. */
static void
main_ready(void)
{
	if (m.ready)
		return;
	m.ready = true;
	listener_print_ready(stdout);
	main_detach();
}

/* The upstream session is up: the ready line (once), then the clients waiting for it. */
static void
main_upstream_ready(void)
{
	main_ready();
	client_upstream_ready();
	service_update();
}

/*
 * The upstream session is gone: the ledger forgets what the game released
 * with it, clients are told, the stream table forgets its ids.
 */
static void
main_upstream_lost(const char *reason)
{
	ledger_reset();
	client_upstream_lost(reason);
	streamtab_reset();
	service_update();
}

/* What the stream table reads from the client layer. */
static const struct streamtab_sources main_streamtab_sources = { client_all };

/* What a client's own upstream session tells the layers above it. */
static const struct session_events main_session_events = { client_lost, streamtab_update };

/* How the router's writes reach the client layer's backpressure. */
static const struct router_events main_router_events = { client_check_output };

/* How a request parked in intercept.c goes back to the router. */
static const struct intercept_events main_intercept_events = { router_resume };

/* What the admin commands may ask of main.c. */
static const struct admin_actions main_admin_actions = { main_reload };

/* How the upstream session's events reach the layers above it. */
static const struct upstream_events main_upstream_events = {
	main_upstream_ready, main_upstream_lost, streamtab_update,
};

/*
 * The calls in flight are answered, or limits.stop_timeout ran out and they
 * fail: close the rest and the upstream, then let the output flush.
 */
static void
main_stop_answered(void)
{
	char desc[256];

	if (client_count() > 0) {
		snprintf(desc, sizeof desc, "krpcmuxd: shutting down; the call did not complete "
		    "within %g s (limits.stop_timeout)", cfg->limits_stop_timeout);
		log_warn(NULL, "%zu clients still wait for answers after %g s: failing their calls",
		    client_count(), cfg->limits_stop_timeout);
		client_fail_all(desc);
	}
	client_close_all();
	upstream_stop();
	m.answered = true;
	m.stop_since = krpc_time_now();
}

/* Shutdown, every 20 ms: calls answered (or timed out), then output flushed (or grace over). */
static void
main_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	double waited = krpc_time_now() - m.stop_since;

	if (!m.answered && (client_count() == 0 || waited >= cfg->limits_stop_timeout))
		main_stop_answered();
	else if (m.answered && (peer_count() == 0 || waited > MAIN_GRACE))
		event_base_loopbreak(ev_base);
}

/*
 * Starts the graceful shutdown: the socket files go, no client is read
 * again, the requests already read are answered; main_stop_cb goes on.
 */
static void
main_shutdown(void)
{
	struct timeval tv = { 0, 20000 };

	if (m.stopping)
		return;
	m.stopping = true;
	m.stop_since = krpc_time_now();
	log_info(NULL, "shutting down (a second signal stops at once)");
	listener_close_all();
	admin_close();
	client_drain_all();
	service_stopping();
	stall_stop();
	m.stop_timer = event_new(ev_base, -1, EV_PERSIST, main_stop_cb, NULL);
	if (m.stop_timer == NULL)
		log_fatal("cannot create the shutdown timer");
	event_add(m.stop_timer, &tv);
}

/* TERM and INT: graceful the first time, immediate the second. */
static void
main_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	char why[512];

	switch (sig) {
	case SIGHUP:
		if (m.stopping) {
			log_info(NULL, "SIGHUP while shutting down: not reloading");
			break;
		}
		log_info(NULL, "SIGHUP: reloading the configuration");
		main_reload(why, sizeof why);
		break;
	default:
		if (m.stopping) {
			log_info(NULL, "second signal: exiting now");
			event_base_loopbreak(ev_base);
			return;
		}
		main_shutdown();
		break;
	}
}

/* Installs the signal events (PIPE is ignored). */
static void
main_signals(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		m.signals[i] = evsignal_new(ev_base, sigs[i], main_signal_cb, NULL);
		if (m.signals[i] == NULL || evsignal_add(m.signals[i], NULL) != 0)
			log_fatal("cannot install the signal handlers");
	}
}

/* Releases what the command line allocated. */
static void
main_free_args(void)
{
	size_t i;

	for (i = 0; i < m.nflags; i++)
		free(m.flags[i].value);
	free(m.flags);
	free(m.file);
	m.flags = NULL;
	m.nflags = 0;
	m.file = NULL;
}

/* Releases everything at exit (no leaks under the sanitizers). */
static void
main_cleanup(void)
{
	size_t i;

	listener_close_all();
	admin_close();
	client_close_all();
	stall_stop();
	upstream_stop();
	streamtab_reset();
	schema_reset();
	peer_close_all();
	defer_flush();
	for (i = 0; i < sizeof m.signals / sizeof m.signals[0]; i++) {
		if (m.signals[i] != NULL)
			event_free(m.signals[i]);
	}
	if (m.stop_timer != NULL)
		event_free(m.stop_timer);
	service_close();
	event_base_free(ev_base);
	config_free(cfg);
	main_free_args();
	log_close();
}

/* krpcmuxd: see main_usage() and krpcmuxd(8). */
int
main(int argc, char **argv)
{
	bool foreground = false, test = false;
	char why[1024];

	main_args(argc, argv, &foreground, &test);
	if (m.file == NULL)
		m.file = xstrdup(KRPCMUXD_CONF);
	if ((cfg = main_load(why, sizeof why)) == NULL) {
		fprintf(stderr, "krpcmuxd: %s\n", why);
		return 1;
	}
	if (test) {
		printf("krpcmuxd: configuration %s is valid\n",
		    access(m.file, F_OK) == 0 ? m.file : "(defaults)");
		config_free(cfg);
		main_free_args();
		return 0;
	}
	main_absolute_file();
	log_set_level((enum log_level)cfg->log_level);
	log_open(cfg->log_syslog);
	main_rlimit();
	if (!foreground)
		main_daemonize();
	if ((ev_base = event_base_new()) == NULL)
		log_fatal("cannot create the event loop");
	service_init();
	defer_init();
	streamtab_init(&main_streamtab_sources);
	router_init(&main_router_events);
	session_init(&main_session_events);
	intercept_init(&main_intercept_events);
	upstream_init(&main_upstream_events);
	stall_start();
	if (!listener_open_all(cfg, why, sizeof why) || !admin_open(cfg, &main_admin_actions, why, sizeof why)) {
		log_error(NULL, "%s", why);
		listener_close_all();
		return 1;
	}
	main_signals();
	service_ready();
	log_info(NULL, "krpcmuxd %s started (pid %ld)", PACKAGE_VERSION, (long)getpid());
	upstream_start();
	event_base_dispatch(ev_base);
	log_info(NULL, "stopped");
	main_cleanup();
	return 0;
}
