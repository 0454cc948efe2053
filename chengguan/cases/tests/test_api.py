"""The cases JSON API: the whole journey through HTTP, the permissions matrix, bad input."""

from typing import get_args

import pytest
from django.test import Client

from chengguan.cases.api import ChannelCode
from chengguan.cases.models import Case
from chengguan.core.models import LedgerEntry
from chengguan.core.services import ledger_verify
from chengguan.org.models import Agency, Grid

pytestmark = pytest.mark.django_db

UNIT = "410106"  # 上街区, the only county with grids in the test database
GARBAGE = "06010"  # 暴露垃圾: the matrix gives it to the district's sanitation department
SANITATION = f"{UNIT}-DEPT-SAN"
MUNICIPAL = f"{UNIT}-DEPT-MUN"
BRIGADE = f"{UNIT}001-DD"


@pytest.fixture
def point() -> tuple[float, float]:
    grid = Grid.objects.filter(region_code=UNIT).order_by("code").first()
    inside = grid.geometry.representative_point()
    return inside.x, inside.y


@pytest.fixture
def staff(user_factory):
    """One signed-in client per post of the district (the department handlers come later)."""

    def signed_in(*roles, region=UNIT, agency=None):
        client = Client()
        client.force_login(user_factory(*roles, region=region, agency=agency))
        return client

    signed_in.operator = signed_in("operator")
    signed_in.inspector = signed_in("inspector")
    signed_in.dispatcher = signed_in("dispatcher")
    signed_in.shift_leader = signed_in("shift_leader")
    return signed_in


def handler_of(staff, code: str) -> Client:
    agency = Agency.objects.get(code=code)
    return staff("handler", region=agency.region.code, agency=agency)


def report(client, point, **fields):
    lon, lat = point
    body = {
        "category_code": GARBAGE,
        "lon": lon,
        "lat": lat,
        "description": "人行道上有成堆的暴露垃圾",
        "address": "济源路与新安路交叉口",
        **fields,
    }
    return client.post("/api/cases/", body, content_type="application/json")


def act(client, case: dict, action: str, **fields):
    body = {"version": case["version"], **fields}
    return client.post(
        f"/api/cases/{case['number']}/actions/{action}", body, content_type="application/json"
    )


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def registered_case(staff, point) -> dict:
    case = ok(report(staff.inspector, point), 201)  # an inspector's own report counts as verified
    return ok(act(staff.operator, case, "register"))


def dispatched_case(staff, point) -> dict:
    case = registered_case(staff, point)
    return ok(act(staff.dispatcher, case, "dispatch", agency_code=SANITATION))


# ---------------------------------------------------------------- the journey


def test_a_hotline_report_goes_from_report_to_close_through_the_api(staff, point):
    case = ok(report(staff.operator, point), 201)
    assert case["status"] == "reported" and case["status_label"] == "待核实"
    assert case["channel"] == "hotline" and case["version"] == 1
    assert case["number"].startswith(f"{UNIT}-")
    assert case["suggested_agency"]["code"] == SANITATION and "责任划分" in case["suggestion"]
    assert [d["clock"] for d in case["deadlines"]] == ["verify"]
    assert case["deadlines"][0]["due_at"].endswith("+08:00")
    assert [a["action"] for a in case["allowed_actions"]] == ["void", "merge", "refer_police"]

    case = ok(act(staff.inspector, case, "verify"))
    assert case["status"] == "verified" and case["version"] == 2
    case = ok(act(staff.operator, case, "register"))
    assert case["status"] == "registered"
    assert [d["clock"] for d in case["deadlines"]] == ["dispatch"]
    case = ok(act(staff.dispatcher, case, "dispatch", agency_code=case["suggested_agency"]["code"]))
    assert case["status"] == "dispatched" and case["agency"]["code"] == SANITATION

    handler = handler_of(staff, case["agency"]["code"])
    seen = ok(handler.get(f"/api/cases/{case['number']}"))
    assert {a["action"] for a in seen["allowed_actions"]} == {
        "return",
        "request_extension",
        "handle",
        "mark_complex",
    }
    handle = next(a for a in seen["allowed_actions"] if a["action"] == "handle")
    assert handle["requires"] == ["feedback"]
    case = ok(act(handler, seen, "handle", feedback="已清运，现场恢复整洁"))
    assert case["status"] == "handled" and [d["clock"] for d in case["deadlines"]] == ["check"]
    case = ok(act(staff.inspector, case, "check_pass"))
    assert case["status"] == "checked"
    case = ok(act(staff.shift_leader, case, "close"))
    assert case["status"] == "closed" and case["status_label"] == "已结案"
    assert case["deadlines"] == [] and case["allowed_actions"] == []
    assert case["closed_at"].endswith("+08:00")

    steps = ["reported", "verify", "register", "dispatch", "handle", "check_pass", "close"]
    assert [e["action"] for e in case["events"]] == steps
    assert case["events"][4]["note"] == "已清运，现场恢复整洁"
    assert case["events"][3]["data"] == {"agency": SANITATION}
    ledger = LedgerEntry.objects.filter(subject_type="cases.case", subject_id=case["id"])
    assert list(ledger.order_by("seq").values_list("kind", flat=True)) == [
        f"case.{step}" for step in steps
    ]
    assert ledger_verify().ok


