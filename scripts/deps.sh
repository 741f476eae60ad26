#!/bin/sh
# Installs the Debian 12 packages krpcmux needs to build, test, benchmark and
# demo, if any are missing.  Needs root (or sudo).  Used by scripts/test.sh,
# scripts/demo.sh and CI; safe to run again.
set -eu

PACKAGES="gcc make libc6-dev pkg-config autoconf automake libtool \
libevent-dev libprotobuf-c-dev protobuf-c-compiler libconfig-dev check \
protobuf-compiler python3 python3-protobuf socat valgrind procps \
groff-base man-db mandoc"

# kRPC's TestServer (tests and benchmarks use it when it is beside the
# source tree, ../shared/krpc-testserver, or at $KRPC_TESTSERVER) runs on mono.
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -r "${KRPC_TESTSERVER:-$top/../shared/krpc-testserver}/TestServer.exe" ]; then
	PACKAGES="$PACKAGES mono-runtime libmono-system4.0-cil libmono-system-core4.0-cil \
libmono-system-xml4.0-cil libmono-system-configuration4.0-cil libmono-security4.0-cil"
fi

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "krpcmux: installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "krpcmux: need root or sudo to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing
