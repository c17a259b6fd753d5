#!/usr/bin/env bash
# GDAL's MVT driver, a client that knows nothing of ours, reads our vector tiles: the z15 tile
# over the Futian CBD (114.0553 E, 22.5405 N) must decode with buildings in it, placed in that
# tile, and the basemap tile there must hold the grid layers too.
set -euo pipefail
base="$1"   # the server's root, e.g. http://127.0.0.1:8080
read -r x y < <(python3 -c '
import math
lon, lat, z = 114.0553, 22.5405, 15
n = 2 ** z
print(int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))')
echo "z15 tile over the CBD: 15/$x/$y"
# GDAL takes z/x/y from the path to georeference the tile.
out=$(ogrinfo -ro -so -al "MVT:/vsicurl/$base/tiles/buildings/15/$x/$y.mvt" 2>&1)
count=$(echo "$out" | sed -n 's/^Feature Count: //p' | head -1)
echo "ogrinfo buildings 15/$x/$y: Feature Count: ${count:-none}"
[ -n "$count" ] && [ "$count" -gt 0 ] || { echo "FAIL: no buildings decoded"; echo "$out"; exit 1; }
# The extent is in Web Mercator metres; the CBD point must lie inside it (± the buffer).
echo "$out" | sed -n 's/^Extent: //p' | python3 -c '
import math, re, sys
x0, y0, x1, y1 = map(float, re.findall(r"-?[\d.]+", sys.stdin.read()))
r = 6378137.0
px = math.radians(114.0553) * r
py = math.log(math.tan(math.pi / 4 + math.radians(22.5405) / 2)) * r
pad = 2 * math.pi * r / 2 ** 15 * 0.1
assert x0 - pad <= px <= x1 + pad and y0 - pad <= py <= y1 + pad, (x0, y0, x1, y1, px, py)
print("the buildings lie in the tile over the CBD")'
layers=$(ogrinfo -ro -q "MVT:/vsicurl/$base/tiles/basemap/15/$x/$y.mvt" 2>&1)
for layer in buildings grids communities streets; do
  echo "$layers" | grep -q "$layer" || { echo "FAIL: the basemap tile has no $layer layer"; echo "$layers"; exit 1; }
done
echo "tiles: 2 passed, 0 failed"
