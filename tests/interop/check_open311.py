"""Open311 GeoReport v2 as outside systems see it.

Checks a served CityMirror (CITYMIRROR_URL) with the PyPI `georeport` client (0.3.1) and
validates every answer against the GeoReport v2 JSON schemas shipped in
../shared/data/open311-georeport-v2 (CITYMIRROR_OPEN311_SCHEMAS overrides the folder).
Requests are filed the way an Open311 client files them: a plain form POST with an API key
minted by `citymirror token create --role open311-client` (CITYMIRROR_OPEN311_KEY).
"""

import json
import os
import pathlib
import sys

import requests
from georeport import GeoReport
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

BASE = os.environ["CITYMIRROR_URL"].rstrip("/")
ROOT = f"{BASE}/open311/v2"
KEY = os.environ["CITYMIRROR_OPEN311_KEY"]
HERE = pathlib.Path(__file__).resolve().parent
SCHEMAS = pathlib.Path(
    os.environ.get(
        "CITYMIRROR_OPEN311_SCHEMAS",
        HERE.parent.parent.parent / "shared" / "data" / "open311-georeport-v2",
    )
)
# A point in 莲花街道, inside the district (WGS84).
LAT, LON = "22.5431", "114.0555"

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def schemas():
    """The shipped schemas, each registered under its file name (they `$ref` each other
    that way)."""
    registry = Registry()
    loaded = {}
    for path in sorted(SCHEMAS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        loaded[path.name] = doc
        registry = registry.with_resource(path.name, Resource.from_contents(doc, DRAFT4))
    return loaded, registry


def validate(kind, doc, loaded, registry):
    v = Draft4Validator(loaded[kind], registry=registry)
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:5]:
        print(f"     {kind}: {list(e.path)}: {e.message}")
    check(not errors, f"{kind}: the answer validates ({len(errors)} errors)")


def main():
    if not SCHEMAS.is_dir():
        print(f"FATAL: no GeoReport v2 schemas at {SCHEMAS}")
        sys.exit(1)
    loaded, registry = schemas()
    client = GeoReport(ROOT)

    # Services, through the client, valid against services.json.
    services = client.get_service_list()
    check(len(services) > 40, f"georeport lists {len(services)} services")
    validate("services.json", services, loaded, registry)
    for s in services:
        validate_quiet = Draft4Validator(loaded["service.json"], registry=registry)
        if list(validate_quiet.iter_errors(s)):
            check(False, f"service {s.get('service_code')} validates against service.json")
            break
    with_meta = next(s for s in services if s.get("metadata"))
    definition = client.get_service_definition(with_meta["service_code"])
    validate("service-definition.json", definition, loaded, registry)
    xml_services = GeoReport(ROOT, output_format="xml").get_service_list()
    check(
        len(xml_services) == len(services),
        f"the XML list has the same {len(services)} services",
    )

    # A plain form POST with the minted key files a request.
    code = with_meta["service_code"]
    form = {
        "api_key": KEY,
        "service_code": code,
        "lat": LAT,
        "long": LON,
        "description": "莲花路口的路灯一整晚都不亮，行人看不清路。",
        "address_string": "福田区莲花路",
        "email": "resident@example.org",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13912345678",
    }
    for a in definition.get("attributes", []):
        if a.get("required") and a.get("values"):
            form[f"attribute[{a['code']}]"] = a["values"][0]["key"]
        elif a.get("required"):
            form[f"attribute[{a['code']}]"] = "1"
    created = requests.post(f"{ROOT}/requests.json", data=form, timeout=30)
    check(created.status_code == 201, f"a form POST with a key: {created.status_code}")
    body = created.json()
    check(
        isinstance(body, list) and len(body) == 1 and body[0].get("service_request_id"),
        f"the answer names the new request: {body}",
    )
    rid = body[0]["service_request_id"]

    # Without a key, or with a made-up one: refused, in Open311's error format.
    for label, data in (
        ("without a key", {k: v for k, v in form.items() if k != "api_key"}),
        ("with a made-up key", {**form, "api_key": "cm_not_a_real_key"}),
    ):
        r = requests.post(f"{ROOT}/requests.json", data=data, timeout=30)
        err = r.json()
        check(
            r.status_code in (401, 403)
            and isinstance(err, list)
            and {"code", "description"} <= set(err[0]),
            f"a POST {label} is refused: {r.status_code} {err}",
        )

    # Read back through the client: the list and the one request (a one-element array).
    listed = client.get_service_requests(service_code=code)
    check(
        any(r["service_request_id"] == rid for r in listed),
        f"georeport lists the new request among {len(listed)}",
    )
    validate("requests.json", listed, loaded, registry)
    one = client.get_service_request(rid)
    check(one["service_request_id"] == rid, "georeport reads the one request")
    validate("request.json", one, loaded, registry)
    raw_one = requests.get(f"{ROOT}/requests/{rid}.json", timeout=30).json()
    check(isinstance(raw_one, list) and len(raw_one) == 1, "one request is a one-element array")
    by_id = client.get_service_requests(service_request_id=rid)
    check([r["service_request_id"] for r in by_id] == [rid], "service_request_id filters")
    xml_one = GeoReport(ROOT, output_format="xml").get_service_request(rid)
    check(xml_one["service_request_id"] == rid, "the XML request reads the same")
    open_now = client.get_service_requests(status="open", service_code=code)
    check(all(r["status"] == "open" for r in open_now), "status=open gives open requests")

    # Public answers carry no personal data.
    public = json.dumps([listed, one], ensure_ascii=False)
    for secret in ("13912345678", "resident@example.org", "小明"):
        check(secret not in public, f"no `{secret}` in public answers")

    # Bad input: Open311's error format, 400, nothing filed.
    before = len(client.get_service_requests(service_code=code))
    bad = {
        "no service_code": {k: v for k, v in form.items() if k != "service_code"},
        "an unknown service": {**form, "service_code": "9999"},
        "no location": {k: v for k, v in form.items() if k not in ("lat", "long", "address_string")},
        "a place outside the district": {**form, "lat": "39.9", "long": "116.4"},
        "bad lat/long": {**form, "lat": "north", "long": "114.05"},
        "a description over 4,000 characters": {**form, "description": "灯" * 4001},
    }
    for label, data in bad.items():
        r = requests.post(f"{ROOT}/requests.json", data=data, timeout=30)
        err = r.json()
        check(
            r.status_code == 400 and isinstance(err, list) and err[0].get("code") == 400,
            f"{label}: {r.status_code} {err[0].get('description') if err else ''}",
        )
    not_image = requests.post(
        f"{ROOT}/requests.json",
        data=form,
        files={"media": ("note.txt", b"not an image", "text/plain")},
        timeout=30,
    )
    check(not_image.status_code == 400, f"a non-image photo: {not_image.status_code}")
    after = len(client.get_service_requests(service_code=code))
    check(after == before, f"nothing was filed by bad input ({before} → {after})")

    if failures:
        print(f"{len(failures)} Open311 checks failed")
        sys.exit(1)
    print("Open311: all checks passed")


if __name__ == "__main__":
    main()