def test_an_inspectors_own_report_counts_as_verified(staff, point):
    case = ok(report(staff.inspector, point), 201)
    assert case["status"] == "verified" and case["channel"] == "inspector"
    assert [d["clock"] for d in case["deadlines"]] == ["register"]
    assert case["events"][0]["action"] == "reported" and case["events"][0]["label"] == "上报"


def test_an_operator_may_enter_a_12345_work_order(staff, point):
    case = ok(report(staff.operator, point, channel="12345"), 201)
    assert case["channel"] == "12345" and case["channel_label"] == "12345 工单"


# ---------------------------------------------------------------- permissions


def test_only_inspectors_and_operators_report(staff, point):
    refused = report(staff.dispatcher, point)
    assert refused.status_code == 403 and refused.json()["detail"] == "您的岗位不能上报案卷"
    assert not Case.objects.exists()


def test_a_reporter_may_use_only_the_channels_of_their_post(staff, point):
    as_inspector = report(staff.operator, point, channel="inspector")
    assert as_inspector.status_code == 403 and "监督员上报" in as_inspector.json()["detail"]
    by_hotline = report(staff.inspector, point, channel="hotline")
    assert by_hotline.status_code == 403


def test_a_wrong_role_is_refused_with_403(staff, point):
    case = registered_case(staff, point)
    refused = act(staff.inspector, case, "dispatch", agency_code=SANITATION)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "您的岗位不能执行“派遣”"
    assert Case.objects.get(number=case["number"]).status == "registered"


def test_another_departments_handler_cannot_see_the_task(staff, point):
    case = dispatched_case(staff, point)
    other = handler_of(staff, MUNICIPAL)  # a department: its staff see only its own tasks
    assert other.get(f"/api/cases/{case['number']}").status_code == 404
    refused = act(other, case, "handle", feedback="已处理")
    assert refused.status_code == 404 and refused.json()["detail"] == "没有找到该案卷"
    assert ok(other.get("/api/cases/queue/handler"))["count"] == 0
    mine = ok(handler_of(staff, SANITATION).get("/api/cases/queue/handler"))
    assert [c["number"] for c in mine["items"]] == [case["number"]]


def test_a_handler_who_sees_the_district_cannot_act_on_another_agencys_task(staff, point):
    case = dispatched_case(staff, point)
    brigade = handler_of(staff, BRIGADE)  # not agency-bound: sees the street's cases
    seen = ok(brigade.get(f"/api/cases/{case['number']}"))
    assert seen["allowed_actions"] == []
    refused = act(brigade, case, "handle", feedback="已处理")
    assert refused.status_code == 403 and refused.json()["detail"] == "该任务不属于您的单位"


