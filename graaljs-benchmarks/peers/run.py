#!/usr/bin/env python3
"""The peer benchmark: the same JavaScript (cases.mjs, start.mjs) in entangle-js and in Node, Deno and Bun.

    graaljs-benchmarks/peers/install.sh                 # once: Deno and Bun from npm into peers/.runtimes/
    graaljs-benchmarks/peers/run.py                     # 3 rounds, 6 s warmup + 3 s measurement per case
    graaljs-benchmarks/peers/run.py --write-readme      # the same, and the table into graaljs-benchmarks/README.md
    graaljs-benchmarks/peers/run.py --smoke             # every case once, tiny times (CI; figures meaningless;
                                                        # entangle-js compiled only with --runtimes)

Runtimes: node (the PATH's), deno and bun (peers/.runtimes/bin, else the PATH), entangle-js interpreted and
compiled (graaljs/target/entangle-js on the JDK at ENTANGLE_JDK21, default Temurin 25's usual place). One
that is not installed is skipped, saying so. Every round runs every runtime once, in an order rotated each
round (interleaved, so a change in the machine's load spreads over all of them); a runtime's result per case
is the median over the rounds of its in-process median (cases.mjs). Start-up: start.mjs, `--starts` times
per runtime and round, timed from process start to its first line (after the first worker message).
Output: peers/results/<profile>.json and .md (ignored by git); the load average is recorded per round.
"""
import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PEERS = ["node", "deno", "bun"]
CASES = [  # name, unit, what the table calls it
    ("channelPingPong", "us/roundtrip", "same-realm MessageChannel ping-pong, small object"),
    ("workerPingPong", "us/roundtrip", "main ↔ Worker ping-pong, small object `{id, name, ok, xs: [1,2,3]}`"),
    ("workerBurst", "msg/s", "main → Worker burst, small objects"),
    ("postMessageCall", "us/call", "`postMessage` call, 16-char string (sender side)"),
    ("buffer1MiBRoundTrip", "us/roundtrip", "1 MiB `ArrayBuffer` transferred there and back"),
    ("structuredCloneGraph50", "us/call", "`structuredClone`, 50-object graph"),
]
START_TARGET_MS = 500
WORKER_TARGET_MS = 20


def load():
    try:
        with open("/proc/loadavg") as f:
            return " / ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def runtimes():
    """name -> (command prefix, environment) for every runtime found; prints the ones skipped."""
    found, env = {}, dict(os.environ)
    local = os.path.join(HERE, ".runtimes", "bin")
    for name, args in (("node", []), ("deno", ["run", "-A"]), ("bun", ["run"])):
        exe = os.path.join(local, name) if os.access(os.path.join(local, name), os.X_OK) else shutil.which(name)
        if exe:
            found[name] = ([exe] + args, env)
        else:
            print(f"peers: SKIPPED {name}: not installed (graaljs-benchmarks/peers/install.sh puts Deno and Bun "
                  f"in peers/.runtimes/)", flush=True)
    jdk = os.environ.get("ENTANGLE_JDK21", "/usr/lib/jvm/temurin-25-jdk-amd64")
    launcher = os.path.join(ROOT, "graaljs", "target", "entangle-js")
    if not os.access(launcher, os.X_OK):
        print(f"peers: SKIPPED entangle-js: no {launcher} (JAVA_HOME={jdk} mvn -B package -pl graaljs -am)")
    elif not os.access(os.path.join(jdk, "bin", "java"), os.X_OK):
        print(f"peers: SKIPPED entangle-js: no JDK 21+ at {jdk} (set ENTANGLE_JDK21)")
    else:
        jenv = dict(env, JAVA_HOME=jdk)
        jenv.pop("ENTANGLE_JAVA", None)
        found["entangle-js"] = ([launcher, "--interpreted"], jenv)
        found["entangle-js-compiled"] = ([launcher, "--compiled"], jenv)
    return found


def version(name, cmd, env):
    if name.startswith("entangle-js"):
        out = subprocess.run([os.path.join(env["JAVA_HOME"], "bin", "java"), "-version"], capture_output=True,
                             text=True).stderr.splitlines()
        return "GraalJS 25.0.2 on " + (out[0] if out else "?")
    out = subprocess.run([cmd[0], "--version"], capture_output=True, text=True).stdout.strip().splitlines()
    return out[0] if out else "?"


