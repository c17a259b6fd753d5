#!/usr/bin/env bash
# The sensing network's ingest over the real broker (Mosquitto), at full scale.
#
#   bench/sensing.sh [RATE] [SECONDS] [LINES_PER_MESSAGE] [ALARMS]   (defaults 14000 60 1 100)
#
# Generates the full-scale twin once (180,000 devices) into bench/out/sensing.pristine,
# serves a fresh copy with the MQTT ingest on, and has `citymirror sensing publish` send
# RATE device readings per second for SECONDS at QoS 1 (each reading one value per
# quantity of its device: about 1.4 observations). Then it waits for the ingest to go
# quiet and compares what was stored with what the broker acknowledged, observation
# for observation. Prints the publisher's JSON, the ledger's totals, the stored count
# and the server's peak memory. ALARMS manhole covers are tilted past their threshold
# during the run; each becomes a ticket, and the time from the reading's publication to
# its dispatched ticket is reported (p50, p99, max). Needs Mosquitto on 127.0.0.1:1883 (CITYMIRROR_MQTT).
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-14000}
seconds=${2:-60}
lines=${3:-1}
alarms=${4:-100}
mqtt=${CITYMIRROR_MQTT:-127.0.0.1:1883}
out=bench/out
mkdir -p "$out"
cargo build --release --quiet
bin=target/release/citymirror
if [ ! -f "$out/sensing.pristine/citymirror.db" ]; then
  rm -rf "$out/sensing.pristine"
  $bin generate --scale 1.0 --seed 7 --data-dir "$out/sensing.pristine" 2>"$out/sensing.generate.log"
fi
rm -rf "$out/sensing"
cp -r "$out/sensing.pristine" "$out/sensing"
port=18480
id="citymirror-bench-$$"
prefix="bench-$$/up"
$bin serve --data-dir "$out/sensing" --listen "127.0.0.1:$port" --rate-limit 0 \
  --mqtt "mqtt://$mqtt" --mqtt-client-id "$id" --mqtt-vendor-prefix "$prefix" 2>"$out/sensing.serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for i in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
token=$($bin token create --data-dir "$out/sensing" --role district-admin 2>/dev/null | tail -n 1)
sleep 1
echo "== publishing $rate readings/s for $seconds s ($lines per message) at QoS 1"
$bin sensing publish --data-dir "$out/sensing" --mqtt "mqtt://$mqtt" --prefix "$prefix" \
  --rate "$rate" --seconds "$seconds" --lines-per-message "$lines" --alarms "$alarms" | tee "$out/sensing.publish.json"
published=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["observations"])' "$out/sensing.publish.json")
# Wait until the ingest is quiet.
last=-1
for i in $(seq 1 300); do
  stored=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/sensing/ingest?limit=1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["stored"])')
  [ "$stored" = "$last" ] && [ "$stored" -ge "$published" ] && break
  [ "$stored" = "$last" ] && [ $i -gt 20 ] && break
  last=$stored
  sleep 1
done
echo "== ledger"
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/sensing/ingest?limit=3"; echo
echo "== alarms: from the reading's publication to its dispatched ticket"
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/tickets?service=0103&limit=500" | python3 -c '
import json, re, sys, datetime
def t(s): return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
ms = []
for k in json.load(sys.stdin)["tickets"]:
    if k["channel"]["code"] != "iot-sensor" or not k.get("dispatched_at"):
        continue
    m = re.search(r"（([^，）]+)，越限）", k["description"])
    if not m:
        continue
    ms.append((t(k["dispatched_at"]) - t(m.group(1))).total_seconds() * 1000)
ms.sort()
q = lambda p: ms[min(len(ms) - 1, int(p * len(ms)))]
print(f"alarm tickets: {len(ms)}; ms p50 {q(0.5):.0f}, p99 {q(0.99):.0f}, max {ms[-1]:.0f}" if ms else "no alarm tickets")
'
rows=$(curl -sf "http://127.0.0.1:$port/sta/v1.1/Observations?\$count=true&\$top=0" | python3 -c 'import json,sys; print(json.load(sys.stdin)["@iot.count"])')
rss=$(grep VmHWM /proc/$server/status | awk '{print $2}')
echo "published observations: $published; stored observations (rows): $rows; peak RSS: $((rss / 1024)) MB"
[ "$rows" -ge "$published" ] || { echo "LOST: $((published - rows)) observations"; exit 1; }