def test_a_case_of_another_district_answers_404(staff, point, user_factory):
    case = ok(report(staff.inspector, point), 201)
    elsewhere = staff("operator", region="410105")  # 金水区
    assert elsewhere.get(f"/api/cases/{case['number']}").status_code == 404
    assert elsewhere.get("/api/cases/410106-20000101-000001").status_code == 404
    assert act(elsewhere, case, "register").status_code == 404


def test_signed_out_callers_get_401(client, point):
    assert client.get("/api/cases/categories").status_code == 401
    assert report(client, point).status_code == 401


# ---------------------------------------------------------------- rules and conflicts


def test_a_stale_version_gets_409(staff, point):
    case = registered_case(staff, point)
    ok(act(staff.dispatcher, case, "dispatch", agency_code=SANITATION))
    again = act(staff.dispatcher, case, "dispatch", agency_code=SANITATION)
    assert again.status_code == 409
    assert again.json()["detail"].startswith("该案卷已被他人处理")


def test_a_missing_reason_gets_400(staff, point):
    case = ok(report(staff.operator, point), 201)
    refused = act(staff.operator, case, "void")
    assert refused.status_code == 400 and refused.json()["detail"] == "请填写理由"
    voided = ok(act(staff.operator, case, "void", reason="重复上报"))
    assert voided["status"] == "voided" and voided["deadlines"] == []


def test_dispatching_elsewhere_than_suggested_needs_a_reason(staff, point):
    case = registered_case(staff, point)
    refused = act(staff.dispatcher, case, "dispatch", agency_code=MUNICIPAL)
    assert refused.status_code == 400 and "请填写理由" in refused.json()["detail"]
    unknown = act(staff.dispatcher, case, "dispatch", agency_code="NO-SUCH-AGENCY")
    assert unknown.status_code == 400 and unknown.json()["detail"] == "请选择有效的处置单位"
    moved = act(staff.dispatcher, case, "dispatch", agency_code=MUNICIPAL, reason="属市政设施")
    assert ok(moved)["agency"]["code"] == MUNICIPAL


def test_an_action_not_allowed_in_this_status_gets_400(staff, point):
    case = registered_case(staff, point)
    refused = act(staff.shift_leader, case, "close")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "案卷当前状态为“待派遣”，不能执行“结案”"


def test_a_point_outside_the_city_gets_400(staff):
    refused = report(staff.inspector, (116.397, 39.909))  # Tian'anmen
    assert refused.status_code == 400 and "不在本市网格范围内" in refused.json()["detail"]
    assert not Case.objects.exists()


def test_an_unknown_category_gets_400(staff, point):
    refused = report(staff.inspector, point, category_code="99999")
    assert refused.status_code == 400 and "99999" in refused.json()["detail"]


# ---------------------------------------------------------------- malformed input


def field_name(error: dict) -> str:
    """The field of a 422 problem ("payload.lon" today: web/api.py keeps the body's name)."""
    return error["field"].rsplit(".", 1)[-1]


def test_wrong_json_types_get_422_naming_the_field(staff, point):
    bad_lon = report(staff.inspector, point, lon="east")
    assert bad_lon.status_code == 422
    assert [field_name(e) for e in bad_lon.json()["errors"]] == ["lon"]
    assert report(staff.inspector, point, lat=91).status_code == 422
    assert report(staff.inspector, point, category_kind="thing").status_code == 422
    assert report(staff.inspector, point, channel="fax").status_code == 422
    assert report(staff.inspector, point, description=["垃圾"]).status_code == 422

    case = registered_case(staff, point)
    bad_version = act(staff.dispatcher, {**case, "version": "latest"}, "dispatch")
    assert bad_version.status_code == 422
    assert [field_name(e) for e in bad_version.json()["errors"]] == ["version"]
    bad_reason = act(staff.dispatcher, case, "dispatch", agency_code=SANITATION, reason=42)
    assert bad_reason.status_code == 422
    no_version = staff.dispatcher.post(
        f"/api/cases/{case['number']}/actions/dispatch", {}, content_type="application/json"
    )
    assert no_version.status_code == 422
    assert Case.objects.get(number=case["number"]).version == case["version"]


