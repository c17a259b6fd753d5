#!/usr/bin/env bash
# GDAL's OAPIF driver lists the collections and reads features with a spatial filter.
set -euo pipefail
url="$1"
listing=$(ogrinfo -ro -q "OAPIF:$url" 2>&1)
echo "$listing" | head -12
for layer in buildings components pipes cameras devices grids; do
  echo "$listing" | grep -q "$layer" || { echo "FAIL: ogrinfo does not list $layer"; exit 1; }
done
# A window around the middle of the buildings' extent.
ext=$(curl -sf "$url/collections/buildings?f=json" | python3 -c 'import json,sys; b=json.load(sys.stdin)["extent"]["spatial"]["bbox"][0]; cx=(b[0]+b[2])/2; cy=(b[1]+b[3])/2; print(cx-0.01, cy-0.01, cx+0.01, cy+0.01)')
out=$(ogrinfo -ro -so -spat $ext "OAPIF:$url" buildings 2>&1)
count=$(echo "$out" | sed -n 's/^Feature Count: //p')
echo "ogrinfo -spat $ext buildings: Feature Count: $count"
[ -n "$count" ] && [ "$count" -gt 0 ] || { echo "FAIL: ogrinfo read no buildings with -spat"; echo "$out"; exit 1; }
features=$(ogrinfo -ro -spat $ext "OAPIF:$url" buildings 2>&1)
polygons=$(echo "$features" | grep -c 'POLYGON' || true)
echo "ogrinfo -spat read $polygons building polygons"
[ "$polygons" -eq "$count" ] || { echo "FAIL: read $polygons polygons, expected $count"; exit 1; }
echo "gdal: 2 passed, 0 failed"
