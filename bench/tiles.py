#!/usr/bin/env python3
"""Helpers for bench/tiles.sh: the tile lists, and a tile-by-tile comparison of two servers.

  tiles.py list BOUNDS CENTRE OUTDIR
      BOUNDS and CENTRE are W,S,E,N in WGS84. Writes, in OUTDIR:
        tiles-list.zxy          "tileset z x y", the mixed set: buildings at z14 over BOUNDS
                                and at z15-z16 over CENTRE, components at z15-z16 over CENTRE
                                (shuffled with a fixed seed, so both sides get the same order);
        tiles-list-z14.zxy      the z14 building tiles alone;
        tiles-list-like.zxy     the mixed set without components below z16, where CityMirror
                                thins points and Martin does not;
        tiles-{cm,martin}-{mixed,z14,like}.txt   the same tiles as URL paths of each server.
      Needs only the standard library.

  tiles.py compare CM_BASE MARTIN_BASE ZXY_FILE CBD_LON,CBD_LAT
      Fetches every tile of ZXY_FILE from both servers, one at a time on one kept-alive
      connection each, with Accept-Encoding: gzip, decodes it (mapbox-vector-tile) and
      prints, per tileset and zoom: tiles, empty tiles, features, gzip bytes and the
      mean/p90/max time per request (sent to body read) on each side; then the tiles whose
      feature counts differ most, the property keys each side carries, and whether the
      CBD z15 tile is non-empty on both sides for both tilesets (exit 1 if not).
      Run it against uncached servers: the times are then render times plus HTTP.
"""

import gzip
import http.client
import math
import random
import statistics
import sys
import time
from collections import defaultdict
from urllib.parse import urlsplit


def tile_of(z, lon, lat):
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    lat = max(min(lat, 85.05112878), -85.05112878)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tiles_over(z, box):
    w, s, e, n = box
    x0, y0 = tile_of(z, w, n)
    x1, y1 = tile_of(z, e, s)
    return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def parse_box(text):
    box = [float(v) for v in text.split(",")]
    if len(box) != 4 or box[0] >= box[2] or box[1] >= box[3]:
        sys.exit(f"bad box {text!r}: want W,S,E,N")
    return box


def cm_path(ts, z, x, y):
    return f"/tiles/{ts}/{z}/{x}/{y}.mvt"


def martin_path(ts, z, x, y):
    return f"/{ts}/{z}/{x}/{y}"


def cmd_list(bounds, centre, outdir):
    bounds, centre = parse_box(bounds), parse_box(centre)
    z14 = [("buildings",) + t for t in tiles_over(14, bounds)]
    deeper = [(ts,) + t for z in (15, 16) for t in tiles_over(z, centre) for ts in ("buildings", "components")]
    mixed = z14 + deeper
    random.Random(1).shuffle(mixed)

    def write(name, rows, fmt):
        with open(f"{outdir}/{name}", "w") as f:
            f.writelines(fmt(*r) + "\n" for r in rows)

    # CityMirror thins points below a layer's deepest zoom (components: z15), Martin sends
    # them all: "like" leaves those tiles out, so both sides draw the same features.
    like = [r for r in mixed if not (r[0] == "components" and r[1] < 16)]
    for name, rows in (("mixed", mixed), ("z14", z14), ("like", like)):
        zxy = {"mixed": "tiles-list.zxy", "z14": "tiles-list-z14.zxy", "like": "tiles-list-like.zxy"}[name]
        write(zxy, rows, lambda ts, z, x, y: f"{ts} {z} {x} {y}")
        write(f"tiles-cm-{name}.txt", rows, cm_path)
        write(f"tiles-martin-{name}.txt", rows, martin_path)
    count = defaultdict(int)
    for ts, z, _, _ in mixed:
        count[(ts, z)] += 1
    print("tile list: " + ", ".join(f"{ts} z{z}: {n}" for (ts, z), n in sorted(count.items())) + f"; {len(mixed)} in all")


class Client:
    """One kept-alive HTTP/1.1 connection; reconnects when the server closes it."""

    def __init__(self, base):
        u = urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.conn = None

    def get(self, path):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                t0 = time.perf_counter()
                self.conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
                r = self.conn.getresponse()
                body = r.read()
                ms = (time.perf_counter() - t0) * 1000
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, r.getheader("Content-Encoding"), body, ms
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise


def decode(status, encoding, body):
    """Features per MVT layer, the property keys and the feature ids seen per layer."""
    import mapbox_vector_tile

    if status == 204 or not body:
        return {}, {}, {}
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
    raw = gzip.decompress(body) if encoding == "gzip" or body[:2] == b"\x1f\x8b" else body
    tile = mapbox_vector_tile.decode(raw)
    counts = {name: len(layer["features"]) for name, layer in tile.items()}
    keys = {name: {k for f in layer["features"] for k in f["properties"]} for name, layer in tile.items()}
    ids = {name: {f.get("id") for f in layer["features"]} for name, layer in tile.items()}
    return counts, keys, ids


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, max(0, math.ceil(p / 100 * len(v)) - 1))]


