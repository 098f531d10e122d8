#!/usr/bin/env bash
# Runs the GraalJS JMH benchmarks and prints each result with its ratio to its baseline (same run).
#
#   graaljs-benchmarks/run.sh quick   # 1 fork, 4 x 2 s warmup, 3 x 2 s measurement: about 5 minutes on 2 cores
#   graaljs-benchmarks/run.sh full    # the classes' own settings (1 fork, 5 x 2 s + 5 x 2 s): about 6 minutes
#   graaljs-benchmarks/run.sh smoke   # 1 iteration of 1 s, no warmup: under a minute, figures meaningless
#
# Needs a JDK 21+ (GraalJS 25): ENTANGLE_JDK21, default Temurin 25's usual place. Extra arguments go
# to JMH, e.g. `graaljs-benchmarks/run.sh quick JsPingPong`.
# ENTANGLE_JS_MODE=compiled runs the forks with Truffle's optimizing runtime (the Graal compiler jars of
# graaljs/target/jvmci on the upgrade module path; JDK 25 only); default interpreted.
# (These JVM options replace the classes' @Fork jvmArgsAppend.)
# Output: graaljs-benchmarks/results/<profile>[-compiled].json (JMH JSON) and .machine.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

JDK21="${ENTANGLE_JDK21:-/usr/lib/jvm/temurin-25-jdk-amd64}"
profile="${1:-}"
case "$profile" in
  quick) timing=(-f 1 -wi 4 -w 2s -i 3 -r 2s) ;;
  full)  timing=() ;;
  smoke) timing=(-f 1 -wi 0 -i 1 -r 1s) ;;  # checks that everything runs; figures meaningless
  *)
    echo "usage: $0 quick|full|smoke [JMH args...]" >&2
    exit 2
    ;;
esac
shift

results=graaljs-benchmarks/results
jar=graaljs-benchmarks/target/benchmarks-js.jar
mkdir -p "$results"
mode="${ENTANGLE_JS_MODE:-interpreted}"
case "$mode" in
  interpreted) jvm=(--enable-native-access=ALL-UNNAMED -Dentangle.js.mode=interpreted); out="$profile" ;;
  compiled)
    jvm=(--enable-native-access=ALL-UNNAMED -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI --upgrade-module-path="$PWD/graaljs/target/jvmci"
         -Dentangle.js.mode=compiled)
    out="$profile-compiled"
    ;;
  *) echo "ENTANGLE_JS_MODE must be interpreted or compiled" >&2; exit 2 ;;
esac
feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JDK21/release" 2>/dev/null || true)
if [ -n "$feature" ] && [ "$feature" -ge 24 ]; then
  jvm+=(--sun-misc-unsafe-memory-access=allow) # JCTools' Unsafe warning (graaljs/src/main/launcher/entangle-js)
fi

echo "== building $jar"
JAVA_HOME="$JDK21" mvn -B -q package -pl graaljs-benchmarks -am -DskipTests

{
  echo "profile: $profile, mode: $mode"
  echo "jmh-options: ${timing[*]:-class defaults} $*"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//') x $(nproc)"
  echo "os: $(uname -sr)"
  echo "java: $("$JDK21/bin/java" -version 2>&1 | head -1)"
  echo "load-before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
} > "$results/$out.machine.txt"

"$JDK21/bin/java" -jar "$jar" "${timing[@]}" -jvmArgsAppend "${jvm[*]}" "$@" -rf json -rff "$results/$out.json"
echo "load-after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)" >> "$results/$out.machine.txt"

echo "== ratios to the baselines of the same run"
python3 - "$results/$out.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
score = {}
for r in rows:
    name = r["benchmark"].rsplit(".", 2)
    key = (name[-2], name[-1], r.get("params", {}).get("shape") or r.get("params", {}).get("impl") or "")
    err = r["primaryMetric"]["scoreError"]
    err = float(err) if err not in ("NaN", None) else float("nan")  # NaN with a single iteration
    score[key] = (r["primaryMetric"]["score"], err, r["primaryMetric"]["scoreUnit"])
for (cls, bench, param), (s, err, unit) in sorted(score.items()):
    note = ""
    if cls == "JsCloneBenchmark" and bench == "structuredClone":
        j = score.get((cls, "json", param))
        f = score.get((cls, "floor", ""))
        if j:
            note += f"  {s / j[0]:.2f}x json"
        if f:
            note += f"  ({s - f[0]:.0f} net of floor)"
    if cls == "JsPingPongBenchmark" and bench == "js":
        b = score.get((cls, "javaBaseline", ""))
        if b:
            note += f"  {s / b[0]:.0f}x javaBaseline"
        one = score.get((cls, "js", "js-one-realm"))
        if one and param == "js-two-realms":
            note += f"  {s / one[0]:.2f}x js-one-realm"
    print(f"{cls}.{bench:16} {param:14} {s:14.3f} ± {err:10.3f} {unit}{note}")
PY
