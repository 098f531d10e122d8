#!/usr/bin/env bash
# Installs Deno and Bun from the npm registry into graaljs-benchmarks/peers/.runtimes/ (ignored by git),
# for run.py. Node is the machine's own `node`. Only the platform packages that hold the binaries are
# fetched (the `deno` and `bun` packages only pick one of them), with --ignore-scripts: no install
# script runs and nothing else is downloaded.
#
#   graaljs-benchmarks/peers/install.sh            # DENO_VERSION / BUN_VERSION override the pinned ones
set -euo pipefail
cd "$(dirname "$0")"
deno_version="${DENO_VERSION:-2.9.6}"
bun_version="${BUN_VERSION:-1.4.5}"
case "$(uname -sm)" in
  "Linux x86_64")
    deno_pkg="@deno/linux-x64-glibc"
    # Bun's default x64 build needs AVX2; its -baseline build runs on any x86-64.
    if grep -q avx2 /proc/cpuinfo 2>/dev/null; then bun_pkg="@oven/bun-linux-x64"; else bun_pkg="@oven/bun-linux-x64-baseline"; fi
    ;;
  "Linux aarch64") deno_pkg="@deno/linux-arm64-glibc"; bun_pkg="@oven/bun-linux-aarch64" ;;
  *) echo "install.sh: no Deno/Bun packages chosen for $(uname -sm); install them by hand into PATH" >&2; exit 1 ;;
esac
mkdir -p .runtimes/bin
npm install --prefix .runtimes --no-save --no-audit --no-fund --ignore-scripts \
  "$deno_pkg@$deno_version" "$bun_pkg@$bun_version"
ln -sf "../node_modules/$deno_pkg/deno" .runtimes/bin/deno
ln -sf "../node_modules/$bun_pkg/bin/bun" .runtimes/bin/bun
chmod +x "$(readlink -f .runtimes/bin/deno)" "$(readlink -f .runtimes/bin/bun)"
echo "deno: $(.runtimes/bin/deno --version | head -1)"
echo "bun:  $(.runtimes/bin/bun --version)"
