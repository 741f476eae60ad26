"""kRPC values for the conformance test: encoding a corpus literal with the
type GetServices gives its parameter, and decoding a result into canonical
text in which object and stream ids are replaced by their order of first
appearance (the identity pattern is compared, never the id values).
"""

import math
import struct

import krpc_pb2 as pb
from krpctest import read_varint, varint, zigzag, unzigzag

T = pb.Type

# ---- literals from the corpus ----------------------------------------------


class Null:
    """The corpus literal null: an argument sent with is_null set."""

    def __repr__(self):
        return "null"


class Raw:
    """Bytes sent as the argument's value as they are (malformed values)."""

    def __init__(self, data):
        self.data = data


class Typed:
    """A value encoded with an explicit type instead of the parameter's."""

    def __init__(self, ty, value):
        self.ty = ty
        self.value = value


class SetLit(list):
    """A set literal: set(1, 2, 3)."""


class ObjRef:
    """An object id as an argument: obj(5), or a result bound to a variable."""

    def __init__(self, oid):
        self.oid = oid


class StreamRef:
    """A stream or event id from a result bound to a variable."""

    def __init__(self, sid):
        self.sid = sid


class CallLit:
    """A procedure call used as a value (AddStream, Expression.Call...)."""

    def __init__(self, service, procedure, args):
        self.service = service
        self.procedure = procedure
        self.args = args  # [(position or None, literal)]


TYPE_NAMES = {
    "double": T.DOUBLE, "float": T.FLOAT, "sint32": T.SINT32, "sint64": T.SINT64,
    "uint32": T.UINT32, "uint64": T.UINT64, "bool": T.BOOL, "string": T.STRING,
    "bytes": T.BYTES,
}


def scalar_type(name):
    """A Type message for a scalar type name (as(float, 1) in the corpus)."""
    return pb.Type(code=TYPE_NAMES[name])


# ---- encoding ---------------------------------------------------------------

def _number(v, what):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError("%s expected, got %r" % (what, v))
    return v


def _enc_int(code, v):
    v = _number(v, "integer")
    if code == T.SINT32:
        return varint(zigzag(int(v)) & 0xFFFFFFFF)
    if code == T.SINT64:
        return varint(zigzag(int(v)) & 0xFFFFFFFFFFFFFFFF)
    return varint(int(v) & (0xFFFFFFFF if code == T.UINT32 else 0xFFFFFFFFFFFFFFFF))


def _enc_items(msg, ty, items, ctx, sub):
    for i, item in enumerate(items):
        msg.items.append(encode(sub(i), item, ctx))
    return msg.SerializeToString()


def _enc_collection(ty, v, ctx):
    code = ty.code
    if code == T.LIST:
        return _enc_items(pb.List(), ty, v, ctx, lambda i: ty.types[0])
    if code == T.SET:
        return _enc_items(pb.Set(), ty, v, ctx, lambda i: ty.types[0])
    if code in (T.TUPLE, T.STRUCT):
        types = ty.types if code == T.TUPLE else ctx.struct_fields(ty)
        return _enc_items(pb.Tuple(), ty, v, ctx, lambda i: types[i])
    d = pb.Dictionary()
    for k, val in v.items():
        d.entries.add(key=encode(ty.types[0], k, ctx), value=encode(ty.types[1], val, ctx))
    return d.SerializeToString()


def encode(ty, v, ctx):
    """The encoding of literal v as a value of type ty (a pb.Type)."""
    if isinstance(v, Raw):
        return v.data
    if isinstance(v, Null):
        return b""   # null inside a collection: an empty value
    if isinstance(v, Typed):
        return encode(v.ty, v.value, ctx)
    if isinstance(v, StreamRef):
        v = v.sid
    if isinstance(v, ObjRef):
        v = v.oid
    code = ty.code
    if code == T.DOUBLE:
        return struct.pack("<d", _number(v, "number"))
    if code == T.FLOAT:
        return struct.pack("<f", _number(v, "number"))
    if code in (T.SINT32, T.SINT64, T.UINT32, T.UINT64, T.CLASS):
        return _enc_int(code, v)
    if code == T.ENUMERATION:
        return varint(zigzag(int(v)) & 0xFFFFFFFF)
    if code == T.BOOL:
        return b"\x01" if v else b"\x00"
    if code in (T.STRING, T.BYTES):
        raw = v.encode("utf-8") if isinstance(v, str) else bytes(v)
        return varint(len(raw)) + raw
    if code == T.PROCEDURE_CALL:
        return ctx.procedure_call(v).SerializeToString()
    if code in (T.LIST, T.SET, T.TUPLE, T.STRUCT, T.DICTIONARY):
        return _enc_collection(ty, v, ctx)
    raise ValueError("cannot encode a literal of type code %d" % code)


