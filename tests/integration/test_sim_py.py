"""krpc-sim seen by an independent Python client (krpctest.py on python3-protobuf):
handshakes, a few calls and errors, a stream, an event, and GetServices.
Skipped (exit 77) when google.protobuf or the generated krpc_pb2 is missing.
"""

import re
import signal
import sys
import time

try:
    import krpctest as k
    import krpc_pb2 as pb
except ImportError as e:  # no python3-protobuf, or protoc did not run
    print("skipped: %s" % e)
    sys.exit(77)

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL: " + what)


def test_handshakes(sim):
    c = k.Client(sim.rpc, sim.stream, "py-hs")
    check(len(c.id) == 16, "16-byte client id")
    check(k.dec_bytes(c.value("KRPC", "GetClientID")) == c.id, "GetClientID is the handshake id")
    check(k.dec_string(c.value("KRPC", "GetClientName")) == "py-hs", "GetClientName")
    wrong = k.Conn(sim.stream)
    r = k.handshake(wrong, pb.ConnectionRequest.RPC, "x")
    check(r.status == pb.ConnectionResponse.WRONG_TYPE, "WRONG_TYPE on the stream port")
    check(r.message.startswith("Connection request was for the rpc server, but this is the "
                               "stream server."), "WRONG_TYPE text")
    check(wrong.closed_within(2), "closed after WRONG_TYPE")
    short = k.Conn(sim.stream)
    r = k.handshake(short, pb.ConnectionRequest.STREAM, "", c.id[:8])
    check(r.status == pb.ConnectionResponse.MALFORMED_MESSAGE and
          r.message == "Client identifier must be 16 bytes.", "short identifier")
    c.close()


def test_calls(sim):
    c = k.Client(sim.rpc, None, "py-calls")
    check(k.dec_string(c.value("TestService", "FloatToString", k.enc_float(3.14159))) == "3.14159",
          "FloatToString(3.14159)")
    check(k.dec_string(c.value("TestService", "AddMultipleValues", k.enc_float(0.14159),
                               k.enc_sint32(1), k.enc_sint64(2))) == "3.14159", "AddMultipleValues")
    r = c.invoke("TestService", "NoSuchProcedure")
    check(r.error.description == 'Procedure "NoSuchProcedure" not found, in service "TestService"',
          "unknown procedure text")
    r = c.invoke("TestService", "ThrowArgumentException")
    check((r.error.service, r.error.name, r.error.description) ==
          ("KRPC", "ArgumentException", "Invalid argument"), "typed error")
    st = pb.Status()
    st.ParseFromString(c.value("KRPC", "GetStatus"))
    check(re.match(r"^\d+\.\d+\.\d+$", st.version) is not None, "status version x.y.z")
    check(st.bytes_read > 0 and st.bytes_written > 0, "status byte counters")
    # adaptive rate control moves max_time_per_update in steps of 100 us between 1 and
    # 25 ms (10 ms while the server is nearly idle)
    check(1000 <= st.max_time_per_update <= 25000 and st.max_time_per_update % 100 == 0
          and st.adaptive_rate_control and st.blocking_recv and st.recv_timeout == 1000
          and not st.one_rpc_per_update, "status settings")
    # a null argument (v0.7 is_null) echoes back as null
    req = k.call("TestService", "EchoNullableInt")
    req.arguments.add(position=0, is_null=True)
    resp = c.request(req)
    check(resp.results[0].is_null and not resp.results[0].value, "null round trip")
    c.close()


def test_stream_and_event(sim):
    c = k.Client(sim.rpc, sim.stream, "py-stream")
    sid = c.add_stream(k.call("TestService", "Counter", k.enc_string("py")))
    again = c.add_stream(k.call("TestService", "Counter", k.enc_string("py"), k.enc_sint32(1)))
    check(sid == again, "equal calls share a stream id (default filled in)")
    seen = []
    end = time.monotonic() + 5
    while len(seen) < 3 and time.monotonic() < end:
        for r in c.update().results:
            if r.id == sid:
                seen.append(k.dec_sint(r.result.value))
    check(len(seen) == 3 and seen == sorted(seen) and len(set(seen)) == 3, "counter stream rises")
    c.value("KRPC", "RemoveStream", k.enc_uint(sid))
    # event: ConstantBool(true) fires every update once started
    obj = k.dec_uint(c.value("KRPC", "Expression_static_ConstantBool", k.enc_bool(True)))
    ev = pb.Event()
    ev.ParseFromString(c.value("KRPC", "AddEvent", k.enc_uint(obj)))
    c.value("KRPC", "StartStream", k.enc_uint(ev.stream.id))
    got = 0
    end = time.monotonic() + 5
    while got < 2 and time.monotonic() < end:
        for r in c.update().results:
            if r.id == ev.stream.id and k.dec_bool(r.result.value):
                got += 1
    check(got == 2, "event sends true every update while it holds")
    c.close()


def test_services(sim):
    c = k.Client(sim.rpc, None, "py-services")
    services = pb.Services()
    services.ParseFromString(c.value("KRPC", "GetServices"))
    names = [s.name for s in services.services]
    check(names == ["KRPC", "SpaceCenter", "TestService", "Benchmark", "Drawing", "UI"],
          "service names")
    krpc = services.services[0]
    check(len(krpc.procedures) == 69, "KRPC has 69 procedures")
    procs = {p.name: p for p in krpc.procedures}
    start = procs["AddStream"].parameters[1]
    check(start.name == "start" and start.has_default_value and start.default_value == b"\x01",
          "AddStream.start default")
    check(procs["get_CurrentGameScene"].deprecated and
          procs["get_CurrentGameScene"].deprecated_reason ==
          'Use <see cref="M:KRPC.GameScene" /> instead.', "deprecated reason")
    check(not procs["RemoveStream"].HasField("return_type"), "void has no return type")
    check(sorted(cl.name for cl in krpc.classes) == ["Expression", "Type"], "KRPC classes")
    check(len(krpc.exceptions) == 5, "KRPC exceptions")
    test = services.services[2]
    opt = {p.name: p for p in test.procedures}["OptionalArguments"].parameters[3]
    check(opt.nullable and opt.has_default_value and opt.default_value_is_null,
          "null default flags")
    c.close()


def main():
    signal.alarm(120)
    sim = k.Sim()
    try:
        for test in (test_handshakes, test_calls, test_stream_and_event, test_services):
            try:
                test(sim)
            except Exception as e:  # a broken test must not hide the others
                check(False, "%s raised %r" % (test.__name__, e))
    finally:
        rc = sim.stop()
    check(rc == 0, "krpc-sim exits 0 on SIGTERM (got %r)" % rc)
    print("%d failure(s)" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
