"""The inspector app's API: reports with photos and the phone's time, sent again and again
with one Idempotency-Key, and the verify/check tasks near the inspector."""

import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from chengguan.cases.models import Case, CaseEvent
from chengguan.core.models import LedgerEntry
from chengguan.org.models import Agency, Grid

pytestmark = pytest.mark.django_db

UNIT = "410106"  # 上街区, the only county with grids in the test database
URL = "/api/cases/with-photos"
NEARBY = "/api/cases/tasks/nearby"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def grids() -> list:
    return list(Grid.objects.filter(region_code=UNIT).order_by("code"))


@pytest.fixture
def point(grids) -> tuple[float, float]:
    inside = grids[0].geometry.representative_point()
    return inside.x, inside.y


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def inspector(user_factory) -> Client:
    return signed_in(user_factory("inspector", region=UNIT))


def jpeg(colour="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def photo(data: bytes, name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def fields(point, **extra) -> dict:
    lon, lat = point
    return {
        "category_code": "06010",
        "lon": str(lon),
        "lat": str(lat),
        "description": "垃圾桶满溢，周边散落",
        "address": "济源路",
        "client_time": (timezone.now() - timedelta(hours=2)).isoformat(),
        **extra,
    }


def send(client, body: dict, photos=(), key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(URL, {**body, "photos": list(photos)}, headers=headers)


# ---------------------------------------------------------------- report with photos


def test_a_report_with_photos_keeps_them_and_records_the_phones_time(inspector, point):
    made_at = timezone.now() - timedelta(hours=2)
    data = jpeg()

    response = send(inspector, fields(point, client_time=made_at.isoformat()), [photo(data)])

    assert response.status_code == 201, response.content
    case = response.json()
    assert case["status"] == "verified" and case["channel"] == "inspector"
    assert [p["kind"] for p in case["photos"]] == ["report"]
    assert case["photos"][0]["sha256"] == hashlib.sha256(data).hexdigest()
    reported = case["events"][0]
    assert reported["action"] == "reported"
    assert reported["data"]["client_time"] == made_at.isoformat()
    assert reported["data"]["photos"] == [hashlib.sha256(data).hexdigest()]
    # The clocks start at receipt, not when the phone made the report.
    stored = Case.objects.get(number=case["number"])
    assert stored.reported_at > made_at + timedelta(hours=1)
    entry = LedgerEntry.objects.get(kind="case.reported", subject_id=str(stored.pk))
    assert json.loads(entry.payload)["data"]["client_time"] == made_at.isoformat()
    # The console's timeline says when the inspector was there.
    page = inspector.get(f"/cases/{case['number']}/").content.decode()
    assert f"现场上报时间 {timezone.localtime(made_at):%Y-%m-%d %H:%M}" in page


def test_the_json_report_takes_the_phones_time_too(inspector, point):
    lon, lat = point
    made_at = timezone.now() - timedelta(minutes=30)
    response = inspector.post(
        "/api/cases/",
        {
            "category_code": "06010",
            "lon": lon,
            "lat": lat,
            "description": "路边成堆垃圾",
            "client_time": made_at.isoformat(),
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    event = CaseEvent.objects.get(case__number=response.json()["number"])
    assert event.data["client_time"] == made_at.isoformat()


def test_a_report_without_photos_or_phone_time_is_fine(inspector, point):
    body = fields(point)
    del body["client_time"]

    response = send(inspector, body)

    assert response.status_code == 201, response.content
    assert "client_time" not in response.json()["events"][0]["data"]


def test_a_forged_image_is_refused_and_no_case_is_made(inspector, point):
    response = send(inspector, fields(point), [photo(b"<?php echo 'hi'; ?>", "evil.jpg")])

    assert response.status_code == 400
    assert response.json()["detail"] == "文件不是有效的照片"
    assert not Case.objects.exists()


def test_more_than_five_photos_are_refused(inspector, point):
    response = send(inspector, fields(point), [photo(jpeg()) for _ in range(6)])

    assert response.status_code == 400
    assert "最多上传 5 张" in response.json()["detail"]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("client_time", "message"),
    [
        (lambda now: now + timedelta(minutes=6), "校准手机时间"),
        (lambda now: now - timedelta(days=7, minutes=1), "超过 7 天"),
        (lambda now: now.replace(tzinfo=None), "须带时区"),
    ],
    ids=["ahead", "too-old", "no-offset"],
)
def test_an_implausible_phone_time_is_refused(inspector, point, client_time, message):
    moment = client_time(timezone.now())

    response = send(inspector, fields(point, client_time=moment.isoformat()), [photo(jpeg())])

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not Case.objects.exists()


def test_a_phone_a_little_ahead_is_accepted(inspector, point):
    ahead = timezone.now() + timedelta(minutes=4)

    response = send(inspector, fields(point, client_time=ahead.isoformat()))

    assert response.status_code == 201, response.content


# ---------------------------------------------------------------- one key, one case


def test_the_same_key_sent_twice_makes_one_case_with_the_same_answer(inspector, point):
    body = fields(point)
    data = jpeg()

    first = send(inspector, body, [photo(data)], key="phone-1-report-7")
    again = send(inspector, body, [photo(data)], key="phone-1-report-7")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Case.objects.count() == 1


def test_a_retry_is_answered_even_when_the_report_has_grown_old(inspector, point, monkeypatch):
    """The first answer stands: a phone that lost it must not be told its report is too old."""
    body = fields(point)
    first = send(inspector, body, [photo(jpeg())], key="k-old")
    monkeypatch.setattr("chengguan.cases.api.CLIENT_TIME_BEHIND", timedelta(0))

    again = send(inspector, body, [photo(jpeg())], key="k-old")

    assert again.status_code == 201 and again.json()["number"] == first.json()["number"]


@pytest.mark.parametrize(
    "change",
    [
        {"description": "另一处问题"},
        {"photos": "other"},
        {"client_time": "other"},
    ],
    ids=["field", "photo", "client-time"],
)
def test_the_same_key_with_another_content_is_refused(inspector, point, change):
    body = fields(point)
    send(inspector, body, [photo(jpeg())], key="k-1")
    other = {**body, **change}
    photos = [photo(jpeg("blue"))] if "photos" in change else [photo(jpeg())]
    other.pop("photos", None)
    if "client_time" in change:
        other["client_time"] = timezone.now().isoformat()

    response = send(inspector, other, photos, key="k-1")

    assert response.status_code == 422
    assert "内容不同" in response.json()["detail"]
    assert Case.objects.count() == 1


def test_a_refused_report_does_not_burn_its_key(inspector, point):
    """A 4xx makes nothing: after the inspector corrects the report it goes through."""
    bad = send(inspector, fields(point), [photo(b"not a photo")], key="k-2")
    assert bad.status_code == 400

    fixed = send(inspector, fields(point), [photo(jpeg())], key="k-2")

    assert fixed.status_code == 201, fixed.content


# ---------------------------------------------------------------- tasks near me


def reported_at(operator: Client, grid) -> dict:
    """A hotline report (waits for an inspector to verify it) in this grid."""
    inside = grid.geometry.representative_point()
    response = operator.post(
        "/api/cases/",
        {"category_code": "06010", "lon": inside.x, "lat": inside.y, "description": "垃圾"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def act(client: Client, case: dict, action: str, **body) -> dict:
    response = client.post(
        f"/api/cases/{case['number']}/actions/{action}",
        {"version": case["version"], **body},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def handled(people: dict, grid) -> dict:
    """A case a handler says is fixed: the inspector's check task."""
    case = reported_at(people["operator"], grid)
    case = act(people["inspector"], case, "verify")
    case = act(people["operator"], case, "register")
    case = act(people["dispatcher"], case, "dispatch", agency_code=f"{UNIT}-DEPT-SAN")
    return act(people["handler"], case, "handle", feedback="已清运")


@pytest.fixture
def people(user_factory) -> dict:
    return {
        "inspector": signed_in(user_factory("inspector", region=UNIT)),
        "operator": signed_in(user_factory("operator", region=UNIT)),
        "dispatcher": signed_in(user_factory("dispatcher", region=UNIT)),
        "handler": signed_in(
            user_factory("handler", region=UNIT, agency=Agency.objects.get(code=f"{UNIT}-DEPT-SAN"))
        ),
    }


def test_tasks_near_me_are_my_queue_nearest_first(people, grids):
    here = grids[0].geometry.representative_point()
    far, near = grids[-1], grids[1]
    far_case = reported_at(people["operator"], far)
    near_case = reported_at(people["operator"], near)
    here_case = reported_at(people["operator"], grids[0])
    check = handled(people, grids[2])
    # An inspector's own report counts as verified: no task for anyone.
    inside = grids[0].geometry.representative_point()
    own = people["inspector"].post(
        "/api/cases/",
        {"category_code": "06010", "lon": inside.x, "lat": inside.y, "description": "自报"},
        content_type="application/json",
    )
    assert own.status_code == 201

    response = people["inspector"].get(NEARBY, {"lon": here.x, "lat": here.y, "radius_m": 10_000})

    assert response.status_code == 200, response.content
    tasks = response.json()
    numbers = [t["number"] for t in tasks]
    assert own.json()["number"] not in numbers
    assert set(numbers) == {
        far_case["number"],
        near_case["number"],
        here_case["number"],
        check["number"],
    }
    distances = [t["distance_m"] for t in tasks]
    assert distances == sorted(distances)
    assert tasks[0]["number"] == here_case["number"] and tasks[0]["distance_m"] < 5
    by_number = {t["number"]: t for t in tasks}
    assert by_number[near_case["number"]]["task"] == "verify"
    assert by_number[near_case["number"]]["task_label"] == "核实"
    assert by_number[check["number"]]["task"] == "check"
    assert by_number[check["number"]]["task_label"] == "核查"
    assert by_number[check["number"]]["url"] == f"/cases/{check['number']}/"
    assert tasks[0]["due_at"].endswith("+08:00")
    assert tasks[0]["category"]["code"] == "06010"


def test_the_radius_bounds_the_tasks(people, grids):
    here = grids[0].geometry.representative_point()
    reported_at(people["operator"], grids[0])
    far = reported_at(people["operator"], grids[-1])
    far_point = grids[-1].geometry.representative_point()
    gap = here.distance(far_point) * 111_320 * 0.8  # metres, roughly: well inside
    assert gap > 50, "the test needs two grids apart"

    tasks = people["inspector"].get(NEARBY, {"lon": here.x, "lat": here.y, "radius_m": 10}).json()

    assert far["number"] not in [t["number"] for t in tasks]
    assert len(tasks) == 1


def test_another_districts_inspector_sees_none_of_these_tasks(people, grids, user_factory):
    reported_at(people["operator"], grids[0])
    here = grids[0].geometry.representative_point()
    elsewhere = signed_in(user_factory("inspector", region="410105"))

    response = elsewhere.get(NEARBY, {"lon": here.x, "lat": here.y})

    assert response.status_code == 200 and response.json() == []


def test_only_inspectors_have_tasks_near_them(people, point):
    lon, lat = point

    response = people["operator"].get(NEARBY, {"lon": lon, "lat": lat})

    assert response.status_code == 403
    assert response.json()["detail"] == "只有监督员有核实、核查任务"


@pytest.mark.parametrize(
    "query",
    [{"lon": 113.3, "lat": 34.8, "radius_m": 10_001}, {"lon": 113.3}, {"lon": 200, "lat": 34.8}],
    ids=["radius", "no-lat", "lon"],
)
def test_bad_positions_are_refused(people, query):
    assert people["inspector"].get(NEARBY, query).status_code == 422
