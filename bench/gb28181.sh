#!/usr/bin/env bash
# The GB/T 28181 SIP edge at scale: DEVICES NVRs (gb28181-rs 0.14.1, a device side no one
# here wrote) with CHANNELS channels each register at `citymirror serve --sip-listen` and
# keep alive at the standard interval (60 s) for SECONDS.
#
#   bench/gb28181.sh [DEVICES] [CHANNELS] [SECONDS]   (defaults 1000 100 600)
#
# Prints: devices online and channels in the registry at the end, transitions to offline
# (any is a false one: every device kept alive), the edge's counters, and the server's CPU
# (cores, from /proc) during the ramp and during the steady part, and its peak memory.
# The devices run in one process beside the server on the same machine.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-1000}
channels=${2:-100}
seconds=${3:-600}
rate=${RATE:-15}
out=bench/out
mkdir -p "$out"
cargo build --release --quiet -p citymirror
cargo build --release --quiet -p citymirror-gb28181 --example sip_devices
bin=target/release/citymirror
rm -rf "$out/gb28181"
$bin generate --scale 0.05 --seed 7 --data-dir "$out/gb28181" 2>"$out/gb28181.generate.log"
port=18490
sip=15060
password="bench-$$"
$bin serve --data-dir "$out/gb28181" --listen "127.0.0.1:$port" --rate-limit 0 \
  --sip-listen "127.0.0.1:$sip" --sip-password "$password" --sip-admit-prefix 44030401 \
  2>"$out/gb28181.serve.log" &
server=$!
trap 'kill $server $sim 2>/dev/null || true' EXIT
sim=
for i in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
token=$($bin token create --data-dir "$out/gb28181" --role district-admin 2>/dev/null | tail -n 1)
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
hz=$(getconf CLK_TCK)
t0=$(date +%s.%N); c0=$(ticks)
target/release/examples/sip_devices --platform "127.0.0.1:$sip" --devices "$devices" \
  --channels "$channels" --seconds "$seconds" --rate "$rate" --password "$password" \
  2>"$out/gb28181.devices.log" &
sim=$!
ramp=$(awk -v d="$devices" -v r="$rate" 'BEGIN { printf "%d", d / r + 30 }')
sleep "$ramp"
t1=$(date +%s.%N); c1=$(ticks)
status() { curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/video/status"; }
echo "after the ramp ($ramp s): $(status)"
wait $sim || true
sim=
t2=$(date +%s.%N); c2=$(ticks)
echo "at the end: $(status)"
awk -v a="$c0" -v b="$c1" -v c="$c2" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v hz="$hz" 'BEGIN {
  printf "server CPU: ramp %.3f cores over %.0f s, steady %.3f cores over %.0f s\n",
    (b - a) / hz / (t1 - t0), t1 - t0, (c - b) / hz / (t2 - t1), t2 - t1 }'
echo "server peak RSS: $(awk '/VmHWM/ {print $2 / 1024 " MB"}' /proc/$server/status)"
grep -c "video device offline" "$out/gb28181.serve.log" | sed 's/^/offline transitions logged: /' || true
