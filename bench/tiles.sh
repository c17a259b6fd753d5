#!/usr/bin/env bash
# Vector tiles side by side, CityMirror vs Martin (issue: "the same building and component
# layers, the same tile list, served by CityMirror and by Martin on the same machine;
# CityMirror's throughput is at least Martin's, and p99 latency for uncached z14 tiles is
# under 50 ms").
#
#   bench/tiles.sh [DATA_DIR]     (default bench/out/full; generated at --scale 1.0 if empty)
#
# What it does:
#  1. installs what is missing: wrk, gdal-bin, postgresql-15-postgis-3 (apt-get), Martin
#     1.14.0 (cargo install, into bench/out/martin, as ../shared/DESIGN.md says);
#  2. serves DATA_DIR with CityMirror and copies its buildings and components into PostGIS
#     (database $BENCH_DB) through our own OGC API with ogr2ogr, so both servers hold exactly
#     the same features (reprojected to EPSG:3857, Martin's fastest case, GIST-indexed; the
#     feature id becomes the MVT feature id on both sides, as CityMirror does);
#  3. builds the tile list from the buildings TileJSON: every z14 building tile over the
#     district, and z15-z16 building and component tiles over the centre ($CENTRE);
#  4. checks both servers tile by tile (features, bytes, one-at-a-time times: the profile);
#  5. measures, each server alone (the other stopped), with wrk and bench/tiles.lua:
#       uncached  CityMirror --tile-cache-mb 0 vs Martin --cache-size 0, mixed list
#       uncached-like  the same without the component tiles below z16 (CityMirror thins
#                 points one zoom out, Martin sends them all): the tiles where both draw
#                 the same features, for information
#       z14-c16   the same servers, z14 building tiles only, at the same 16 connections
#                 (saturated: latency there is mostly queueing, about connections / rate)
#       z14-c2    z14 building tiles at $LAT_CONNECTIONS connections (one in flight per
#                 core): the latency of a tile when the server is not overloaded
#       cached    both with their default caches, after a warm-up, mixed list
#       cached-identity  the same without Accept-Encoding (for information: Martin caches
#                 tiles uncompressed and gzips every answer, CityMirror caches each encoding
#                 a client asked for as its own entry); IDENTITY=0 skips it
#     in the order CityMirror, Martin, Martin, CityMirror, so that a drift in other work on
#     the machine weighs on both alike. Before each run it waits (up to $QUIET_WAIT s) until
#     other work uses less than $QUIET_MAX % of the CPUs, and records how busy they were.
#  6. prints a summary table and a PASS/FAIL line per acceptance point.
#
# Results: bench/out/tiles-summary.txt (the table), bench/out/tiles-compare.txt (step 4),
# bench/out/tiles-wrk-RUN-SIDE.txt (each wrk run), logs in bench/out/tiles-*.log.
#
# Environment: DURATION (s, 20), WARMUP (s, 5), THREADS (2), CONNECTIONS (16), LAT_CONNECTIONS
# (2), QUIET_MAX (% of the CPUs, 25), QUIET_WAIT (s, 120),
# CM_PORT (18470), MARTIN_PORT (18471), PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres),
# BENCH_DB (citymirror_tiles_bench), RELOAD_PG=1 (copy the layers again even if PostGIS
# already holds as many features as CityMirror), CENTRE (W,S,E,N of the z15-z16 tiles,
# default a ~4 km box around the CBD), MARTIN (path to a martin binary).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-bench/out/full}"
duration="${DURATION:-20}"
warmup="${WARMUP:-5}"
threads="${THREADS:-2}"
conns="${CONNECTIONS:-16}"
lat_conns="${LAT_CONNECTIONS:-2}"
quiet_max="${QUIET_MAX:-25}"
quiet_wait="${QUIET_WAIT:-120}"
cm_port="${CM_PORT:-18470}"
martin_port="${MARTIN_PORT:-18471}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
db="${BENCH_DB:-citymirror_tiles_bench}"
centre="${CENTRE:-114.035,22.525,114.075,22.556}"
cbd="114.0553,22.5405"
out=bench/out
mkdir -p "$out"
log() { echo "== $*"; }
die() { echo "tiles.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- prerequisites
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v ogr2ogr >/dev/null || need_apt+=(gdal-bin)
ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || need_apt+=(postgresql-15-postgis-3)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
martin="${MARTIN:-}"
if [ -z "$martin" ]; then
  for m in "$(command -v martin || true)" /opt/martin/bin/martin "$out/martin/bin/martin"; do
    if [ -n "$m" ] && [ -x "$m" ]; then martin=$m; break; fi
  done
fi
if [ -z "$martin" ]; then
  log "cargo install martin@1.14.0 into $out/martin (takes a while)"
  cargo install martin@1.14.0 --locked --no-default-features --features postgres,mbtiles \
    --root "$out/martin" > "$out/tiles-martin-install.log" 2>&1 || { tail -30 "$out/tiles-martin-install.log"; die "installing Martin failed"; }
  martin="$out/martin/bin/martin"
fi
"$martin" --version
pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 5 && psql -qAtc 'select 1' -d postgres >/dev/null \
  || die "PostgreSQL is not reachable at $PGUSER@$PGHOST:$PGPORT (start it, or set PGHOST/PGPORT/PGUSER)"

cargo build --release --quiet
bin=target/release/citymirror
version="CityMirror at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates Cargo.toml Cargo.lock 2>/dev/null || echo ' with uncommitted changes in crates/'), Martin $("$martin" --version | awk '{print $2}'), PostgreSQL $(psql -qAt -d postgres -c 'show server_version' | awk '{print $1}') + PostGIS"
$bin serve --help | grep -q -- '--tile-cache-mb' || die "$bin serve has no --tile-cache-mb: build a CityMirror with tiles"

# ---------------------------------------------------------------- the twin
# Another run (bench/twin.sh, a colleague) may be generating the same directory: wait for it.
while pgrep -f 'generate --scale 1.0' >/dev/null; do
  log "waiting for a running 'generate --scale 1.0' to finish"; sleep 15
done
if [ ! -s "$dir/citymirror.db" ]; then
  log "generate --scale 1.0 into $dir"
  mkdir -p "$dir"
  $bin generate --scale 1.0 --seed 1 --data-dir "$dir" > "$out/tiles-generate.log" 2>&1 || { tail -30 "$out/tiles-generate.log"; die "generate failed"; }
fi

# ---------------------------------------------------------------- servers
cm_pid=""; martin_pid=""
stop_cm() { if [ -n "$cm_pid" ]; then kill "$cm_pid" 2>/dev/null || true; wait "$cm_pid" 2>/dev/null || true; cm_pid=""; fi; }
stop_martin() { if [ -n "$martin_pid" ]; then kill "$martin_pid" 2>/dev/null || true; wait "$martin_pid" 2>/dev/null || true; martin_pid=""; fi; }
trap 'stop_cm; stop_martin' EXIT
trap 'exit 130' INT TERM
port_free() { # port: fail if something already listens there (its /healthz would fool wait_up)
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then die "port $1 is taken ($(ss -ltnpH "sport = :$1" | awk '{print $6}')): set CM_PORT / MARTIN_PORT"; fi
}
wait_up() { # url pid logfile
  local i=0
  until curl -sf -o /dev/null "$1"; do
    sleep 0.2; i=$((i + 1))
    kill -0 "$2" 2>/dev/null || { tail -30 "$3"; die "server for $1 exited"; }
    [ $i -lt 1500 ] || die "$1 did not come up in 5 minutes"
  done
}
rss() { echo "$(($(ps -o rss= -p "$1") / 1024)) MiB"; }
start_cm() { # cache MB, or "default"
  local cache=()
  [ "$1" = default ] || cache=(--tile-cache-mb "$1")
  port_free "$cm_port"
  $bin serve --data-dir "$dir" --listen "127.0.0.1:$cm_port" --rate-limit 0 "${cache[@]}" 2> "$out/tiles-cm-serve.log" &
  cm_pid=$!
  wait_up "http://127.0.0.1:$cm_port/healthz" "$cm_pid" "$out/tiles-cm-serve.log"
}
martin_conf="$out/tiles-martin.yaml"
cat > "$martin_conf" <<EOF
# Written by bench/tiles.sh. The tables as ogr2ogr made them; the OGC feature id is the MVT
# feature id (as in CityMirror's tiles) rather than a property.
postgres:
  connection_string: postgres://$PGUSER@$PGHOST:$PGPORT/$db
  auto_publish:
    tables:
      id_columns: id
EOF
start_martin() { # cache MB, or "default"
  local cache=()
  [ "$1" = default ] || cache=(--cache-size "$1")
  port_free "$martin_port"
  "$martin" --config "$martin_conf" --listen-addresses "127.0.0.1:$martin_port" "${cache[@]}" > "$out/tiles-martin-serve.log" 2>&1 &
  martin_pid=$!
  wait_up "http://127.0.0.1:$martin_port/health" "$martin_pid" "$out/tiles-martin-serve.log"
}

# ---------------------------------------------------------------- PostGIS copy
log "CityMirror serves $dir (tile cache off)"
start_cm 0
cm="http://127.0.0.1:$cm_port"
matched() { curl -sf "$cm/ogc/collections/$1/items?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])'; }
if ! psql -qAt -d postgres -c "select 1 from pg_database where datname = '$db'" | grep -q 1; then
  psql -q -d postgres -c "CREATE DATABASE $db" >/dev/null
fi
psql -q -d "$db" -c 'CREATE EXTENSION IF NOT EXISTS postgis' >/dev/null
for layer in buildings components; do
  want=$(matched $layer)
  have=$(psql -qAt -d "$db" -c "select count(*) from $layer" 2>/dev/null || echo 0)
  if [ "${RELOAD_PG:-0}" = 1 ] || [ "$have" != "$want" ]; then
    log "ogr2ogr: $want $layer from $cm/ogc into PostGIS $db (it has $have)"
    nlt=POINT; [ $layer = buildings ] && nlt=PROMOTE_TO_MULTI
    /usr/bin/time -f "   %e s" ogr2ogr -f PostgreSQL PG:"dbname=$db host=$PGHOST port=$PGPORT user=$PGUSER" \
      OAPIF:"$cm/ogc" $layer -oo PAGE_SIZE=10000 -overwrite -t_srs EPSG:3857 -nlt $nlt \
      -lco GEOMETRY_NAME=geom -lco FID=id -preserve_fid -lco SPATIAL_INDEX=GIST \
      --config PG_USE_COPY YES 2> "$out/tiles-ogr2ogr-$layer.log" || { tail "$out/tiles-ogr2ogr-$layer.log"; die "ogr2ogr $layer failed"; }
    # ogr2ogr puts the collection's description in the table comment, where Martin looks
    # for TileJSON: drop it, Martin then generates the TileJSON itself.
    psql -q -d "$db" -c "COMMENT ON TABLE $layer IS NULL" -c "VACUUM ANALYZE $layer" >/dev/null
    have=$(psql -qAt -d "$db" -c "select count(*) from $layer")
  fi
  [ "$have" = "$want" ] || die "PostGIS has $have $layer, CityMirror $want"
  echo "   $layer: $have features on both sides; PostGIS columns: $(psql -qAt -d "$db" -c "select string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position) from information_schema.columns where table_name = '$layer'")"
done

# ---------------------------------------------------------------- tile lists
bounds=$(curl -sf "$cm/tiles/buildings" | python3 -c 'import json,sys; print(",".join(map(str, json.load(sys.stdin)["bounds"])))')
echo "   buildings TileJSON bounds $bounds; centre (z15-z16) $centre"
python3 bench/tiles.py list "$bounds" "$centre" "$out" | sed 's/^/   /'

# ---------------------------------------------------------------- sanity check
venv="$out/tiles-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import mapbox_vector_tile' 2>/dev/null; then
  log "python venv with mapbox-vector-tile in $venv"
  python3 -m venv "$venv" && "$venv/bin/pip" install -q mapbox-vector-tile
fi
log "Martin $("$martin" --version | awk '{print $2}') serves $db (cache off)"
start_martin 0
catalog=$(curl -sf "http://127.0.0.1:$martin_port/catalog")
for layer in buildings components; do
  echo "$catalog" | python3 -c "import json,sys; t=json.load(sys.stdin)['tiles']; sys.exit('$layer' not in t)" \
    || die "Martin does not publish '$layer': $catalog"
done
log "tile by tile, both servers uncached, one request at a time (bench/out/tiles-compare.txt)"
"$venv/bin/python" bench/tiles.py compare "$cm" "http://127.0.0.1:$martin_port" "$out/tiles-list.zxy" "$cbd" \
  | tee "$out/tiles-compare.txt" || die "the tiles differ in a way that makes the comparison meaningless"
stop_martin

# ---------------------------------------------------------------- load
summary="$out/tiles-summary.txt"
: > "$out/tiles-results.tsv"
busy() { # % of all CPUs busy over 2 s, while our servers idle: other work on the machine
  local a b; a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
  local total=0 idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo "$(( 100 * (total - idle) / (total > 0 ? total : 1) ))%"
}
quiet() { # wait until other work leaves the CPUs mostly idle; print how busy they were
  local b t0=$SECONDS
  b=$(busy)
  while [ "${b%\%}" -ge "$quiet_max" ] && [ $((SECONDS - t0)) -lt "$quiet_wait" ]; do
    echo "   (other work keeps the CPUs $b busy: waiting)" >&2; sleep 10; b=$(busy)
  done
  echo "$b"
}
wrk_run() { # run side list base [connections] [identity]
  local f="$out/tiles-wrk-$1-$2.txt" load c="${5:-$conns}" t="$threads"
  [ "$c" -ge "$t" ] || t=$c
  load=$(quiet)
  wrk -t"$t" -c"$c" -d"${duration}s" --timeout 10s --latency -s bench/tiles.lua "$4" -- "$3" "$t" ${6:-} > "$f"
  local r; r=$(grep '^RESULT' "$f") || die "wrk printed no RESULT: $(cat "$f")"
  printf '%s\t%s\t%s busy=%s\n' "$1" "$2" "${r#RESULT }" "$load" >> "$out/tiles-results.tsv"
  echo "   $1 $2: ${r#RESULT } (CPU busy with other work just before: $load)"
}
warm() { # list base
  wrk -t"$threads" -c"$conns" -d"${warmup}s" -s bench/tiles.lua "$2" -- "$1" "$threads" > /dev/null
}

log "CityMirror alone, tile cache off: mixed list, then z14 only at $conns and $lat_conns connections (${duration} s each)"
wrk_run uncached citymirror "$out/tiles-cm-mixed.txt" "$cm"
wrk_run uncached-like citymirror "$out/tiles-cm-like.txt" "$cm"
wrk_run z14-c16 citymirror "$out/tiles-cm-z14.txt" "$cm"
wrk_run z14-c$lat_conns citymirror "$out/tiles-cm-z14.txt" "$cm" "$lat_conns"
echo "   CityMirror RSS $(rss $cm_pid)"
stop_cm

log "Martin alone (PostgreSQL behind it), cache off"
start_martin 0
mt="http://127.0.0.1:$martin_port"
wrk_run uncached martin "$out/tiles-martin-mixed.txt" "$mt"
wrk_run uncached-like martin "$out/tiles-martin-like.txt" "$mt"
wrk_run z14-c16 martin "$out/tiles-martin-z14.txt" "$mt"
wrk_run z14-c$lat_conns martin "$out/tiles-martin-z14.txt" "$mt" "$lat_conns"
echo "   Martin RSS $(rss $martin_pid)"
stop_martin

log "Martin alone, default cache, ${warmup} s warm-up"
start_martin default
warm "$out/tiles-martin-mixed.txt" "$mt"
wrk_run cached martin "$out/tiles-martin-mixed.txt" "$mt"
[ "${IDENTITY:-1}" = 0 ] || wrk_run cached-identity martin "$out/tiles-martin-mixed.txt" "$mt" "$conns" identity
echo "   Martin RSS $(rss $martin_pid)"
stop_martin

log "CityMirror alone, default tile cache, ${warmup} s warm-up"
start_cm default
warm "$out/tiles-cm-mixed.txt" "$cm"
wrk_run cached citymirror "$out/tiles-cm-mixed.txt" "$cm"
[ "${IDENTITY:-1}" = 0 ] || wrk_run cached-identity citymirror "$out/tiles-cm-mixed.txt" "$cm" "$conns" identity
echo "   CityMirror RSS $(rss $cm_pid)"
stop_cm

# ---------------------------------------------------------------- summary
echo "$version; $(nproc) CPUs" > "$summary"
python3 - "$out/tiles-results.tsv" "$duration" "$threads" "$conns" >> "$summary" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    run, side, kv = line.rstrip("\n").split("\t")
    rows[(run, side)] = dict(p.split("=") for p in kv.split())
print(f"wrk -t{sys.argv[3]} -c{sys.argv[4]} -d{sys.argv[2]}s (z14-cN: N connections), Accept-Encoding: gzip "
      "(cached-identity: none), each server alone;\nMiB: response bytes received; busy: CPU busy with other work "
      "in the 2 s before the run")
print(f"{'run':<16}{'server':<11}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}{'MiB':>8}{'errors':>8}{'non2xx':>8}{'busy':>7}")
for (run, side), r in rows.items():
    errors = sum(int(r[k]) for k in ("connect", "read", "write", "timeout"))
    print(f"{run:<16}{side:<11}{float(r['rps']):>9.0f}{float(r['p50_ms']):>9.2f}{float(r['p90_ms']):>9.2f}"
          f"{float(r['p99_ms']):>9.2f}{float(r['max_ms']):>9.1f}{float(r['MiB']):>8.1f}{errors:>8}{r['non2xx']:>8}{r['busy']:>7}")
def rps(run, side): return float(rows[(run, side)]["rps"])
clean = all(int(r["non2xx"]) == 0 and all(int(r[k]) == 0 for k in ("connect", "read", "write", "timeout")) for r in rows.values())
for run in ("uncached", "cached"):
    c, m = rps(run, "citymirror"), rps(run, "martin")
    print(f"{'PASS' if c >= m else 'FAIL'}: {run} throughput, CityMirror {c:.0f} req/s >= Martin {m:.0f} req/s ({c / m:.2f}x)")
for run in sorted({r for r, _ in rows if r.startswith("z14-")}, key=lambda r: int(r[5:])):
    p99 = float(rows[(run, "citymirror")]["p99_ms"])
    c = run[5:]
    print(f"{'PASS' if p99 < 50 else 'FAIL'}: uncached z14 p99 at {c} connections {p99:.2f} ms < 50 ms "
          f"(CityMirror {rps(run, 'citymirror'):.0f} req/s; Martin p99 {float(rows[(run, 'martin')]['p99_ms']):.2f} ms at {rps(run, 'martin'):.0f} req/s)")
c, m = rps("uncached-like", "citymirror"), rps("uncached-like", "martin")
print(f"info: uncached throughput over the tiles where both draw the same features, CityMirror {c:.0f} req/s, Martin {m:.0f} req/s ({c / m:.2f}x)")
if ("cached-identity", "citymirror") in rows:
    c, m = rps("cached-identity", "citymirror"), rps("cached-identity", "martin")
    print(f"info: cached throughput without gzip, CityMirror {c:.0f} req/s, Martin {m:.0f} req/s ({c / m:.2f}x)")
print(f"{'PASS' if clean else 'FAIL'}: no errors and no non-2xx answers in any run")
PY
echo
cat "$summary"
