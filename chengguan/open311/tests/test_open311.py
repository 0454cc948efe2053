"""Open311 GeoReport v2: formats, schemas of the Open311 community, the georeport client."""

import json
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from chengguan.cases.models import Case, Category
from chengguan.open311.models import Open311Client
from chengguan.open311.services import api_key_hash, client_register
from chengguan.org.models import Grid

SCHEMAS = Path(__file__).parent / "schemas"
UNIT = "410106"
KEY = "test-open311-key"
BASE = "/open311/v2"


def _registry() -> Registry:
    """The schemas refer to each other by file name (requests.json → request.json)."""
    return Registry().with_resources(
        (
            path.name,
            Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT7),
        )
        for path in SCHEMAS.glob("*.json")
    )


def validate(body, schema_name: str) -> None:
    schema = json.loads((SCHEMAS / schema_name).read_text())
    errors = list(Draft7Validator(schema, registry=_registry()).iter_errors(body))
    assert not errors, [e.message for e in errors]


@pytest.fixture
def point():
    grid = Grid.objects.filter(region_code=UNIT).order_by("code").first()
    p = grid.geometry.representative_point()
    return p.x, p.y


@pytest.fixture
def open311_client(db):
    return client_register(name="测试客户端", api_key=KEY, username="open311-test")


def post(client, point, fmt="json", headers=None, **fields):
    lon, lat = point
    data = {
        "api_key": KEY,
        "jurisdiction_id": "4101",
        "service_code": "06010",
        "lat": lat,
        "long": lon,
        "description": "路边有暴露垃圾",
        "address_string": "上街区某路口",
        "email": "citizen@example.com",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800000000",
    } | fields
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", data, headers=headers or {})


def xml(response) -> ElementTree.Element:
    return ElementTree.fromstring(response.content)


def test_discovery(client):
    answer = client.get(f"{BASE}/discovery.json")
    assert answer.status_code == 200
    endpoint = answer.json()["endpoints"][0]
    assert endpoint["url"].endswith("/open311/v2/")
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == [
        "application/json",
        "text/xml",
    ]


@pytest.mark.django_db
def test_services_json_and_xml_agree(client):
    answer = client.get(f"{BASE}/services.json", {"jurisdiction_id": "4101"})
    assert answer.status_code == 200
    services = answer.json()
    validate(services, "services.json")
    assert len(services) == Category.objects.filter(active=True).count()
    garbage = next(s for s in services if s["service_code"] == "06010")
    assert garbage["service_name"] == "暴露垃圾"
    assert garbage["type"] == "realtime" and garbage["metadata"] is False
    assert any(s["service_code"].startswith("c") for s in services)  # components
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == [
        s["service_code"] for s in services
    ]
    assert root.find("service").findtext("metadata") == "false"
    definition = client.get(f"{BASE}/services/06010.json").json()
    validate(definition, "service-definition.json")
    assert client.get(f"{BASE}/services/99999.json").status_code == 404


@pytest.mark.django_db
def test_bad_jurisdiction_is_404(client):
    answer = client.get(f"{BASE}/services.json", {"jurisdiction_id": "1101"})
    assert answer.status_code == 404
    assert answer.json()[0]["code"] == 404
    root = xml(client.get(f"{BASE}/requests.xml", {"jurisdiction_id": "1101"}))
    assert root.tag == "errors" and root.find("error").findtext("code") == "404"


def test_demo_client_is_registered_without_the_key_in_clear(db):
    demo = Open311Client.objects.get(name="演示 Open311 客户端")
    assert demo.api_key_hash == api_key_hash("demo-open311-key")
    assert demo.service_account.username == "open311-demo"
    assert not demo.service_account.has_usable_password()
    assert "demo-open311-key" not in {f.value_to_string(demo) for f in demo._meta.fields}


def test_post_creates_a_case_and_get_shows_it(client, open311_client, point):
    answer = post(client, point)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    validate(body, "requests.json")
    number = body[0]["service_request_id"]
    case = Case.objects.get(number=number)
    assert case.channel == "web" and case.reporter == open311_client.service_account
    assert case.address == "上街区某路口"

    shown = client.get(f"{BASE}/requests/{number}.json")
    assert shown.status_code == 200
    validate(shown.json(), "requests.json")
    request = shown.json()[0]
    assert request["status"] == "open" and request["service_code"] == "06010"
    assert request["requested_datetime"].endswith("+08:00")
    assert request["lat"] == pytest.approx(point[1])
    text = shown.content.decode()
    for personal in ("citizen@example.com", "13800000000", "open311-test", "张"):
        assert personal not in text  # no personal data ("张" is the last name)

    root = xml(client.get(f"{BASE}/requests/{number}.xml"))
    assert root.tag == "service_requests"
    assert root.find("request").findtext("service_request_id") == number
    posted = xml(post(client, point, fmt="xml"))
    assert posted.find("request").findtext("service_request_id").startswith(UNIT)


