"""krpcmuxctl top against a real krpcmuxd, without and with a terminal.

krpc-sim upstream (or kRPC's TestServer when $KRPC_TEST_SERVER is
"testserver"), krpcmuxd on temporary Unix sockets, one client calling all the
time and two sharing a stream.  top --once and -n 2 into a pipe: plain text,
no escape sequences, the clients by name with calls per second, the stream
with its subscribers and values per second, the upstream state.  Then top on
a pseudo-terminal: it draws, quits on q and on Ctrl-C, and leaves the
terminal's settings as they were.  Bad command lines are usage errors.
Skipped (exit 77) without python3-protobuf.
"""

import fcntl
import os
import pty
import re
import select
import subprocess
import sys
import termios
import threading
import time

try:
    import krpctest as k
except ImportError as e:  # no python3-protobuf, or protoc did not run
    print("skipped: %s" % e)
    sys.exit(77)

TOP = os.environ.get("top_builddir", ".")
CTL = os.path.join(TOP, "daemon", "krpcmuxctl")



def ctl(*args):
    p = subprocess.run([CTL] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def busy(rpc, stop):
    """A client calling until stop is set."""
    c = k.Client(rpc, None, "alpha")
    i = 0
    while not stop.is_set():
        c.value("TestService", "Int32ToString", k.enc_sint32(i))
        i += 1
        time.sleep(0.01)
    c.close()


def rows(frame, header):
    """The rows of the table under the header line starting with header: lists of columns."""
    lines = frame.split("\n")
    start = next(i for i, l in enumerate(lines) if l.split()[:1] == [header])
    out = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        out.append(line.split())
    return out


def check_frame(frame):
    k.check("\x1b" not in frame, "no escape sequence without a terminal")
    k.check(re.search(r"upstream ready, ", frame) is not None, "upstream ready shown")
    k.check(re.search(r"^clients 3 ", frame, re.M) is not None, "clients 3 in the totals")
    clients = {r[1]: r for r in rows(frame, "CLIENT")}
    k.check(sorted(clients) == ["alpha", "beta", "gamma"], "clients by name: %r" % sorted(clients))
    if "alpha" in clients:
        k.check(float(clients["alpha"][5]) > 0, "alpha calls: %s/s" % clients["alpha"][5])
        k.check(clients["alpha"][4] == "0", "alpha has no stream")
    if "beta" in clients:
        k.check(clients["beta"][4] == "1", "beta has one stream")
        k.check(float(clients["beta"][6]) > 0, "beta gets values: %s/s" % clients["beta"][6])
    streams = rows(frame, "STREAM")
    k.check(len(streams) == 1 and streams[0][1:5] == ["SpaceCenter.get_UT", "shared", "live", "2"],
          "one shared stream, two subscribers: %r" % streams)
    if len(streams) == 1:
        k.check(float(streams[0][5]) > 0, "the stream's values: %s/s" % streams[0][5])


def pty_top(adm, how):
    """top on a pseudo-terminal, ended by how ("q" or "ctrl-c"): (exit status, output, same tty)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, b"\x28\x00\x78\x00\x00\x00\x00\x00")  # 40x120
    before = termios.tcgetattr(slave)

    def controlling_tty():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    p = subprocess.Popen([CTL, "--admin-path", adm, "top"], stdin=slave, stdout=slave,
                         stderr=slave, preexec_fn=controlling_tty)
    out = b""
    end = time.monotonic() + 15
    while b"SpaceCenter.get_UT" not in out and time.monotonic() < end:
        if select.select([master], [], [], 0.2)[0]:
            out += os.read(master, 65536)
    os.write(master, b"q" if how == "q" else b"\x03")
    try:
        rc = p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    while select.select([master], [], [], 0.2)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    after = termios.tcgetattr(slave)
    os.close(master)
    os.close(slave)
    return rc, out, before == after


def check_tty(adm):
    for how in ("q", "ctrl-c"):
        rc, out, same = pty_top(adm, how)
        k.check(rc == 0, "on a terminal, %s ends top with status 0 (%s)" % (how, rc))
        k.check(b"SpaceCenter.get_UT" in out and b"alpha" in out, "%s: the view was drawn" % how)
        k.check(out.startswith(b"\x1b[?1049h"), "%s: alternate screen taken" % how)
        k.check(out.rstrip(b"\r\n").endswith(b"\x1b[?25h\x1b[?1049l"),
              "%s: cursor and screen given back" % how)
        k.check(same, "%s: terminal settings restored" % how)


def check_usage(adm):
    for args, what in ((["top", "--json"], "top --json"), (["status", "-n", "2"], "status -n 2"),
                       (["top", "-n", "0"], "top -n 0"), (["top", "-n", "x"], "top -n x"),
                       (["stop"], "an unknown command")):
        rc, out, err = ctl("--admin-path", adm, *args)
        k.check(rc == 2 and "krpcmuxctl:" in err, "%s is a usage error: %r" % (what, err[:80]))
    rc, out, err = ctl("--admin-path", adm + ".none", "top", "--once")
    k.check(rc == 2 and "cannot reach krpcmuxd" in err, "top without a daemon: status 2, says why")


def main():
    sim = k.upstream("test_daemon_top")
    try:
        proxy = k.Proxy(sim, "top")
    except RuntimeError as e:
        sim.stop()
        print("FAIL: %s" % e)
        return 1
    stop = threading.Event()
    worker = threading.Thread(target=busy, args=(proxy.rpc, stop))
    subs = []
    try:
        worker.start()
        for name in ("beta", "gamma"):
            c = k.Client(proxy.rpc, proxy.stream, name)
            c.add_stream(k.call("SpaceCenter", "get_UT"))
            subs.append(c)
        time.sleep(0.5)  # alpha has connected and called
        adm = proxy.admin
        rc, out, err = ctl("--admin-path", adm, "top", "--once")
        k.check(rc == 0, "top --once exits 0 (%d, %r)" % (rc, err))
        k.check(out.count("krpcmuxd ") == 1, "--once: one frame")
        check_frame(out)
        rc, out, err = ctl("--admin-path", adm, "top", "-n", "2")
        k.check(rc == 0 and out.count("\nCLIENT ") == 2, "-n 2: two frames")
        check_tty(adm)
        check_usage(adm)
    except (RuntimeError, OSError, StopIteration, ValueError, IndexError) as e:
        k.failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        stop.set()
        if worker.is_alive():
            worker.join(10)
        for c in subs:
            c.close()
        rc = proxy.stop()
        sim.stop()
    return k.verdict(k.failures, rc)


if __name__ == "__main__":
    sys.exit(main())
