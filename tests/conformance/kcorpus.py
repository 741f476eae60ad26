"""The conformance corpus: a text file of cases, one a line.

    NAME: STEP ; STEP ; ...         a case (indented lines continue it)
    # text                          a comment

A step is [@CLIENT] [VAR =] ACTION.  Actions:

    Service.Procedure(ARGS)         one Request with one call; the Response is recorded
                                    (E.X and T.X stand for KRPC.Expression_static_X and
                                    KRPC.Type_static_X)
    [CALL, CALL, ...]               one Request with several calls
    command(ARGS)                   see conformance.py (updates, quiet, rpc, stream, raw...)

Arguments are literals encoded with the parameter's type from GetServices:
numbers (1, -2.5, nan, inf, -inf, -0.0), "strings" (with \\n \\t \\" \\\\ \\xHH),
true, false, null (sent as is_null), _ (left out), [lists], {dicts: 1},
(tuples,), set(1, 2), b"bytes", x"hex" (raw bytes as the value, not
encoded), as(TYPE, VALUE) (encoded with a scalar type), obj(ID) (an object id),
a nested call (for procedure_call parameters; #ID.#ID(...) calls by
service and procedure id; where an object is expected, a call made first
and its result passed), $VAR (a result bound earlier),
and N=VALUE (the argument at position N).
"""

import re

from kvalue import CallLit, Null, ObjRef, Raw, SetLit, Typed, scalar_type

TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>[bx]?"(?:[^"\\]|\\.)*")
  | (?P<id>\#\d+)
  | (?P<num>-?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?|inf\b|nan\b))
  | (?P<var>\$[A-Za-z_]\w*)
  | (?P<client>@[A-Za-z_]\w*)
  | (?P<name>[A-Za-z_]\w*)
  | (?P<punct>[()\[\]{},;:.=_])
