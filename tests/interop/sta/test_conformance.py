"""The OGC SensorThings API conformance classes, as the OGC test suite (ets-sta10)
groups them, run against a served twin and the real MQTT broker:

- entity control information (every entity's @iot.id, @iot.selfLink, navigation links);
- filtering ($select, $expand, $top, $skip, $orderby, $count, $filter operators and
  functions, deep paths);
- create, update, delete (each entity type, deep insert, the Location header, PATCH,
  PUT, DELETE and its cascade, refusals that change nothing);
- MQTT create (an Observation published on v1.1/Datastreams(id)/Observations is
  stored) and MQTT receive (a subscriber to a Datastream's observations hears those
  created over HTTP and over MQTT alike).

Environment: CITYMIRROR_URL, CITYMIRROR_STA_TOKEN (a district administrator's token),
CITYMIRROR_MQTT (host:port of the broker the server reads).
"""

import datetime
import json
import os
import threading
import time
import uuid

import httpx
import paho.mqtt.client as mqtt
import pytest

BASE = os.environ["CITYMIRROR_URL"].rstrip("/") + "/sta/v1.1"
TOKEN = os.environ["CITYMIRROR_STA_TOKEN"]
SETS = [
    "Things", "Locations", "HistoricalLocations", "Datastreams", "MultiDatastreams",
    "Sensors", "ObservedProperties", "Observations", "FeaturesOfInterest",
]
NAVS = {
    "Things": ["Locations", "HistoricalLocations", "Datastreams", "MultiDatastreams"],
    "Locations": ["Things", "HistoricalLocations"],
    "HistoricalLocations": ["Thing", "Locations"],
    "Datastreams": ["Thing", "Sensor", "ObservedProperty", "Observations"],
    "Sensors": ["Datastreams", "MultiDatastreams"],
    "ObservedProperties": ["Datastreams", "MultiDatastreams"],
    "Observations": ["Datastream", "FeatureOfInterest"],
    "FeaturesOfInterest": ["Observations"],
}


@pytest.fixture(scope="session")
def http():
    with httpx.Client(timeout=30) as c:
        yield c


@pytest.fixture(scope="session")
def admin():
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        yield c


def now(minutes=0):
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)).isoformat()


def station(tag):
    return {
        "name": f"station {tag}",
        "description": "a test station",
        "properties": {"tag": tag, "grid": "440304001001"},
        "Locations": [{
            "name": f"place {tag}", "description": "d", "encodingType": "application/geo+json",
            "location": {"type": "Point", "coordinates": [114.05, 22.54]},
        }],
        "Datastreams": [{
            "name": f"temperature {tag}", "description": "air temperature",
            "unitOfMeasurement": {"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"},
            "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
            "Sensor": {"name": f"sensor {tag}", "description": "d", "encodingType": "text/plain", "metadata": "-"},
            "ObservedProperty": {"name": "temperature", "definition": "https://example.org/t", "description": "d"},
        }],
    }


def created(r):
    assert r.status_code == 201, r.text
    loc = r.headers["location"]
    assert loc.startswith(BASE + "/")
    return int(loc.rsplit("(", 1)[1].rstrip(")"))


@pytest.fixture(scope="module")
def fixture_station(admin):
    """A Thing with a Datastream holding 20 observations, 0.0 … 9.5."""
    tag = uuid.uuid4().hex[:8]
    thing = created(admin.post(f"{BASE}/Things", json=station(tag)))
    ds = admin.get(f"{BASE}/Things({thing})/Datastreams").json()["value"][0]["@iot.id"]
    for i in range(20):
        r = admin.post(f"{BASE}/Datastreams({ds})/Observations", json={"result": i / 2, "phenomenonTime": now(i - 30)})
        created(r)
    return {"tag": tag, "thing": thing, "ds": ds}


# --- entity control information --------------------------------------------------

