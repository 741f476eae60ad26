"""A request that waits unread when the game goes away gets the loss error.

krpc-sim upstream, krpcmuxd on temporary Unix sockets, one client.  The
proxy is stopped (SIGSTOP), the server killed, and only then the client
sends a request; when the proxy runs again it sees the server's connections
close before the client's request (the kernel reports them in that order),
so the request is still unread in the client's socket when the proxy learns
of the loss.  It must be answered with "lost the connection to the game's
kRPC server" before the connection closes, not dropped with it.  A second
client that sent nothing is closed as before.

A second scene counts what cannot be answered: a client that pipelines ten
requests to a stopped server while limits.client_requests is 2 has most of
them left unparsed when the server is killed; it gets the loss error for
those the proxy parsed (two, or a few more as reads fall) and then the
connection closes, and krpcmuxctl stats counts that close in closed_unread
with exactly the other requests' bytes in closed_unread_bytes.  Skipped (exit 77) without python3-protobuf.
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
    k.check(k.dec_string(late.value("TestService", "Int32ToString", k.enc_sint32(4))) == "4",
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
    k.check(quiet_why is not None, "the client that sent nothing is closed (%s)" % quiet_why)
    late.close()
    quiet.close()
    return resp, why


def loss_errors(conn):
    """How many loss errors arrive on conn before it closes (None if something else came)."""
    n = 0
    while True:
        resp, _ = answer_or_close(conn)
        if resp is None:
            return n
        err = resp.error if resp.HasField("error") else (
            resp.results[0].error if resp.results and resp.results[0].HasField("error") else None)
        if err is None or "lost the connection" not in err.description:
            return None
        n += 1


def unread_counted():
    """Scene two: requests never parsed when the game goes away are counted, byte for byte."""
    sim = k.Sim()
    proxy = k.Proxy(sim, "lossunread2", "limits = { client_requests = 2; };\n")
    try:
        c = k.Client(proxy.rpc, None, "pipeliner")
        k.check(c.value("TestService", "Int32ToString", k.enc_sint32(1)) == k.enc_string("1"),
              "scene two: a call through the proxy works")
        before = k.ctl_stats(proxy.admin)
        os.kill(sim.proc.pid, signal.SIGSTOP)
        framed = []
        for i in range(10):
            req = pb.Request()
            req.calls.add().CopyFrom(k.call("TestService", "Int32ToString", k.enc_sint32(i)))
            body = req.SerializeToString()
            framed.append(len(k.varint(len(body))) + len(body))
            c.rpc.send(req)
        time.sleep(0.5)             # the proxy read two and stopped (limits.client_requests)
        sim.proc.kill()
        sim.proc.wait()
        answered = loss_errors(c.rpc)
        # it parses at least limits.client_requests (more if a read's timing lets it)
        k.check(answered is not None and 2 <= answered < 10,
                "the requests parsed, and only those, get the loss error (%s)" % answered)
        answered = answered or 0
        time.sleep(0.3)             # the connection is freed after the close
        after = k.ctl_stats(proxy.admin)
        closes = after["closed_unread"] - before["closed_unread"]
        nbytes = after["closed_unread_bytes"] - before["closed_unread_bytes"]
        k.check(closes == 1, "closed_unread counts the one close (%d)" % closes)
        k.check(nbytes == sum(framed[answered:]), "closed_unread_bytes is the %d unanswered "
                "requests' %d bytes (%d)" % (10 - answered, sum(framed[answered:]), nbytes))
        c.close()
    finally:
        rc = proxy.stop()
        sim.stop()
    return rc


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
        k.check(resp is not None, "the request sent as the game went away is answered (%s)" % why)
        if resp is not None:
            text = resp.error.description if resp.HasField("error") else (
                resp.results[0].error.description if resp.results and
                resp.results[0].HasField("error") else "")
            k.check("lost the connection to the game's kRPC server" in text,
                  "with the loss error (%r)" % text)
    except (OSError, EOFError, RuntimeError) as e:
        k.failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        rc = proxy.stop()
        sim.stop()
    try:
        rc = rc or unread_counted()
    except (OSError, EOFError, RuntimeError) as e:
        k.failures.append("scene two: %s: %s" % (type(e).__name__, e))
    return k.verdict(k.failures, rc)


if __name__ == "__main__":
    sys.exit(main())
