"""mySociety's `servicerequestupdates` extension: the public updates of requests (GET) and a
citizen's follow-up passed on by a client (POST), in JSON and XML."""

import json
from datetime import timedelta
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from chengguan.cases.domain.workflow import Action, Status
from chengguan.cases.models import Case, CaseEvent, Category
from chengguan.cases.selectors import case_timeline
from chengguan.cases.services import Contact, case_act, case_report
from chengguan.core.models import LedgerEntry
from chengguan.open311 import views
from chengguan.open311.services import client_register
from chengguan.open311.tests.test_open311 import BASE, KEY, UNIT, validate
from chengguan.org.models import Agency, Grid

pytestmark = pytest.mark.django_db

SCHEMA = "service-request-updates.json"
STEP = timedelta(minutes=30)
# Who does what on the way to closing, and what they write.
JOURNEY = [
    (Action.VERIFY, "inspector", {}),
    (Action.REGISTER, "shift_leader", {}),
    (Action.DISPATCH, "dispatcher", {}),
    (Action.REQUEST_EXTENSION, "handler", {"reason": "人手不足，周队长请假", "hours": 4}),
    (Action.HANDLE, "handler", {"feedback": "已清运，回访电话 13912345678"}),
    (Action.CHECK_PASS, "inspector", {}),
    (Action.CLOSE, "shift_leader", {}),
]
PUBLIC_STEPS = [
    "上报",
    "核实",
    "立案",
    "派遣",
    "处置反馈：已清运，回访电话 139****5678",
    "核查通过",
    "结案",
]


@pytest.fixture
def staff(user_factory):
    sanitation = Agency.objects.get(code=f"{UNIT}-DEPT-SAN")
    return SimpleNamespace(
        operator=user_factory("operator", username="op-wangfang"),
        inspector=user_factory("inspector", region=UNIT, username="insp-lilei"),
        shift_leader=user_factory("shift_leader", username="lead-zhaomin"),
        dispatcher=user_factory("dispatcher", username="disp-sunli"),
        handler=user_factory("handler", region=UNIT, agency=sanitation, username="hdl-zhouqi"),
        sanitation=sanitation,
    )


@pytest.fixture
def open311_client(db):
    return client_register(name="测试客户端", api_key=KEY, username="open311-test")


@pytest.fixture
def report(staff):
    grid = Grid.objects.filter(region_code=UNIT).order_by("code").first()
    p = grid.geometry.representative_point()
    garbage = Category.objects.get(kind="matter", code="06010")

    def make(at, description="路边成堆垃圾") -> Case:
        return case_report(
            actor=staff.operator,
            category=garbage,
            lon=p.x,
            lat=p.y,
            description=description,
            channel="hotline",
            at=at,
            contact=Contact(name="张三丰", phone="13800000000"),
        )

    return make


def walk(staff, case: Case, *, start, steps: int | None = None) -> Case:
    """Take the case along JOURNEY (its first `steps` steps), one every half hour after
    `start`."""
    for n, (action, who, fields) in enumerate(JOURNEY[:steps], start=1):
        case.refresh_from_db()
        extra = {"agency_id": staff.sanitation.pk} if action is Action.DISPATCH else {}
        case = case_act(
            case_id=case.pk,
            action=action,
            actor=getattr(staff, who),
            expected_version=case.version,
            at=start + n * STEP,
            **fields,
            **extra,
        )
    return case


def closed_case(staff, report, *, closed_ago: timedelta) -> Case:
    start = timezone.now() - closed_ago - len(JOURNEY) * STEP
    return walk(staff, report(start), start=start)


def updates(client, fmt="json", **params):
    answer = client.get(f"{BASE}/servicerequestupdates.{fmt}", params)
    assert answer.status_code == 200, answer.content
    if fmt == "xml":
        return answer
    validate(answer.json(), SCHEMA)
    return answer.json()


def post_update(client, fmt="json", headers=None, **fields):
    data = {
        "api_key": KEY,
        "jurisdiction_id": "4101",
        "description": "垃圾还在，越堆越多",
        "email": "citizen@example.com",
        "first_name": "三",
        "last_name": "张",
        "phone": "13700000000",
    } | fields
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}/servicerequestupdates.{fmt}", data, headers=headers or {})


