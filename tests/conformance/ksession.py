"""One case of the conformance corpus run against one server: the steps'
actions on fresh connections, and a transcript of what came back, in
canonical text (client, object and stream ids by order of appearance,
counters and timings left out) so that two servers' transcripts compare
line by line.
"""

import socket
import time

import krpc_pb2 as pb
from google.protobuf import text_format
from google.protobuf.message import DecodeError
from krpctest import Conn, read_varint, varint

import kvalue
from kcorpus import Var
from kvalue import CallLit, Null, ObjRef, StreamRef, T

TIMEOUT = 5.0
SERVICES_IGNORED = ("SpaceCenter", "Drawing", "UI")   # krpc-sim's own: the TestServer has no game


class Schema:
    """Procedures and structs by name, from one GetServices."""

    def __init__(self, services):
        self.procs, self.structs = {}, {}
        for svc in services.services:
            for p in svc.procedures:
                self.procs[(svc.name, p.name)] = p
            for st in svc.structs:
                self.structs[(svc.name, st.name)] = [f.type for f in st.fields]


def _mark_documentation(msg):
    """Replaces every documentation text by whether there is one.

    krpc-sim documents its services in its own words (the project copies no
    text of kRPC's), so what is compared is which items are documented, not
    the words."""
    for field, value in msg.ListFields():
        if field.name == "documentation" and field.type == field.TYPE_STRING:
            setattr(msg, field.name, "(documented)" if value else "")
        elif field.type == field.TYPE_MESSAGE:
            items = value if field.label == field.LABEL_REPEATED else [value]
            for item in items:
                _mark_documentation(item)


def _outer_frame(trace):
    """The method of a stack trace's outermost frame ("KRPC.Core.StartStream"), or ""."""
    lines = [l.strip() for l in trace.splitlines() if l.strip().startswith("at ")]
    return lines[-1][3:].split(" (")[0] if lines else ""


def _err_text(e):
    where = "%s.%s" % (e.service, e.name) if e.service or e.name else "error"
    trace = "trace from %s" % _outer_frame(e.stack_trace) if e.stack_trace else "no trace"
    return "%s: %r %s" % (where, e.description, trace)


