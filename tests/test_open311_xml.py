"""Open311 GeoReport v2 in XML beside JSON: the real PyPI client ``georeport`` reading
``services.xml`` and ``requests.xml`` (as a FixMyStreet-style client does, through
xmltodict) against the real server, every document checked against the element layout of
the spec's own examples (wiki.open311.org/GeoReport_v2), errors included."""
import subprocess
import sys
from xml.etree import ElementTree as ET

import pytest
import requests
from georeport import GeoReport

from dashboard.http.open311_xml import to_xml
from dashboard.launch import running_server
from tests.servers import REPO, copy_db

# The spec's examples, cut to one item each: the root, the item and the children in order.
SPEC_SERVICES = """<?xml version="1.0" encoding="utf-8"?>
<services><service><service_code>001</service_code><service_name>Cans left out 24x7</service_name>
<description>Garbage or recycling cans that have been left out for more than 24 hours after collection.</description>
<metadata>true</metadata><type>realtime</type><keywords>lorem, ipsum, dolor</keywords><group>sanitation</group>
</service></services>"""
SPEC_REQUESTS = """<?xml version="1.0" encoding="utf-8"?>
<service_requests><request><service_request_id>638344</service_request_id><status>closed</status>
<status_notes>Duplicate request.</status_notes><service_name>Sidewalk and Curb Issues</service_name>
<service_code>006</service_code><description></description><agency_responsible></agency_responsible>
<service_notice></service_notice><requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
<updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
<expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime><address>8TH AVE and JUDAH ST</address>
<address_id>545483</address_id><zipcode>94122</zipcode><lat>37.762221815</lat><long>-122.4651145</long>
<media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url></request></service_requests>"""
SPEC_POSTED = """<?xml version="1.0" encoding="utf-8"?>
<service_requests><request><service_request_id>293944</service_request_id>
<service_notice>The City will inspect within 24 hours.</service_notice><account_id/></request></service_requests>"""
SPEC_ERRORS = """<?xml version="1.0" encoding="utf-8"?>
<errors><error><code>403</code><description>Invalid api_key received.</description></error></errors>"""
SPEC_DEFINITION = """<?xml version="1.0" encoding="utf-8"?>
<service_definition><service_code>DMV66</service_code><attributes></attributes></service_definition>"""


def layout(document: bytes | str) -> tuple[str, str | None, list[str]]:
    root = ET.fromstring(document)
    items = list(root)
    first = items[0] if items else None
    if root.tag == "service_definition":
        return root.tag, None, [c.tag for c in items]
    return root.tag, first.tag if first is not None else None, [c.tag for c in first] if first is not None else []


@pytest.fixture(scope="module")
def served(demo_db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("open311xml")
    db = copy_db(demo_db_path, folder)
    made = subprocess.run([sys.executable, "-m", "dashboard", "channel", "add", "--db", str(db),
                           "--name", "FixMyStreet", "--source", "public"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1].split()[-1]
    with running_server(db, folder) as url:
        yield url, key


def test_services_xml_is_the_spec_layout_and_the_client_reads_it(served):
    url, _ = served
    r = requests.get(f"{url}/open311/v2/services.xml")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/xml")
    assert r.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<services>')
    assert layout(r.content) == layout(SPEC_SERVICES)
    as_json = requests.get(f"{url}/open311/v2/services.json").json()
    services = GeoReport(f"{url}/open311/v2", output_format="xml").get_service_list()
    assert [s["service_code"] for s in services] == [s["service_code"] for s in as_json]
    garbage = next(s for s in services if s["service_code"] == "0401")
    assert garbage["service_name"] == "暴露垃圾" and garbage["metadata"] == "false" and garbage["type"] == "realtime"
    definition = requests.get(f"{url}/open311/v2/services/0401.xml")
    assert layout(definition.content) == layout(SPEC_DEFINITION)


def test_requests_xml_is_the_spec_layout_and_equals_the_json(served):
    url, _ = served
    r = requests.get(f"{url}/open311/v2/requests.xml?status=open")
    assert r.status_code == 200 and layout(r.content) == layout(SPEC_REQUESTS)
    client = GeoReport(f"{url}/open311/v2", output_format="xml")
    got = client.get_service_requests(status="open")
    want = requests.get(f"{url}/open311/v2/requests.json?status=open").json()
    assert len(got) == len(want) > 1
    for a, b in zip(got, want):
        assert {k: (v or None) for k, v in a.items()} == {k: (None if v is None else str(v)) for k, v in b.items()}
    one = requests.get(f"{url}/open311/v2/requests/{want[0]['service_request_id']}.xml")
    assert layout(one.content) == layout(SPEC_REQUESTS)
    assert ET.fromstring(one.content).find("request/service_request_id").text == want[0]["service_request_id"]


def test_post_and_errors_in_xml(served):
    url, key = served
    lat, lon = 32.39, 119.41
    r = requests.post(f"{url}/open311/v2/requests.xml",
                      data={"api_key": key, "service_code": "0401", "lat": str(lat), "long": str(lon),
                            "description": "路边暴露垃圾"})
    assert r.status_code == 201 and layout(r.content) == layout(SPEC_POSTED)
    rid = ET.fromstring(r.content).find("request/service_request_id").text
    assert requests.get(f"{url}/open311/v2/requests/{rid}.json").json()[0]["description"] == "路边暴露垃圾"
    bad = requests.post(f"{url}/open311/v2/requests.xml", data={"api_key": "wrong", "service_code": "0401"})
    assert bad.status_code == 403 and layout(bad.content) == layout(SPEC_ERRORS)
    assert ET.fromstring(bad.content).find("error/code").text == "403"
    missing = requests.get(f"{url}/open311/v2/requests/123.xml")
    assert missing.status_code == 404 and ET.fromstring(missing.content).find("error/code").text == "404"


def test_to_xml_writes_empty_fields_booleans_and_text_safely():
    doc = to_xml([{"a": None, "b": True, "c": "<&> 中文"}], "services", "service")
    item = ET.fromstring(doc).find("service")
    assert item.find("a").text is None and item.find("b").text == "true" and item.find("c").text == "<&> 中文"