def remarks(case: Case) -> int:
    return CaseEvent.objects.filter(case=case, action="comment").count()


def test_a_journey_reads_as_public_updates_without_personal_data(client, staff, report):
    case = closed_case(staff, report, closed_ago=timedelta(hours=2))
    found = updates(client, service_request_id=case.number)
    # The extension request is the city's own business: not an update.
    assert [u["description"] for u in found] == PUBLIC_STEPS
    assert [u["status"] for u in found] == ["open"] * 6 + ["closed"]
    assert found[-1]["external_status_code"] == "closed"
    assert all(u["service_request_id"] == case.number for u in found)
    assert all(u["updated_datetime"].endswith("+08:00") for u in found)
    assert all(u["media_url"] == "" for u in found)
    closing = CaseEvent.objects.get(case=case, action=Action.CLOSE)
    assert found[-1]["update_id"] == str(closing.pk)
    assert [u["update_id"] for u in updates(client)][-7:] == [u["update_id"] for u in found]

    root = ElementTree.fromstring(updates(client, "xml", service_request_id=case.number).content)
    assert root.tag == "service_request_updates"
    assert [u.findtext("update_id") for u in root.findall("request_update")] == [
        u["update_id"] for u in found
    ]
    first = root.find("request_update")
    assert [child.tag for child in first] == list(found[0])  # the same fields, in order
    assert first.findtext("status") == "open" and first.findtext("media_url") == ""

    tracking = case.reporters.get().tracking_code
    for fmt in ("json", "xml"):
        text = client.get(f"{BASE}/servicerequestupdates.{fmt}").content.decode()
        for personal in (
            "张三丰",
            "13800000000",
            "138****0000",
            tracking,
            "13912345678",
            "人手不足",
            *(u.username for u in vars(staff).values() if hasattr(u, "username")),
        ):
            assert personal not in text


def test_internal_reasons_stay_inside(client, staff, report):
    case = report(timezone.now() - timedelta(hours=1))
    case_act(
        case_id=case.pk,
        action=Action.VOID,
        actor=staff.operator,
        expected_version=case.version,
        reason="张三丰本人撤回，身份证 410102199001011234",
    )
    found = updates(client, service_request_id=case.number)
    assert [(u["description"], u["status"]) for u in found] == [
        ("上报", "open"),
        ("作废", "closed"),
    ]


def test_merged_and_referred_requests_are_closed(client, staff, report):
    first, second, third = (report(timezone.now() - timedelta(hours=h)) for h in (3, 2, 1))
    case_act(
        case_id=second.pk,
        action=Action.MERGE,
        actor=staff.operator,
        expected_version=second.version,
        target_number=first.number,
    )
    case_act(
        case_id=third.pk,
        action=Action.REFER_POLICE,
        actor=staff.operator,
        expected_version=third.version,
        reason="涉嫌违法，移交110",
    )
    for case, status in ((first, "open"), (second, "closed"), (third, "closed")):
        shown = client.get(f"{BASE}/requests/{case.number}.json").json()[0]
        assert shown["status"] == status
        assert updates(client, service_request_id=case.number)[-1]["status"] == status
    closed = {
        r["service_request_id"] for r in client.get(f"{BASE}/requests.json?status=closed").json()
    }
    assert {second.number, third.number} <= closed and first.number not in closed


