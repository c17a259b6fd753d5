#!/usr/bin/env bash
# The dashboard's queries at full scale (issue 12): every figure of the statistics
# dashboard, hot spots, the map's open tickets and a handler's queue, over the 530,000
# historical tickets the generator writes, each answered in under 300 ms. Times are
# whole HTTP round trips from curl (the server's work, JSON encoding and transfer),
# after one warm-up request each, on an otherwise idle server.
#
#   bench/stats.sh [DATA_DIR]   (default bench/out/stats: a copy of bench/intake.sh's
#                                pristine district when there is one, else generated)
#   REPEAT=20 SCALE=1.0 bench/stats.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-bench/out/stats}"
port="${PORT:-18632}"
repeat="${REPEAT:-20}"
mkdir -p bench/out
cargo build --release --quiet
bin=target/release/citymirror
if [ ! -s "$dir/citymirror.db" ] && [ -s bench/out/intake.pristine/citymirror.db ]; then
  cp -r bench/out/intake.pristine "$dir"
fi
if [ ! -s "$dir/citymirror.db" ]; then
  echo "generating the district at scale ${SCALE:-1.0} into $dir …"
  $bin generate --scale "${SCALE:-1.0}" --seed 1 --data-dir "$dir" >/dev/null 2>bench/out/stats-generate.log \
    || { tail bench/out/stats-generate.log; exit 1; }
fi
$bin serve --data-dir "$dir" --listen "127.0.0.1:$port" 2>bench/out/stats-serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
  sleep 0.2; kill -0 $server || { cat bench/out/stats-serve.log; exit 1; }
done
token=$($bin token create --data-dir "$dir" --role district-admin --name bench-stats 2>/dev/null | tail -1)
year_ago=$(date -u -d '1 year ago' +%Y-%m-%dT00:00:00Z)
now=$(date -u +%Y-%m-%dT00:00:00Z)
queries=(
  "/api/v1/tickets/stats"
  "/api/v1/tickets/stats?area=440304001"
  "/api/v1/tickets/stats?family=01&from=$year_ago&to=$now"
  "/api/v1/tickets/hotspots"
  "/api/v1/tickets/map"
  "/api/v1/tickets?limit=50"
)
results=()
for q in "${queries[@]}"; do
  url="http://127.0.0.1:$port$q"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url")
  [ "$code" = 200 ] || { echo "$q answered $code"; exit 1; }
  times=$(for _ in $(seq "$repeat"); do
    curl -s -o /dev/null -w '%{time_total} %{size_download}\n' -H "Authorization: Bearer $token" "$url"
  done)
  results+=("$q"$'\t'"$(echo "$times" | tr '\n' ';')")
done
rss=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
printf '%s\n' "${results[@]}" | python3 -c '
import json, sys
rss, worst = int(sys.argv[1]), 0.0
rows = []
for line in sys.stdin:
    q, samples = line.rstrip("\n").split("\t")
    pairs = [s.split() for s in samples.split(";") if s.strip()]
    ms = sorted(float(t) * 1000 for t, _ in pairs)
    p = lambda f: ms[min(len(ms) - 1, int(f * len(ms)))]
    worst = max(worst, p(0.95))
    rows.append({"query": q, "p50_ms": round(p(0.5), 1), "p95_ms": round(p(0.95), 1),
                 "max_ms": round(ms[-1], 1), "bytes": int(pairs[0][1])})
print(json.dumps({"queries": rows, "worst_p95_ms": round(worst, 1),
                  "server_peak_rss_mb": rss // 1024}, ensure_ascii=False, indent=1))
sys.exit(0 if worst < 300 else 1)
' "$rss"
