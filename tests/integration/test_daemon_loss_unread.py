"""A request that waits unread when the game goes away gets the loss error.

krpc-sim upstream, krpcmuxd on temporary Unix sockets, one client.  The
proxy is stopped (SIGSTOP), the server killed, and only then the client
sends a request; when the proxy runs again it sees the server's connections
close before the client's request (the kernel reports them in that order),
so the request is still unread in the client's socket when the proxy learns
of the loss.  It must be answered with "lost the connection to the game's
kRPC server" before the connection closes, not dropped with it.  A second
client that sent nothing is closed as before.  Skipped (exit 77) without
python3-protobuf.
"""

import os
import signal
import sys
import time

try:
    import krpctest as k
    import krpc_pb2 as pb
except ImportError as e:  # no python3-protobuf, or protoc did not run
    print("skipped: %s" % e)
    sys.exit(77)

failures = []


def check(cond, what):
    print("%s: %s" % ("ok" if cond else "FAIL", what))
    if not cond:
        failures.append(what)


def answer_or_close(conn, timeout=10):
    """The next Response on conn, or the reason there is none."""
    try:
        resp = pb.Response()
        resp.ParseFromString(conn.recv(timeout))
        return resp, None
    except (EOFError, OSError) as e:
        return None, "%s: %s" % (type(e).__name__, e)


def late_request(proxy, sim):
    """The scenario; the Response the late request got, or None and why."""
    late = k.Client(proxy.rpc, None, "late")
    quiet = k.Client(proxy.rpc, None, "quiet")
    check(k.dec_string(late.value("TestService", "Int32ToString", k.enc_sint32(4))) == "4",
          "a call through the proxy works")
    os.kill(proxy.proc.pid, signal.SIGSTOP)
    try:
        sim.proc.kill()
        sim.proc.wait()
        time.sleep(0.3)             # the server's connections are closed by now
        req = pb.Request()
        req.calls.add().CopyFrom(k.call("TestService", "Int32ToString", k.enc_sint32(5)))
        late.rpc.send(req)
        time.sleep(0.2)
    finally:
        os.kill(proxy.proc.pid, signal.SIGCONT)
    resp, why = answer_or_close(late.rpc)
    _, quiet_why = answer_or_close(quiet.rpc)
    check(quiet_why is not None, "the client that sent nothing is closed (%s)" % quiet_why)
    late.close()
    quiet.close()
    return resp, why


def main():
    sim = k.Sim()
    try:
        proxy = k.Proxy(sim, "lossunread")
    except RuntimeError as e:
        sim.stop()
        print("FAIL: %s" % e)
        return 1
    try:
        resp, why = late_request(proxy, sim)
        check(resp is not None, "the request sent as the game went away is answered (%s)" % why)
        if resp is not None:
            text = resp.error.description if resp.HasField("error") else (
                resp.results[0].error.description if resp.results and
                resp.results[0].HasField("error") else "")
            check("lost the connection to the game's kRPC server" in text,
                  "with the loss error (%r)" % text)
    except (OSError, EOFError, RuntimeError) as e:
        failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        rc = proxy.stop()
        sim.stop()
    return k.verdict(failures, rc)


if __name__ == "__main__":
    sys.exit(main())
