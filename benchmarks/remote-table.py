#!/usr/bin/env python3
"""Prints the ratio table of benchmark 8 (RemoteAeron: ports across processes against raw Aeron)
from a JMH JSON result, for the "Across processes" section of benchmarks/README.md.

    java -jar benchmarks/target/benchmarks.jar RemoteAeron -f 1 -wi 3 -w 2s -i 5 -r 2s \\
        -rf json -rff benchmarks/results/remote.json
    python3 benchmarks/remote-table.py benchmarks/results/remote.json

Standard library only. Every ratio compares two rows of the same run (entangle / aeron); the issue 17
targets: over IPC, round trip p50 <= 2x and one-way >= 0.5x; over UDP, round trip p50 <= 2x. One
table per driver mode in the file (the `driver` param: invoker, spin, backoff). The `local` column is
the same port calls on an in-process MessageChannel (no node, no Aeron): the core's share.
"""
import json
import sys

BENCH = "dev.entangle.bench.RemoteAeron."
TARGETS = {
    ("ipc", "RTT p50"): ("<= 2x", lambda r: r <= 2),
    ("udp", "RTT p50"): ("<= 2x", lambda r: r <= 2),
    ("ipc", "one-way"): (">= 0.5x", lambda r: r >= 0.5),
}


def rows(results):
    found = {}
    for row in results:
        name = row["benchmark"]
        if not name.startswith(BENCH):
            continue
        params = row["params"]
        key = (params.get("driver", "backoff"), name[len(BENCH):], params["impl"], params["transport"])
        found[key] = row["primaryMetric"]
    return found


def fmt_ns(ns):
    return "%.1f µs" % (ns / 1e3) if ns >= 1e3 else "%.0f ns" % ns


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as f:
        everything = rows(json.load(f))
    for driver in sorted({key[0] for key in everything}):
        found = {key[1:]: v for key, v in everything.items() if key[0] == driver}
        print("driver `%s`:\n" % driver)
        print("| transport | measure | entangle-remote | raw Aeron | ratio | issue 17 target | local (in-process) |")
        print("| --- | --- | ---: | ---: | ---: | --- | ---: |")
        for transport in ("ipc", "udp"):
            for q in ("50.0", "90.0", "99.0"):
                ent = found.get(("roundTrip", "entangle", transport))
                raw = found.get(("roundTrip", "aeron", transport))
                if ent is None or raw is None:
                    continue
                local = found.get(("roundTrip", "local", transport))
                e, b = ent["scorePercentiles"][q], raw["scorePercentiles"][q]
                measure = "RTT p%d" % int(float(q))
                print(row(transport, measure, fmt_ns(e), fmt_ns(b), e / b,
                          fmt_ns(local["scorePercentiles"][q]) if local else ""))
            ent = found.get(("oneWay", "entangle", transport))
            raw = found.get(("oneWay", "aeron", transport))
            if ent is not None and raw is not None:
                local = found.get(("oneWay", "local", transport))
                e, b = ent["score"], raw["score"]
                print(row(transport, "one-way", "%.2f Mmsg/s" % (e / 1e6), "%.2f Mmsg/s" % (b / 1e6), e / b,
                          "%.2f Mmsg/s" % (local["score"] / 1e6) if local else ""))
        print()


def row(transport, measure, ent, raw, ratio, local):
    target = TARGETS.get((transport, measure))
    verdict = "" if target is None else "%s %s" % (target[0], "✅" if target[1](ratio) else "❌")
    return "| %s | %s | %s | %s | %.2f× | %s | %s |" % (transport, measure, ent, raw, ratio, verdict, local)


if __name__ == "__main__":
    main(sys.argv)
