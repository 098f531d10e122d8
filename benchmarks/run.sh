#!/usr/bin/env bash
# Runs the JMH benchmarks and regenerates the results table (README.md) and chart (results/chart.svg).
#
#   benchmarks/run.sh quick   # 1 fork, short iterations: about 7 minutes on 2 cores
#   benchmarks/run.sh full    # the classes' own settings (3 forks x 5 x 2 s): about 55 minutes
#
# Extra arguments go to JMH (both invocations), e.g. `benchmarks/run.sh quick -p burst=100`.
# JMH_JAVA_OPTS is passed to the JMH launcher JVM (e.g. -Djmh.ignoreLock=true).
# Output: benchmarks/results/<profile>.json (JMH JSON, committed), <profile>.machine.txt, chart.svg.
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${1:-}"
case "$profile" in
  quick)
    timing=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
    footprint=(-f 1 -wi 0 -i 1)
    ;;
  full)
    timing=()      # @Fork/@Warmup/@Measurement on each class
    footprint=()
    ;;
  *)
    echo "usage: $0 quick|full [JMH args...]" >&2
    exit 2
    ;;
esac
shift

results=benchmarks/results
jar=benchmarks/target/benchmarks.jar
mkdir -p "$results"

echo "== building $jar"
mvn -B -q -pl benchmarks -am package -DskipTests

{
  echo "profile: $profile"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//') x $(nproc)"
  echo "os: $(uname -sr)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "load-before: $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo unknown)"
} > "$results/$profile.machine.txt.tmp"

# Footprint runs apart: one SingleShot iteration builds a million channels (tens of seconds).
echo "== timing benchmarks ($profile)"
# shellcheck disable=SC2086
java ${JMH_JAVA_OPTS:-} -jar "$jar" -e Footprint "${timing[@]}" "$@" \
  -rf json -rff "$results/$profile-timing.json.tmp"
echo "== footprint ($profile)"
# shellcheck disable=SC2086
java ${JMH_JAVA_OPTS:-} -jar "$jar" Footprint "${footprint[@]}" "$@" \
  -rf json -rff "$results/$profile-footprint.json.tmp"

echo "load-after: $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo unknown)" >> "$results/$profile.machine.txt.tmp"
python3 benchmarks/report.py merge "$results/$profile.json" \
  "$results/$profile-timing.json.tmp" "$results/$profile-footprint.json.tmp"
mv "$results/$profile.machine.txt.tmp" "$results/$profile.machine.txt"
rm -f "$results/$profile-timing.json.tmp" "$results/$profile-footprint.json.tmp"

echo "== report"
python3 benchmarks/report.py render "$results/$profile.json"