class TestEntityControlInformation:
    def test_the_service_root_lists_every_set(self, http):
        doc = http.get(BASE).json()
        assert sorted(v["name"] for v in doc["value"]) == sorted(SETS)
        for v in doc["value"]:
            assert v["url"] == f"{BASE}/{v['name']}"

    @pytest.mark.parametrize("name", [s for s in SETS if s != "MultiDatastreams"])
    def test_each_entity_has_its_id_self_link_and_navigation_links(self, http, fixture_station, name):
        doc = http.get(f"{BASE}/{name}?$top=2").json()
        assert doc["value"], f"{name} is empty"
        for e in doc["value"]:
            assert isinstance(e["@iot.id"], int)
            assert e["@iot.selfLink"] == f"{BASE}/{name}({e['@iot.id']})"
            for nav in NAVS[name]:
                assert e[f"{nav}@iot.navigationLink"] == f"{e['@iot.selfLink']}/{nav}"
            assert http.get(e["@iot.selfLink"]).json()["@iot.id"] == e["@iot.id"]

    def test_navigation_links_lead_where_they_say(self, http, fixture_station):
        thing = http.get(f"{BASE}/Things({fixture_station['thing']})").json()
        ds = http.get(thing["Datastreams@iot.navigationLink"]).json()["value"]
        assert [d["@iot.id"] for d in ds] == [fixture_station["ds"]]
        back = http.get(ds[0]["Thing@iot.navigationLink"]).json()
        assert back["@iot.id"] == fixture_station["thing"]


# --- filtering --------------------------------------------------------------------

