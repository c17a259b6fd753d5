#!/usr/bin/env bash
# Citizens' requests at 200 a second for 60 s (issue 12): p99 from submission to
# dispatch under 1 s, and every acknowledged ticket stored (counted in the database
# after the server stops, not only by the server). The district is generated at full
# scale (with its 530,000 historical tickets) and the classifier trained from
# ../shared/data/citizen-messages when it is there, once, into DATA_DIR.pristine; each
# run starts from a copy of it, so that no run files on top of an earlier run's tickets
# (whose timers would come due during the next and load its writers). See
# crates/server/benches/intake.rs.
#
#   bench/intake.sh [DATA_DIR]   (default bench/out/intake)
#   RATE=200 DURATION=60 SCALE=1.0 bench/intake.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-bench/out/intake}"
port="${PORT:-18631}"
messages="${CITYMIRROR_MESSAGES:-../shared/data/citizen-messages}"
mkdir -p bench/out
cargo build --release --quiet
bin=target/release/citymirror
pristine="$dir.pristine"
if [ ! -s "$pristine/citymirror.db" ]; then
  echo "generating the district at scale ${SCALE:-1.0} into $pristine …"
  rm -rf "$pristine"
  $bin generate --scale "${SCALE:-1.0}" --seed 1 --data-dir "$pristine" >/dev/null 2>bench/out/intake-generate.log \
    || { tail bench/out/intake-generate.log; exit 1; }
  if [ -s "$messages/history-8238.jsonl" ]; then
    $bin cases train --data-dir "$pristine" --labelled "$messages/history-8238.jsonl" \
      --labelled "$messages/labelled-495.jsonl" 2>&1 | tail -1
  fi
fi
rm -rf "$dir"
cp -r "$pristine" "$dir"
$bin serve --data-dir "$dir" --listen "127.0.0.1:$port" 2>bench/out/intake-serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
  sleep 0.2; kill -0 $server || { cat bench/out/intake-serve.log; exit 1; }
done
token=$($bin token create --data-dir "$dir" --role district-admin --name bench-intake 2>/dev/null | tail -1)
status=0
report=$(CITYMIRROR_URL="http://127.0.0.1:$port" CITYMIRROR_TOKEN="$token" \
  CITYMIRROR_BENCH_RATE="${RATE:-200}" CITYMIRROR_BENCH_SECONDS="${DURATION:-60}" \
  cargo bench --quiet -p citymirror --bench intake) || status=$?
echo "$report"
rss=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
kill $server; wait $server 2>/dev/null || true
run=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["run"])' "$report")
python3 - "$dir/citymirror.db" "$run" "$report" "$rss" <<'PY'
import json, sqlite3, sys
db, run, report, rss = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
stored = sqlite3.connect(db).execute(
    "SELECT COUNT(*), SUM(status <> 'triage') FROM tickets WHERE source_ref LIKE ?", (run + "-%",)
).fetchone()
print(json.dumps({"stored_in_database": stored[0], "dispatched": stored[1],
                  "acknowledged": report["acknowledged"], "server_peak_rss_mb": rss // 1024}))
sys.exit(0 if stored[0] == report["acknowledged"] else 1)
PY
exit $status
