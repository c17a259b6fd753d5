"""FROST's Python client (PyPI `frost_sta_client`) against our SensorThings API.

It creates a Thing with a Location, a Sensor, an ObservedProperty and a Datastream,
posts Observations, and reads them back with $filter and a nested $expand, as a
district's IoT team would with the client they already use. Writes need a credential:
the client speaks HTTP Basic, and takes a district administrator's API token as the
password (`citymirror token create --role district-admin`).

Environment: CITYMIRROR_URL (the server), CITYMIRROR_STA_TOKEN (the token).
"""

import datetime
import os
import sys
import uuid

import frost_sta_client as fsc
import geojson

url = os.environ["CITYMIRROR_URL"].rstrip("/") + "/sta/v1.1"
token = os.environ["CITYMIRROR_STA_TOKEN"]
service = fsc.SensorThingsService(url, auth_handler=fsc.AuthHandler(username="frost", password=token))
tag = uuid.uuid4().hex[:8]


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}")
        sys.exit(1)
    print(f"ok: {what}")


location = fsc.Location(
    name=f"福田河 {tag}",
    description="3 号桥",
    encoding_type="application/geo+json",
    location=geojson.Point((114.061, 22.541)),
)
thing = fsc.Thing(name=f"水位站 {tag}", description="河道水位监测", properties={"grid": "440304001001"}, locations=[location])
service.create(thing)
check(thing.id is not None, f"Thing created with its Location (id {thing.id})")

sensor = fsc.Sensor(name=f"雷达水位计 {tag}", description="radar gauge", encoding_type="text/plain", metadata="-")
prop = fsc.ObservedProperty(name="水位", definition="https://example.org/water_level", description="water level")
datastream = fsc.Datastream(
    name=f"水位 {tag}",
    description="河道水位",
    observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
    unit_of_measurement=fsc.UnitOfMeasurement(name="metre", symbol="m", definition="ucum:m"),
    thing=thing,
    sensor=sensor,
    observed_property=prop,
)
# FROST's client posts the Sensor and ObservedProperty inline (a deep insert).
service.create(datastream)
check(datastream.id is not None, f"Datastream created with its Sensor and ObservedProperty (id {datastream.id})")

now = datetime.datetime.now(datetime.timezone.utc)
for i in range(10):
    t = (now - datetime.timedelta(minutes=10 - i)).isoformat()
    obs = fsc.Observation(result=0.1 * i, phenomenon_time=t, datastream=datastream)
    service.create(obs)
check(True, "10 Observations posted")

found = service.observations().query().filter(f"Datastream/@iot.id eq {datastream.id} and result ge 0.5").list()
values = sorted(round(o.result, 3) for o in found)
check(values == [0.5, 0.6, 0.7, 0.8, 0.9], f"$filter on a deep path and a result reads back {values}")

things = (
    service.things()
    .query()
    .filter(f"name eq '水位站 {tag}'")
    .expand("Locations,Datastreams($expand=Sensor,ObservedProperty,Observations($orderby=phenomenonTime desc;$top=3))")
    .list()
)
got = list(things)
check(len(got) == 1, "the Thing is found by name")
t = got[0]
check(t.locations and t.locations.entities[0].name == f"福田河 {tag}", "its Location comes expanded")
ds = t.datastreams.entities[0]
check(ds.sensor.name == f"雷达水位计 {tag}" and ds.observed_property.name == "水位", "Sensor and ObservedProperty nest inside the Datastream")
latest = [round(o.result, 3) for o in ds.observations.entities]
check(latest == [0.9, 0.8, 0.7], f"the nested $expand keeps its own $orderby and $top: {latest}")

again = service.things().find(thing.id)
check(again.name == f"水位站 {tag}", "find() reads the Thing back")
service.delete(again)
gone = list(service.datastreams().query().filter(f"name eq '水位 {tag}'").list())
check(gone == [], "deleting the Thing deletes its Datastream")
print("SensorThings (frost_sta_client): all checks passed")
