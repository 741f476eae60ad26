#!/usr/bin/python3
"""krpc-sim against kRPC's own TestServer: a differential test.

Every case of the corpus (cases.txt, see kcorpus.py) runs on fresh
connections against both servers, started once each; the transcripts
(ksession.py) are compared line by line.  A case whose transcripts differ is
a difference; it is accepted only when krpc-sim(1) lists the case, with its
reason, under "DIFFERENCES FROM THE KRPC TEST SERVER".  Prints
"conformance: N cases, M differences" and exits 1 on any difference not
listed (a listed case that no longer differs is reported, not failed: it
may be timing or another change's), 77 (skip) when the
TestServer or mono is missing, 2 on a bad corpus or manual page.

    conformance.py [--only REGEX] [--show] [--corpus FILE] [--man FILE]
"""

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_SRC = os.environ.get("top_srcdir", os.path.join(HERE, "..", ".."))
TOP_BUILD = os.environ.get("top_builddir", ".")
sys.path[:0] = [os.path.join(TOP_SRC, "tests", "integration"), os.path.join(TOP_BUILD, "proto"),
                HERE]

try:
    import krpc_pb2 as pb
    import krpctest
    import kcorpus
    import ksession
except ImportError as e:   # no python3-protobuf, or protoc did not run
    print("SKIP: conformance: %s" % e)
    sys.exit(77)

START_TIMEOUT = 60.0
SECTION = "DIFFERENCES FROM THE KRPC TEST SERVER"


def skip(why):
    print("SKIP: conformance: " + why)
    sys.exit(77)


def testserver_dir():
    d = os.environ.get("KRPC_TESTSERVER") or os.path.join(TOP_SRC, "..", "shared",
                                                          "krpc-testserver")
    if not os.path.isfile(os.path.join(d, "TestServer.exe")):
        skip("kRPC's TestServer is not here (set KRPC_TESTSERVER to its folder, or put it "
             "at ../shared/krpc-testserver beside the source tree)")
    if shutil.which("mono") is None:
        skip("mono is not installed (scripts/deps.sh installs it when the TestServer is present)")
    return d


class Server:
    """A server process on free loopback ports, stopped by its pid."""

    def __init__(self, name, argv, ready):
        self.name = name
        self.rpc = self.stream = None
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.log = []
        self.drainer = None
        end = time.monotonic() + START_TIMEOUT
        while time.monotonic() < end:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.log.append(line)
            if ready(self, line):
                self.drainer = threading.Thread(target=self.drain, daemon=True)
                self.drainer.start()
                return
        self.stop()
        raise RuntimeError("%s did not start:\n%s" % (name, "".join(self.log[-20:])))

    def drain(self):
        for line in self.proc.stdout:
            self.log.append(line)

    def stop(self):
        self.died = self.proc.poll() is not None   # it stopped by itself during the run
        krpctest.stop_process(self.proc)
        if self.drainer is not None:
            self.drainer.join(5)


def start_testserver(paced):
    def ready(s, line):
        m = re.search(r"(rpc|stream)_port = (\d+)", line)
        if m:
            setattr(s, m.group(1), int(m.group(2)))
        return "Server started successfully" in line
    argv = ["mono", os.path.join(testserver_dir(), "TestServer.exe"), "--rpc-port=0",
            "--stream-port=0"] + ([] if paced else ["--no-frame-pacing"])
    return Server("TestServer", argv, ready)


def start_sim(paced):
    def ready(s, line):
        m = re.match(r"krpc-sim: listening rpc=127\.0\.0\.1:(\d+) stream=127\.0\.0\.1:(\d+)", line)
        if m:
            s.rpc, s.stream = int(m.group(1)), int(m.group(2))
        return m is not None
    argv = [os.path.join(TOP_BUILD, "tests", "sim", "krpc-sim"), "--rpc-port", "0",
            "--stream-port", "0", "--quiet"] + ([] if paced else ["--no-pacing"])
    return Server("krpc-sim", argv, ready)


def man_text(line):
    """The words of a man page line without its requests and font escapes."""
    line = re.sub(r"^\.(B|I|BR|IR|RB|BI)\s+", "", line)
    return re.sub(r"\\f[BIRP]|\\-|\\\(..|\"", lambda m: "-" if m.group() == "\\-" else "",
                  line).strip()