""", re.VERBOSE)

# E.Add(...) is KRPC.Expression_static_Add(...), T.Int() is KRPC.Type_static_Int().
ALIASES = {"E": "Expression_static_", "T": "Type_static_"}

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "\\": "\\"}


class CorpusError(Exception):
    pass


class Var:
    """$NAME: the value a step bound to NAME."""

    def __init__(self, name):
        self.name = name


class Step:
    """One step: an action (kind, payload) run as a client, maybe bound to a variable."""

    def __init__(self, client, var, kind, payload, text):
        self.client = client
        self.var = var
        self.kind = kind        # "call", "batch" or a command name
        self.payload = payload  # CallLit, [CallLit] or [argument literals]
        self.text = text


class Case:
    def __init__(self, name, steps, line):
        self.name = name
        self.steps = steps
        self.line = line


def _unescape(body):
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
        elif body[i + 1] == "x":
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        else:
            out.append(ESCAPES[body[i + 1]])
            i += 2
    return "".join(out)


def tokenize(s):
    toks, pos = [], 0
    while pos < len(s):
        m = TOKEN.match(s, pos)
        if not m:
            raise CorpusError("cannot read %r" % s[pos:pos + 20])
        pos = m.end()
        if m.lastgroup != "ws":
            toks.append((m.lastgroup, m.group()))
    return toks


class Parser:
    """Recursive descent over one case's tokens."""

    def __init__(self, toks):
        self.toks = toks
        self.i = 0

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else (None, None)

    def take(self, want=None):
        tok = self.peek()
        if tok[0] is None or (want is not None and tok[1] != want):
            raise CorpusError("expected %r, found %r" % (want, tok[1]))
        self.i += 1
        return tok

    def at(self, text):
        return self.peek()[1] == text

    def list_of(self, close, item):
        out = []
        while not self.at(close):
            out.append(item())
            if not self.at(close):
                self.take(",")
        self.take(close)
        return out

    def string(self, tok):
        body = _unescape(tok[tok.index('"') + 1:-1])
        if tok[0] == "x":
            return Raw(bytes.fromhex(body))
        if tok[0] == "b":
            return body.encode("latin-1")
        return body

    def number(self, tok):
        if tok in ("inf", "nan", "-inf", "-nan"):
            return float(tok)
        return float(tok) if re.search(r"[.eE]", tok) else int(tok)

    def call_rest(self, service):
        self.take(".")
        proc = self.take()[1]
        self.take("(")
        if service in ALIASES:
            service, proc = "KRPC", ALIASES[service] + proc
        return CallLit(service, proc, self.list_of(")", self.argument))

    def word(self, w):
        if w in ("true", "false"):
            return w == "true"
        if w == "null":
            return Null()
        if self.at("."):
            return self.call_rest(w)
        self.take("(")
        if w == "set":
            return SetLit(self.list_of(")", self.value))
        if w == "obj":
            v = ObjRef(self.value())
        elif w == "as":
            ty = scalar_type(self.take()[1])
            self.take(",")
            v = Typed(ty, self.value())
        else:
            raise CorpusError("unknown literal %s(...)" % w)
        self.take(")")
        return v

    def value(self):
        kind, tok = self.take()
        if kind == "str":
            return self.string(tok)
        if kind == "num":
            return self.number(tok)
        if kind == "var":
            return Var(tok[1:])
        if kind == "name":
            return self.word(tok)
        if kind == "id":
            return self.call_rest(tok)
        if tok == "[":
            return self.list_of("]", self.value)
        if tok == "(":
            return tuple(self.list_of(")", self.value))
        if tok == "{":
            return dict(self.list_of("}", self.pair))
        raise CorpusError("unexpected %r" % tok)

    def pair(self):
        k = self.value()
        self.take(":")
        return (k, self.value())

    def argument(self):
        """(key, literal): key is None, a position (N=) or a name (name=, commands)."""
        if self.peek()[0] in ("num", "name") and self.peek(1)[1] == "=":
            kind, key = self.take()
            self.take("=")
            return (int(key) if kind == "num" else key, self.value())
        if self.at("_"):
            self.take()
            return (None, None)
        return (None, self.value())

    def step(self):
        start = self.i
        client = var = None
        if self.peek()[0] == "client":
            client = self.take()[1][1:]
        if self.peek()[0] == "name" and self.peek(1)[1] == "=":
            var = self.take()[1]
            self.take("=")
        if self.at("["):
            self.take()
            kind, payload = "batch", self.list_of("]", self.call)
        else:
            name = self.take()[1]
            if self.at("."):
                kind, payload = "call", self.call_rest(name)
            else:
                self.take("(")
                kind, payload = name, self.list_of(")", self.argument)
        text = " ".join(t[1] for t in self.toks[start:self.i])
        return Step(client, var, kind, payload, text)

    def call(self):
        v = self.value()
        if not isinstance(v, CallLit):
            raise CorpusError("a call expected in a batch")
        return v

    def steps(self):
        out = [self.step()]
        while self.at(";"):
            self.take()
            out.append(self.step())
        if self.peek()[0] is not None:
            raise CorpusError("unexpected %r after a step" % self.peek()[1])
        return out


def _logical_lines(path):
    """(line number, text) of each case, continuation lines joined."""
    cur = None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if line[0].isspace() and cur is not None:
                cur[1] += " " + stripped
                continue
            if cur is not None:
                yield cur
            cur = [n, stripped]
    if cur is not None:
        yield cur


def load(path):
    """The cases of a corpus file, in order; CorpusError names the line."""
    cases, names = [], set()
    for n, line in _logical_lines(path):
        m = re.match(r"([\w.-]+):\s*(.*)$", line)
        if not m:
            raise CorpusError("%s:%d: NAME: STEPS expected" % (path, n))
        if m.group(1) in names:
            raise CorpusError("%s:%d: case %s twice" % (path, n, m.group(1)))
        names.add(m.group(1))
        try:
            steps = Parser(tokenize(m.group(2))).steps()
        except (CorpusError, KeyError, ValueError, IndexError) as e:
            raise CorpusError("%s:%d: %s" % (path, n, e))
        cases.append(Case(m.group(1), steps, n))
    return cases
