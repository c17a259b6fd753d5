#!/usr/bin/env bash
# One Datastream's last 24 hours at 1-minute resolution, with 20 million observations
# stored (PostgreSQL, the observation table partitioned by month).
#
#   bench/sensing_query.sh [MILLIONS] [STREAMS]   (defaults 20 1000)
#
# Makes a fresh database `cm_sensing_bench`, generates a small twin into it (the
# devices' Datastreams are what matters), bulk-loads MILLIONS of observations spread
# over STREAMS device Datastreams and the last 24 hours with SQL (as a migration from an
# older system would), rolls them up with SQL as the ingest would have, then serves it
# and times 200 requests of /api/v1/sensing/series (and the SensorThings extension)
# for different Datastreams, reporting p50/p95/max.
set -euo pipefail
cd "$(dirname "$0")/.."
millions=${1:-20}
streams=${2:-1000}
admin=${CITYMIRROR_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
db=${admin%/*}/cm_sensing_bench
cargo build --release --quiet
bin=target/release/citymirror
port=18490
start() {
  $bin serve --database "$db" --listen "127.0.0.1:$port" --rate-limit 0 2>>bench/out/sensing_query.serve.log &
  server=$!
  for i in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
}
mkdir -p bench/out
: >bench/out/sensing_query.serve.log
# KEEP=1 times the queries again on the database an earlier run loaded.
if [ "${KEEP:-0}" != 1 ]; then
psql "$admin" -qc 'DROP DATABASE IF EXISTS cm_sensing_bench' -c 'CREATE DATABASE cm_sensing_bench'
$bin generate --scale 0.05 --seed 7 --database "$db" 2>/dev/null
start   # makes this month's partitions
kill $server; wait $server 2>/dev/null || true
echo "== loading ${millions}M observations over $streams Datastreams"
t0=$(date +%s)
psql "$db" -q <<SQL
CREATE TEMP TABLE picked AS
  SELECT (id * 8) AS stream, id AS device FROM devices ORDER BY id LIMIT $streams;
INSERT INTO sta_observations (stream_id, multi, phenomenon_start, result_num, foi_id)
  SELECT p.stream, false,
         now() - (i * (86400.0 / ($millions * 1000000 / $streams)) || ' seconds')::interval,
         round((random() * 5)::numeric, 2), p.device
  FROM picked p, generate_series(1, ($millions * 1000000 / $streams)::int) AS i;
INSERT INTO sta_rollups (stream_id, resolution, bucket, n, sum, min, max)
  SELECT stream_id, 60, date_trunc('minute', phenomenon_start), count(*), sum(result_num), min(result_num), max(result_num)
  FROM sta_observations GROUP BY 1, 3;
INSERT INTO sta_rollups (stream_id, resolution, bucket, n, sum, min, max)
  SELECT stream_id, 3600, date_trunc('hour', phenomenon_start), count(*), sum(result_num), min(result_num), max(result_num)
  FROM sta_observations GROUP BY 1, 3;
INSERT INTO meta (key, value) SELECT 'sta_rollup_watermark', max(id)::text FROM sta_observations
  ON CONFLICT (key) DO UPDATE SET value = excluded.value;
ANALYZE sta_observations; ANALYZE sta_rollups;
SQL
echo "loaded in $(( $(date +%s) - t0 )) s"
fi
echo "$(psql "$db" -tAc 'SELECT count(*) FROM sta_observations') observations, $(psql "$db" -tAc 'SELECT count(*) FROM sta_rollups') roll-up rows"
start
trap 'kill $server 2>/dev/null || true' EXIT
streams_list=$(psql "$db" -tAc "SELECT id * 8 FROM devices ORDER BY id LIMIT $streams")
python3 - "$port" $streams_list <<'PY'
import sys, time, urllib.request, json, random
port, streams = sys.argv[1], sys.argv[2:]
random.seed(7)
def timed(url):
    t = time.perf_counter()
    body = urllib.request.urlopen(url).read()
    return (time.perf_counter() - t) * 1000, json.loads(body)
for name, path in [("api", "/api/v1/sensing/series?datastream={}&resolution=PT1M"),
                   ("sta", "/sta/v1.1/Datastreams({})/Aggregates?resolution=PT1M")]:
    ms = []
    for _ in range(200):
        s = random.choice(streams)
        t, doc = timed(f"http://127.0.0.1:{port}" + path.format(s))
        # The loaded day ends when the load did; the window moves on with the clock.
        assert len(doc["points"]) >= 1000, (s, len(doc["points"]))
        ms.append(t)
    ms.sort()
    print(f"{name}: last 24 h at 1 min ({len(doc['points'])} points), 200 Datastreams: "
          f"p50 {ms[100]:.1f} ms, p95 {ms[190]:.1f} ms, max {ms[-1]:.1f} ms")
PY