def test_post_refusals(client, open311_client, point):
    wrong_key = post(client, point, api_key="nope")
    assert wrong_key.status_code == 403
    assert wrong_key.json()[0]["code"] == 403 and wrong_key.json()[0]["description"]
    assert post(client, point, api_key=None).status_code == 403
    open311_client.active = False
    open311_client.save()
    assert post(client, point).status_code == 403
    open311_client.active = True
    open311_client.save()

    unknown = post(client, point, service_code="99999")
    assert unknown.status_code == 400 and "99999" in unknown.json()[0]["description"]
    outside = post(client, (116.397, 39.909))  # Beijing
    assert outside.status_code == 400
    assert "不在本市网格范围内" in outside.json()[0]["description"]
    assert post(client, point, lat=None, long=None).status_code == 400  # address alone
    assert post(client, point, description="").status_code == 400
    assert post(client, point, jurisdiction_id="1101").status_code == 404
    root = xml(post(client, point, fmt="xml", api_key="nope"))
    assert root.tag == "errors" and root.find("error").findtext("code") == "403"
    assert not Case.objects.filter(reporter=open311_client.service_account).exists()


def test_idempotent_post_replays_the_same_id(client, open311_client, point):
    first = post(client, point, headers={"Idempotency-Key": "k-1"})
    again = post(client, point, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Case.objects.filter(reporter=open311_client.service_account).count() == 1
    other = post(client, point, description="别的问题", headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 422


def test_get_requests_filters(client, open311_client, point):
    numbers = [post(client, point).json()[0]["service_request_id"] for _ in range(2)]
    post(client, point, service_code="06011", description="另一类")
    old = Case.objects.get(number=numbers[0])
    old.reported_at = timezone.now() - timedelta(days=120)
    old.save(update_fields=["reported_at"])
    closed = Case.objects.get(number=numbers[1])
    closed.status = "closed"
    closed.closed_at = timezone.now()
    closed.save(update_fields=["status", "closed_at"])

    def ids(**params):
        answer = client.get(f"{BASE}/requests.json", params)
        assert answer.status_code == 200, answer.content
        validate(answer.json(), "requests.json")
        return {r["service_request_id"] for r in answer.json()}

    recent = ids()
    assert numbers[1] in recent and numbers[0] not in recent  # last 90 days by default
    assert numbers[1] in ids(status="closed")
    assert numbers[1] not in ids(status="open")
    assert ids(status="open,closed") == recent
    assert all(
        r["service_code"] == "06010"
        for r in client.get(f"{BASE}/requests.json", {"service_code": "06010"}).json()
    )
    assert numbers[1] in ids(service_code="06010") and numbers[1] not in ids(service_code="06011")
    since = (timezone.now() - timedelta(days=200)).isoformat()
    until = (timezone.now() - timedelta(days=100)).isoformat()
    assert numbers[0] in ids(start_date=since, end_date=until)
    assert numbers[1] not in ids(start_date=since, end_date=until)
    assert ids(service_request_id=",".join(numbers)) == set(numbers)  # overrides the dates
    assert client.get(f"{BASE}/requests.json", {"start_date": "yesterday"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400
    closed_xml = xml(client.get(f"{BASE}/requests.xml", {"status": "closed"}))
    assert numbers[1] in [r.findtext("service_request_id") for r in closed_xml]
    assert client.get(f"{BASE}/requests/nope.json").status_code == 404
    token = client.get(f"{BASE}/tokens/abc.json")
    assert token.status_code == 404 and token.json()[0]["code"] == 404


def test_get_requests_caps_at_1000(client, open311_client, point, monkeypatch):
    from chengguan.open311 import views

    monkeypatch.setattr(views, "MAX_REQUESTS", 2)  # the same code path as 1,000
    for _ in range(3):
        post(client, point)
    assert len(client.get(f"{BASE}/requests.json").json()) == 2
    assert views.DEFAULT_DAYS == 90


@pytest.mark.django_db(transaction=True)
def test_georeport_client_against_the_live_server(live_server):
    """The `georeport` package (0.3.1) reads services and requests; it has no method to POST
    a request, so the POST goes through plain HTTP (requests) as the package would."""
    import requests
    from georeport import GeoReport

    from conftest import load_territory

    load_territory()
    grid = Grid.objects.filter(region_code=UNIT).order_by("code").first()
    p = grid.geometry.representative_point()
    root = f"{live_server.url}{BASE}"
    for fmt in ("json", "xml"):
        georeport = GeoReport(root, jurisdiction="4101", output_format=fmt)
        services = georeport.get_service_list()
        assert any(s["service_code"] == "06010" for s in services)

    answer = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": "demo-open311-key",
            "jurisdiction_id": "4101",
            "service_code": "06010",
            "lat": p.y,
            "long": p.x,
            "description": "实时服务器测试",
        },
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    number = answer.json()[0]["service_request_id"]
    for fmt in ("json", "xml"):
        georeport = GeoReport(root, jurisdiction="4101", output_format=fmt)
        assert georeport.get_service_request(number)["service_request_id"] == number
        found = georeport.get_service_requests(service_request_id=number)
        found = found if isinstance(found, list) else [found]  # xmltodict: one → a dict
        assert [r["service_request_id"] for r in found] == [number]