class Ctx:
    """Per case and server: the identity maps and the schema used to decode."""

    def __init__(self, schema):
        self.schema = schema
        self.objects, self.streams, self.client_ids = {}, {}, {}
        self.stream_types = {}
        self.vars = {}

    def _nth(self, table, key, prefix):
        if key not in table:
            table[key] = "%s%d" % (prefix, len(table) + 1)
        return table[key]

    def object_name(self, oid):
        return "obj0" if oid == 0 else self._nth(self.objects, oid, "obj#")

    def stream_name(self, sid):
        return self._nth(self.streams, sid, "s#")

    def bytes_name(self, raw):
        for name, cid in self.client_ids.items():
            if raw == cid:
                return "<id of @%s>" % name
        return "b" + raw.hex()

    def struct_fields(self, ty):
        return self.schema.structs[(ty.service, ty.name)]

    def status_text(self, data):
        st = pb.Status()
        st.ParseFromString(data)
        # Adaptive rate control moves max_time_per_update with the load on the
        # machine (up while requests take over 1 ms an update): only its range holds.
        mtpu = st.max_time_per_update
        mtpu = "in 1000-25000" if 1000 <= mtpu <= 25000 else "%d" % mtpu
        return ("status version=%s one_rpc_per_update=%s max_time_per_update %s "
                "adaptive_rate_control=%s blocking_recv=%s recv_timeout=%d stream_rpcs=%d "
                "counted=%s" % (st.version, st.one_rpc_per_update, mtpu,
                                st.adaptive_rate_control, st.blocking_recv, st.recv_timeout,
                                st.stream_rpcs, st.bytes_read > 0 and st.bytes_written > 0 and
                                st.rpcs_executed > 0))

    def services_text(self, data):
        m = pb.Services()
        m.ParseFromString(data)
        _mark_documentation(m)
        kept = [s for s in m.services if s.name not in SERVICES_IGNORED]
        lines = ["services (by name)"]
        for svc in sorted(kept, key=lambda s: s.name):
            for line in text_format.MessageToString(svc, as_utf8=True).splitlines():
                lines.append("  %s| %s" % (svc.name, line))
        return "\n".join(lines)

    def resolve(self, v):
        """The literal with $VARs replaced by their values."""
        if isinstance(v, Var):
            return self.vars[v.name]
        if isinstance(v, CallLit):
            return CallLit(v.service, v.procedure, [(k, self.resolve(a)) for k, a in v.args])
        if isinstance(v, list):
            return type(v)(self.resolve(x) for x in v)
        if isinstance(v, tuple):
            return tuple(self.resolve(x) for x in v)
        if isinstance(v, dict):
            return {self.resolve(k): self.resolve(x) for k, x in v.items()}
        return v

    def proc(self, call):
        return self.schema.procs.get((call.service, call.procedure))

    def procedure_call(self, call):
        """The ProcedureCall message of a call literal, arguments encoded."""
        call = self.resolve(call)
        pc = pb.ProcedureCall()
        if call.service.startswith("#"):
            pc.service_id = int(call.service[1:])
        else:
            pc.service = call.service
        if call.procedure.startswith("#"):
            pc.procedure_id = int(call.procedure[1:])
        else:
            pc.procedure = call.procedure
        proc = self.proc(call)
        pos = 0
        for key, lit in call.args:
            pos = key if isinstance(key, int) else pos
            if lit is not None:
                self._argument(pc, proc, pos, lit)
            pos += 1
        return pc

    def _argument(self, pc, proc, pos, lit):
        if isinstance(lit, Null):
            pc.arguments.add(position=pos, is_null=True)
            return
        ty = proc.parameters[pos].type if proc is not None and pos < len(proc.parameters) \
            else None
        if ty is None and not isinstance(lit, (kvalue.Raw, kvalue.Typed)):
            raise ValueError("argument %d of %s.%s needs x\"..\" or as(): no parameter type" %
                             (pos, pc.service, pc.procedure))
        pc.arguments.add(position=pos, value=kvalue.encode(ty, lit, self))

    def result_text(self, call, r):
        if r.HasField("error"):
            return "! " + _err_text(r.error)
        proc = self.proc(call)
        if r.is_null:
            return "= null" + (" +value" if r.value else "")
        if proc is None or not proc.HasField("return_type"):
            return "= void" if not r.value else "= bytes " + r.value.hex()
        return "= " + kvalue.text(proc.return_type, r.value, self)

    def bind(self, call, r):
        proc = self.proc(call)
        if proc is None or r.HasField("error") or not proc.HasField("return_type"):
            return None
        if proc.return_type.code in (T.STREAM, T.EVENT):
            v = kvalue.value_of(proc.return_type, r.value)
            target = call.args[0][1] if call.args else None
            if isinstance(target, CallLit) and self.proc(target) is not None:
                self.stream_types[v.sid] = self.proc(target).return_type
            elif proc.return_type.code == T.EVENT:
                self.stream_types[v.sid] = pb.Type(code=T.BOOL)
            return v
        return kvalue.value_of(proc.return_type, r.value)


class Client:
    """A client of the case: RPC and stream connections to one server."""

    def __init__(self):
        self.rpc = self.stream = None
        self.streams = []   # every stream connection opened, oldest first
        self.id = b""
        self.sent = []   # calls of requests sent and not yet answered


def _parse(cls, body):
    """A message of class cls from body, or None if it does not parse."""
    m = cls()
    try:
        m.ParseFromString(body)
    except DecodeError:
        return None
    return m


def _frame_bytes(msg):
    body = msg.SerializeToString()
    return varint(len(body)) + body


def _read_frame(conn, timeout):
    """A message body, or "closed" / "silent" (nothing within timeout)."""
    try:
        return conn.recv(timeout)
    except (EOFError, ConnectionResetError, BrokenPipeError):
        return "closed"
    except socket.timeout:
        return "silent"
    except IndexError:
        return "closed"


