"""krpcmuxctl metrics against a real krpcmuxd, checked by a strict parser.

krpc-sim upstream (or kRPC's TestServer when $KRPC_TEST_SERVER is
"testserver"), krpcmuxd on temporary Unix sockets, real clients doing calls
and sharing a stream.  The exposition must pass expofmt.py's strict parser,
and its values must be what the clients did: clients, streams, subscriptions,
requests and calls, the latency histogram's count, values fanned out,
sessions; then the server goes away and the upstream gauges and the
reconnection counter follow.  Skipped (exit 77) without python3-protobuf.
"""

import os
import re
import sys
import time

try:
    import krpctest as k
except ImportError as e:  # no python3-protobuf, or protoc did not run
    print("skipped: %s" % e)
    sys.exit(77)
import expofmt

TOP = os.environ.get("top_builddir", ".")
SRC = os.environ.get("top_srcdir", ".")



def ctl(adm, *args):
    """(exit status, standard output) of krpcmuxctl."""
    return k.ctl(adm, *args)[:2]


def metrics(adm):
    rc, out = ctl(adm, "metrics")
    if rc != 0:
        raise RuntimeError("krpcmuxctl metrics exited %d" % rc)
    return expofmt.parse(out)


def counters_in_source():
    """The counter names of STATS_COUNTERS in daemon/krpcmuxd.h."""
    text = open(os.path.join(SRC, "daemon", "krpcmuxd.h")).read()
    block = text[text.index("#define STATS_COUNTERS"):]
    block = block[:block.index("\n\n")]
    return re.findall(r"X\((\w+),", block)


def v(fams, name, suffix="", **labels):
    return fams["krpcmux_" + name].value(suffix, **labels)


def traffic(rpc, stream):
    """Clients doing calls and sharing a stream; what they did."""
    alpha = k.Client(rpc, None, "alpha")
    for i in range(25):
        check_value = k.dec_string(alpha.value("TestService", "Int32ToString", k.enc_sint32(i)))
        if check_value != str(i):
            k.failures.append("wrong answer %r" % check_value)
    three = k.call("TestService", "Int32ToString", k.enc_sint32(7))
    alpha.request(three, three, three)
    beta = k.Client(rpc, stream, "beta")
    gamma = k.Client(rpc, stream, "gamma")
    counter = k.call("SpaceCenter", "get_UT")  # shared: it rises every update
    ids = [beta.add_stream(counter), gamma.add_stream(counter)]
    values = 0
    for c, sid in zip((beta, gamma), ids):
        got = 0
        end = time.monotonic() + 10
        while got < 3 and time.monotonic() < end:
            got += sum(1 for r in c.update().results if r.id == sid)
        values += got
    return [alpha, beta, gamma], {"requests": 25 + 1 + 2, "calls": 25 + 3 + 2, "values": values}


def check_structure(fams):
    names = set(fams)
    k.check(all(n.startswith("krpcmux_") for n in names), "every metric is krpcmux_*")
    want = {"krpcmux_%s_total" % c for c in counters_in_source()}
    k.check(want <= names, "every counter of STATS_COUNTERS is exported: missing %r" % (want - names))
    k.check(all(fams[n].type == "counter" for n in want & names), "they are counters")
    page = open(os.path.join(SRC, "docs", "krpcmuxctl.1")).read().replace("\\-", "-")
    for f in fams.values():
        if f.type != "counter":
            k.check(f.name in page, "%s is documented in krpcmuxctl(1)" % f.name)
    hist = [f for f in fams.values() if f.type == "histogram"]
    k.check([f.name for f in hist] == ["krpcmux_request_duration_seconds"], "one histogram")


def check_traffic(fams, did):
    k.check(v(fams, "clients") == 3, "clients 3")
    k.check(v(fams, "streams", kind="shared") == 1, "one shared stream")
    k.check(v(fams, "streams", kind="owned") == 0, "no owned stream")
    k.check(v(fams, "subscriptions") == 2, "two subscriptions")
    k.check(v(fams, "upstream_up") == 1, "upstream up")
    states = {l["state"]: val for n, l, val in fams["krpcmux_upstream_state"].samples}
    k.check(states.get("ready") == 1 and sum(states.values()) == 1, "state ready alone: %r" % states)
    k.check(v(fams, "upstream_connected_seconds") > 0, "connected for a while")
    k.check(v(fams, "requests_total") == did["requests"],
          "requests_total %g == %d" % (v(fams, "requests_total"), did["requests"]))
    k.check(v(fams, "calls_total") == did["calls"], "calls_total == %d" % did["calls"])
    k.check(v(fams, "request_duration_seconds", "_count") == did["requests"],
          "one latency observation per answered request: %g" % v(fams, "request_duration_seconds", "_count"))
    k.check(v(fams, "request_duration_seconds", "_sum") > 0, "latency sum > 0")
    k.check(v(fams, "clients_accepted_total") == 3, "clients_accepted_total 3")
    k.check(v(fams, "add_stream_calls_total") == 2 and v(fams, "add_stream_shared_total") == 1
          and v(fams, "add_stream_upstream_total") == 1, "AddStream: 2 calls, 1 shared, 1 upstream")
    k.check(v(fams, "values_sent_total") >= did["values"],
          "values fanned out %g >= %d received" % (v(fams, "values_sent_total"), did["values"]))
    k.check(v(fams, "upstream_sessions_total") == 1 and v(fams, "upstream_reconnects_total") == 0,
          "one session, no reconnection")
    k.check(v(fams, "build_info", version=v_version()) == 1, "build_info carries the version")


def v_version():
    rc, out = ctl("/nonexistent", "--version")
    return out.split()[-1]


def check_down(adm):
    """After the server went away: up 0, a failure, reconnection attempts."""
    end = time.monotonic() + 15
    while True:
        fams = metrics(adm)
        if (v(fams, "upstream_up") == 0 and v(fams, "upstream_reconnects_total") >= 1) or \
                time.monotonic() > end:
            break
        time.sleep(0.2)
    k.check(v(fams, "upstream_up") == 0, "upstream down")
    k.check(v(fams, "upstream_failures_total") >= 1, "a failure counted")
    k.check(v(fams, "upstream_reconnects_total") >= 1, "reconnection attempts counted")
    k.check(v(fams, "clients") == 0, "clients closed with the session")
    states = {l["state"]: val for n, l, val in fams["krpcmux_upstream_state"].samples}
    k.check(states.get("ready") == 0 and sum(states.values()) == 1, "one state, not ready: %r" % states)


def main():
    sim = k.upstream("test_daemon_metrics")
    clients = []
    try:
        proxy = k.Proxy(sim, "metrics")
    except RuntimeError as e:
        sim.stop()
        print("FAIL: %s" % e)
        return 1
    try:
        clients, did = traffic(proxy.rpc, proxy.stream)
        fams = metrics(proxy.admin)
        check_structure(fams)
        check_traffic(fams, did)
        rc, out = ctl(proxy.admin, "metrics", "--json")
        k.check(rc == 1 and "no JSON form" in out, "metrics --json is a clear error")
        for c in clients:
            c.close()
        sim.stop()
        check_down(proxy.admin)
    except (expofmt.ExpoError, RuntimeError, KeyError, OSError) as e:
        k.failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        for c in clients:
            c.close()
        rc = proxy.stop()
        sim.stop()
    return k.verdict(k.failures, rc)


if __name__ == "__main__":
    sys.exit(main())
