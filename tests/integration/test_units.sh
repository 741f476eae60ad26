#!/bin/sh
# krpcmuxd's systemd units as `make install` puts them: the system service,
# its two socket units and the user units are installed, and
# `systemd-analyze security --offline=true` rates the installed system
# service 2.0 or lower (krpcmuxd(8), SYSTEMD), with no warning about the
# file; `systemd-analyze verify` passes on the system and the user units.
# Skips with a message when systemd-analyze is missing or too old for
# --offline (systemd 252).
set -u
bin=${top_builddir:-.}
tmp=$(mktemp -d /tmp/krpcmux-units.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "FAIL: $*"; exit 1; }
limit=2.0

# Only the units: a whole `make install` relinks the libraries in the build
# tree (libtool), under the feet of the tests running beside this one.
${MAKE:-make} -s -C "$bin" install-systemdsystemunitDATA install-systemduserunitDATA \
    DESTDIR="$tmp/stage" >"$tmp/install.out" 2>&1 ||
	{ cat "$tmp/install.out"; fail "make install"; }
sys=$(find "$tmp/stage" -path '*/systemd/system/krpcmuxd.service' | head -1)
user=$(find "$tmp/stage" -path '*/systemd/user/krpcmuxd.service' | head -1)
[ -n "$sys" ] || fail "the system unit krpcmuxd.service was not installed (--with-systemdsystemunitdir=no?)"
[ -n "$user" ] || fail "the user unit krpcmuxd.service was not installed"
for u in krpcmuxd.socket krpcmuxd-stream.socket; do
	[ -f "$(dirname "$sys")/$u" ] || fail "system unit $u was not installed"
	[ -f "$(dirname "$user")/$u" ] || fail "user unit $u was not installed"
done
grep -q '@[a-z]*@' "$sys" "$user" && fail "an installed unit still holds a @variable@"
# Each socket unit names its descriptors, so ListenStream= order does not matter.
for d in "$(dirname "$sys")" "$(dirname "$user")"; do
	grep -q '^FileDescriptorName=rpc$' "$d/krpcmuxd.socket" || fail "$d/krpcmuxd.socket: no FileDescriptorName=rpc"
	grep -q '^FileDescriptorName=stream$' "$d/krpcmuxd-stream.socket" ||
		fail "$d/krpcmuxd-stream.socket: no FileDescriptorName=stream"
	grep -q '^WatchdogSec=' "$d/krpcmuxd.service" || fail "$d/krpcmuxd.service: no WatchdogSec="
done

command -v systemd-analyze >/dev/null 2>&1 ||
	{ echo "SKIP: systemd-analyze is not installed"; exit 77; }
if ! systemd-analyze --help 2>/dev/null | grep -q -- '--offline'; then
	echo "SKIP: $(systemd-analyze --version | head -1) has no --offline (systemd 252 or later)"
	exit 77
fi
# systemd-analyze verify: copies whose ExecStart= names the built daemon
# (verify wants it executable); any output is a failure.
sbin=$(cd "$bin/daemon" && pwd)	# the built daemon: only the units were installed
for kind in system user; do
	d=$(dirname "$([ $kind = system ] && echo "$sys" || echo "$user")")
	mkdir -p "$tmp/verify/$kind" "$tmp/run"
	for u in krpcmuxd.service krpcmuxd.socket krpcmuxd-stream.socket; do
		sed "s|^ExecStart=[^ ]*/krpcmuxd |ExecStart=$sbin/krpcmuxd |" "$d/$u" >"$tmp/verify/$kind/$u"
	done
	flag=; [ $kind = user ] && flag=--user
	(cd "$tmp/verify/$kind" && XDG_RUNTIME_DIR=$tmp/run systemd-analyze verify --man=no $flag \
		./krpcmuxd.service ./krpcmuxd.socket ./krpcmuxd-stream.socket) >"$tmp/verify.out" 2>&1
	[ $? -eq 0 ] && [ ! -s "$tmp/verify.out" ] ||
		{ cat "$tmp/verify.out"; fail "systemd-analyze verify: the $kind units (above)"; }
done
# The installed file, as it stands (its ExecStart= names the staged path's
# final place, which systemd-analyze security does not need).
(cd "$(dirname "$sys")" && systemd-analyze security --offline=true ./krpcmuxd.service) \
	>"$tmp/security.out" 2>"$tmp/security.err"
cat "$tmp/security.out" "$tmp/security.err"
score=$(sed -n 's/.*Overall exposure level for krpcmuxd.service: \([0-9.]*\).*/\1/p' "$tmp/security.out")
[ -n "$score" ] || fail "no overall exposure level in systemd-analyze's output"
[ -s "$tmp/security.err" ] && fail "systemd-analyze warned about the installed unit (above)"
awk -v s="$score" -v l="$limit" 'BEGIN { exit !(s + 0 <= l + 0) }' ||
	fail "systemd-analyze security rates the installed krpcmuxd.service $score, above $limit"
echo "units: installed; system service exposure $score (limit $limit)"