def test_an_unknown_action_gets_422(staff, point):
    case = registered_case(staff, point)
    refused = act(staff.dispatcher, case, "teleport")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["action"]


def test_the_channel_choices_of_the_api_are_those_of_the_model():
    assert set(get_args(ChannelCode)) == set(Case.Channel.values)


# ---------------------------------------------------------------- queues and the catalogue


def test_each_post_sees_its_queue(staff, point):
    reported = ok(report(staff.operator, point), 201)
    registered = registered_case(staff, point)
    dispatcher_queue = ok(staff.dispatcher.get("/api/cases/queue/dispatcher"))
    assert dispatcher_queue["count"] == 1 and dispatcher_queue["page_size"] == 50
    item = dispatcher_queue["items"][0]
    assert item["number"] == registered["number"] and item["status"] == "registered"
    assert item["due_at"].endswith("+08:00") and item["category"]["code"] == GARBAGE
    inspector_queue = ok(staff.inspector.get("/api/cases/queue/inspector"))
    assert [c["number"] for c in inspector_queue["items"]] == [reported["number"]]
    beyond = ok(staff.dispatcher.get("/api/cases/queue/dispatcher", {"page": 2}))
    assert beyond["items"] == [] and beyond["count"] == 1 and beyond["pages"] == 1


def test_queues_page_by_fifty(staff, point):
    for _ in range(51):
        ok(report(staff.inspector, point), 201)
    first = ok(staff.operator.get("/api/cases/queue/operator"))
    second = ok(staff.operator.get("/api/cases/queue/operator", {"page": 2}))
    assert (first["count"], first["pages"], len(first["items"])) == (51, 2, 50)
    assert len(second["items"]) == 1
    numbers = [c["number"] for c in first["items"] + second["items"]]
    assert len(set(numbers)) == 51 and numbers == sorted(numbers)  # oldest first


def test_a_queue_of_a_post_one_does_not_hold_gets_403(staff):
    refused = staff.inspector.get("/api/cases/queue/dispatcher")
    assert refused.status_code == 403
    assert staff.inspector.get("/api/cases/queue/janitor").status_code == 422
    assert staff.inspector.get("/api/cases/queue/inspector", {"page": 0}).status_code == 422
    leader = staff("leader")
    assert leader.get("/api/cases/queue/leader").status_code == 404


def test_the_category_picker_lists_kinds_codes_and_limits(staff):
    categories = ok(staff.inspector.get("/api/cases/categories"))
    garbage = next(c for c in categories if c["kind"] == "matter" and c["code"] == GARBAGE)
    assert garbage["name"] == "暴露垃圾" and garbage["major_code"] == "06"
    assert garbage["limits"]["handle"] == "1工作日" and set(garbage["limits"]) == {
        "verify",
        "register",
        "dispatch",
        "handle",
        "check",
    }
    components = ok(staff.inspector.get("/api/cases/categories", {"kind": "component"}))
    assert components and {c["kind"] for c in components} == {"component"}


def test_the_openapi_document_describes_the_case_endpoints(staff):
    document = ok(staff.inspector.get("/api/openapi.json"))
    paths = document["paths"]
    for path, method in [
        ("/api/cases/categories", "get"),
        ("/api/cases/", "post"),
        ("/api/cases/{number}", "get"),
        ("/api/cases/{number}/actions/{action}", "post"),
        ("/api/cases/queue/{role}", "get"),
    ]:
        assert method in paths[path], path
    assert {"200", "409", "422"} <= set(
        paths["/api/cases/{number}/actions/{action}"]["post"]["responses"]
    )
    schemas = document["components"]["schemas"]
    assert "版本号" in schemas["ActIn"]["properties"]["version"]["description"]
    assert schemas["ReportIn"]["properties"]["lon"]["description"] == "WGS84 经度"