def run_cases(cmd, env, timeout):
    proc = subprocess.run(cmd + [os.path.join(HERE, ".run.mjs")], cwd=HERE, env=env, capture_output=True,
                          text=True, timeout=timeout)
    rows = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            r = json.loads(line)
            rows[r["case"]] = r
    if proc.returncode != 0 or len(rows) != len(CASES):
        raise RuntimeError(f"exit {proc.returncode}, {len(rows)} of {len(CASES)} cases; stderr: "
                           f"{proc.stderr.strip()[-600:]}")
    return rows


def run_start(cmd, env, timeout):
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd + [os.path.join(HERE, "start.mjs")], cwd=HERE, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    start_ms = (time.monotonic() - t0) * 1000
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if not line.startswith("{"):
        raise RuntimeError(f"no first line; stderr: {proc.stderr.read().strip()[-600:]}")
    return start_ms, json.loads(line)["workerMs"]


def fmt(v, unit):
    if v is None:
        return "—"
    if unit == "msg/s":
        return f"{v / 1000:,.1f} k msg/s"
    if unit == "ms":
        return f"{v:,.0f} ms" if v >= 10 else f"{v:,.1f} ms"
    return f"{v:,.0f} µs" if v >= 100 else f"{v:,.1f} µs" if v >= 1 else f"{v:,.2f} µs"


def ratio(v, best, unit):
    if v is None or best is None:
        return None
    return best / v if unit == "msg/s" else v / best


