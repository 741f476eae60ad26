/*
 * Who may connect: the users and groups allowed on the Unix sockets (their
 * credentials read with SO_PEERCRED and SO_PEERGROUPS) and the addresses
 * allowed over TCP.  The lists are resolved once, when the configuration is
 * loaded, so that a typo fails the load and no name lookup runs per client.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "krpcmuxd.h"

/* Supplementary groups read per peer; more are not looked at. */
#define ACCESS_GROUPS_MAX	256

/* An allowed network: the address's first bits bits. */
struct access_net {
	int		 family;
	uint8_t		 addr[16];
	int		 bits;
};

struct access {
	uid_t			*uids;
	size_t			 nuids;
	bool			 any_user;
	gid_t			*gids;
	size_t			 ngids;
	struct access_net	*nets;
	size_t			 nnets;
	bool			 any_address;
};

/* Parses a whole number id; false if text is not one. */
static bool
access_number(const char *text, unsigned long *out)
{
	char *end;

	if (*text < '0' || *text > '9')
		return false;
	errno = 0;
	*out = strtoul(text, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Resolves a user name or uid; false with why. */
static bool
access_user(const char *text, uid_t *uid, char *why, size_t whylen)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	unsigned long n;

	if (access_number(text, &n)) {
		*uid = (uid_t)n;
		return true;
	}
	if (getpwnam_r(text, &pw, buf, sizeof buf, &res) != 0 || res == NULL) {
		snprintf(why, whylen, "access.users: there is no user \"%s\"", text);
		return false;
	}
	*uid = pw.pw_uid;
	return true;
}

/* Resolves a group name or gid; false with why. */
static bool
access_group(const char *text, gid_t *gid, char *why, size_t whylen)
{
	struct group gr, *res = NULL;
	char buf[16384];
	unsigned long n;

	if (access_number(text, &n)) {
		*gid = (gid_t)n;
		return true;
	}
	if (getgrnam_r(text, &gr, buf, sizeof buf, &res) != 0 || res == NULL) {
		snprintf(why, whylen, "access.groups: there is no group \"%s\"", text);
		return false;
	}
	*gid = gr.gr_gid;
	return true;
}

/* Parses "addr" or "addr/bits" (IPv4 or IPv6); false with why. */
static bool
access_net(const char *text, struct access_net *net, char *why, size_t whylen)
{
	char addr[INET6_ADDRSTRLEN + 8], *slash;
	unsigned long bits;
	int max;

	snprintf(addr, sizeof addr, "%s", text);
	if ((slash = strchr(addr, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, addr, net->addr) == 1)
		net->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, net->addr) == 1)
		net->family = AF_INET6;
	else
		goto bad;
	max = net->family == AF_INET ? 32 : 128;
	if (slash == NULL)
		bits = (unsigned long)max;
	else if (!access_number(slash, &bits) || bits > (unsigned long)max)
		goto bad;
	net->bits = (int)bits;
	return true;
bad:
	snprintf(why, whylen, "access.addresses: \"%s\" is not an address or a network such as "
	    "\"192.168.1.0/24\"", text);
	return false;
}

/* Reads the user list; "*" allows everyone. */
static bool
access_parse_users(struct access *a, char **list, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], "*") == 0) {
			a->any_user = true;
			continue;
		}
		a->uids = xreallocarray(a->uids, a->nuids + 1, sizeof *a->uids);
		if (!access_user(list[i], &a->uids[a->nuids], why, whylen))
			return false;
		a->nuids++;
	}
	return true;
}

/* Reads the group list. */
static bool
access_parse_groups(struct access *a, char **list, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++) {
		a->gids = xreallocarray(a->gids, a->ngids + 1, sizeof *a->gids);
		if (!access_group(list[i], &a->gids[a->ngids], why, whylen))
			return false;
		a->ngids++;
	}
	return true;
}

/* Reads the address list; "*" allows every address. */
static bool
access_parse_addresses(struct access *a, char **list, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], "*") == 0) {
			a->any_address = true;
			continue;
		}
		a->nets = xreallocarray(a->nets, a->nnets + 1, sizeof *a->nets);
		if (!access_net(list[i], &a->nets[a->nnets], why, whylen))
			return false;
		a->nnets++;
	}
	return true;
}

