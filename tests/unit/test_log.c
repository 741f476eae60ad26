/*
 * Unit tests of krpcmuxd's log (daemon/log.c): lines at and above the level
 * only, and libevent's own warnings through the same log.
 */
#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <event2/util.h>

#include "krpcmuxd.h"
#include "unit.h"

/* Runs fn with stderr sent to a file; returns what it wrote (static). */
static const char *
captured(void (*fn)(void))
{
	static char out[4096];
	char path[] = "/tmp/krpcmux-log-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	fflush(stderr);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, sizeof out - 1, 0);
	close(fd);
	out[n > 0 ? n : 0] = '\0';
	return out;
}

static void
levels(void)
{
	log_open(false);
	log_set_level(LOG_LEVEL_WARN);
	log_msg(LOG_LEVEL_INFO, NULL, "not shown");
	log_msg(LOG_LEVEL_WARN, "client 1", "shown %d", 42);
}

START_TEST(test_levels)
{
	ck_assert_str_eq(captured(levels), "krpcmuxd: warn: client 1: shown 42\n");
}
END_TEST

/* A call libevent answers with a warning of its own: fcntl() on a bad descriptor. */
static void
libevent_warning(void)
{
	log_open(false);
	log_set_level(LOG_LEVEL_INFO);
	evutil_make_socket_nonblocking(-1);
}

START_TEST(test_libevent_messages)
{
	const char *out = captured(libevent_warning);

	ck_assert_msg(strncmp(out, "krpcmuxd: warn: libevent: fcntl(-1, F_GETFL)", 44) == 0,
	    "%s", out);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_libevent_messages);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
