#!/usr/bin/env python3
"""Writes stubgen-edge.services: a GetServices dump of made-up services that
exercise krpc-stubgen's corner cases (keyword and clashing parameter names,
nullable and defaulted parameters of every kind, foreign types, structures
with bytes, a tuple holding every kind of member, messages, odd
documentation, an empty service, and a service whose generated names clash).  Run with PYTHONPATH holding krpc_pb2:
    python3 stubgen-edge.py > stubgen-edge.services
"""
import struct
import sys

import krpc_pb2 as pb

T = pb.Type


def zigzag(n):
    return (n << 1) ^ (n >> 63)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def ty(code, service='', name='', *subs):
    t = pb.Type(code=code, service=service, name=name)
    t.types.extend(subs)
    return t


def param(name, t, default=None, nullable=False, null_default=False):
    p = pb.Parameter(name=name, type=t, nullable=nullable or null_default)
    if default is not None or null_default:
        p.has_default_value = True
        p.default_value_is_null = null_default
        p.default_value = default or b''
    return p


def proc(name, params, ret=None, nullable=False, doc='', deprecated=None):
    p = pb.Procedure(name=name, return_is_nullable=nullable, documentation=doc)
    p.parameters.extend(params)
    if ret is not None:
        p.return_type.CopyFrom(ret)
    if deprecated is not None:
        p.deprecated = True
        p.deprecated_reason = deprecated
    return p


def edge():
    s = pb.Service(name='Edge', documentation='<doc>\n<summary>\nCorner cases.\n</summary>\n</doc>')
    s.classes.extend([pb.Class(name='Thing'), pb.Class(name='Class')])
    mode = pb.Enumeration(name='Mode')
    mode.values.extend([pb.EnumerationValue(name='Off', value=0), pb.EnumerationValue(name='On', value=1),
                        pb.EnumerationValue(name='Negative', value=-5)])
    s.enumerations.append(mode)
    pair = pb.Struct(name='Pair')
    pair.fields.extend([pb.StructField(name='first', type=ty(T.BYTES)),
                        pb.StructField(name='out', type=ty(T.STRING)),
                        pb.StructField(name='mode', type=ty(T.ENUMERATION, 'Edge', 'Mode')),
                        pb.StructField(name='widget', type=ty(T.CLASS, 'Other', 'Widget')),
                        pb.StructField(name='box', type=ty(T.STRUCT, 'Other', 'Box')),
                        pb.StructField(name='first_len', type=ty(T.UINT64))])
    s.structs.append(pair)
    thing = ty(T.CLASS, 'Edge', 'Thing')
    mode_t = ty(T.ENUMERATION, 'Edge', 'Mode')
    # a tuple holding every kind of member, a tuple among them
    nested = ty(T.TUPLE, '', '', ty(T.TUPLE, '', '', ty(T.DOUBLE), ty(T.DOUBLE)), thing, mode_t,
                ty(T.LIST, '', '', ty(T.DOUBLE)), ty(T.STRUCT, 'Edge', 'Pair'), ty(T.BYTES),
                ty(T.CLASS, 'Other', 'Widget'), ty(T.STRING))
    s.procedures.extend([
        proc('Keywords', [param('default', ty(T.SINT32)), param('class', ty(T.STRING)),
                          param('out', ty(T.BOOL)), param('client', ty(T.DOUBLE)),
                          param('int', ty(T.FLOAT)), param('_under', ty(T.UINT32))], ty(T.SINT32)),
        proc('NullableDefaults', [
            param('a', ty(T.SINT32), varint(zigzag(7)), nullable=True),
            param('b', ty(T.BOOL), null_default=True),
            param('c', ty(T.BYTES), varint(2) + b'\x01\x02'),
            param('d', ty(T.STRING), varint(1) + b'x', nullable=True),
            param('e', mode_t, varint(zigzag(-5))),
            param('f', mode_t, varint(zigzag(3))),
            param('g', ty(T.DOUBLE), struct.pack('<d', 1e300)),
            param('h', ty(T.FLOAT), struct.pack('<f', -0.0)),
            param('i', ty(T.UINT64), varint(2**64 - 1)),
            param('j', ty(T.STRING), varint(4) + b'a"\\\n')], mode_t, nullable=True),
        proc('Thing_Method', [param('this', thing), param('thing', thing),
                              param('thing_', ty(T.BYTES))], ty(T.BOOL), nullable=True),
        proc('Thing_get_Bytes', [param('this', thing)], ty(T.BYTES), nullable=True),
        proc('Thing_static_Make', [], thing),
        proc('Foreign', [param('w', ty(T.CLASS, 'Other', 'Widget')),
                         param('m', ty(T.ENUMERATION, 'Other', 'Mode'), varint(zigzag(2))),
                         param('s', ty(T.STRUCT, 'Other', 'Box'))],
             ty(T.STRUCT, 'Other', 'Box')),
        proc('Doc', [], ty(T.STRING),
             doc='<doc>\n<summary>\nEnds a comment */ or opens one /* and says &lt;tag&gt; &amp; '
                 '<see cref="M:Edge.Keywords" /> with <paramref name="x" />.\n</summary>\n</doc>',
             deprecated='Use "Keywords" \\ <see cref="M:Edge.Keywords" /> instead.'),
        proc('Void', []),
        proc('Values', [param('t', ty(T.TUPLE, '', '', ty(T.SINT32), ty(T.STRING))),
                        param('l', ty(T.LIST, '', '', thing), b''),
                        param('s', ty(T.SET, '', '', ty(T.STRING)), nullable=True),
                        param('d', ty(T.DICTIONARY, '', '', ty(T.STRING), ty(T.LIST, '', '', ty(T.DOUBLE)))),
                        param('call', ty(T.PROCEDURE_CALL))],
             ty(T.DICTIONARY, '', '', ty(T.STRING), ty(T.LIST, '', '', ty(T.DOUBLE)))),
        proc('GetStatus', [], ty(T.STATUS)),
        proc('Event', [param('x', ty(T.EVENT)), param('st', ty(T.STATUS))], ty(T.EVENT)),
        proc('Services', [], ty(T.SERVICES)),
        proc('EchoPair', [param('p', ty(T.STRUCT, 'Edge', 'Pair'), nullable=True)],
             ty(T.STRUCT, 'Edge', 'Pair'), nullable=True),
        proc('Nested', [param('x', nested)], nested),
    ])
    return s


def other():
    s = pb.Service(name='Other')
    s.classes.append(pb.Class(name='Widget'))
    mode = pb.Enumeration(name='Mode')
    mode.values.append(pb.EnumerationValue(name='Two', value=2))
    s.enumerations.append(mode)
    box = pb.Struct(name='Box')
    box.fields.append(pb.StructField(name='x', type=ty(T.SINT32)))
    s.structs.append(box)
    return s


def clash():
    s = pb.Service(name='Clash')
    s.classes.append(pb.Class(name='Foo'))
    s.procedures.append(proc('Foo', [], ty(T.SINT32)))
    return s


services = pb.Services()
services.services.extend([edge(), other(), pb.Service(name='Empty'), clash()])
sys.stdout.buffer.write(services.SerializeToString())