def cmd_compare(cm_base, martin_base, zxy_file, cbd):
    sides = {"citymirror": (Client(cm_base), cm_path), "martin": (Client(martin_base), martin_path)}
    rows = [line.split() for line in open(zxy_file) if line.strip()]
    rows = [(ts, int(z), int(x), int(y)) for ts, z, x, y in rows]
    lon, lat = (float(v) for v in cbd.split(","))
    cx, cy = tile_of(15, lon, lat)
    for ts in ("buildings", "components"):
        if (ts, 15, cx, cy) not in rows:
            rows.append((ts, 15, cx, cy))
    rows.sort()

    stats = defaultdict(lambda: defaultdict(lambda: {"tiles": 0, "empty": 0, "features": 0, "bytes": 0, "ms": []}))
    keys = defaultdict(lambda: defaultdict(set))
    per_tile = {}
    for ts, z, x, y in rows:
        got = {}
        for side, (client, path) in sides.items():
            status, enc, body, ms = client.get(path(ts, z, x, y))
            counts, k, ids = decode(status, enc, body)
            n = counts.get(ts, 0)
            extra = set(counts) - {ts}
            if extra:
                print(f"  note: {side} {ts} {z}/{x}/{y} has other layers {sorted(extra)}")
            s = stats[side][(ts, z)]
            s["tiles"] += 1
            s["empty"] += n == 0
            s["features"] += n
            s["bytes"] += len(body)
            s["ms"].append(ms)
            keys[side][ts] |= k.get(ts, set())
            got[side] = (n, len(body), ms, ids.get(ts, set()))
        per_tile[(ts, z, x, y)] = got

    print(f"{'tileset':<11}{'z':>3}{'tiles':>6} | {'side':<10}{'empty':>6}{'features':>10}{'gzip KiB':>10}{'mean ms':>9}{'p90 ms':>8}{'max ms':>8}")
    for key in sorted(stats["citymirror"]):
        for side in sides:
            s = stats[side][key]
            ms = s["ms"]
            print(f"{key[0]:<11}{key[1]:>3}{s['tiles']:>6} | {side:<10}{s['empty']:>6}{s['features']:>10}"
                  f"{s['bytes'] / 1024:>10.1f}{statistics.mean(ms):>9.2f}{pct(ms, 90):>8.2f}{max(ms):>8.2f}")
    for side in sides:
        all_ms = [m for s in stats[side].values() for m in s["ms"]]
        z14 = stats[side].get(("buildings", 14), {"ms": [0]})["ms"]
        print(f"{side}: {len(all_ms)} tiles fetched one at a time in {sum(all_ms) / 1000:.2f} s; "
              f"z14 buildings mean {statistics.mean(z14):.1f} ms, max {max(z14):.1f} ms")

    diffs = sorted(per_tile.items(), key=lambda kv: -abs(kv[1]["citymirror"][0] - kv[1]["martin"][0]))
    differing = [kv for kv in diffs if kv[1]["citymirror"][0] != kv[1]["martin"][0]]
    print(f"tiles whose feature counts differ: {len(differing)} of {len(per_tile)}")
    for (ts, z, x, y), got in differing[:8]:
        c, m = got["citymirror"][3], got["martin"][3]
        print(f"  {ts} {z}/{x}/{y}: citymirror {got['citymirror'][0]}, martin {got['martin'][0]} "
              f"({len(c & m)} ids in both, {len(c - m)} only in citymirror, {len(m - c)} only in martin)")
    by_zoom = defaultdict(lambda: [0, 0, 0, 0])
    for (ts, z, _, _), got in per_tile.items():
        c, m = got["citymirror"][3], got["martin"][3]
        d = by_zoom[(ts, z)]
        d[0] += 1
        d[1] += c != m
        d[2] += len(c - m)
        d[3] += len(m - c)
    for (ts, z), (n, differ, only_c, only_m) in sorted(by_zoom.items()):
        print(f"  {ts} z{z}: {differ} of {n} tiles differ; {only_c} features only in citymirror, {only_m} only in martin")
    same_ids = sum(got["citymirror"][3] == got["martin"][3] for got in per_tile.values())
    print(f"tiles with the same set of feature ids on both sides: {same_ids} of {len(per_tile)}")
    for ts in ("buildings", "components"):
        print(f"property keys in {ts}: citymirror {sorted(keys['citymirror'][ts])}; martin {sorted(keys['martin'][ts])}")

    ok = True
    for ts in ("buildings", "components"):
        got = per_tile[(ts, 15, cx, cy)]
        line = f"CBD z15 tile {ts} 15/{cx}/{cy}: citymirror {got['citymirror'][0]} features ({got['citymirror'][1]} B gzip), martin {got['martin'][0]} features ({got['martin'][1]} B gzip)"
        print(line)
        if got["citymirror"][0] == 0 or got["martin"][0] == 0:
            print(f"  ERROR: an empty CBD tile for {ts}")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "list":
        cmd_list(*sys.argv[2:])
    elif len(sys.argv) == 6 and sys.argv[1] == "compare":
        sys.exit(cmd_compare(*sys.argv[2:]))
    else:
        sys.exit(__doc__)
