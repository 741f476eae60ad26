"""krpcmuxd under random traffic, seen by the independent Python client (krpctest.py).

Seeded random requests (stream and event procedures with random, nested or
malformed arguments, numeric ids, garbage frames) from short-lived clients,
while one well-behaved client keeps working.  Afterwards: the proxy never
lost its upstream session, every stream the clients caused is gone from
the server (krpc-sim, or kRPC's TestServer when $KRPC_TEST_SERVER is
"testserver"), and the proxy exits cleanly (under the sanitizers, a leak or a
memory error makes that exit status non-zero).
Skipped (exit 77) when google.protobuf or the generated krpc_pb2 is missing.
"""

import random
import socket
import sys
import time

try:
    import krpctest as k
    import krpc_pb2 as pb
except ImportError as e:  # no python3-protobuf, or protoc did not run
    print("skipped: %s" % e)
    sys.exit(77)

SECONDS = 4.0
PROCS = [("KRPC", "AddStream"), ("KRPC", "StartStream"), ("KRPC", "RemoveStream"),
         ("KRPC", "SetStreamRate"), ("KRPC", "GetClientID"), ("KRPC", "get_Clients"),
         ("KRPC", "AddEvent"), ("KRPC", "GetStatus"), ("TestService", "FloatToString"),
         ("TestService", "OnTimer"), ("TestService", "BlockingProcedure"),
         ("TestService", "CreateTestObject"), ("SpaceCenter", "get_UT")]


def rnd_bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def rnd_call(rng, depth=0):
    service, procedure = rng.choice(PROCS)
    c = pb.ProcedureCall(service=service, procedure=procedure)
    if rng.random() < 0.1:
        c.service_id = rng.choice([1, 2, 9999])
        c.procedure_id = rng.randint(0, 12)
    if procedure == "OnTimer":
        # OnTimer(0) fails after registering its event, whose id nobody learns:
        # through the proxy it stays until the session ends (krpcmuxd(8)), so
        # the timers here always get a real interval.
        c.arguments.add(position=0, value=k.enc_uint(rng.randint(1, 40)))
    if procedure == "BlockingProcedure":
        # A random count can be 2^40 updates: the call then never ends, and a
        # client that closes with a call running stays until it is answered
        # (the real server too skips polling a client whose call runs), its
        # streams with it, which the check at the end would take for a leak.
        c.arguments.add(position=0, value=k.enc_sint32(rng.randint(0, 20)))
    fixed = procedure in ("OnTimer", "BlockingProcedure")
    for _ in range(rng.randint(0, 3)):
        a = c.arguments.add(position=rng.randint(1 if fixed else 0, 3))
        r = rng.random()
        if r < 0.3 and depth < 2:
            a.value = rnd_call(rng, depth + 1).SerializeToString()
        elif r < 0.5:
            a.value = k.enc_uint(rng.randint(0, 20))
        elif r < 0.6:
            a.is_null = True
        else:
            a.value = rnd_bytes(rng, rng.randint(0, 6))
    return c


def stream_rpcs(direct):
    st = pb.Status()
    st.ParseFromString(direct.value("KRPC", "GetStatus"))
    return st.stream_rpcs


def main():
    sim = k.upstream("test_daemon_fuzz")
    print("server: %s" % ("kRPC's TestServer" if isinstance(sim, k.TestServer) else "krpc-sim"))
    # Fuzz clients close with calls still pending (some never end): the
    # stop fails them after a second instead of limits.stop_timeout's ten.
    try:
        proxy = k.Proxy(sim, "fuzz", conf="limits = { stop_timeout = 1.0; };\n")
    except RuntimeError:
        sim.stop()
        raise
    rpc, stream, adm = proxy.rpc, proxy.stream, proxy.admin
    failures = []
    try:
        rng = random.Random(20261127)
        good = k.Client(rpc, stream, "good")
        end = time.monotonic() + SECONDS
        sent = 0
        while time.monotonic() < end:
            try:
                c = k.Client(rpc, stream if rng.random() < 0.7 else None, "fuzz")
                for _ in range(rng.randint(1, 30)):
                    if rng.random() < 0.05:
                        c.rpc.sock.sendall(rnd_bytes(rng, rng.randint(1, 40)))
                    else:
                        req = pb.Request()
                        for _ in range(rng.randint(0, 4)):
                            req.calls.add().CopyFrom(rnd_call(rng))
                        c.rpc.send(req)
                    sent += 1
                    if rng.random() < 0.5:
                        try:
                            c.rpc.recv(0.02)
                        except (socket.timeout, EOFError, OSError):
                            pass
                c.close()
            except (EOFError, OSError, RuntimeError):
                pass
            if k.dec_string(good.value("TestService", "Int32ToString", k.enc_sint32(5))) != "5":
                failures.append("the good client got a wrong answer")
                break
        good.close()
        stats = k.ctl_stats(adm)
        print("sent %d requests; %d clients dropped for bad bytes" % (sent, stats["clients_dropped"]))
        if stats["upstream_failures"] != 0 or stats["upstream_sessions"] != 1:
            failures.append("the upstream session was lost: %r" % stats)
        direct = k.Client(sim.rpc, None, "observer")
        deadline = time.monotonic() + 5
        while stream_rpcs(direct) != 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        if stream_rpcs(direct) != 0:
            failures.append("%d streams left upstream" % stream_rpcs(direct))
        direct.close()
    finally:
        rc = proxy.stop()
        sim.stop()
    return k.verdict(failures, rc)


if __name__ == "__main__":
    sys.exit(main())