def test_dates_choose_the_window(client, staff, report):
    now = timezone.now()
    recent = walk(staff, report(now - timedelta(days=3)), start=now - timedelta(days=3), steps=2)
    old = report(now - timedelta(days=40))

    def numbers(**params):
        return {u["service_request_id"] for u in updates(client, **params)}

    def iso(delta):
        return (now + delta).isoformat()

    assert not numbers() & {recent.number, old.number}  # the last 24 hours by default
    assert numbers(start_date=iso(-timedelta(days=4))) >= {recent.number}  # until now
    assert old.number not in numbers(start_date=iso(-timedelta(days=4)))
    # A window longer than 31 days keeps its newest 31 days.
    assert old.number not in numbers(start_date=iso(-timedelta(days=60)), end_date=iso(timedelta()))
    assert old.number in numbers(
        start_date=iso(-timedelta(days=60)), end_date=iso(-timedelta(days=35))
    )
    # Only an end: the day before it.
    since = iso(-timedelta(days=3) + 1.5 * STEP)  # between 核实 and 立案
    in_day = updates(client, end_date=since)
    assert [u["description"] for u in in_day if u["service_request_id"] == recent.number] == [
        "上报",
        "核实",
    ]
    # Named requests without dates: their whole history.
    assert [u["description"] for u in updates(client, service_request_id=old.number)] == ["上报"]
    both = updates(client, service_request_id=f"{recent.number},{old.number}")
    assert [u["service_request_id"] for u in both] == [old.number] + [recent.number] * 3
    assert [
        u["description"]
        for u in updates(client, service_request_id=recent.number, start_date=since)
    ] == ["立案"]

    for params, code in (
        ({"start_date": "yesterday"}, 400),
        ({"end_date": "2026-13-40"}, 400),
        ({"start_date": iso(timedelta()), "end_date": iso(-timedelta(days=1))}, 400),
        ({"jurisdiction_id": "1101"}, 404),
    ):
        answer = client.get(f"{BASE}/servicerequestupdates.json", params)
        assert answer.status_code == code and answer.json()[0]["code"] == code
    root = ElementTree.fromstring(
        client.get(f"{BASE}/servicerequestupdates.xml", {"start_date": "nope"}).content
    )
    assert root.tag == "errors" and root.find("error").findtext("code") == "400"


def test_updates_are_capped_to_the_newest(client, staff, report, monkeypatch):
    monkeypatch.setattr(views, "MAX_REQUESTS", 2)  # the same code path as 1,000
    case = closed_case(staff, report, closed_ago=timedelta(hours=1))
    found = updates(client, service_request_id=case.number)
    assert [u["description"] for u in found] == PUBLIC_STEPS[-2:]  # newest two, oldest first


