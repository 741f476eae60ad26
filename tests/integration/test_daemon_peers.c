/*
 * One client's identity is not another's (issue 17): a stream connection
 * cannot take over another client's stream (a second one for the same
 * identifier, or one from another peer, is closed unanswered); the socket
 * directory must be the daemon's own; the daemon never removes a socket it
 * did not create; a client over the limit is told why; listening beyond
 * loopback is warned about.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemontest.h"

/* A stream connection presenting id, handshake sent; the connection. */
static th_conn_t *
stream_claim(th_conn_t *c, const uint8_t *id)
{
	Krpc__Schema__ConnectionRequest req = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;

	req.type = KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM;
	req.client_identifier.data = (uint8_t *)id;
	req.client_identifier.len = 16;
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(th_send_msg(c, &req.base), 0);
	return c;
}

/*
 * A stream connection presenting another client's identifier is closed
 * unanswered; the client keeps its stream connection and its updates.
 */
START_TEST(test_stream_takeover)
{
	struct dt t;
	th_client_t *victim;
	th_conn_t *thief;
	uint64_t id;

	ck_assert_int_eq(dt_start(&t, "takeover"), 0);
	ck_assert_ptr_nonnull(victim = dt_client(&t, "victim", true));
	id = dt_add_tick(victim, true);
	ck_assert(id != UINT64_MAX);
	thief = stream_claim(th_connect_unix(t.stream), victim->id);
	ck_assert(th_wait_closed(thief, 5.0));
	th_conn_close(thief);
	dt_drain(victim);
	ck_assert(dt_flowing(victim, id, 10, 5.0));	/* still its own */
	th_client_close(victim);
	dt_stop(&t);
}
END_TEST

/* A TCP connection to port from a given loopback source address. */
static th_conn_t *
connect_from(const char *source, int port)
{
	th_conn_t *c = th_connect_tcp_from(source, port);

	ck_assert_ptr_nonnull(c);
	return c;
}

/* Over TCP, a client's stream connection must come from the address of its RPC connection. */
START_TEST(test_stream_other_address)
{
	struct dt t;
	char rpc[16], stream[16];
	const char *extra[] = { "--rpc-port", rpc, "--stream-port", stream, NULL };
	th_conn_t *c, *other, *own;
	Krpc__Schema__ConnectionResponse *cr;
	uint8_t id[16];
	const uint8_t *body;
	size_t len;

	memset(&t, 0, sizeof t);
	snprintf(rpc, sizeof rpc, "%d", th_free_port());
	snprintf(stream, sizeof stream, "%d", th_free_port());
	ck_assert_int_eq(dt_sim_start(&t, "addr", false), 0);
	ck_assert_int_eq(dt_daemon_start(&t, "addr", NULL, extra, true), 0);
	ck_assert(th_proc_wait_output(t.daemon, "stream=127.0.0.1:", 5.0));
	c = connect_from("127.0.0.1", atoi(rpc));
	cr = th_handshake(c, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC, "tcp", NULL, 0, 5.0);
	ck_assert(cr != NULL && cr->client_identifier.len == 16);
	memcpy(id, cr->client_identifier.data, 16);
	krpc__schema__connection_response__free_unpacked(cr, NULL);
	other = stream_claim(connect_from("127.0.0.2", atoi(stream)), id);
	ck_assert(th_wait_closed(other, 5.0));
	own = stream_claim(connect_from("127.0.0.1", atoi(stream)), id);
	ck_assert_int_eq(th_recv_frame(own, 5.0, &body, &len), 1);	/* OK, its own id */
	th_conn_close(other);
	th_conn_close(own);
	th_conn_close(c);
	dt_stop(&t);
}
END_TEST

/* Runs krpcmuxd with a socket path expecting it to fail; its output (malloc'd). */
static char *
start_fails(const char *rpc_path, const char *stream_path)
{
	char cmd[2048];
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	th_proc_t *p;
	char *out;

	snprintf(cmd, sizeof cmd, "exec '%s' -f -c /dev/null --upstream-rpc-port 1 "
	    "--upstream-stream-port 2 --admin-path '' --rpc-path '%s' --stream-path '%s' 2>&1",
	    th_bin("daemon/krpcmuxd"), rpc_path, stream_path);
	ck_assert_ptr_nonnull(p = th_spawn(argv, NULL, 0));
	ck_assert_int_ne(th_proc_wait(p, 10.0), 0);
	out = strdup(th_proc_stdout(p));
	th_proc_stop(p);
	return out;
}

/*
 * A socket directory others can write to, or that belongs to another user,
 * is refused with the reason: whoever can write there could put a socket
 * of their own in the proxy's place.
 */
