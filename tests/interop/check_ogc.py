"""Standard clients against a served twin: the OGC conformance suite and OWSLib.

Run by tests/interop/run.sh with CITYMIRROR_URL set to the server's base URL.
"""
import os
import sys

import httpx
from ogctests.main import run_ogctests
from owslib.ogcapi.features import Features

base = os.environ["CITYMIRROR_URL"]
ogc = f"{base}/ogc"

# 1. ogctests features/core: every test must pass (pygeoapi 0.21 passes 27 of 29).
#    Its `python -m ogctests` entry point is broken ("fixture 'http_client' not found"),
#    so it is driven from Python with its own httpx client.
code = run_ogctests("features/core", instance_url=ogc, flags=["-q", "-rfEs", "-p", "no:cacheprovider"],
                    test_client=httpx.Client(base_url=ogc))
print(f"ogctests features/core exit code: {code}")
if code != 0:
    sys.exit(f"FAIL: ogctests features/core did not pass (exit {code})")

# 2. OWSLib's Features client reads items with a bbox.
api = Features(ogc)
ids = [c["id"] for c in api.collections()["collections"]]
assert "buildings" in ids, ids
extent = api.collection("buildings")["extent"]["spatial"]["bbox"][0]
cx, cy = (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2
bbox = [cx - 0.01, cy - 0.01, cx + 0.01, cy + 0.01]
items = api.collection_items("buildings", bbox=bbox, limit=500)
features = items["features"]
assert features, f"no buildings in {bbox}"
for f in features:
    xs = [p[0] for p in f["geometry"]["coordinates"][0]]
    ys = [p[1] for p in f["geometry"]["coordinates"][0]]
    assert max(xs) >= bbox[0] and min(xs) <= bbox[2] and max(ys) >= bbox[1] and min(ys) <= bbox[3], f["id"]
print(f"OWSLib: {len(ids)} collections; {len(features)} buildings in bbox {bbox} (numberMatched {items['numberMatched']})")
print("interop (ogctests, OWSLib): 2 passed, 0 failed")
