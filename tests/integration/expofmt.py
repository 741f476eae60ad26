"""A strict parser of Prometheus text exposition format 0.0.4, for the tests.

Stricter than Prometheus itself where the textfile collector or good
practice asks for it: every family has exactly one # HELP and one # TYPE
line before its samples, a family's samples are contiguous, no timestamps,
no blank lines, no other comments, no duplicate series, counters end in
_total, histograms have cumulative _bucket series ending in le="+Inf" equal
to _count, plus _sum; the text ends with a newline.  Any breach raises
ExpoError naming the line.
"""

import math
import re

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


class ExpoError(ValueError):
    pass


class Family:
    def __init__(self, name):
        self.name = name
        self.help = None
        self.type = None
        self.samples = []  # (sample name, {label: value}, float value)

    def value(self, suffix="", **labels):
        """The value of the series name+suffix with exactly these labels."""
        for n, l, v in self.samples:
            if n == self.name + suffix and l == labels:
                return v
        raise KeyError("%s%s%r" % (self.name, suffix, labels))


def parse_float(text, where):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
        raise ExpoError("%s: %r is not a number" % (where, text))
    return float(text)


def unescape(text, where, label):
    out, i = [], 0
    allowed = {"\\": "\\", "n": "\n"}
    if label:
        allowed['"'] = '"'
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text) or text[i + 1] not in allowed:
                raise ExpoError("%s: bad escape in %r" % (where, text))
            out.append(allowed[text[i + 1]])
            i += 2
            continue
        if label and ch == '"':
            raise ExpoError("%s: unescaped quote" % where)
        out.append(ch)
        i += 1
    return "".join(out)


def parse_labels(text, where):
    """{name: value} of a label set's inside ('a="x",b="y"')."""
    labels, pos = {}, 0
    pat = re.compile(r'(%s)="((?:[^"\\]|\\.)*)"' % LABEL)
    while pos < len(text):
        m = pat.match(text, pos)
        if not m:
            raise ExpoError("%s: malformed labels {%s}" % (where, text))
        if m.group(1) in labels:
            raise ExpoError("%s: label %s twice" % (where, m.group(1)))
        labels[m.group(1)] = unescape(m.group(2), where, True)
        pos = m.end()
        if pos < len(text):
            if text[pos] != ",":
                raise ExpoError("%s: malformed labels {%s}" % (where, text))
            pos += 1
    return labels


def family_of(name, families):
    """The family a sample name belongs to (histogram suffixes stripped)."""
    if name in families:
        return families[name]
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and base in families and families[base].type == "histogram":
            return families[base]
    return None


def parse_comment(line, where, families, order):
    m = re.fullmatch(r"# (HELP|TYPE) (%s) (.*)" % NAME, line)
    if not m:
        raise ExpoError("%s: a comment other than # HELP or # TYPE: %r" % (where, line))
    kind, name, rest = m.groups()
    fam = families.get(name)
    if fam is None:
        fam = families[name] = Family(name)
        order.append(fam)
    elif order[-1] is not fam:
        raise ExpoError("%s: %s's lines are not together" % (where, name))
    if fam.samples:
        raise ExpoError("%s: # %s of %s after its samples" % (where, kind, name))
    if kind == "HELP":
        if fam.help is not None:
            raise ExpoError("%s: second # HELP for %s" % (where, name))
        fam.help = unescape(rest, where, False)
    else:
        if fam.type is not None:
            raise ExpoError("%s: second # TYPE for %s" % (where, name))
        if rest not in TYPES:
            raise ExpoError("%s: unknown type %r" % (where, rest))
        fam.type = rest


def parse_sample(line, where, families, order, seen):
    m = re.fullmatch(r"(%s)(?:\{(.*)\})? (\S+)" % NAME, line)
    if not m:
        raise ExpoError("%s: not a sample (or it has a timestamp): %r" % (where, line))
    name, labels, value = m.group(1), parse_labels(m.group(2) or "", where), m.group(3)
    fam = family_of(name, families)
    if fam is None or fam.type is None or fam.help is None:
        raise ExpoError("%s: sample %s without # HELP and # TYPE first" % (where, name))
    if order[-1] is not fam:
        raise ExpoError("%s: %s's samples are not together" % (where, fam.name))
    key = (name, tuple(sorted(labels.items())))
    if key in seen:
        raise ExpoError("%s: duplicate series %s%r" % (where, name, labels))
    seen.add(key)
    fam.samples.append((name, labels, parse_float(value, where)))


def check_histogram(fam):
    buckets = [(l, v) for n, l, v in fam.samples if n == fam.name + "_bucket"]
    others = [n for n, l, v in fam.samples if n != fam.name + "_bucket"]
    if sorted(others) != [fam.name + "_count", fam.name + "_sum"]:
        raise ExpoError("histogram %s needs one _sum and one _count, has %r" % (fam.name, others))
    if not buckets or any(list(l) != ["le"] for l, v in buckets):
        raise ExpoError("histogram %s: buckets need exactly an le label" % fam.name)
    bounds = [parse_float(l["le"], fam.name) for l, v in buckets]
    counts = [v for l, v in buckets]
    if bounds != sorted(bounds) or len(set(bounds)) != len(bounds) or bounds[-1] != math.inf:
        raise ExpoError("histogram %s: le not increasing up to +Inf: %r" % (fam.name, bounds))
    if counts != sorted(counts):
        raise ExpoError("histogram %s: buckets not cumulative: %r" % (fam.name, counts))
    if counts[-1] != fam.value("_count"):
        raise ExpoError("histogram %s: +Inf bucket %g != _count" % (fam.name, counts[-1]))


def check_family(fam):
    if not fam.samples:
        raise ExpoError("%s has no sample" % fam.name)
    if fam.type == "counter":
        if not fam.name.endswith("_total"):
            raise ExpoError("counter %s does not end in _total" % fam.name)
        if any(v < 0 or v != int(v) for n, l, v in fam.samples):
            raise ExpoError("counter %s has a negative or fractional value" % fam.name)
    if fam.type == "histogram":
        check_histogram(fam)
    elif any(n != fam.name for n, l, v in fam.samples):
        raise ExpoError("%s: sample names must equal the family's" % fam.name)


def parse(text):
    """{family name: Family} of an exposition; raises ExpoError on any breach."""
    if not text.endswith("\n"):
        raise ExpoError("the text does not end with a newline")
    families, order, seen = {}, [], set()
    for i, line in enumerate(text[:-1].split("\n"), 1):
        where = "line %d" % i
        if line.startswith("#"):
            parse_comment(line, where, families, order)
        else:
            parse_sample(line, where, families, order, seen)
    for fam in order:
        check_family(fam)
    return families
