#!/usr/bin/env bash
# Anonymous sign-up and sign-in floods (issue 9): 200 concurrent registrations and 200
# concurrent sign-ins against a default `serve` (default budgets and password pool),
# while /healthz is probed and the server's RSS watched. See bench/auth.py.
#
#   bench/auth.sh [CLIENTS]   (default 200; the district is generated at scale 0.02)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200}"
dir=bench/out/auth
port="${PORT:-18083}"
mkdir -p bench/out
cargo build --release --quiet
bin=target/release/citymirror
if [ ! -s "$dir/citymirror.db" ]; then
  $bin generate --scale 0.02 --seed 1 --data-dir "$dir" >/dev/null 2>bench/out/auth-generate.log || { tail bench/out/auth-generate.log; exit 1; }
fi
outbox=bench/out/auth-sms.jsonl
rm -f "$outbox"
# A fresh district each run would take longer than the run: forget earlier citizens.
python3 - "$dir/citymirror.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username LIKE '1370%')")
db.execute("DELETE FROM users WHERE username LIKE '1370%'")
db.commit()
PY
$bin serve --data-dir "$dir" --listen "127.0.0.1:$port" --sms-outbox "$outbox" 2> bench/out/auth-serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; kill -0 $server || { cat bench/out/auth-serve.log; exit 1; }; done
echo "== $n concurrent code requests, registrations and sign-ins (server pid $server, $(nproc) cores)"
python3 bench/auth.py "$port" "$server" "$outbox" "$n" | tee bench/out/auth-summary.json