def test_a_body_that_is_not_json_is_refused(staff):
    refused = staff.inspector.post("/api/cases/", "{lon: 113", content_type="application/json")
    assert refused.status_code == 400  # ninja's own answer to a body it cannot parse
    assert not Case.objects.exists()


def test_posts_need_the_csrf_token(user_factory, point):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user_factory("inspector", region=UNIT))
    assert report(browser, point).status_code == 403
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_joint_enforcement_through_the_api(client, user_factory):
    """One case, a lead and a helper: the lead may report it handled only after the helper."""
    from chengguan.cases.domain.workflow import Action as A
    from chengguan.cases.models import Category
    from chengguan.cases.services import case_act, case_report
    from chengguan.org.models import Agency, Grid

    operator = user_factory("operator", region="4101")
    inspector = user_factory("inspector", region="410106")
    leader = user_factory("shift_leader", region="4101")
    dispatcher = user_factory("dispatcher", region="4101")
    lead = Agency.objects.get(code="410106-DEPT-SAN")
    helper = Agency.objects.get(code="410106-DEPT-MUN")
    point = Grid.objects.filter(region_code="410106").first().geometry.representative_point()
    case = case_report(
        actor=operator,
        category=Category.objects.get(kind="matter", code="06010"),
        lon=point.x,
        lat=point.y,
        description="垃圾与井盖",
        channel="hotline",
    )
    case_act(case_id=case.pk, action=A.VERIFY, actor=inspector, expected_version=1)
    case_act(case_id=case.pk, action=A.REGISTER, actor=leader, expected_version=2)
    client.force_login(dispatcher)
    body = {"version": 3, "agency_code": lead.code, "helper_codes": [helper.code]}
    response = client.post(
        f"/api/cases/{case.number}/actions/dispatch_joint", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    client.force_login(user_factory("handler", region="410106", agency=helper))
    seen = client.get(f"/api/cases/{case.number}").json()
    assert [a["action"] for a in seen["allowed_actions"]] == ["part_done"]
    done = client.post(
        f"/api/cases/{case.number}/actions/part_done",
        {"version": seen["version"], "feedback": "井盖已补"},
        content_type="application/json",
    )
    assert done.status_code == 200
    client.force_login(user_factory("handler", region="410106", agency=lead))
    actions = [
        a["action"] for a in client.get(f"/api/cases/{case.number}").json()["allowed_actions"]
    ]
    assert "handle" in actions and "part_done" not in actions


@pytest.mark.django_db
def test_handler_app_sends_feedback_with_photos(client, user_factory, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from chengguan.cases.domain.workflow import Action as A
    from chengguan.cases.models import Category
    from chengguan.cases.services import case_act, case_report
    from chengguan.org.models import Agency, Grid

    settings.MEDIA_ROOT = tmp_path
    operator = user_factory("operator", region="4101")
    point = Grid.objects.filter(region_code="410106").first().geometry.representative_point()
    case = case_report(
        actor=operator,
        category=Category.objects.get(kind="matter", code="06010"),
        lon=point.x,
        lat=point.y,
        description="垃圾",
        channel="hotline",
    )
    case_act(
        case_id=case.pk,
        action=A.VERIFY,
        actor=user_factory("inspector", region="410106"),
        expected_version=1,
    )
    case_act(
        case_id=case.pk,
        action=A.REGISTER,
        actor=user_factory("shift_leader", region="4101"),
        expected_version=2,
    )
    sanitation = Agency.objects.get(code="410106-DEPT-SAN")
    case_act(
        case_id=case.pk,
        action=A.DISPATCH,
        actor=user_factory("dispatcher", region="4101"),
        expected_version=3,
        agency_id=sanitation.pk,
    )
    client.force_login(user_factory("handler", region="410106", agency=sanitation))
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, format="PNG")
    response = client.post(
        f"/api/cases/{case.number}/actions/handle/with-photos",
        {
            "version": 4,
            "feedback": "已清运",
            "photos": [SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png")],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "handled" and body["photos"][0]["kind"] == "after"
    assert len(body["photos"][0]["sha256"]) == 64
