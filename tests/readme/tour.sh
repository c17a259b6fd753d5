#!/usr/bin/env bash
# The README's tour, run as a newcomer would: start the demo, then paste every command of
# the "A short tour" block, in order, into a fresh shell at the repository root. Each must
# succeed (the block runs under `set -euo pipefail`), and what it prints must show that it
# did what the README says (a 201 for the write-back, records for the token, an SSE event).
#
# The block runs at the repository root, as the README says. Two things differ from a
# newcomer's machine, both by substitution in the block's text:
# the port (a free one instead of 8080, so a demo you have running is left alone) and the
# data directory (a throw-away one instead of data/demo). Nothing else is changed.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v jq >/dev/null || { echo "FATAL: the tour uses jq (apt-get install jq)"; exit 1; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# The block between "## A short tour" and the next heading, without its fences.
block=$(awk '/^## A short tour/{on=1; next} /^## /{on=0} on' README.md |
  awk '/^```sh/{inside=1; next} /^```/{inside=0} inside')
[ -n "$block" ] || { echo "FATAL: no tour block found in README.md"; exit 1; }
script="$work/tour.sh"
{
  echo 'set -euo pipefail'
  echo "$block" | sed -e "s#localhost:8080#localhost:$port#g" -e "s#data/demo#$work/demo#g"
} >"$script"

# The README's demo command, on the substituted port and directory.
target/release/citymirror demo --data-dir "$work/demo" --listen "127.0.0.1:$port" \
  --web-dir "$work/no-web" 2>"$work/demo.log" &
server=$!
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$work/demo.log"; exit 1; }
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { tail -20 "$work/demo.log"; exit 1; }

echo "== the README tour ($(grep -cv '^\s*\(#\|$\)' <<<"$block") commands) against a demo on port $port"
bash "$script" >"$work/tour.out" 2>"$work/tour.err" || {
  echo "FAIL: a tour command failed"; tail -30 "$work/tour.out"; cat "$work/tour.err"; exit 1;
}
out="$work/tour.out"
fail=0
expect() { grep -q -- "$2" "$out" || { echo "FAIL: $1 (no \"$2\" in the output)"; fail=1; }; }
expect "healthz answers" '"status"'
expect "the write-back is created" 'HTTP/1.1 201'
expect "the token reads person records" '"id_number"'
expect "the Civic Center is located" '莲花'
expect "search finds the Civic Center as a landmark" '"layer": "landmarks"'
expect "the live channel streams the simulator's changes" '^event: feature'
expect "Open311 lists the services" '"service_code": "0101"'
expect "an Open311 request with a minted key is filed" '"service_request_id"'
expect "the filed request went to the unit the matrix names" '城市管理和综合执法局'
expect "the figures cover the generated history" '"mean_handling_days"'
grep -q 'invalid_token\|malformed_credentials' "$out" && { echo "FAIL: a token was refused"; fail=1; }
[ -s "$work/tour.err" ] && { echo "what the commands said on stderr (the CLI reports there):"; cat "$work/tour.err"; }
[ $fail = 0 ] || { echo "--- output"; head -c 4000 "$out"; exit 1; }
echo "tour: every command succeeded; $(grep -m1 'bytes gzipped' "$out"), $(grep -c '^event: feature' "$out") live changes in 10 s"