class TestFiltering:
    def obs(self, http, st, query):
        r = http.get(f"{BASE}/Datastreams({st['ds']})/Observations", params=query)
        assert r.status_code == 200, r.text
        return r.json()

    def test_select_keeps_only_what_it_names(self, http, fixture_station):
        doc = self.obs(http, fixture_station, {"$select": "result,id", "$top": "3"})
        for e in doc["value"]:
            assert set(e) == {"result", "@iot.id"}

    def test_top_skip_and_the_next_link(self, http, fixture_station):
        doc = self.obs(http, fixture_station, {"$top": "7", "$orderby": "phenomenonTime asc"})
        assert [o["result"] for o in doc["value"]] == [i / 2 for i in range(7)]
        nxt = http.get(doc["@iot.nextLink"]).json()
        assert [o["result"] for o in nxt["value"]] == [i / 2 for i in range(7, 14)]
        skip = self.obs(http, fixture_station, {"$skip": "18", "$orderby": "phenomenonTime asc"})
        assert [o["result"] for o in skip["value"]] == [9.0, 9.5]
        assert "@iot.nextLink" not in skip

    def test_count(self, http, fixture_station):
        doc = self.obs(http, fixture_station, {"$count": "true", "$top": "1"})
        assert doc["@iot.count"] == 20 and len(doc["value"]) == 1
        assert "@iot.count" not in self.obs(http, fixture_station, {"$count": "false"})

    @pytest.mark.parametrize("expr,expected", [
        ("result gt 8", [8.5, 9.0, 9.5]),
        ("result ge 9", [9.0, 9.5]),
        ("result lt 1", [0.0, 0.5]),
        ("result le 0.5", [0.0, 0.5]),
        ("result eq 4", [4.0]),
        ("result ne 0 and result lt 1.5", [0.5, 1.0]),
        ("result lt 0.5 or result gt 9", [0.0, 9.5]),
        ("not (result lt 9.5)", [9.5]),
        ("result add 1 eq 2", [1.0]),
        ("result sub 1 eq 2", [3.0]),
        ("result mul 2 eq 5", [2.5]),
        ("result div 2 eq 2", [4.0]),
        ("result mod 4 eq 1", [1.0, 5.0, 9.0]),
        ("round(result) eq 3 and result lt 3", [2.5]),
        ("floor(result) eq 7", [7.0, 7.5]),
        ("ceiling(result) eq 1", [0.5, 1.0]),
    ])
    def test_comparison_logical_and_arithmetic_operators(self, http, fixture_station, expr, expected):
        doc = self.obs(http, fixture_station, {"$filter": expr, "$orderby": "result"})
        assert [o["result"] for o in doc["value"]] == expected

    @pytest.mark.parametrize("expr", [
        "substringof('station', name)",
        "contains(name, 'station')",
        "startswith(name, 'station ')",
        "endswith(name, '{tag}')",
        "length(name) eq {len}",
        "indexof(name, '{tag}') eq 8",
        "substring(name, 8) eq '{tag}'",
        "tolower(toupper(name)) eq name",
        "trim(concat(' ', name)) eq name",
    ])
    def test_string_functions(self, http, fixture_station, expr):
        tag = fixture_station["tag"]
        expr = expr.format(tag=tag, len=len(f"station {tag}"))
        doc = http.get(f"{BASE}/Things", params={"$filter": f"({expr}) and properties/tag eq '{tag}'"}).json()
        assert [t["@iot.id"] for t in doc["value"]] == [fixture_station["thing"]], expr

    def test_date_functions_and_time_comparison(self, http, fixture_station):
        today = datetime.datetime.now(datetime.timezone.utc)
        since = (today - datetime.timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
        doc = self.obs(http, fixture_station, {"$filter": f"phenomenonTime ge {since}", "$count": "true"})
        assert 9 <= doc["@iot.count"] <= 11
        doc = self.obs(http, fixture_station, {"$filter": f"year(phenomenonTime) ge {today.year - 1}", "$count": "true"})
        assert doc["@iot.count"] == 20

    def test_deep_paths_and_geospatial_functions(self, http, fixture_station):
        tag = fixture_station["tag"]
        doc = http.get(f"{BASE}/Observations", params={
            "$filter": f"Datastream/Thing/properties/tag eq '{tag}'", "$count": "true", "$top": "1"}).json()
        assert doc["@iot.count"] == 20
        inside = "geography'POLYGON((114.0 22.5, 114.1 22.5, 114.1 22.6, 114.0 22.6, 114.0 22.5))'"
        outside = "geography'POLYGON((113.0 22.5, 113.1 22.5, 113.1 22.6, 113.0 22.6, 113.0 22.5))'"
        for fn, poly, expect in [("geo.intersects", inside, 1), ("st_within", inside, 1), ("geo.intersects", outside, 0)]:
            args = f"location, {poly}" if fn == "geo.intersects" else f"location, {poly}"
            doc = http.get(f"{BASE}/Locations", params={
                "$filter": f"{fn}({args}) and name eq 'place {tag}'", "$count": "true"}).json()
            assert doc["@iot.count"] == expect, (fn, poly)

    def test_nested_expand_with_options_at_each_level(self, http, fixture_station):
        doc = http.get(f"{BASE}/Things({fixture_station['thing']})", params={
            "$expand": "Datastreams($select=name,id;$expand=Observations($orderby=result desc;$top=2;$count=true))"}).json()
        ds = doc["Datastreams"][0]
        assert set(ds) >= {"name", "@iot.id", "Observations"} and "description" not in ds
        assert [o["result"] for o in ds["Observations"]] == [9.5, 9.0]
        assert ds["Observations@iot.count"] == 20
        assert "Observations@iot.nextLink" in ds

    def test_data_array_result_format(self, http, fixture_station):
        doc = self.obs(http, fixture_station, {"$resultFormat": "dataArray", "$select": "id,result", "$top": "5"})
        group = doc["value"][0]
        assert group["components"] == ["id", "result"]
        assert len(group["dataArray"]) == 5 and group["dataArray@iot.count"] == 5

    @pytest.mark.parametrize("query,code", [
        ({"$filter": "result gt"}, "bad_filter"),
        ({"$filter": "nosuchfunction(result)"}, "bad_filter"),
        ({"$top": "x"}, "bad_top"),
        ({"$skip": "-3"}, "bad_skip"),
        ({"$orderby": "result sideways"}, "bad_orderby"),
        ({"$expand": "NoSuchNavigation"}, "bad_expand"),
        ({"$select": "nosuchproperty"}, "bad_select"),
        ({"$bogus": "1"}, "bad_option"),
    ])
    def test_bad_options_are_refused_with_a_code(self, http, query, code):
        r = http.get(f"{BASE}/Things", params=query)
        assert r.status_code == 400 and r.json()["code"] == code, r.text


# --- create, update, delete -------------------------------------------------------

class TestCreateUpdateDelete:
    def test_each_entity_type_is_created_by_itself_and_linked(self, admin):
        tag = uuid.uuid4().hex[:8]
        thing = created(admin.post(f"{BASE}/Things", json={"name": tag, "description": "d"}))
        loc = created(admin.post(f"{BASE}/Things({thing})/Locations", json={
            "name": tag, "description": "d", "encodingType": "application/geo+json",
            "location": {"type": "Point", "coordinates": [114.0, 22.5]}}))
        assert [l["@iot.id"] for l in admin.get(f"{BASE}/Things({thing})/Locations").json()["value"]] == [loc]
        assert admin.get(f"{BASE}/Things({thing})/HistoricalLocations").json()["value"], "a history starts"
        sensor = created(admin.post(f"{BASE}/Sensors", json={"name": tag, "description": "d", "encodingType": "text/plain", "metadata": "m"}))
        op = created(admin.post(f"{BASE}/ObservedProperties", json={"name": tag, "definition": "d", "description": "d"}))
        ds = created(admin.post(f"{BASE}/Datastreams", json={
            "name": tag, "description": "d", "observationType": "OM_Measurement",
            "unitOfMeasurement": {"name": "n", "symbol": "s", "definition": "d"},
            "Thing": {"@iot.id": thing}, "Sensor": {"@iot.id": sensor}, "ObservedProperty": {"@iot.id": op}}))
        foi = created(admin.post(f"{BASE}/FeaturesOfInterest", json={
            "name": tag, "description": "d", "encodingType": "application/geo+json",
            "feature": {"type": "Point", "coordinates": [114.0, 22.5]}}))
        obs = created(admin.post(f"{BASE}/Observations", json={
            "result": 1, "Datastream": {"@iot.id": ds}, "FeatureOfInterest": {"@iot.id": foi}}))
        assert admin.get(f"{BASE}/Observations({obs})/FeatureOfInterest").json()["@iot.id"] == foi
        mds = created(admin.post(f"{BASE}/MultiDatastreams", json={
            "name": tag, "description": "d",
            "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_ComplexObservation",
            "unitOfMeasurements": [{"name": "a", "symbol": "a", "definition": "a"}, {"name": "b", "symbol": "b", "definition": "b"}],
            "multiObservationDataTypes": ["OM_Measurement", "OM_Measurement"],
            "Thing": {"@iot.id": thing}, "Sensor": {"@iot.id": sensor},
            "ObservedProperties": [{"@iot.id": op}, {"name": tag + "2", "definition": "d", "description": "d"}]}))
        created(admin.post(f"{BASE}/MultiDatastreams({mds})/Observations", json={"result": [1, 2]}))
        r = admin.post(f"{BASE}/MultiDatastreams({mds})/Observations", json={"result": [1]})
        assert r.status_code == 400, "a MultiDatastream takes one value per ObservedProperty"

    def test_update_with_patch_and_put(self, admin, http):
        tag = uuid.uuid4().hex[:8]
        thing = created(admin.post(f"{BASE}/Things", json=station(tag)))
        r = admin.patch(f"{BASE}/Things({thing})", json={"description": "patched"})
        assert r.status_code == 200
        doc = http.get(f"{BASE}/Things({thing})").json()
        assert doc["description"] == "patched" and doc["name"] == f"station {tag}"
        r = admin.put(f"{BASE}/Things({thing})", json={"name": "put", "description": "put"})
        assert r.status_code == 200
        doc = http.get(f"{BASE}/Things({thing})").json()
        assert doc["name"] == "put" and doc.get("properties") is None

    def test_delete_cascades_as_the_specification_says(self, admin, http):
        tag = uuid.uuid4().hex[:8]
        thing = created(admin.post(f"{BASE}/Things", json=station(tag)))
        ds = http.get(f"{BASE}/Things({thing})/Datastreams").json()["value"][0]["@iot.id"]
        obs = created(admin.post(f"{BASE}/Datastreams({ds})/Observations", json={"result": 1}))
        sensor = http.get(f"{BASE}/Datastreams({ds})/Sensor").json()["@iot.id"]
        assert admin.delete(f"{BASE}/Sensors({sensor})").status_code == 200
        for gone in [f"Sensors({sensor})", f"Datastreams({ds})", f"Observations({obs})"]:
            assert http.get(f"{BASE}/{gone}").status_code == 404, gone
        assert http.get(f"{BASE}/Things({thing})").status_code == 200, "the Thing is not the Sensor's"

    def test_refusals_change_nothing(self, admin, http):
        count = lambda: http.get(f"{BASE}/Things", params={"$count": "true", "$top": "0"}).json()["@iot.count"]
        before = count()
        bad = station("bad")
        del bad["Datastreams"][0]["ObservedProperty"]
        r = admin.post(f"{BASE}/Things", json=bad)
        assert r.status_code == 400 and r.json()["code"] == "missing_link"
        assert http.post(f"{BASE}/Things", json=station("anon")).status_code == 401
        assert admin.post(f"{BASE}/Things", content=b"{no").status_code == 400
        assert count() == before


# --- MQTT -------------------------------------------------------------------------

def mqtt_client():
    host, port = os.environ.get("CITYMIRROR_MQTT", "127.0.0.1:1883").split(":")
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"sta-test-{uuid.uuid4().hex[:8]}")
    c.connect(host, int(port))
    c.loop_start()
    return c


