#!/usr/bin/env bash
# Full-scale twin benchmark (issue: "bbox of 1,000 buildings < 20 ms median; locate < 20 µs;
# server holds the full twin in < 2 GiB").
#
#   bench/twin.sh [DATA_DIR]      (default bench/out/full; generated at --scale 1.0 if empty)
#
# Prints: generate time and peak memory (if it generated), server start-up time and
# resident memory, the bbox that returns ~1,000 buildings, wrk's latency distribution for
# it plain and gzipped (and how much smaller gzip is), and the locate microbenchmark. Needs wrk (apt-get install wrk) and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-bench/out/full}"
port="${PORT:-18080}"
mkdir -p "$dir" bench/out
cargo build --release --quiet
bin=target/release/citymirror

if [ ! -s "$dir/citymirror.db" ]; then
  echo "== generate --scale 1.0 into $dir"
  /usr/bin/time -v $bin generate --scale 1.0 --seed 1 --data-dir "$dir" 2> bench/out/generate.log >/dev/null || { tail -30 bench/out/generate.log; exit 1; }
  grep -E 'generated in|Elapsed \(wall|Maximum resident' bench/out/generate.log
fi
$bin stats --data-dir "$dir"

echo "== serve"
start=$(date +%s.%N)
$bin serve --data-dir "$dir" --listen "127.0.0.1:$port" --rate-limit 0 2> bench/out/serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; kill -0 $server || { cat bench/out/serve.log; exit 1; }; done
echo "ready in $(echo "$(date +%s.%N) - $start" | bc) s; RSS $(($(ps -o rss= -p $server) / 1024)) MiB"

# Grow a square around the Futian CBD until it holds about 1,000 buildings.
url="http://127.0.0.1:$port/ogc/collections/buildings/items"
half=0.002
while :; do
  bbox=$(python3 -c "h=$half; print(f'{114.0553-h:.6f},{22.5405-h:.6f},{114.0553+h:.6f},{22.5405+h:.6f}')")
  n=$(curl -sf "$url?bbox=$bbox&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')
  [ "$n" -ge 1000 ] && break
  half=$(python3 -c "print($half*1.15)")
done
echo "== bbox $bbox matches $n buildings; limit=1000 returns $(curl -sf "$url?bbox=$bbox&limit=1000" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberReturned"])')"
echo "== wrk: 1 connection, 10 s, GET items?bbox=…&limit=1000"
wrk -t1 -c1 -d10s --latency "$url?bbox=$bbox&limit=1000" | sed -n '/Latency Distribution/,/Requests\/sec/p'
echo "== wrk: 4 connections, 10 s"
wrk -t2 -c4 -d10s --latency "$url?bbox=$bbox&limit=1000" | sed -n '/Latency Distribution/,/Requests\/sec/p'
echo "== the same answer gzipped (Accept-Encoding: gzip)"
plain=$(curl -sf -o /dev/null -w '%{size_download}' "$url?bbox=$bbox&limit=1000")
zipped=$(curl -sf -H 'accept-encoding: gzip' -o /dev/null -w '%{size_download}' "$url?bbox=$bbox&limit=1000")
echo "plain $plain bytes, gzip $zipped bytes: $(python3 -c "print(f'{$plain/$zipped:.1f}')")x smaller"
python3 -c "import sys; sys.exit(0 if $plain >= 5 * $zipped else 1)" || echo "FAIL: the gzip answer is less than 5x smaller"
echo "== wrk: 1 connection, 10 s, gzip"
wrk -t1 -c1 -d10s --latency -H 'Accept-Encoding: gzip' "$url?bbox=$bbox&limit=1000" | sed -n '/Latency Distribution/,/Requests\/sec/p'
echo "== wrk: 4 connections, 10 s, gzip"
wrk -t2 -c4 -d10s --latency -H 'Accept-Encoding: gzip' "$url?bbox=$bbox&limit=1000" | sed -n '/Latency Distribution/,/Requests\/sec/p'
echo "server RSS after load: $(($(ps -o rss= -p $server) / 1024)) MiB; peak (VmHWM): $(awk '/VmHWM/{print int($2/1024)}' /proc/$server/status) MiB"

echo "== locate microbenchmark (in-process, full-scale grids)"
CITYMIRROR_BENCH_DATA="$dir" cargo bench --quiet -p citymirror --bench locate 2>/dev/null
