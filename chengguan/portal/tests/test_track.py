"""Following a report by its tracking code: the public timeline, what it never shows, merged
and referred cases, the reporter's own photos."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from chengguan.cases.domain.workflow import Action
from chengguan.cases.models import Reporter
from chengguan.cases.services import Contact, case_act, case_report
from chengguan.portal.services import portal_account
from chengguan.portal.tests.conftest import NAME, PHONE, jpeg, upload, walk_to_closed

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def reported(client, report_data, **fields) -> Reporter:
    response = client.post("/public/report/", report_data(**fields))
    assert response.status_code == 201, response.context.get("errors")
    return Reporter.objects.select_related("case").get(tracking_code=response.context["code"])


def page(client, code):
    return client.get(f"/public/track/{code}/")


def test_a_new_report_shows_waiting_for_verification(client, report_data):
    reporter = reported(client, report_data)
    response = page(client, reporter.tracking_code)
    assert response.status_code == 200
    body = text(response)
    assert "待核实" in body and reporter.case.number in body and "暴露垃圾" in body
    assert "上街区" in body and "问题已受理" in body
    assert response["Cache-Control"] == "private, no-store"
    assert 'id="rating"' not in body and 'id="reopen"' not in body  # not closed yet


def test_the_timeline_tells_the_story_without_people_notes_or_position(
    client, report_data, people, point
):
    people.handler.full_name = "李处置"
    people.handler.save()
    reporter = reported(client, report_data, name=NAME, phone=PHONE)
    case = reporter.case
    case_act(
        case_id=case.pk,
        action=Action.SUPERVISE,
        actor=people.shift_leader,
        expected_version=case.version,
        reason="内部督办：请加快",
    )
    walk_to_closed(case, people)
    body = text(page(client, reporter.tracking_code))
    for label in ["问题已受理", "现场核实：问题属实", "已立案", "已派遣处置单位", "已办结"]:
        assert label in body
    assert "已清运，现场恢复整洁" in body  # the handler's feedback: the city's answer
    assert people.sanitation.name in body  # the handling agency, a public body
    assert "内部督办" not in body  # staff notes stay inside
    assert NAME not in body and PHONE not in body and "138****5678" not in body
    assert "王*" not in body
    for person in vars(people).values():
        if hasattr(person, "username"):
            assert person.username not in body
    assert "李处置" not in body and "public-portal" not in body
    assert f"{point[0]:.3f}" not in body and f"{point[1]:.3f}" not in body
    assert "工业路东侧" not in body  # the typed address could place a home


def test_codes_are_read_as_people_type_them(client, report_data):
    code = reported(client, report_data).tracking_code
    typed = f"{code[:5].lower()}-{code[5:]}"
    response = client.get("/public/track/", {"code": f" {typed} "})
    assert response.status_code == 302 and response["Location"] == f"/public/track/{code}/"
    assert page(client, typed.lower())["Location"] == f"/public/track/{code}/"


def test_an_unknown_code_says_so(client):
    response = page(client, "ABCDEFGHJK")
    assert response.status_code == 404
    assert "没有找到跟踪码“ABCDEFGHJK”对应的问题" in text(response)
    wrong = client.get("/public/track/", {"code": "O0I1L"})
    assert wrong.status_code == 400 and "跟踪码为 10 位字母和数字" in text(wrong)
    assert page(client, "x" * 300).status_code == 404


def test_a_merged_report_follows_the_surviving_case(client, report_data, people):
    first = reported(client, report_data)
    second = reported(client, report_data, description="同一堆垃圾")
    case = second.case
    case_act(
        case_id=case.pk,
        action=Action.MERGE,
        actor=people.operator,
        expected_version=case.version,
        target_number=first.case.number,
    )
    body = text(page(client, second.tracking_code))
    assert f"已与案卷 {first.case.number} 合并办理" in body
    assert first.case.number in body


def test_a_case_referred_to_the_police_says_so(client, report_data, people):
    reporter = reported(client, report_data)
    case_act(
        case_id=reporter.case.pk,
        action=Action.REFER_POLICE,
        actor=people.operator,
        expected_version=reporter.case.version,
        reason="打架斗殴",
    )
    body = text(page(client, reporter.tracking_code))
    assert "已移交公安机关（110）处理" in body and "打架斗殴" not in body


def test_the_reporter_sees_their_own_photos_only_through_their_code(
    client, report_data, garbage, point
):
    response = client.post("/public/report/", report_data() | {"photos": [upload(jpeg(gps=True))]})
    code = response.context["code"]
    photo = Reporter.objects.get(tracking_code=code).case.photos.get()
    tracking = page(client, code)
    url = f"/public/track/{code}/photos/{photo.pk}/"
    assert url in text(tracking)
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    data = b"".join(served.streaming_content)
    assert data == default_storage.open(photo.public).read()
    assert len(Image.open(io.BytesIO(data)).getexif()) == 0
    assert f"/cases/{photo.case.number}/photos/" not in text(tracking)

    # Another reporter's code cannot reach it, nor can a photo of another stage.
    other = case_report(
        actor=portal_account(),
        category=garbage,
        lon=point[0],
        lat=point[1],
        description="别处",
        channel="web",
        contact=Contact(),
    ).reporters.get()
    assert client.get(f"/public/track/{other.tracking_code}/photos/{photo.pk}/").status_code == 404
    assert client.get(f"/public/track/{code}/photos/not-a-uuid/").status_code == 404