def test_discovery_advertises_the_extension(client):
    endpoints = client.get(f"{BASE}/discovery.json").json()["endpoints"]
    assert endpoints[0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert "mysociety/fixmystreet/wiki" in endpoints[1]["specification"]
    assert endpoints[0]["url"] == endpoints[1]["url"]


def test_post_a_remark(client, open311_client, staff, report):
    start = timezone.now() - timedelta(hours=3)
    case = walk(staff, report(start), start=start, steps=3)
    sent_at = "2026-11-27T09:15:00+08:00"
    answer = post_update(client, service_request_id=case.number, updated_datetime=sent_at)
    assert answer.status_code == 201, answer.content
    validate(answer.json(), SCHEMA)
    (update,) = answer.json()
    assert update["status"] == "open" and update["service_request_id"] == case.number
    assert update["description"] == "补充说明：垃圾还在，越堆越多"
    remark = CaseEvent.objects.get(case=case, action="comment")
    assert update["update_id"] == str(remark.pk)
    assert remark.actor == open311_client.service_account and remark.note == "垃圾还在，越堆越多"
    assert update in updates(client, service_request_id=case.number)
    assert [e.note for e in case_timeline(case) if e.action == "comment"] == ["垃圾还在，越堆越多"]
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED  # a remark changes no status

    entry = LedgerEntry.objects.get(kind="open311.update", subject_id=str(case.pk))
    recorded = json.loads(entry.payload)["data"]
    assert recorded["client_time"] == "2026-11-27T09:15:00+08:00"
    assert recorded["event"] == str(remark.pk) and recorded["client"] == "测试客户端"
    text = json.dumps(recorded, ensure_ascii=False) + answer.content.decode()
    for personal in ("citizen@example.com", "13700000000", "张", "open311-test"):
        assert personal not in text  # the client's personal fields are not kept

    said = "我是业主，身份证 41010219900101123X，电话 13700000000"
    answer = post_update(client, "xml", service_request_id=case.number, description=said)
    root = ElementTree.fromstring(answer.content)
    assert answer.status_code == 201 and root.tag == "service_request_updates"
    assert root.find("request_update/update_id").text  # where FixMyStreet reads the new id
    assert remarks(case) == 2
    # Numbers typed into a remark never reach the (unerasable) ledger or any page.
    masked = "我是业主，身份证 410102********123X，电话 137****0000"
    assert CaseEvent.objects.filter(case=case, note=masked).exists()
    assert not LedgerEntry.objects.filter(payload__contains="13700000000").exists()
    shown = updates(client, service_request_id=case.number)[-1]["description"]
    assert shown == "补充说明：我是业主，身份证 410102********123X，电话 137****0000"
    assert root.find("request_update").findtext("description") == shown


def test_post_refusals(client, open311_client, staff, report):
    case = report(timezone.now() - timedelta(hours=1))
    number = case.number

    def refused(code, **fields):
        answer = post_update(client, **({"service_request_id": number} | fields))
        assert answer.status_code == code, answer.content
        (problem,) = answer.json()
        assert problem["code"] == code and problem["description"]
        return problem["description"]

    refused(403, api_key=None)
    refused(403, api_key="nope")
    assert "nope" in refused(404, service_request_id="nope")
    assert "service_request_id" in refused(400, service_request_id="")
    assert "description" in refused(400, description="")
    assert "2000" in refused(400, description="脏" * 2001)
    assert "不能关闭" in refused(400, status="CLOSED")
    assert "OPEN" in refused(400, status="FIXED")
    assert "updated_datetime" in refused(400, updated_datetime="27/11/2026")
    refused(404, jurisdiction_id="1101")
    root = ElementTree.fromstring(
        post_update(client, "xml", service_request_id=number, api_key="nope").content
    )
    assert root.tag == "errors" and root.find("error").findtext("code") == "403"
    assert remarks(case) == 0 and not LedgerEntry.objects.filter(kind="open311.update").exists()


def test_a_citizen_reopens_a_case_closed_two_days_ago(client, open311_client, staff, report):
    case = closed_case(staff, report, closed_ago=timedelta(days=2))
    answer = post_update(client, service_request_id=case.number, status="OPEN")
    assert answer.status_code == 201, answer.content
    (update,) = answer.json()
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.closed_at is None
    assert update["status"] == "open"  # the status after the update
    assert update["update_id"] == str(CaseEvent.objects.get(case=case, action="comment").pk)
    assert [(u["description"], u["status"]) for u in updates(client)[-2:]] == [
        ("重新办理（群众反映未解决）", "open"),
        ("补充说明：垃圾还在，越堆越多", "open"),
    ]


def test_a_reopening_needs_no_words(client, open311_client, staff, report):
    case = closed_case(staff, report, closed_ago=timedelta(days=1))
    answer = post_update(client, service_request_id=case.number, status="open", description=None)
    assert answer.status_code == 201, answer.content
    reopening = CaseEvent.objects.get(case=case, action=Action.REOPEN)
    assert answer.json()[0]["update_id"] == str(reopening.pk)
    assert reopening.note and remarks(case) == 0


def test_a_case_closed_eight_days_ago_is_not_reopened(client, open311_client, staff, report):
    case = closed_case(staff, report, closed_ago=timedelta(days=8))
    answer = post_update(client, service_request_id=case.number, status="OPEN")
    assert answer.status_code == 400
    assert "7 天" in answer.json()[0]["description"]
    case.refresh_from_db()
    assert case.status == Status.CLOSED and remarks(case) == 0  # no remark left behind


def test_closed_from_a_client_on_a_closed_case_is_only_a_remark(
    client, open311_client, staff, report
):
    """FixMyStreet sends the status its copy has with every remark."""
    case = closed_case(staff, report, closed_ago=timedelta(days=10))
    answer = post_update(client, service_request_id=case.number, status="CLOSED")
    assert answer.status_code == 201, answer.content
    assert answer.json()[0]["status"] == "closed" and remarks(case) == 1
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_the_same_update_id_makes_one_remark(client, open311_client, staff, report):
    case = report(timezone.now() - timedelta(hours=1))
    first = post_update(client, service_request_id=case.number, update_id="fms-42")
    again = post_update(client, service_request_id=case.number, update_id="fms-42")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and remarks(case) == 1
    other = post_update(
        client, service_request_id=case.number, update_id="fms-42", description="又"
    )
    assert other.status_code == 422 and remarks(case) == 1

    header = {"Idempotency-Key": "k-1"}
    assert post_update(client, service_request_id=case.number, headers=header).status_code == 201
    assert post_update(client, service_request_id=case.number, headers=header).status_code == 201
    assert remarks(case) == 2