class TestMqtt:
    def test_an_observation_published_over_mqtt_is_stored(self, http, fixture_station):
        ds = fixture_station["ds"]
        c = mqtt_client()
        marker = 1000 + uuid.uuid4().int % 1000
        info = c.publish(f"v1.1/Datastreams({ds})/Observations", json.dumps({"result": marker, "phenomenonTime": now()}), qos=1)
        info.wait_for_publish(5)
        found = []
        for _ in range(50):
            found = http.get(f"{BASE}/Datastreams({ds})/Observations", params={"$filter": f"result eq {marker}"}).json()["value"]
            if found:
                break
            time.sleep(0.1)
        c.loop_stop()
        assert len(found) == 1

    def test_subscribers_hear_observations_made_over_http_and_over_mqtt(self, admin, fixture_station):
        ds = fixture_station["ds"]
        heard = []
        got = threading.Event()

        def on_message(client, userdata, msg):
            heard.append(json.loads(msg.payload))
            # The subscriber also hears the raw publish on the same topic; only
            # the server's announcements (they carry an @iot.id) count.
            if sum("@iot.id" in h for h in heard) >= 2:
                got.set()

        sub = mqtt_client()
        sub.on_message = on_message
        sub.subscribe(f"v1.1/Datastreams({ds})/Observations", qos=1)
        time.sleep(0.5)
        created(admin.post(f"{BASE}/Datastreams({ds})/Observations", json={"result": 4242}))
        pub = mqtt_client()
        pub.publish(f"v1.1/Datastreams({ds})/Observations", json.dumps({"result": 4343}), qos=1).wait_for_publish(5)
        got.wait(10)
        sub.loop_stop()
        pub.loop_stop()
        results = sorted(h["result"] for h in heard if "@iot.id" in h)
        assert results == [4242, 4343], heard
