#!/usr/bin/env bash
# Runs the browser tests against a throwaway server: builds the page and (if needed) the
# release binary, generates a small synthetic Futian, serves it on a free port, runs
# `npm test`, and stops the server.
#
#   web/tests/run.sh                      # everything
#   CITYMIRROR_BIN=path/to/citymirror web/tests/run.sh   # use a binary built elsewhere
#   CITYMIRROR_SCREENSHOTS=/tmp/shots web/tests/run.sh   # screenshots elsewhere
#
# Needs Node 20+, Debian's chromium (/usr/bin/chromium, or CHROMIUM_PATH) and, for the
# Chinese labels in screenshots, a CJK font (fonts-noto-cjk).
set -euo pipefail

web="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$web/.." && pwd)"
bin="${CITYMIRROR_BIN:-$root/target/release/citymirror}"
# A port the kernel says is free now (a random guess collides with other test runs).
free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}
port="${CITYMIRROR_TEST_PORT:-$(free_port)}"
data="$(mktemp -d -t citymirror-web-XXXXXX)"
server_pid=""
preview_pid=""

cleanup() {
  [[ -n "$preview_pid" ]] && kill "$preview_pid" 2>/dev/null || true
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  [[ -n "$server_pid" ]] && wait "$server_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

cd "$web"
[[ -d node_modules ]] || npm ci
npm run build

if [[ -z "${CITYMIRROR_BIN:-}" ]]; then
  (cd "$root" && cargo build --release --bin citymirror)
fi

"$bin" generate --scale "${CITYMIRROR_TEST_SCALE:-0.05}" --seed 1 --data-dir "$data" >"$data/generate.log" 2>&1
serve_args=(--data-dir "$data" --listen "127.0.0.1:$port")
# The server serves web/dist at / when told where it is (older builds cannot).
if "$bin" serve --help 2>/dev/null | grep -q -- '--web-dir'; then
  serve_args+=(--web-dir "$web/dist")
fi
"$bin" serve "${serve_args[@]}" >"$data/serve.log" 2>&1 &
server_pid=$!

url="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$data/serve.log"; exit 1; }
  sleep 0.5
done
curl -fsS "$url/healthz" >/dev/null

# Until the server serves web/dist at `/`, the page comes from `vite preview`, which
# proxies the APIs to the server (one origin for the page, as in production).
page_url="$url"
if ! curl -fsS "$url/" 2>/dev/null | grep -q 'id="area-panel"'; then
  preview_port="$(free_port)"
  CITYMIRROR_URL="$url" npx vite preview --host 127.0.0.1 --port "$preview_port" --strictPort >"$data/preview.log" 2>&1 &
  preview_pid=$!
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$preview_port/" >/dev/null 2>&1 && break
    sleep 0.5
  done
  page_url="http://127.0.0.1:$preview_port"
  echo "the server does not serve the page at / yet; using vite preview at $page_url"
fi

status=0
CITYMIRROR_URL="$url" CITYMIRROR_PAGE_URL="$page_url" npm test || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- server log (last 40 lines) ---"
  tail -n 40 "$data/serve.log"
fi
exit $status
