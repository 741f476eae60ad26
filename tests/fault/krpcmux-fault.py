#!/usr/bin/env python3
"""krpcmuxd's fault suite (issue 12): real processes, real sockets.

krpc-sim is the game's server, on Unix sockets at fixed paths so that it can
be killed and started again; krpcmuxd (built in this tree) stands in front of
it, alone ("direct") or behind a second krpcmuxd ("chained": the front one is
measured, the faults still hit the server behind the back one).  The cases:

  kill        the server killed (SIGKILL) and started again N times while
              clients call it
  stall       the server stopped (SIGSTOP) with a call in flight, then resumed
  garbage     the server replaced by one that answers random bytes
  cycles      N connect/handshake/disconnect cycles
  flood       N connections at once that send nothing or half a handshake
  pipeline    N requests written at once by one client, then read back
  nonreader   a client that never reads its sockets while updates flow, beside
              one that does
  bytes       random bytes at every protocol stage

Each case prints one line: krpcmuxd's open fds and RSS before and after, whether
it crashed, and the values lost (a request with no answer and no error) or
wrong; requests whose connection the proxy closed unanswered, next to the
proxy's own count of connections it closed holding requests it never parsed
(krpcmuxctl stats closed_unread).  Exit status 1 if any case fails (a crash, a
lost or wrong value, fds not back to their count, RSS grown past the case's
bound, a well-behaved client not served, more requests closed unanswered
than closes with requests unread: one read and dropped).  --long runs the long form (`make fault`); the short form
is `make check`'s.  Skipped (77) without python3-protobuf.
"""

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

try:
    import krpctest as k
    import krpc_pb2 as pb
except ImportError as e:
    print("skipped: %s" % e)
    sys.exit(77)

SHORT = {"kill": 3, "cycles": 300, "flood": 100, "pipeline": 2000, "nonreader": 2.0,
         "bytes": 15, "garbage": 1.0}
LONG = {"kill": 100, "cycles": 10000, "flood": 1000, "pipeline": 10000, "nonreader": 20.0,
        "bytes": 400, "garbage": 5.0}
STALL = 2.0     # upstream.stall_timeout of every krpcmuxd here
CONF = """upstream = { stall_timeout = %.1f; retry_min = 0.05; retry_max = 0.2; wait = 2; };
limits = { handshake_timeout = 1; message_timeout = 2; };
""" % STALL


def top_builddir():
    return os.environ.get("top_builddir", ".")


def wait_for(pred, seconds, step=0.02):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


class Sim:
    """krpc-sim on two Unix sockets; stopped and started by pid."""

    def __init__(self, rpc, stream):
        self.rpc, self.stream, self.proc = rpc, stream, None

    def start(self):
        self.proc = subprocess.Popen([k.sim_path(), "--rpc-path", self.rpc, "--stream-path",
                                      self.stream, "--quiet"], stdout=subprocess.DEVNULL)
        if not wait_for(lambda: os.path.exists(self.stream) and probe(self.rpc), 10):
            raise RuntimeError("krpc-sim did not start")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        for p in (self.rpc, self.stream):   # the dead server's socket files
            if os.path.exists(p):
                os.unlink(p)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            self.proc.wait(10)


def probe(path):
    """True if an RPC connection to path completes its handshake."""
    try:
        c = k.Conn(path)
        try:
            return k.handshake(c, pb.ConnectionRequest.RPC, "probe").status == 0
        finally:
            c.close()
    except (OSError, EOFError, RuntimeError):
        return False