def listed(man):
    """{case name: reason} from the section of krpc-sim(1) that lists them."""
    out, inside, names, reason = {}, False, None, []

    def flush():
        if names:
            for n in names:
                out[n] = " ".join(reason).strip()
    with open(man, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        if line.startswith(".SH"):
            flush()
            names = None
            inside = man_text(line[3:]) == SECTION
        elif inside and line.startswith(".TP"):
            flush()
            names, reason = man_text(lines[i + 1]).replace(",", " ").split(), []
        elif inside and names is not None and i > 0 and not lines[i - 1].startswith(".TP"):
            if not line.startswith(".\\\""):
                reason.append(man_text(line))
    flush()
    return out


def run_lane(server, schema, cases, results):
    for case in cases:
        t0 = time.monotonic()
        try:
            results[case.name] = ksession.Session(server, schema, case).run()
            if os.environ.get("CONFORMANCE_TIMES"):
                print("%s %s %.3f" % (server.name, case.name, time.monotonic() - t0))
        except Exception as e:   # a corpus the driver cannot run: reported, exit 2
            results[case.name] = ["driver error: %s: %s" % (type(e).__name__, e)]


def run_all(server, schema, cases, results, lanes):
    """Runs the cases in lanes at once, then the serial() ones alone, in order."""
    serial = [c for c in cases if any(st.kind == "serial" for st in c.steps)]
    rest = [c for c in cases if c not in serial]
    threads = [threading.Thread(target=run_lane, args=(server, schema, rest[i::lanes], results))
               for i in range(lanes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run_lane(server, schema, serial, results)


def fetch_schema(server):
    c = krpctest.Client(server.rpc, None, "conformance-schema")
    services = pb.Services()
    services.ParseFromString(c.value("KRPC", "GetServices"))
    c.close()
    return ksession.Schema(services)


def report(cases, got, known, show):
    """Prints the differences; returns (differences, unlisted, stale)."""
    diffs = unlisted = stale = 0
    for case in cases:
        a, b = got["TestServer"][case.name], got["krpc-sim"][case.name]
        if show:
            print("== %s\n%s" % (case.name, "\n".join("   " + x for x in (a if show == "ts" else b))))
        if a == b:
            if case.name in known:
                stale += 1
                print("STALE: %s is listed in krpc-sim(1) but no longer differs" % case.name)
            continue
        diffs += 1
        if case.name in known:
            print("listed: %s (%s)" % (case.name, known[case.name][:70]))
            continue
        unlisted += 1
        print("DIFFERENCE: %s (cases.txt:%d)" % (case.name, case.line))
        d = list(difflib.unified_diff(a, b, "TestServer", "krpc-sim", lineterm="", n=1))
        print("\n".join("    " + x for x in d[2:40]))
        if len(d) > 40:
            print("    ... %d more lines" % (len(d) - 40))
    return diffs, unlisted, stale


def main():
    ap = argparse.ArgumentParser(description="krpc-sim against kRPC's TestServer")
    ap.add_argument("--corpus", default=os.path.join(HERE, "cases.txt"))
    ap.add_argument("--man", default=os.path.join(TOP_SRC, "docs", "krpc-sim.1"))
    ap.add_argument("--only", help="run the cases whose name matches this regex")
    ap.add_argument("--show", action="store_const", const="sim", help="print krpc-sim's transcripts")
    ap.add_argument("--show-ts", dest="show", action="store_const", const="ts",
                    help="print the TestServer's transcripts")
    ap.add_argument("--unpaced", action="store_true", help="both servers unpaced")
    ap.add_argument("--lanes", type=int, default=4, help="cases run at once (default 4)")
    opt = ap.parse_args()
    testserver_dir()
    try:
        cases = kcorpus.load(opt.corpus)
        known = listed(opt.man)
    except (kcorpus.CorpusError, OSError) as e:
        print("conformance: %s" % e)
        return 2
    bad = sorted(set(known) - {c.name for c in cases})
    if bad:
        print("conformance: krpc-sim(1) lists cases the corpus does not have: " + ", ".join(bad))
        return 2
    if opt.only:
        cases = [c for c in cases if re.search(opt.only, c.name)]
    servers = []
    try:
        servers = [start_testserver(not opt.unpaced), start_sim(not opt.unpaced)]
        # the schema is the TestServer's; krpc-sim answers the same call, so that
        # both servers have executed as many calls before the corpus (GetStatus)
        schema = fetch_schema(servers[0])
        fetch_schema(servers[1])
        got = {s.name: {} for s in servers}
        threads = [threading.Thread(target=run_all, args=(s, schema, cases, got[s.name],
                                                          opt.lanes)) for s in servers]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
    finally:
        for s in servers:
            s.stop()
            if os.environ.get("CONFORMANCE_LOG"):
                print("".join("%s: %s" % (s.name, line) for line in s.log))
    broken = [c.name for c in cases if got["krpc-sim"][c.name][0].startswith("driver error")]
    for name in broken:
        print("conformance: case %s: %s" % (name, got["krpc-sim"][name][0]))
    if broken:
        return 2
    for s in servers:
        if getattr(s, "died", False):
            print("conformance: %s stopped during the run (status %s); its last lines:\n%s" %
                  (s.name, s.proc.returncode, "".join(s.log[-12:])))
    sim = servers[1]
    if sim.proc.returncode != 0:   # a sanitizer's report, or a crash
        print("conformance: krpc-sim exited with status %s on SIGTERM; its output:\n%s" %
              (sim.proc.returncode, "".join(sim.log[-40:])))
        return 1
    diffs, unlisted, stale = report(cases, got, known, opt.show)
    print("conformance: %d cases, %d differences (%d listed in krpc-sim(1), %d not), %.1f s" %
          (len(cases), diffs, diffs - unlisted, unlisted, elapsed))
    return 1 if unlisted else 0


if __name__ == "__main__":
    sys.exit(main())
