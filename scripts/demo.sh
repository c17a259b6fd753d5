#!/usr/bin/env bash
# The demo on a fresh clone (README: "Run the demo"): builds the browser twin (web/ →
# web/dist, with the npm registry's packages only; nothing is fetched at run time) and
# the server, then runs `citymirror demo` — a demo-scale Futian with the live simulator,
# on http://127.0.0.1:8080/. Arguments are passed to `citymirror demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "demo: npm (Node.js 20.19 or later) is needed to build web/"; exit 1; }
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "== npm ci (web/)"
  npm --prefix web ci --no-audit --no-fund
fi
echo "== building the web UI (web/dist)"
npm --prefix web run build --silent

echo "== cargo build --release"
cargo build --release --quiet
exec target/release/citymirror demo --web-dir web/dist "$@"