class Daemon:
    """krpcmuxd on Unix sockets in a folder, in front of an upstream's two paths."""

    def __init__(self, folder, up_rpc, up_stream):
        self.rpc, self.stream = os.path.join(folder, "rpc"), os.path.join(folder, "stream")
        self.adm = os.path.join(folder, "admin")
        conf = os.path.join(folder, "krpcmuxd.conf")
        with open(conf, "w") as f:
            f.write(CONF)
        self.log = open(os.path.join(folder, "log"), "w+")
        self.proc = subprocess.Popen(
            [os.path.join(top_builddir(), "daemon", "krpcmuxd"), "-f", "-c", conf,
             "--log-level", "warn", "--upstream-rpc-path", up_rpc, "--upstream-stream-path",
             up_stream, "--rpc-path", self.rpc, "--stream-path", self.stream,
             "--admin-path", self.adm], stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_for(lambda: probe(self.rpc), 15):
            raise RuntimeError("krpcmuxd did not start: %s" % self.output()[-2000:])

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def alive(self):
        return self.proc.poll() is None

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def closed_unread(self):
        """Client connections it closed holding requests it never parsed (stats closed_unread)."""
        try:
            return k.ctl_stats(self.adm)["closed_unread"]
        except (RuntimeError, ValueError, KeyError, OSError, subprocess.SubprocessError):
            return -1

    def rss(self):
        """Resident set size in KiB."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        """SIGTERM; the exit status (non-zero under the sanitizers on a leak)."""
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


class Tally:
    """What a case's clients saw."""

    def __init__(self):
        self.ok = self.errors = self.lost = self.wrong = self.closed = self.after_error = 0
        self.texts = {}
        self.lock = threading.Lock()

    def error(self, text):
        with self.lock:
            self.errors += 1
            key = text[:90]
            self.texts[key] = self.texts.get(key, 0) + 1


def int_call(i):
    return k.call("TestService", "Int32ToString", k.enc_sint32(i))


def check_result(t, resp, i):
    """Counts one Response to Int32ToString(i); True if it was an error."""
    if resp.HasField("error"):
        t.error(resp.error.description)
    elif len(resp.results) == 1 and resp.results[0].HasField("error"):
        t.error(resp.results[0].error.description)
    elif len(resp.results) != 1 or k.dec_string(resp.results[0].value) != str(i):
        t.wrong += 1
        return False
    else:
        t.ok += 1
        return False
    return True


def call_once(c, t, i, timeout=STALL * 4):
    """One call on client c; False once c's connection is closed."""
    req = pb.Request()
    req.calls.add().CopyFrom(int_call(i))
    try:
        c.rpc.send(req)
    except OSError:
        return False        # closed before the request went: nothing was accepted
    try:
        body = c.rpc.recv(timeout)
    except socket.timeout:
        t.lost += 1
        return False
    except (EOFError, OSError):
        t.closed += 1       # the daemon closed with this request unanswered
        t.after_error += getattr(c, "had_error", False)
        return False
    resp = pb.Response()
    resp.ParseFromString(body)
    c.had_error = check_result(t, resp, i)
    return True


def served(d):
    """A new client gets a right answer (the well-behaved client's check)."""
    try:
        c = k.Client(d.rpc, None, "check")
        try:
            return k.dec_string(c.value("TestService", "Int32ToString", k.enc_sint32(42))) == "42"
        finally:
            c.close()
    except (OSError, EOFError, RuntimeError):
        return False


def connect(d, stream=False, seconds=10):
    """A client, retrying while the proxy waits for its server."""
    end = time.monotonic() + seconds
    while True:
        try:
            return k.Client(d.rpc, d.stream if stream else None, "fault")
        except (OSError, EOFError, RuntimeError):
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


# ---- the cases ---------------------------------------------------------------

def case_kill(env, n):
    t, stop = Tally(), threading.Event()

    def load(seed):
        i = seed * 1000000
        while not stop.is_set():
            try:
                c = connect(env.front, seconds=30)
            except (OSError, EOFError, RuntimeError):
                continue
            while not stop.is_set() and call_once(c, t, i):
                i += 1
            c.close()

    threads = [threading.Thread(target=load, args=(s,)) for s in range(3)]
    for th in threads:
        th.start()
    for _ in range(n):
        time.sleep(0.2)
        env.sim.kill()
        time.sleep(0.05)
        env.sim.start()
        wait_for(lambda: served(env.front), 20)
    time.sleep(0.3)
    stop.set()
    for th in threads:
        th.join()
    return t, "%d kills under 3 calling clients" % n


def case_stall(env, _):
    t = Tally()
    c = connect(env.front)
    os.kill(env.sim.proc.pid, signal.SIGSTOP)
    t0 = time.monotonic()
    call_once(c, t, 7, timeout=STALL * 6)
    took = time.monotonic() - t0
    os.kill(env.sim.proc.pid, signal.SIGCONT)
    c.close()
    if not wait_for(lambda: served(env.front), 20):
        t.lost += 1
    if t.errors != 1:
        t.wrong += 1    # the waiting call must fail with an error, never hang or succeed
    return t, "server stopped (SIGSTOP) with a call waiting: its error after %.2f s" % took


class Garbage(threading.Thread):
    """A 'server' on the sim's paths that answers anything with random bytes."""

    def __init__(self, paths, rng):
        super().__init__()
        self.socks, self.rng, self.done = [], rng, threading.Event()
        for p in paths:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(p)
            s.listen(16)
            s.settimeout(0.05)
            self.socks.append(s)
        self.accepted = 0

    def run(self):
        while not self.done.is_set():
            for s in self.socks:
                try:
                    conn, _ = s.accept()
                except socket.timeout:
                    continue
                self.accepted += 1
                try:
                    conn.settimeout(0.2)
                    conn.sendall(bytes(self.rng.getrandbits(8)
                                       for _ in range(self.rng.randint(1, 300))))
                    conn.recv(4096)
                except OSError:
                    pass
                conn.close()

    def stop(self):
        self.done.set()
        self.join()
        for s in self.socks:
            path = s.getsockname()
            s.close()
            os.unlink(path)


def case_garbage(env, seconds):
    t = Tally()
    c = connect(env.front)
    env.sim.kill()
    g = Garbage([env.sim.rpc, env.sim.stream], random.Random(5))
    g.start()
    end = time.monotonic() + seconds
    while time.monotonic() < end:   # clients meanwhile: refused or kept waiting, clearly
        try:
            x = k.Conn(env.front.rpc)
            x.sock.settimeout(0.5)
            r = k.handshake(x, pb.ConnectionRequest.RPC, "during")
            if r.status != 0:
                t.error(r.message)
            x.close()
        except (OSError, EOFError):
            t.closed += 1
    g.stop()
    env.sim.start()
    c.close()
    if not wait_for(lambda: served(env.front), 20):
        t.lost += 1
    return t, "random bytes from the server for %.0f s (%d connections)" % (seconds, g.accepted)


def case_cycles(env, n):
    t = Tally()
    for i in range(n):
        c = connect(env.front, stream=(i % 2 == 0))
        if i % 10 == 0:
            call_once(c, t, i)
        c.close()
    return t, "%d connect/handshake/close cycles (half with a stream connection)" % n


def case_flood(env, n):
    t = Tally()
    conns = []
    for i in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(env.front.stream if i % 3 == 2 else env.front.rpc)
        if i % 2:
            s.sendall(b"\x20\x08")  # half a ConnectionRequest
        conns.append(s)
    if not served(env.front):
        t.lost += 1
    closed = 0
    for s in conns:     # each is closed by the proxy after limits.handshake_timeout
        s.settimeout(5)
        try:
            while s.recv(4096):
                pass
            closed += 1
        except OSError:
            pass
        s.close()
    if closed != n:
        t.lost += n - closed
    return t, "%d connections sending nothing or half a handshake: %d closed by the proxy" % (
        n, closed)


def case_pipeline(env, n):
    t = Tally()
    c = connect(env.front)
    out = bytearray()
    for i in range(n):
        req = pb.Request()
        req.calls.add().CopyFrom(int_call(i))
        body = req.SerializeToString()
        out += k.varint(len(body)) + body
    sender = threading.Thread(target=c.rpc.sock.sendall, args=(bytes(out),))
    sender.start()
    for i in range(n):
        try:
            body = c.rpc.recv(30)
        except (socket.timeout, EOFError, OSError):
            t.lost += n - i
            break
        resp = pb.Response()
        resp.ParseFromString(body)
        check_result(t, resp, i)
    sender.join()
    c.close()
    return t, "%d requests written at once by one client, answers in order" % n


def spacing(c, seconds):
    """Update intervals (ms) seen on c's stream connection for a while."""
    gaps, last, end = [], None, time.monotonic() + seconds
    while time.monotonic() < end:
        c.update(5)
        now = time.monotonic()
        if last is not None:
            gaps.append((now - last) * 1000)
        last = now
    gaps.sort()
    return gaps


def gap_text(g):
    if not g:
        return "none"
    return "mean %.1f p99 %.1f max %.1f ms" % (sum(g) / len(g), g[int(len(g) * 0.99)], g[-1])


def case_nonreader(env, seconds):
    t = Tally()
    reader = connect(env.front, stream=True)
    reader.add_stream(k.call("KRPC", "GetStatus"))
    before = spacing(reader, min(seconds, 2.0))
    bad = connect(env.front, stream=True)
    bad.add_stream(k.call("KRPC", "GetStatus"))     # changes on every server update
    bad.add_stream(k.call("SpaceCenter", "get_UT"))
    for i in range(20):
        bad.add_stream(k.call("TestService", "FloatToString", k.enc_float(i)))
    bad.rpc.sock.settimeout(0.5)
    sent, req = 0, pb.Request()
    req.calls.add().CopyFrom(k.call("KRPC", "GetStatus"))
    body = req.SerializeToString()
    frame = k.varint(len(body)) + body
    rss0 = env.front.rss()
    try:
        while sent < 200000:    # its RPC answers pile up until the proxy stops reading it
            bad.rpc.sock.sendall(frame)
            sent += 1
    except (socket.timeout, OSError):
        pass
    during = spacing(reader, seconds)
    grown = env.front.rss() - rss0
    if grown > 32 * 1024:
        t.wrong += 1
    if not during or not served(env.front):
        t.lost += 1
    reader.close()
    bad.close()
    return t, ("reader's update spacing before %s; while a client reads nothing (%d requests "
               "in, RSS +%d KiB) %s" % (gap_text(before), sent, grown, gap_text(during)))


def case_bytes(env, rounds):
    t, rng = Tally(), random.Random(12)
    hello = pb.ConnectionRequest(type=pb.ConnectionRequest.RPC, client_name="x").SerializeToString()
    stages = ["rpc-raw", "rpc-half-hello", "rpc-after-hello", "rpc-bad-request", "rpc-2GiB",
              "stream-raw", "stream-after-hello"]
    for r in range(rounds):
        junk = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200)))
        for stage in stages:
            try:
                if stage.startswith("stream-after"):
                    c = connect(env.front, stream=True)
                    c.stream.sock.sendall(junk)
                elif stage.startswith("rpc-after") or stage in ("rpc-bad-request", "rpc-2GiB"):
                    c = connect(env.front)
                    if stage == "rpc-bad-request":
                        c.rpc.sock.sendall(k.varint(len(junk)) + junk)
                    elif stage == "rpc-2GiB":
                        c.rpc.sock.sendall(k.varint(2 << 30) + junk)
                    else:
                        c.rpc.sock.sendall(junk)
                else:
                    c = k.Conn(env.front.stream if stage == "stream-raw" else env.front.rpc)
                    if stage == "rpc-half-hello":
                        c.sock.sendall(k.varint(len(hello)) + hello[:len(hello) // 2])
                    c.sock.sendall(junk)
                time.sleep(0.002)
                c.close()
            except (OSError, EOFError, RuntimeError):
                t.closed += 1
        if r % 5 == 0 and not served(env.front):
            t.lost += 1
    return t, "%d rounds of random bytes at %d stages (%s)" % (rounds, len(stages),
                                                               ", ".join(stages))


CASES = [("kill", case_kill), ("stall", case_stall), ("garbage", case_garbage),
         ("cycles", case_cycles), ("flood", case_flood), ("pipeline", case_pipeline),
         ("nonreader", case_nonreader), ("bytes", case_bytes)]


# ---- the runner ----------------------------------------------------------------

class Env:
    """krpc-sim, and krpcmuxd in front of it (chained: two, the front one measured)."""

    def __init__(self, folder, chained):
        self.folder, self.daemons = folder, []
        self.sim = Sim(os.path.join(folder, "sim-rpc"), os.path.join(folder, "sim-stream"))
        self.sim.start()
        up = (self.sim.rpc, self.sim.stream)
        for name in (["back", "front"] if chained else ["front"]):
            os.mkdir(os.path.join(folder, name))
            d = Daemon(os.path.join(folder, name), *up)
            self.daemons.append(d)
            up = (d.rpc, d.stream)
        self.front = self.daemons[-1]

    def stop(self):
        """The daemons' exit statuses, front first."""
        rcs = [d.stop() for d in reversed(self.daemons)]
        self.sim.stop()
        return rcs


def run_case(env, topo, name, fn, arg):
    """Runs one case; its report line and whether it failed."""
    d = env.front
    wait_for(lambda: served(d), 20)
    fds0, rss0, unread0 = d.fds(), d.rss(), d.closed_unread()
    t0 = time.monotonic()
    try:
        t, what = fn(env, arg)
    except Exception as e:     # a client-side surprise: the case fails, the suite goes on
        t, what = Tally(), "raised %r" % e
        t.wrong += 1
    took = time.monotonic() - t0
    crashed = not all(x.alive() for x in env.daemons)
    fds1 = rss1 = unread = -1
    if not crashed:
        wait_for(lambda: d.fds() <= fds0, 10, 0.1)
        fds1, rss1 = d.fds(), d.rss()
        unread = d.closed_unread() - unread0
    # A request closed unanswered must have been unread in its connection when the proxy
    # closed it (each client has one request out): fewer such closes means one was dropped.
    dropped = not crashed and t.closed > unread
    failed = (crashed or t.lost or t.wrong or dropped or fds1 > fds0 or
              rss1 - rss0 > 64 * 1024)
    print("%-4s %-8s %-9s fds %d->%d  RSS %d->%d KiB  crashed %s  ok %d  errors %d  "
          "closed-unanswered %d (%d after an error; closes with requests unread %d)  lost %d  "
          "wrong %d  (%.1f s)  %s" % (
              "FAIL" if failed else "ok", topo, name, fds0, fds1, rss0, rss1,
              "yes" if crashed else "no", t.ok, t.errors, t.closed, t.after_error, unread,
              t.lost, t.wrong, took, what))
    for text, n in sorted(t.texts.items(), key=lambda x: -x[1])[:4]:
        print("        %6d x %s" % (n, text))
    sys.stdout.flush()
    return failed, crashed


def main():
    form = LONG if "--long" in sys.argv else SHORT
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    print("krpcmuxd fault suite, %s form; machine: %d cpus, %s" % (
        "long" if form is LONG else "short", os.cpu_count(), os.uname().release))
    failures = 0
    for topo in ("direct", "chained"):
        folder = tempfile.mkdtemp(prefix="krpcmux-fault.")
        env = Env(folder, topo == "chained")
        try:
            for name, fn in CASES:
                if only and name not in only:
                    continue
                failed, crashed = run_case(env, topo, name, fn, form.get(name))
                failures += failed
                if crashed:
                    break
        finally:
            rcs = env.stop()
            if any(rc != 0 for rc in rcs):
                print("FAIL %s: krpcmuxd exit statuses %s" % (topo, rcs))
                failures += 1
            if failures:
                print("logs:\n" + "".join(open(os.path.join(folder, n, "log")).read()[-3000:]
                                          for n in ("back", "front")
                                          if os.path.exists(os.path.join(folder, n, "log"))))
            shutil.rmtree(folder, ignore_errors=True)
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