START_TEST(test_socket_directory)
{
	char dir[512], rpc[600], stream[600], *out;

	snprintf(dir, sizeof dir, "%s", th_tmp("shared"));
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	snprintf(rpc, sizeof rpc, "%s/rpc", dir);
	snprintf(stream, sizeof stream, "%s/stream", dir);
	out = start_fails(rpc, stream);
	ck_assert_msg(strstr(out, "is writable by other users") != NULL, "%s", out);
	free(out);
	ck_assert_int_eq(chmod(dir, 01777), 0);	/* sticky, like /tmp: fine */
	ck_assert_int_eq(chmod(dir, 0700), 0);
	if (geteuid() == 0 && chown(dir, 65534, 65534) == 0) {
		out = start_fails(rpc, stream);
		ck_assert_msg(strstr(out, "belongs to another user") != NULL, "%s", out);
		free(out);
	} else
		fprintf(stderr, "test_socket_directory: not root: the other-owner case is skipped\n");
	ck_assert_int_eq(access(rpc, F_OK), -1);	/* nothing was bound there */
}
END_TEST

/* Binds a Unix socket at path (a stranger's), returning its descriptor. */
static int
stranger_socket(const char *path)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof sun.sun_path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	return fd;
}

/* At shutdown the proxy removes its socket files, never one that replaced them. */
START_TEST(test_foreign_socket_kept)
{
	struct dt t;
	int fd;

	ck_assert_int_eq(dt_start(&t, "foreign"), 0);
	ck_assert_int_eq(unlink(t.stream), 0);
	fd = stranger_socket(t.stream);
	dt_daemon_stop(&t);
	ck_assert_int_eq(access(t.stream, F_OK), 0);	/* the stranger's is still there */
	ck_assert_int_eq(access(t.rpc, F_OK), -1);	/* the proxy's own is gone */
	close(fd);
	unlink(t.stream);
	dt_sim_stop(&t);
}
END_TEST

/* A client over limits.max_clients gets a ConnectionResponse saying why. */
START_TEST(test_max_clients_answer)
{
	struct dt t;
	th_client_t *a, *b;
	th_conn_t *c;
	Krpc__Schema__ConnectionResponse *cr;

	memset(&t, 0, sizeof t);
	ck_assert_int_eq(dt_sim_start(&t, "max", false), 0);
	ck_assert_int_eq(dt_daemon_start(&t, "max", "limits = { max_clients = 2; };\n", NULL, true), 0);
	ck_assert_ptr_nonnull(a = dt_client(&t, "a", false));
	ck_assert_ptr_nonnull(b = dt_client(&t, "b", false));
	ck_assert_ptr_nonnull(c = th_connect_unix(t.rpc));
	cr = th_handshake(c, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC, "third", NULL, 0, 5.0);
	ck_assert_ptr_nonnull(cr);
	ck_assert_int_eq(cr->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT);
	ck_assert_str_eq(cr->message, "krpcmuxd: too many clients (limits.max_clients is 2); "
	    "try again later");
	krpc__schema__connection_response__free_unpacked(cr, NULL);
	ck_assert(th_wait_closed(c, 5.0));
	th_conn_close(c);
	th_client_close(a);
	ck_assert_ptr_nonnull(a = dt_client(&t, "again", false));	/* room again */
	th_client_close(a);
	th_client_close(b);
	dt_stop(&t);
}
END_TEST

/* TCP listeners beyond loopback are warned about in the log. */
START_TEST(test_listen_any_warning)
{
	struct dt t;
	char rpc[16], stream[16];
	const char *extra[] = { "--listen-address", "0.0.0.0", "--rpc-port", rpc, "--stream-port",
	    stream, NULL };

	memset(&t, 0, sizeof t);
	t.log_to_stdout = true;
	snprintf(rpc, sizeof rpc, "%d", th_free_port());
	snprintf(stream, sizeof stream, "%d", th_free_port());
	ck_assert_int_eq(dt_sim_start(&t, "any", false), 0);
	ck_assert_int_eq(dt_daemon_start(&t, "any", NULL, extra, true), 0);
	ck_assert(th_proc_wait_output(t.daemon, "scripts on other machines can connect", 5.0));
	dt_stop(&t);
}
END_TEST

static Suite *
peers_suite(void)
{
	Suite *s = suite_create("krpcmuxd: one client's identity is not another's");
	TCase *tc = tcase_create("peers");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_stream_takeover);
	tcase_add_test(tc, test_stream_other_address);
	tcase_add_test(tc, test_socket_directory);
	tcase_add_test(tc, test_foreign_socket_kept);
	tcase_add_test(tc, test_max_clients_answer);
	tcase_add_test(tc, test_listen_any_warning);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return dt_run(peers_suite());
}
