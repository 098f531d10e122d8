#!/usr/bin/env bash
# Installs the npm libraries JsLibrariesTest runs (package.json beside this file, exact versions) into
# graaljs/target/npm (ignored by git). Needs npm and the npm registry; without npm it says so and does nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$here/../../../target/npm"
if ! command -v npm >/dev/null 2>&1; then
  echo "graaljs library tests: SKIPPED, no npm to install comlink and workerpool"
  exit 0
fi
mkdir -p "$target"
cp "$here/package.json" "$target/package.json"
(cd "$target" && npm install --no-audit --no-fund --no-package-lock --ignore-scripts --loglevel=error)
echo "graaljs library tests: comlink and workerpool installed in $(cd "$target" && pwd)/node_modules"