def table(results, names, key):
    """Markdown rows of the steady (key 'value') or cold (key 'cold') figures."""
    peers = [p for p in PEERS if p in names]
    ours = [n for n in ("entangle-js", "entangle-js-compiled") if n in names]
    head = ["case"] + peers + ["best peer"] + [c for n in ours for c in (
        "entangle-js " + ("compiled" if n.endswith("compiled") else "interpreted"), "ratio")]
    rows = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    for name, unit, label in CASES:
        vals = {n: median([r[name][key] for r in results[n]["rounds"] if r and name in r]) for n in names}
        pv = {p: vals[p] for p in peers if vals[p] is not None}
        best = (max if unit == "msg/s" else min)(pv.items(), key=lambda kv: kv[1]) if pv else None
        cells = [label] + [fmt(vals[p], unit) for p in peers]
        cells.append(f"{fmt(best[1], unit)} ({best[0]})" if best else "—")
        for n in ours:
            x = ratio(vals[n], best[1] if best else None, unit)
            cells += [fmt(vals[n], unit), "—" if x is None else (f"{x:,.1f}×" + (" ✗" if x > 1 else " ✓"))]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def start_rows(results, names):
    peers = [p for p in PEERS if p in names]
    ours = [n for n in ("entangle-js", "entangle-js-compiled") if n in names]
    head = ["start-up"] + peers + ["best peer"] + [c for n in ours for c in (
        "entangle-js " + ("compiled" if n.endswith("compiled") else "interpreted"), "ratio")]
    rows = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    for i, label, target in ((0, "process start → first worker message", START_TARGET_MS),
                             (1, "`new Worker` → first message", WORKER_TARGET_MS)):
        vals = {n: median([s[i] for s in results[n]["starts"]]) for n in names}
        pv = {p: vals[p] for p in peers if vals[p] is not None}
        best = min(pv.items(), key=lambda kv: kv[1]) if pv else None
        cells = [label] + [fmt(vals[p], "ms") for p in peers]
        cells.append(f"{fmt(best[1], 'ms')} ({best[0]})" if best else "—")
        for n in ours:
            x = ratio(vals[n], best[1] if best else None, "ms")
            mark = "" if vals[n] is None else (f" (target ≤ {target} ms " + ("✓)" if vals[n] <= target else "✗)"))
            cells += [fmt(vals[n], "ms") + mark, "—" if x is None else f"{x:,.1f}×"]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="1 round, ~0.1 s per case: checks that all runs")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=float, default=6.0, help="seconds of warmup per case (every runtime)")
    ap.add_argument("--measure", type=float, default=3.0, help="seconds of measurement per case")
    ap.add_argument("--starts", type=int, default=2, help="start-up runs per runtime and round")
    ap.add_argument("--runtimes", help="comma-separated subset of node,deno,bun,entangle-js,entangle-js-compiled")
    ap.add_argument("--write-readme", action="store_true", help="put the tables into graaljs-benchmarks/README.md")
    ap.add_argument("--name", help="results/<name>.json and .md (default: full, or smoke)")
    a = ap.parse_args()
    if a.smoke:
        a.rounds, a.warmup, a.measure, a.starts = 1, 0.05, 0.05, 1
    profile = a.name or ("smoke" if a.smoke else "full")
    found = runtimes()
    if a.runtimes:
        keep = a.runtimes.split(",")
        found = {k: v for k, v in found.items() if k in keep}
    elif a.smoke and "entangle-js-compiled" in found:
        # Its compiler's own warm-up takes 20-40 s on 2 cores: more than a smoke run. .ci/run runs the
        # demo with --compiled instead; `--smoke --runtimes entangle-js-compiled` runs it here.
        del found["entangle-js-compiled"]
        print("peers: smoke leaves out entangle-js-compiled (its warm-up alone exceeds a smoke run)")
    names = list(found)
    with open(os.path.join(HERE, ".run.mjs"), "w") as f:
        f.write("// Generated by run.py (ignored by git): the parameters of this run.\n"
                "import { main } from './cases.mjs';\n"
                f"await main({{ warmupMs: {a.warmup * 1000:.0f}, measureMs: {a.measure * 1000:.0f}, "
                f"minBatchMs: {5 if a.smoke else 20} }});\n")
    timeout = 120 + len(CASES) * (a.warmup + a.measure) * 3
    results = {n: {"version": version(n, *found[n]), "rounds": [], "starts": [], "errors": []} for n in names}
    meta = {"profile": profile, "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                     text=True).stdout.strip() or "unknown",
            "cpu": f"{os.cpu_count()} cores", "args": vars(a), "loads": [load()]}
    began = time.monotonic()
    for rnd in range(a.rounds):
        order = names[rnd % len(names):] + names[:rnd % len(names)] if names else []
        for n in order:
            cmd, env = found[n]
            try:
                results[n]["rounds"].append(run_cases(cmd, env, timeout))
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                results[n]["rounds"].append(None)
                results[n]["errors"].append(f"round {rnd + 1} cases: {e}")
            for _ in range(a.starts):
                try:
                    results[n]["starts"].append(run_start(cmd, env, 60))
                except RuntimeError as e:
                    results[n]["errors"].append(f"round {rnd + 1} start: {e}")
            print(f"peers: round {rnd + 1}/{a.rounds} {n} done ({time.monotonic() - began:.0f} s, load {load()})",
                  flush=True)
        meta["loads"].append(load())
    meta["seconds"] = round(time.monotonic() - began)
    lines = [f"Measured {meta['date']} at commit `{meta['commit']}`, {meta['cpu']}, "
             f"`run.py{' --smoke' if a.smoke else ''}` ({a.rounds} rounds, {a.warmup:g} s warmup + "
             f"{a.measure:g} s measurement per case, {a.starts} start-ups per runtime and round, "
             f"{meta['seconds']} s in all); load average (1/5/15 min) before and after each round: "
             + "; ".join(meta["loads"]) + ".", "",
             "Versions: " + "; ".join(f"{n} {results[n]['version']}" for n in names) + ".", "",
             "Steady state (medians; ratio = entangle-js ÷ best peer, for msg/s best peer ÷ entangle-js; "
             "✓ meets the target ≤ 1×, ✗ misses it):", ""]
    lines += table(results, names, "value")
    lines += ["", "Cold (the first operation of the process, before any warmup):", ""]
    lines += table(results, names, "cold")
    lines += ["", "Start-up (wall time, medians):", ""]
    lines += start_rows(results, names)
    errors = [f"- {n}: {e}" for n in names for e in results[n]["errors"]]
    if errors:
        lines += ["", "Errors:"] + errors
    text = "\n".join(lines) + "\n"
    out = os.path.join(HERE, "results")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, profile + ".json"), "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    with open(os.path.join(out, profile + ".md"), "w") as f:
        f.write(text)
    print(text)
    if a.write_readme:
        path = os.path.join(ROOT, "graaljs-benchmarks", "README.md")
        readme = open(path).read()
        begin, end = "<!-- peers:begin (run.py --write-readme) -->\n", "<!-- peers:end -->\n"
        if begin not in readme or end not in readme:
            sys.exit(f"peers: {path} has no {begin.strip()} ... {end.strip()} section")
        head, rest = readme.split(begin, 1)
        readme = head + begin + text + end + rest.split(end, 1)[1]
        open(path, "w").write(readme)
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
