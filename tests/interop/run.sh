#!/usr/bin/env bash
# Serves a small generated twin on a free port and checks it with standard clients:
# the OGC conformance tests (ogctests, features/core), OWSLib's Features client, GDAL's
# OAPIF driver (ogrinfo), GDAL's MVT driver on our vector tiles, and the PyPI georeport
# client on Open311 GeoReport v2 (answers validated against the shared JSON schemas). With CITYMIRROR_INTEROP_REQUIRED=1 (CI) a missing
# client is a failure; otherwise it is reported as skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."

required="${CITYMIRROR_INTEROP_REQUIRED:-0}"
py=python3
[ -x .venv/bin/python ] && py=.venv/bin/python
missing=()
$py -c 'import ogctests, owslib, httpx, georeport, jsonschema, frost_sta_client, paho.mqtt, pytest' 2>/dev/null || missing+=("python packages (pip install -r tests/interop/requirements.txt)")
mqtt="${CITYMIRROR_MQTT:-127.0.0.1:1883}"
$py - "$mqtt" <<'PY' 2>/dev/null || missing+=("an MQTT broker at $mqtt (mosquitto -d)")
import socket, sys
host, port = sys.argv[1].split(":")
socket.create_connection((host, int(port)), timeout=2).close()
PY
command -v ogrinfo >/dev/null || missing+=("ogrinfo (apt-get install gdal-bin)")
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$required" = 1 ]; then echo "FATAL: interop clients missing: ${missing[*]}"; exit 1; fi
  echo "interop: skipped, missing ${missing[*]}"; exit 0
fi

cargo build --release --quiet
bin=target/release/citymirror
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
$bin generate --scale 0.01 --seed 7 --data-dir "$work" 2>"$work/generate.log" || { cat "$work/generate.log"; exit 1; }
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The ingest's session is named per run, so runs beside each other keep their own.
$bin serve --data-dir "$work" --listen "127.0.0.1:$port" \
  --mqtt "mqtt://$mqtt" --mqtt-client-id "citymirror-interop-$$" 2>"$work/serve.log" &
server=$!
for i in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/serve.log"; exit 1; }

export CITYMIRROR_URL="http://127.0.0.1:$port"
$py tests/interop/check_ogc.py
tests/interop/check_gdal.sh "$CITYMIRROR_URL/ogc"
tests/interop/check_tiles.sh "$CITYMIRROR_URL"
# An Open311 client's key, minted as the README says (through the running server).
CITYMIRROR_OPEN311_KEY=$($bin token create --data-dir "$work" --role open311-client 2>/dev/null) \
  $py tests/interop/check_open311.py
# SensorThings: FROST's client, then the conformance classes (with MQTT) as pytest.
export CITYMIRROR_MQTT="$mqtt"
export CITYMIRROR_STA_TOKEN=$($bin token create --data-dir "$work" --role district-admin 2>/dev/null | tail -n 1)
$py tests/interop/check_sta.py
$py -m pytest -q -p no:cacheprovider tests/interop/sta
