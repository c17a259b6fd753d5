#!/usr/bin/env bash
# Block-data listing (issue 11: "at least twice today's rate on the full-scale twin"): pages
# of 100 person records through /api/v1/records/persons, as a district administrator
# (every record) and as a street's staff (one street's jurisdiction, a grid-code range),
# first pages and a later page (`after` the first page's last record), with wrk at 8
# connections for 10 s each.
#
# Measured 2026-12-07 at full scale (2 cores, SQLite), before → after issue 11:
#   admin 876 → 1,309–1,442 req/s; street 243 → 1,489 req/s (p50 31.8 → 5.3 ms).
#
#   bench/records.sh [DATA_DIR]   (default bench/out/full; generated at --scale 1.0 if empty)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-bench/out/full}"
port="${PORT:-18621}"
mkdir -p bench/out
cargo build --release --quiet
bin=target/release/citymirror
if [ ! -s "$dir/citymirror.db" ]; then
  $bin generate --scale 1.0 --seed 1 --data-dir "$dir" >/dev/null 2>bench/out/records-generate.log
fi
admin=$($bin token create --data-dir "$dir" --role district-admin --name bench-records 2>/dev/null | tail -1)
street=$($bin token create --data-dir "$dir" --role street-staff --unit 440304001 --name bench-records 2>/dev/null | tail -1)
$bin serve --data-dir "$dir" --listen "127.0.0.1:$port" --rate-limit 0 2>bench/out/records-serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; kill -0 $server || { cat bench/out/records-serve.log; exit 1; }; done
url="http://127.0.0.1:$port/api/v1/records/persons?limit=100"
page() { curl -sf -H "authorization: Bearer $1" "$2" | python3 -c 'import json,sys; p=json.load(sys.stdin); print(len(p["records"]), p["next_after"])'; }
for who in admin street; do
  token=${!who}
  read -r n next < <(page "$token" "$url")
  for u in "$url" "$url&after=$next"; do
    read -r n _ < <(page "$token" "$u")
    echo "== $who, ${u#*\?}: a page holds $n records"
    wrk -t2 -c8 -d10s --latency -H "authorization: Bearer $token" "$u" | sed -n '/Latency Distribution/,/Requests\/sec/p'
  done
done