# ---- decoding into canonical text ------------------------------------------

def _float_text(v, single):
    if math.isnan(v):
        bits = struct.unpack("<I", struct.pack("<f", v))[0] if single else \
            struct.unpack("<Q", struct.pack("<d", v))[0]
        return "NaN(0x%x)" % bits
    if single:
        return repr(struct.unpack("<f", struct.pack("<f", v))[0]) + "f"
    return repr(v)


def _text_items(items, types, ctx, opener, closer):
    return opener + ", ".join(text(t, b, ctx) for t, b in zip(types, items)) + closer


def _text_collection(ty, data, ctx):
    code = ty.code
    if code == T.DICTIONARY:
        d = pb.Dictionary()
        d.ParseFromString(data)
        return "{" + ", ".join("%s: %s" % (text(ty.types[0], e.key, ctx),
                                          text(ty.types[1], e.value, ctx))
                               for e in d.entries) + "}"
    if code == T.STRUCT:
        m = pb.Tuple()
        m.ParseFromString(data)
        return _text_items(m.items, ctx.struct_fields(ty), ctx, ty.name + "(", ")")
    m = {T.LIST: pb.List, T.SET: pb.Set, T.TUPLE: pb.Tuple}[code]()
    m.ParseFromString(data)
    if code == T.TUPLE:
        return _text_items(m.items, ty.types, ctx, "(", ")")
    items = [text(ty.types[0], b, ctx) for b in m.items]
    if code == T.SET:
        return "set(" + ", ".join(sorted(items)) + ")"   # a set has no order
    return "[" + ", ".join(items) + "]"


def _text_scalar(code, data, ctx):
    if code == T.DOUBLE:
        return _float_text(struct.unpack("<d", data)[0], False)
    if code == T.FLOAT:
        return _float_text(struct.unpack("<f", data)[0], True)
    if code in (T.SINT32, T.SINT64, T.ENUMERATION):
        return str(unzigzag(read_varint(data)[0]))
    if code in (T.UINT32, T.UINT64):
        return str(read_varint(data)[0])
    if code == T.BOOL:
        return "true" if read_varint(data)[0] else "false"
    if code == T.CLASS:
        return ctx.object_name(read_varint(data)[0])
    n, pos = read_varint(data)
    raw = data[pos:pos + n]
    if code == T.STRING:
        return repr(raw.decode("utf-8"))
    return ctx.bytes_name(raw)


def text(ty, data, ctx):
    """Canonical text of encoded value data of type ty."""
    code = ty.code
    try:
        if code in (T.DOUBLE, T.FLOAT, T.SINT32, T.SINT64, T.ENUMERATION, T.UINT32,
                    T.UINT64, T.BOOL, T.CLASS, T.STRING, T.BYTES):
            return _text_scalar(code, data, ctx)
        if code in (T.LIST, T.SET, T.TUPLE, T.DICTIONARY, T.STRUCT):
            return _text_collection(ty, data, ctx)
        if code == T.STREAM:
            m = pb.Stream()
            m.ParseFromString(data)
            return "stream " + ctx.stream_name(m.id)
        if code == T.EVENT:
            m = pb.Event()
            m.ParseFromString(data)
            return "event " + ctx.stream_name(m.stream.id)
        if code == T.STATUS:
            return ctx.status_text(data)
        if code == T.SERVICES:
            return ctx.services_text(data)
    except (IndexError, ValueError, struct.error, UnicodeDecodeError) as e:
        return "undecodable %s (%s)" % (data.hex(), e)
    return "bytes " + data.hex()


def value_of(ty, data):
    """A decoded value for binding to a corpus variable: ids as references."""
    code = ty.code
    if code == T.CLASS:
        return ObjRef(read_varint(data)[0])
    if code == T.STREAM:
        m = pb.Stream()
        m.ParseFromString(data)
        return StreamRef(m.id)
    if code == T.EVENT:
        m = pb.Event()
        m.ParseFromString(data)
        return StreamRef(m.stream.id)
    if code == T.LIST:
        m = pb.List()
        m.ParseFromString(data)
        return [value_of(ty.types[0], b) for b in m.items]
    return Raw(data)
