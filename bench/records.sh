#!/usr/bin/env bash
# Block-data listing (issue 11: "at least twice today's rate on the full-scale twin"): pages
# of 100 person records through /api/v1/records/persons, as a district administrator
# (every record) and as a street's staff (one street's jurisdiction, a grid-code range),
# with wrk at 8 connections for 10 s each.
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
for who in admin street; do
  token=${!who}
  n=$(curl -sf -H "authorization: Bearer $token" "$url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["records"]))')
  echo "== $who: a page holds $n records"
  wrk -t2 -c8 -d10s --latency -H "authorization: Bearer $token" "$url" | sed -n '/Latency Distribution/,/Requests\/sec/p'
done
