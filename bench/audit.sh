#!/usr/bin/env bash
# Audit-log throughput while serving (issue 3: "at least 3,000 audit appends per second on
# the 2-core machine while serving requests").
#
#   bench/audit.sh [DATA_DIR] [SECONDS]   (default bench/out/audit, generated at --scale 0.2; 20 s)
#
# Serves the district and drives two loads at once with wrk for SECONDS:
#  - a grid worker reading persons of their grid, 5 a page: each response reveals 一般-3/4
#    fields, so each is written to the audit log (group-committed) before it is sent;
#  - anonymous OGC bbox queries over buildings, as a map client makes.
# Reports both request rates, then counts the entries actually appended and runs
# `audit verify` on the result. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-bench/out/audit}"
secs="${2:-20}"
port="${PORT:-18081}"
mkdir -p "$dir" bench/out
cargo build --release --quiet
bin=target/release/citymirror

if [ ! -s "$dir/citymirror.db" ]; then
  echo "== generate --scale 0.2 into $dir"
  $bin generate --scale 0.2 --seed 1 --data-dir "$dir" >/dev/null 2>bench/out/audit-generate.log || { tail bench/out/audit-generate.log; exit 1; }
fi
# The busiest grid, and a token for its grid worker (minted before the server starts: the
# log has one writer at a time).
grid=$(python3 - "$dir/citymirror.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT grid_code FROM persons GROUP BY grid_code ORDER BY count(*) DESC LIMIT 1").fetchone()[0])
PY
)
token=$($bin token create --data-dir "$dir" --role grid-worker --unit "$grid" --name bench 2>/dev/null | tail -1)
entries() { $bin audit verify --data-dir "$dir" | awk 'NR==1{print $1}'; }
before=$(entries)

$bin serve --data-dir "$dir" --listen "127.0.0.1:$port" --rate-limit 0 2> bench/out/audit-serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; kill -0 $server || { cat bench/out/audit-serve.log; exit 1; }; done

base="http://127.0.0.1:$port"
echo "== $secs s: audited record reads (grid $grid, 64 connections) + anonymous bbox reads (4 connections)"
wrk -t1 -c4 -d"${secs}s" "$base/ogc/collections/buildings/items?bbox=114.05,22.535,114.06,22.545&limit=100" > bench/out/audit-wrk-ogc.txt &
ogc=$!
wrk -t1 -c64 -d"${secs}s" --latency -H "Authorization: Bearer $token" "$base/api/v1/records/persons?grid=$grid&limit=5" | tee bench/out/audit-wrk-records.txt | sed -n '/Latency Distribution/,/Requests\/sec/p'
wait $ogc
echo "-- concurrent OGC reads: $(grep Requests/sec bench/out/audit-wrk-ogc.txt)"
errors=$(grep -E 'Non-2xx' bench/out/audit-wrk-records.txt || true)
[ -z "$errors" ] || { echo "records load saw errors: $errors"; exit 1; }
kill -INT $server; wait $server || true
trap - EXIT

after=$(entries)
appended=$((after - before))
echo "== appended $appended audit entries in $secs s: $((appended / secs)) appends/s"
$bin audit verify --data-dir "$dir"

echo "== in-process: 64 appenders on the server's own log while it serves wrk (OGC bbox + audited reads)"
CITYMIRROR_BENCH_DATA="$PWD/$dir" CITYMIRROR_BENCH_SECONDS="$secs" cargo bench --quiet -p citymirror --bench audit 2>/dev/null