/* Resolves the access lists of a configuration; NULL with why. */
struct access *
access_parse(const struct config *c, char *why, size_t whylen)
{
	struct access *a = xcalloc(1, sizeof *a);

	if (access_parse_users(a, c->access_users, why, whylen) &&
	    access_parse_groups(a, c->access_groups, why, whylen) &&
	    access_parse_addresses(a, c->access_addresses, why, whylen))
		return a;
	access_free(a);
	return NULL;
}

/* Frees resolved lists. */
void
access_free(struct access *a)
{
	if (a == NULL)
		return;
	free(a->uids);
	free(a->gids);
	free(a->nets);
	free(a);
}

/* True if the first bits bits of two addresses agree. */
static bool
access_prefix(const uint8_t *a, const uint8_t *b, int bits)
{
	int whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) & (0xff << (8 - rest))) == 0;
}

/* True if a peer address (text) is in the list; IPv4 mapped into IPv6 counts as IPv4. */
static bool
access_address_ok(const struct access *a, const char *text)
{
	uint8_t addr[16];
	int family;
	size_t i;

	if (a->any_address)
		return true;
	if (inet_pton(AF_INET, text, addr) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, text, addr) == 1)
		family = AF_INET6;
	else
		return false;
	if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((struct in6_addr *)addr)) {
		memmove(addr, addr + 12, 4);
		family = AF_INET;
	}
	for (i = 0; i < a->nnets; i++) {
		if (a->nets[i].family == family && access_prefix(addr, a->nets[i].addr, a->nets[i].bits))
			return true;
	}
	return false;
}

/* True if gid is one of the allowed groups. */
static bool
access_gid_ok(const struct access *a, gid_t gid)
{
	size_t i;

	for (i = 0; i < a->ngids; i++) {
		if (a->gids[i] == gid)
			return true;
	}
	return false;
}

/* True if the peer's primary or (where the kernel says) supplementary groups are allowed. */
static bool
access_groups_ok(const struct access *a, int fd, gid_t gid)
{
	if (a->ngids == 0)
		return false;
	if (access_gid_ok(a, gid))
		return true;
#ifdef SO_PEERGROUPS
	{
		gid_t groups[ACCESS_GROUPS_MAX];
		socklen_t len = sizeof groups;
		size_t i;

		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0)
			return false;
		for (i = 0; i < len / sizeof groups[0]; i++) {
			if (access_gid_ok(a, groups[i]))
				return true;
		}
	}
#endif
	return false;
}

/* True if a Unix peer's user or groups are allowed; who names the user for the refusal. */
static bool
access_unix_ok(const struct access *a, int fd, char *who, size_t wholen)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	struct passwd pw, *res = NULL;
	char buf[4096];
	size_t i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		snprintf(who, wholen, "a peer of unknown user");
		return false;
	}
	if (a->any_user || cred.uid == 0 || cred.uid == geteuid())
		return true;
	for (i = 0; i < a->nuids; i++) {
		if (a->uids[i] == cred.uid)
			return true;
	}
	if (access_groups_ok(a, fd, cred.gid))
		return true;
	if (getpwuid_r(cred.uid, &pw, buf, sizeof buf, &res) == 0 && res != NULL)
		snprintf(who, wholen, "user %lu (%s)", (unsigned long)cred.uid, pw.pw_name);
	else
		snprintf(who, wholen, "user %lu", (unsigned long)cred.uid);
	return false;
}

/*
 * Whether a peer may connect: NULL if it may, else the handshake refusal
 * that says why, written into buf.
 */
const char *
access_check(const struct access *a, int fd, enum peer_transport transport, const char *address,
    char *buf, size_t len)
{
	char who[160];

	if (transport == PEER_UNIX) {
		if (access_unix_ok(a, fd, who, sizeof who))
			return NULL;
		snprintf(buf, len, "krpcmuxd: access denied: %s may not use this proxy "
		    "(access.users, access.groups)", who);
		return buf;
	}
	if (access_address_ok(a, address))
		return NULL;
	snprintf(buf, len, "krpcmuxd: access denied: address %s may not use this proxy "
	    "(access.addresses)", address);
	return buf;
}