class Session:
    """Runs one case's steps against one server and keeps the transcript."""

    def __init__(self, server, schema, case):
        self.server = server
        self.ctx = Ctx(schema)
        self.case = case
        self.clients = {}
        self.lines = []
        self.step_no = 0
        self.new_ids = {}
        self.conns = []

    # ---- recording ---------------------------------------------------------

    def out(self, text):
        for line in text.split("\n"):
            self.lines.append("%d %s" % (self.step_no, line))

    def id_text(self, raw):
        name = self.ctx.bytes_name(raw)
        if not name.startswith("b") or len(raw) != 16:
            return name
        return self.ctx._nth(self.new_ids, raw, "<new id ") + ">"

    def hs_text(self, body):
        if isinstance(body, str):
            return "handshake " + body
        r = _parse(pb.ConnectionResponse, body)
        if r is None:
            return "handshake undecodable " + body.hex()
        return "handshake %s %r id=%s" % (pb.ConnectionResponse.Status.Name(r.status),
                                          r.message, self.id_text(r.client_identifier))

    def response_text(self, calls, body):
        if isinstance(body, str):
            return body
        r = _parse(pb.Response, body)
        if r is None:
            return "undecodable response " + body.hex()
        lines = []
        if r.HasField("error"):
            lines.append("request ! " + _err_text(r.error))
        if len(r.results) != len(calls):
            lines.append("%d results for %d calls" % (len(r.results), len(calls)))
        for call, res in zip(calls, r.results):
            lines.append(self.clients_filter(call, res) or self.benchmark_filter(call, res) or
                         self.ctx.result_text(call, res))
        return "\n".join(lines)

    def benchmark_filter(self, call, res):
        """Benchmark.Call: its keys and iterations (the rest are timings and byte counts)."""
        if (call.service, call.procedure) != ("Benchmark", "Call") or res.HasField("error"):
            return None
        d = pb.Dictionary()
        d.ParseFromString(res.value)
        keys = [kvalue.text(pb.Type(code=T.STRING), e.key, self.ctx) for e in d.entries]
        its = [kvalue.text(pb.Type(code=T.DOUBLE), e.value, self.ctx) for e in d.entries
               if e.key == b"\x0aiterations"]
        return "= benchmark keys %s iterations %s" % (", ".join(keys), ", ".join(its))

    def clients_filter(self, call, res):
        """KRPC.get_Clients: only this case's clients, by their names in the case."""
        if (call.service, call.procedure) != ("KRPC", "get_Clients") or res.HasField("error"):
            return None
        lst = pb.List()
        lst.ParseFromString(res.value)
        mine = []
        for item in lst.items:
            tup = pb.Tuple()
            tup.ParseFromString(item)
            cid = kvalue.text(pb.Type(code=T.BYTES), tup.items[0], self.ctx)
            if cid.startswith("<id of"):
                mine.append("(%s, %s, %s)" % (cid, kvalue.text(pb.Type(code=T.STRING),
                                              tup.items[1], self.ctx),
                                              kvalue.text(pb.Type(code=T.STRING),
                                              tup.items[2], self.ctx)))
        return "= clients " + ", ".join(sorted(mine))

    def update_text(self, body):
        if isinstance(body, str):
            return "stream " + body
        u = _parse(pb.StreamUpdate, body)
        if u is None:
            return "undecodable stream update " + body.hex()
        parts = []
        for res in u.results:
            ty = self.ctx.stream_types.get(res.id)
            r = res.result
            if r.HasField("error"):
                v = "! " + _err_text(r.error)
            elif r.is_null:
                v = "null"
            else:
                v = kvalue.text(ty, r.value, self.ctx) if ty else "bytes " + r.value.hex()
            parts.append("%s %s" % (self.ctx.stream_name(res.id), v))
        return "update " + "; ".join(parts)

    # ---- connections -------------------------------------------------------

    def open(self, port):
        conn = Conn(port)
        self.conns.append(conn)
        return conn

    def client(self, name):
        if name not in self.clients:
            self.clients[name] = Client()
        return self.clients[name]

    def handshake(self, c, kind, name, ident, ctype=None):
        req = pb.ConnectionRequest(type=kind if ctype is None else ctype,
                                   client_name=name, client_identifier=ident)
        conn = self.open(self.server.rpc if kind == pb.ConnectionRequest.RPC else
                         self.server.stream)
        conn.sock.sendall(_frame_bytes(req))
        return conn, _read_frame(conn, TIMEOUT)

    def connect_rpc(self, cname, c, name="conformance", ctype=None):
        conn, body = self.handshake(c, pb.ConnectionRequest.RPC, name, b"", ctype)
        r = pb.ConnectionResponse()
        if not isinstance(body, str):
            r.ParseFromString(body)
        if r.status == pb.ConnectionResponse.OK and not isinstance(body, str):
            c.rpc, c.id = conn, r.client_identifier
            self.ctx.client_ids[cname] = c.id
        return body

    def connect_stream(self, c, ident=None, ctype=None, name=""):
        conn, body = self.handshake(c, pb.ConnectionRequest.STREAM, name,
                                    c.id if ident is None else ident, ctype)
        r = pb.ConnectionResponse()
        if not isinstance(body, str):
            r.ParseFromString(body)
            if r.status == pb.ConnectionResponse.OK:
                c.stream = conn
                c.streams.append(conn)
        return body

    def ready(self, cname):
        """The client, connected (RPC and stream) on first use."""
        c = self.client(cname)
        if c.rpc is None and not c.sent:
            body = self.connect_rpc(cname, c)
            if c.rpc is None:
                raise RuntimeError("cannot connect: " + self.hs_text(body))
            if c.stream is None:
                self.connect_stream(c)
        return c

    # ---- actions -----------------------------------------------------------

    def send(self, c, calls, raw=None):
        req = pb.Request()
        for call in calls:
            req.calls.add().CopyFrom(self.ctx.procedure_call(call))
        c.rpc.sock.sendall(raw if raw is not None else _frame_bytes(req))
        c.sent.append(calls)

    def recv(self, c, var=None):
        calls = c.sent.pop(0)
        body = _read_frame(c.rpc, TIMEOUT)
        self.out(self.response_text(calls, body))
        if var is not None and not isinstance(body, str) and len(calls) == 1:
            r = pb.Response()
            r.ParseFromString(body)
            if r.results:
                self.ctx.vars[var] = self.ctx.bind(self.ctx.resolve(calls[0]), r.results[0])

    def run(self):
        for self.step_no, step in enumerate(self.case.steps, 1):
            try:
                self.step(step)
            except (OSError, RuntimeError) as e:
                self.out("aborted: %s" % e)
                break
        for conn in self.conns:
            conn.close()
        return self.lines

    def materialize(self, c, lit, ty):
        """lit with the calls where objects are expected made first, as their results."""
        if isinstance(lit, CallLit) and ty is not None and ty.code == T.CLASS:
            self.send(c, [self.materialize_args(c, lit)])
            self.recv(c, "_nested")
            if not isinstance(self.ctx.vars.get("_nested"), ObjRef):
                raise RuntimeError("a nested call gave no object")
            return self.ctx.vars.pop("_nested")
        if ty is None or isinstance(lit, (kvalue.Raw, Null, kvalue.Typed)):
            return lit
        if ty.code in (T.LIST, T.SET) and isinstance(lit, list):
            return type(lit)(self.materialize(c, x, ty.types[0]) for x in lit)
        if ty.code == T.DICTIONARY and isinstance(lit, dict):
            return {k: self.materialize(c, v, ty.types[1]) for k, v in lit.items()}
        return lit

    def materialize_args(self, c, call):
        call = self.ctx.resolve(call)
        proc = self.ctx.proc(call)
        if proc is None:
            return call
        args, pos = [], 0
        for key, lit in call.args:
            pos = key if isinstance(key, int) else pos
            ty = proc.parameters[pos].type if pos < len(proc.parameters) else None
            args.append((key, self.materialize(c, lit, ty)))
            pos += 1
        return CallLit(call.service, call.procedure, args)

    def step(self, st):
        cname = st.client or "a"
        if st.kind in ("call", "batch"):
            c = self.ready(cname)
            calls = [st.payload] if st.kind == "call" else st.payload
            self.send(c, [self.materialize_args(c, x) for x in calls])
            self.recv(c, st.var)
            return
        fn = getattr(self, "cmd_" + st.kind, None)
        if fn is None:
            raise RuntimeError("unknown command %s" % st.kind)
        args = [self.ctx.resolve(v) for k, v in st.payload if not isinstance(k, str)]
        kw = {k: self.ctx.resolve(v) for k, v in st.payload if isinstance(k, str)}
        fn(cname, *args, **kw)

    # ---- commands ----------------------------------------------------------

    def cmd_send(self, cname, *calls):
        """Sends one request per call without reading the responses."""
        c = self.ready(cname)
        for call in calls:
            self.send(c, [call])

    def cmd_recv(self, cname, n=1):
        """Reads the responses of the n oldest requests sent."""
        c = self.client(cname)
        for _ in range(n):
            self.recv(c)

    def cmd_pipeline(self, cname, *calls):
        self.cmd_send(cname, *calls)
        self.cmd_recv(cname, len(calls))

    def cmd_rpc(self, cname, name="conformance", type=None):
        """An RPC connection with a handshake of this name (and type number)."""
        c = self.client(cname)
        self.out(self.hs_text(self.connect_rpc(cname, c, name, type)))

    def cmd_stream(self, cname, id=None, type=None, name=""):
        """A stream connection for the client (id: another identifier)."""
        c = self.client(cname)
        ident = id.data if isinstance(id, kvalue.Raw) else id
        if isinstance(ident, str):
            ident = self.ctx.client_ids[ident]
        self.out(self.hs_text(self.connect_stream(c, ident, type, name)))

    def cmd_hs(self, cname, port, data, wait=TIMEOUT * 1000):
        """Raw bytes on a new connection to the rpc or stream port; the reply."""
        conn = self.open(self.server.rpc if port == "rpc" else self.server.stream)
        conn.sock.sendall(data.data)
        body = _read_frame(conn, wait / 1000.0)
        self.out(self.hs_text(body))
        if not isinstance(body, str):
            self.out("then " + ("closed" if conn.closed_within(1.0) else "open"))

    def cmd_raw(self, cname, data):
        """Raw bytes on the RPC connection (no length prefix added); the reply."""
        c = self.ready(cname)
        self.send(c, [], raw=data.data)
        self.recv(c)

    def cmd_frame(self, cname, data):
        """A frame with this body on the RPC connection; the reply."""
        self.cmd_raw(cname, kvalue.Raw(varint(len(data.data)) + data.data))

    def cmd_updates(self, cname, n=1, conn=None):
        """The next n stream updates (conn: the stream connection by opening order)."""
        c = self.ready(cname)
        sc = c.stream if conn is None else c.streams[conn]
        for _ in range(n):
            self.out(self.update_text(_read_frame(sc, TIMEOUT)))

    def cmd_quiet(self, cname, ms, conn=None):
        """Whatever stream updates arrive within ms (normally none)."""
        c = self.ready(cname)
        sc = c.stream if conn is None else c.streams[conn]
        end = time.monotonic() + ms / 1000.0
        while True:
            left = end - time.monotonic()
            body = _read_frame(sc, max(left, 0.001))
            if body == "silent":
                break
            self.out(self.update_text(body))
            if body == "closed" or left <= 0:
                break

    def cmd_service_order(self, cname):
        """The order GetServices lists the services in (KRPC.GetServices() sorts them)."""
        c = self.ready(cname)
        self.send(c, [CallLit("KRPC", "GetServices", [])])
        body = _read_frame(c.rpc, TIMEOUT)
        c.sent.pop(0)
        r = pb.Response()
        r.ParseFromString(body)
        m = pb.Services()
        m.ParseFromString(r.results[0].value)
        self.out("services in order: " + ", ".join(x.name for x in m.services
                                                   if x.name not in SERVICES_IGNORED))

    def cmd_serial(self, cname):
        """Marks a case that reads server-wide state: it runs alone (conformance.py)."""

    def cmd_event(self, cname, expr, ms=300):
        """AddEvent(expr), started: whether it fires within ms (other streams ignored)."""
        c = self.ready(cname)
        self.send(c, [self.materialize_args(c, CallLit("KRPC", "AddEvent", [(None, expr)]))])
        self.recv(c, "_event")
        ev = self.ctx.vars.pop("_event", None)
        if not isinstance(ev, StreamRef):
            return
        self.send(c, [CallLit("KRPC", "StartStream", [(None, ev)])])
        self.recv(c)
        end = time.monotonic() + ms / 1000.0
        while True:
            body = _read_frame(c.stream, max(end - time.monotonic(), 0.001))
            if isinstance(body, str):
                self.out("event %s %s" % (self.ctx.stream_name(ev.sid), body))
                return
            u = pb.StreamUpdate()
            u.ParseFromString(body)
            for res in u.results:
                if res.id == ev.sid:
                    self.out(self.update_text(pb.StreamUpdate(results=[res]).SerializeToString()))
                    return

    def cmd_sleep(self, cname, ms):
        time.sleep(ms / 1000.0)

    def cmd_close(self, cname):
        c = self.client(cname)
        c.rpc.close()

    def cmd_close_stream(self, cname, conn=None):
        c = self.client(cname)
        (c.stream if conn is None else c.streams[conn]).close()

    def cmd_closed(self, cname, ms=1000):
        """Whether the server closes the RPC connection within ms."""
        c = self.client(cname)
        self.out("rpc " + ("closed" if c.rpc.closed_within(ms / 1000.0) else "open"))

    def cmd_stream_closed(self, cname, ms=1000, conn=None):
        c = self.client(cname)
        sc = c.stream if conn is None else c.streams[conn]
        self.out("stream " + ("closed" if sc.closed_within(ms / 1000.0) else "open"))
