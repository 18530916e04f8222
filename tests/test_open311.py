"""Open311 GeoReport v2, read with the real PyPI client ``georeport`` against the real
server, and a form-encoded POST per the spec creating a matter."""
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
import requests
from georeport import GeoReport

from dashboard.launch import running_server
from queries import clock
from tests.servers import REPO, copy_db


@pytest.fixture(scope="module")
def served(demo_db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("open311")
    db = copy_db(demo_db_path, folder)
    made = subprocess.run([sys.executable, "-m", "dashboard", "channel", "add", "--db", str(db),
                           "--name", "12345热线对接", "--source", "transfer"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1].split()[-1]
    with running_server(db, folder) as url:
        yield url, key


def test_services_list_our_categories(served):
    url, _ = served
    client = GeoReport(f"{url}/open311/v2")
    services = client.get_service_list()
    codes = {s["service_code"] for s in services}
    assert {"0401", "0601", "1401"} <= codes and len(services) >= 40
    assert next(s for s in services if s["service_code"] == "0401")["service_name"] == "暴露垃圾"
    assert client.get_service_definition("0401")["service_code"] == "0401"


def test_requests_filtered_by_status_and_date(served):
    url, _ = served
    client = GeoReport(f"{url}/open311/v2")
    end = clock.now()
    start = end - timedelta(days=30)
    fmt = "%Y-%m-%dT%H:%M:%S+08:00"
    closed = client.get_service_requests(status="closed", start_date=start.strftime(fmt), end_date=end.strftime(fmt))
    opened = client.get_service_requests(status="open", start_date=start.strftime(fmt), end_date=end.strftime(fmt))
    assert closed and opened
    assert all(r["status"] == "closed" for r in closed) and all(r["status"] == "open" for r in opened)
    for r in closed + opened:
        requested = datetime.fromisoformat(r["requested_datetime"]).replace(tzinfo=None)
        assert start - timedelta(seconds=1) <= requested <= end + timedelta(seconds=1)
    with_agency = [r for r in closed if r["agency_responsible"]]
    assert with_agency and with_agency[0]["expected_datetime"]
    one = client.get_service_request(opened[0]["service_request_id"])
    assert one["service_request_id"] == opened[0]["service_request_id"] and one["status"] == "open"
    by_code = client.get_service_requests(service_code="0401")
    assert by_code and {r["service_code"] for r in by_code} == {"0401"}


def test_post_per_spec_creates_a_matter(served, admin_headers):
    url, key = served
    lon, lat = requests.get(f"{url}/api/v1/matters?limit=1", headers=admin_headers).json()["items"][0]["lon"], \
        requests.get(f"{url}/api/v1/matters?limit=1", headers=admin_headers).json()["items"][0]["lat"]
    form = {"api_key": key, "service_code": "0703", "lat": str(lat), "long": str(lon),
            "description": "小区门口车辆乱停", "first_name": "明", "last_name": "李"}
    r = requests.post(f"{url}/open311/v2/requests.json", data=form)
    assert r.status_code == 201
    rid = r.json()[0]["service_request_id"]
    got = GeoReport(f"{url}/open311/v2").get_service_request(rid)
    assert got["status"] == "open" and got["service_code"] == "0703" and got["description"] == "小区门口车辆乱停"
    detail = requests.get(f"{url}/api/v1/matters/{rid}", headers=admin_headers).json()
    assert detail["source"] == "transfer" and detail["reporter"] == "李 明"


def test_post_errors_follow_the_spec(served):
    url, key = served
    r = requests.post(f"{url}/open311/v2/requests.json", data={"api_key": "wrong", "service_code": "0401"})
    assert r.status_code == 403 and r.json()[0]["code"] == 403
    r = requests.post(f"{url}/open311/v2/requests.json",
                      data={"api_key": key, "service_code": "9999", "description": "x", "lat": "abc"})
    assert r.status_code == 400 and "lat" in r.json()[0]["description"]
    r = requests.post(f"{url}/open311/v2/requests.json",
                      data={"api_key": key, "service_code": "9999", "description": "x", "address_string": "某处"})
    assert r.status_code == 400 and "service_code" in r.json()[0]["description"]
    r = requests.get(f"{url}/open311/v2/requests.json?start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z")
    assert r.status_code == 400 and "90 days" in r.json()[0]["description"]
    assert requests.get(f"{url}/open311/v2/requests/123.json").status_code == 404
    assert requests.get(f"{url}/open311/v2/services.csv").status_code == 400
