#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/NAME/).

Each seed is a short script in the target's own input language (see the
operations in fuzz_client.c, fuzz_router.c, fuzz_fanout.c and the request
builder in fuzzd.c) that walks a path worth starting from: handshakes
that succeed, streams shared and updated, answers in kind and out of it.
The fuzzer mutates from there.  Inputs the fuzzer found bugs with are
committed beside them as they were found (router/empty-call).  Run from
tests/fuzz: ./make-seeds.py
"""

import os
import struct


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def field(n, data):
    return varint(n << 3 | 2) + varint(len(data)) + data


def vfield(n, v):
    return varint(n << 3) + varint(v)


def call(service, procedure, *args):
    """A ProcedureCall message; args are (position, value bytes)."""
    out = field(1, service.encode()) + field(2, procedure.encode())
    for pos, value in args:
        out += field(3, vfield(1, pos) + field(2, value))
    return out


def request(*calls):
    return b"".join(field(1, c) for c in calls)


def frame(body):
    return varint(len(body)) + body


def chunk(data):
    return bytes([len(data)]) + data


PROCS = ["AddStream", "StartStream", "SetStreamRate", "RemoveStream", "GetClientID",
         "GetClientName", "get_Clients", "GetStatus", "AddEvent", "Expression_static_Call",
         "Int32ToString", "BlockingProcedure", "Counter", "OnTimer", "Call", "Nothing"]


def fz_int_call(n):
    """fuzzd.c's builder: Int32ToString(n)."""
    return bytes([PROCS.index("Int32ToString"), 1, 0x20]) + chunk(varint(n * 2))


def fz_add_stream(n):
    """AddStream(Int32ToString(n)): no arguments of its own, so a nested call."""
    return bytes([PROCS.index("AddStream"), 0]) + fz_int_call(n)


def fz_id_call(proc, which):
    """StartStream / RemoveStream of the which-th id the proxy gave out."""
    return bytes([PROCS.index(proc), 1, 0x10, 1 | which << 1])


def write(target, name, data):
    os.makedirs(os.path.join("corpus", target), exist_ok=True)
    with open(os.path.join("corpus", target, name), "wb") as f:
        f.write(data)


def codec_seeds():
    write("codec", "request", frame(request(call("TestService", "Int32ToString", (0, b"\x0a")))))
    write("codec", "add-stream", frame(request(call("KRPC", "AddStream",
                                                    (0, call("KRPC", "GetStatus")),
                                                    (1, b"\x01")))))
    write("codec", "update", frame(field(1, vfield(1, 3) + field(2, field(2, b"\x0a"))) * 2))
    write("codec", "hello", frame(field(2, b"client")) + frame(vfield(1, 1) + field(3, b"x" * 16)))


def schema_seeds(services):
    calls = [call("KRPC", "AddStream", (0, call("TestService", "Counter")), (1, b"\x00")),
             call("TestService", "OptionalArguments", (0, b"\x01a"), (1, b"\x03foo")),
             call("Benchmark", "Call", (0, call("KRPC", "RemoveStream", (0, b"\x01")))),
             vfield(4, 2) + vfield(5, 3),
             call("SpaceCenter", "get_ActiveVessel")]
    tail = b"".join(chunk(c) for c in calls)
    write("schema", "sim-services", struct.pack(">H", len(services)) + services + tail)
    write("schema", "empty", b"\x00\x00")


def client_seeds():
    hello_rpc = bytes([3 << 2 | 0, 0]) + chunk(b"seed")           # RPC handshake on rpc 0
    hello_stream = bytes([4 << 2 | 0, 1]) + chunk(b"")            # its stream, with its id
    write("client", "both-handshakes", b"\x01" + hello_rpc + hello_stream)
    write("client", "waiting", b"\x00" + hello_rpc + bytes([7 << 2]) + hello_stream)
    write("client", "bad-prefix", b"\x01" + bytes([0]) + chunk(b"\xff" * 6))
    write("client", "half-hello", b"\x01" + bytes([1]) + chunk(b"\x05\x12\x03") + bytes([5 << 2 | 1]))
    write("client", "wrong-type", b"\x01" + bytes([3 << 2 | 2, 0]) + chunk(b"x") + bytes([3 << 2 | 1, 2]) + chunk(b""))


def router_seeds():
    def req(k, *calls):
        return bytes([k << 5 | 0, len(calls) - 1]) + b"".join(calls)

    answer_stream = bytes([6, 0, 0, 0])           # in kind: result in kind, id 1
    answer_value = bytes([6, 0, 0, 0]) + chunk(b"\x02\x31\x32")
    update = bytes([9, 2, 1]) + chunk(field(2, b"\x01a")) + bytes([0x81]) + chunk(b"")
    write("router", "call", b"\x01" + req(0, fz_int_call(12)) + answer_value)
    write("router", "shared-stream", b"\x01" + req(0, fz_add_stream(5)) + answer_stream +
          req(1, fz_add_stream(5)) + update + req(0, fz_id_call("RemoveStream", 0)))
    write("router", "batch", b"\x01" + req(0, fz_int_call(1), fz_int_call(2), fz_int_call(3)) +
          req(1, fz_int_call(4)) + req(1, fz_int_call(5)) + bytes([15]) + b"\x00" * 40)
    write("router", "slow-and-own", b"\x01" + req(0, bytes([11, 1, 0x20]) + chunk(b"\x04")) +
          req(1, bytes([12, 0])) + bytes([8 | 0x10, 0, 0, 0]) + chunk(b"\x08") +
          bytes([8, 0, 0, 0]) + chunk(b"\x02"))
    write("router", "event", b"\x00" + req(0, bytes([13, 1, 0x20]) + chunk(b"\x64")) +
          answer_stream + update)
    write("router", "lost", b"\x01" + req(0, fz_int_call(7)) + bytes([14 | 0x10]) +
          req(0, fz_int_call(8)))


def fanout_seeds():
    def update(*results):
        out = bytes([0, len(results)])
        for sid, value in results:
            out += bytes([sid]) + chunk(field(2, value))
        return out

    write("fanout", "updates", update((1, b"\x02a"), (2, b"\x02b")) + update((3, b"")) +
          update((1, b"\x02c")))
    write("fanout", "slow-reader", bytes([8]) + update((1, b"x" * 20)) * 8 + bytes([8]) +
          bytes([13]))
    write("fanout", "rates", bytes([6 | 0x30, 1 << 1 | 1]) + struct.pack("<f", 5.0) +
          update((1, b"\x02a")) + bytes([13 | 0x40]) + update((1, b"\x02b")))
    # regression: a rate of 1e-24 Hz once made the rate timer's delay overflow (a busy loop)
    write("fanout", "tiny-rate", bytes([6, 0 << 1 | 1]) + struct.pack("<f", 1e-24) +
          update((1, b"\x02a")) + bytes([13]) + update((1, b"\x02b")) + bytes([13]))
    write("fanout", "remove-and-close", bytes([7 | 0x20, 1 << 1 | 1, 0, 0, 0, 0]) +
          bytes([9 | 0x10]) + update((2, b"\x02z")) + bytes([12 | 0x40]))


def main():
    with open("services.bin", "rb") as f:
        services = f.read()
    codec_seeds()
    schema_seeds(services)
    client_seeds()
    router_seeds()
    fanout_seeds()


if __name__ == "__main__":
    main()
