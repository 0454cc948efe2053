"""The penalty-case console through HTTP: who gets in, the queues, registration and the
on-the-spot form, the case file with its limits, evidence and documents, the step forms and
their refusals, and the link from a city-management case."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from chengguan.cases.models import Case, Category
from chengguan.cases.services import case_report
from chengguan.org.models import Grid
from chengguan.penalties import services
from chengguan.penalties.domain.procedure import Penalty, PenaltyKind
from chengguan.penalties.models import Evidence, PenaltyCase

pytestmark = pytest.mark.django_db

GRID_UNIT = "410106"  # the unit with grids in the test database


@pytest.fixture(autouse=True)
def _media(media):
    """Every page test stores its files under a temporary folder."""


@pytest.fixture
def login(client):
    """Signed in without the password (django-axes wants a request for a real login)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def html(response) -> str:
    return response.content.decode()


def rows(response) -> list[str]:
    return re.findall(r'<tr data-number="([^"]+)"', html(response))


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def act(client, case, action: str, data=None, **extra):
    return client.post(f"/penalties/{case.number}/act/{action}/", data or {}, **extra)


def register_data(power, co_officer, **changes) -> dict:
    today = timezone.localdate()
    data = {
        "power": str(power.pk),
        "party_kind": "person",
        "party_name": "钱当事",
        "party_id_number": "",
        "party_address": "金水区经三路 1 号",
        "party_phone": "13900139000",
        "place": "金水区经三路与纬五路交叉口",
        "occurred_on": (today - timedelta(days=1)).isoformat(),
        "discovered_on": today.isoformat(),
        "facts": "在路灯杆上设置广告牌两块",
        "source": "巡查发现",
        "co_investigators": [str(co_officer.pk)],
        "measured:单体面积㎡": "4",
        "harm": "none",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# ---------------------------------------------------------------- who gets in


@pytest.mark.parametrize("role", ["handler", "inspector", "operator", "personnel"])
def test_other_roles_get_the_forbidden_page(role, user_factory, login):
    client = login(user_factory(role, region="410105"))
    response = client.get("/penalties/")
    assert response.status_code == 403
    assert "只有执法队员、法制审核员和领导可以查看行政处罚案件" in html(response)
    assert client.get("/penalties/register/").status_code == 403


def test_sign_in_first(client):
    response = client.get("/penalties/")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_a_reviewer_or_leader_cannot_register(reviewer, user_factory, login):
    client = login(reviewer)
    assert client.get("/penalties/").status_code == 200
    response = client.get("/penalties/register/")
    assert response.status_code == 403
    assert "只有执法队员可以立案或当场处罚" in html(response)
    leader = login(user_factory("leader", region="410105"))
    assert leader.get("/penalties/summary/").status_code == 403


def test_home_links_the_penalty_console_for_its_roles(officer, user_factory, login):
    assert 'id="penalties-link"' in html(login(officer).get("/"))
    assert 'id="penalties-link"' not in html(
        login(user_factory("handler", region="410105")).get("/")
    )


# ---------------------------------------------------------------- queues


def test_queue_lists_the_agency_case_and_not_another_districts(
    case, officer, officer_factory, login
):
    client = login(officer)
    response = client.get("/penalties/")
    assert response.status_code == 200
    assert rows(response) == [case.number]
    body = html(response)
    assert "赵*" in body and "赵当事" not in body  # a person's name is masked in lists
    assert "调查取证" in body and "普通程序" in body
    assert "作出处罚决定" in body  # the next limit
    assert "立案（普通程序）" in body and "当场处罚（简易程序）" in body
    assert re.search(r'data-tab="open"[^>]*>[^<]*<span class="count">1<', body)

    stranger = login(officer_factory(region="410106", agency_code="410106-ZD"))
    assert rows(stranger.get("/penalties/")) == []
    assert stranger.get(f"/penalties/{case.number}/").status_code == 404


def test_queue_tabs_sort_cases_by_stage(case, officer, login):
    client = login(officer)
    assert rows(client.get("/penalties/?tab=review")) == []
    assert rows(client.get("/penalties/?tab=closed")) == []
    assert client.get("/penalties/?tab=nonsense").status_code == 404


def test_a_leader_of_the_district_reads_but_has_no_steps(case, user_factory, login):
    client = login(user_factory("leader", region="410105"))
    assert rows(client.get("/penalties/")) == [case.number]
    body = html(client.get(f"/penalties/{case.number}/"))
    assert "当前没有您可执行的操作" in body
    assert "立案（普通程序）" not in html(client.get("/penalties/"))


# ---------------------------------------------------------------- registration


def test_register_form_creates_the_case_and_redirects(officer, co_officer, power, login):
    client = login(officer)
    page = client.get("/penalties/register/")
    assert page.status_code == 200
    assert "李协办（四级主办）" in html(page)
    assert 'name="measured:单体面积㎡"' in html(page)

    response = client.post("/penalties/register/", register_data(power, co_officer))
    case = PenaltyCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/penalties/{case.number}/"
    assert case.measured == {"单体面积㎡": "4"}
    assert case.party_phone_masked and "13900139000" not in case.party_phone_masked
    assert case.investigators.count() == 2
    assert case.documents.filter(kind="register").exists()


def test_register_without_a_co_investigator_is_refused_with_400(officer, co_officer, power, login):
    client = login(officer)
    response = client.post(
        "/penalties/register/", register_data(power, co_officer, co_investigators=None)
    )
    assert response.status_code == 400
    body = html(response)
    assert "调查取证须由两名以上具有执法资格的执法人员进行" in body
    assert "钱当事" in body and "在路灯杆上设置广告牌两块" in body  # kept as typed
    assert 'value="4"' in body  # the measured fact too
    assert not PenaltyCase.objects.exists()


def test_register_form_errors_are_in_chinese(officer, co_officer, power, login):
    client = login(officer)
    response = client.post(
        "/penalties/register/", register_data(power, co_officer, place="", facts="")
    )
    assert response.status_code == 400
    assert "请填写违法地点" in html(response)
    bad_measure = client.post(
        "/penalties/register/", register_data(power, co_officer, **{"measured:单体面积㎡": "-3"})
    )
    assert bad_measure.status_code == 400
    assert "应为不小于零的数" in html(bad_measure)
    assert not PenaltyCase.objects.exists()


def test_an_uncertified_officer_is_refused_with_403(user_factory, co_officer, power, login):
    from chengguan.org.models import Agency

    user = user_factory("officer", region="410105", agency=Agency.objects.get(code="410105-ZD"))
    response = login(user).post("/penalties/register/", register_data(power, co_officer))
    assert response.status_code == 403
    assert "您不在执法队伍登记中" in html(response)
    assert not PenaltyCase.objects.exists()


# ---------------------------------------------------------------- summary procedure


def test_on_the_spot_warning(officer, power, login):
    client = login(officer)
    assert client.get("/penalties/summary/").status_code == 200
    data = {
        "power": str(power.pk),
        "party_kind": "person",
        "party_name": "孙当事",
        "place": "金水区花园路",
        "facts": "在路灯杆上挂横幅",
        "penalty": "warning",
        "certificate_shown": "on",
        "handed_over": "on",
    }
    response = client.post("/penalties/summary/", data)
    case = PenaltyCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/penalties/{case.number}/"
    assert case.procedure == "summary" and case.status == "executed"

    too_much = client.post("/penalties/summary/", {**data, "penalty": "fine", "amount": "500"})
    assert too_much.status_code == 400
    assert "孙当事" in html(too_much)
    assert PenaltyCase.objects.count() == 1


# ---------------------------------------------------------------- the case file


def test_case_page_shows_the_file_and_the_limits(case, officer, login):
    client = login(officer)
    response = client.get(f"/penalties/{case.number}/")
    assert response.status_code == 200
    body = html(response)
    assert case.number in body and "擅自在桥梁或者路灯设施上设置广告牌" in body
    assert "赵当事" in body and "13800138000" not in body
    assert 'data-limit="decision"' in body and "自然日" in body
    assert "行政处罚法第六十条" in body
    assert "李协办" in body and "豫410105-T-" in body  # investigators with certificates
    assert "立案审批表" in body
    for action in ("add_evidence", "notify", "extend", "decide_no_penalty", "refer"):
        assert f'id="action-{action}"' in body
    # Preserved evidence starts a working-day limit.
    act(
        client,
        case,
        "add_evidence",
        {
            "kind": "physical",
            "title": "广告牌",
            "file": upload("a.png", png(), "image/png"),
            "preserved": "on",
        },
    )
    body = html(client.get(f"/penalties/{case.number}/"))
    assert 'data-limit="preservation:广告牌"' in body and "工作日" in body
    assert 'id="action-decide_preservation"' in body


def test_uploading_evidence_stores_it_and_lists_its_hash(case, officer, login):
    client = login(officer)
    data = png()
    response = act(
        client,
        case,
        "add_evidence",
        {"kind": "documentary", "title": "现场照片", "file": upload("现场.png", data, "image/png")},
    )
    assert response.status_code == 303
    assert response["Location"] == f"/penalties/{case.number}/"
    evidence = Evidence.objects.get()
    import hashlib

    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    page = client.get(f"/penalties/{case.number}/")
    assert evidence.sha256[:16] in html(page)
    assert "已执行“登记证据”" in html(page)
    download = client.get(f"/penalties/{case.number}/evidence/{evidence.pk}")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert b"".join(download.streaming_content) == data


def test_a_file_that_is_not_a_photo_pdf_or_recording_is_refused(case, officer, login):
    client = login(officer)
    response = act(
        client,
        case,
        "add_evidence",
        {
            "kind": "documentary",
            "title": "说明",
            "file": upload("note.txt", b"just text", "text/plain"),
        },
    )
    assert response.status_code == 400
    body = html(response)
    assert "证据文件格式不支持" in body
    assert 'value="说明"' in body  # the title as typed, next to its form
    assert not Evidence.objects.exists()


def test_a_document_downloads_as_pdf_only_for_those_who_see_the_case(
    case, officer, officer_factory, user_factory, login
):
    document = case.documents.get()
    url = f"/penalties/{case.number}/documents/{document.pk}.pdf"
    assert url in html(login(officer).get(f"/penalties/{case.number}/"))
    response = login(officer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename*=UTF-8''%E7%AB%8B%E6%A1%88")
    assert response["Content-Disposition"].endswith(".pdf")
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    stranger = officer_factory(region="410106", agency_code="410106-ZD")
    assert login(stranger).get(url).status_code == 404
    assert login(user_factory("handler", region="410105")).get(url).status_code == 403


# ---------------------------------------------------------------- steps


def _with_evidence(officer, case):
    services.evidence_add(
        actor=officer,
        case_id=case.pk,
        kind="documentary",
        title="照片",
        data=png(),
        filename="p.png",
    )
    case.refresh_from_db()
    return case


def test_the_notice_form_shows_the_discretion_proposal(case, officer, login):
    client = login(officer)
    body = html(client.get(f"/penalties/{case.number}/"))
    assert 'id="discretion"' in body
    assert "一般" in body and "5000–10000元" in body  # 6 ㎡: the ordinary tier
    assert "符合“一般”等次的情形" in body
    assert "可以处2万元以下罚款" in body  # the statutory range


def test_a_fine_outside_the_range_needs_a_reason_and_then_goes_to_review(
    case, officer, reviewer, login
):
    case = _with_evidence(officer, case)
    client = login(officer)
    response = act(client, case, "notify", {"fine": "15000", "version": case.version})
    assert response.status_code == 400
    assert "须书面说明理由并经法制审核" in html(response)
    assert 'value="15000' in html(response)

    response = act(
        client,
        case,
        "notify",
        {
            "fine": "15000",
            "departure_reason": "广告牌悬挂在主干道上方，危及通行安全",
            "version": case.version,
        },
    )
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.status == "notified" and case.review_grounds == ["benchmark_departed"]
    assert act(client, case, "record_statement", {"waived": "on"}).status_code == 303
    assert act(client, case, "submit_review").status_code == 303

    page = login(reviewer).get(f"/penalties/{case.number}/")
    body = html(page)
    assert 'id="review-grounds"' in body and "偏离裁量基准" in body
    assert "危及通行安全" in body
    assert rows(login(reviewer).get("/penalties/?tab=review")) == [case.number]
    response = act(login(reviewer), case, "review", {"passed": "approve", "opinion": "同意"})
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.review_passed


def test_a_stale_form_answers_409(case, officer, login):
    case = _with_evidence(officer, case)
    response = act(login(officer), case, "notify", {"fine": "6000", "version": case.version - 1})
    assert response.status_code == 409
    assert "案件已被他人更新" in html(response)
    case.refresh_from_db()
    assert case.status == "investigating"


def test_a_step_the_role_may_not_take_answers_403_in_the_page(case, reviewer, login):
    response = act(login(reviewer), case, "extend", {"until": "2030-01-01", "basis": "x"})
    assert response.status_code == 403
    assert "您的岗位不能执行“延长办案期限”" in html(response)


def test_an_unknown_step_is_404_and_payment_is_not_recorded_by_hand(case, officer, login):
    client = login(officer)
    assert act(client, case, "nonsense").status_code == 404
    response = act(client, case, "record_payment")
    assert response.status_code == 400
    assert "不能在此登记缴款" in html(response)


def test_a_decided_fine_shows_what_is_owed(case, officer, login):
    case = _with_evidence(officer, case)
    services.penalty_notify(
        actor=officer, case_id=case.pk, penalties=[Penalty(PenaltyKind.FINE, 6000)]
    )
    services.statement_record(actor=officer, case_id=case.pk, waived=True)
    client = login(officer)
    case.refresh_from_db()
    response = act(client, case, "decide", {"party_present": "on", "version": case.version})
    assert response.status_code == 303
    body = html(client.get(f"/penalties/{case.number}/"))
    case.refresh_from_db()
    assert case.status == "decided" and case.payment_reference
    assert case.payment_reference in body and 'id="owed-today"' in body
    assert "处罚决定书" in body
    assert 'id="action-serve"' in body


# ---------------------------------------------------------------- from a city-management case


@pytest.fixture
def street_vending_case(user_factory):
    grid = Grid.objects.filter(region_code=GRID_UNIT).order_by("code").first()
    point = grid.geometry.representative_point()
    return case_report(
        actor=user_factory("inspector", region=GRID_UNIT),
        category=Category.objects.get(kind="matter", code="09006"),
        lon=point.x,
        lat=point.y,
        description="人行道上摆摊设点卖水果",
        channel="inspector",
        address="上街区济源路 18 号",
    )


def test_an_enforcement_case_links_to_penalty_registration(
    street_vending_case, officer_factory, user_factory, login
):
    from chengguan.org.models import Agency
    from chengguan.penalties.tests.conftest import enrol

    number = street_vending_case.number
    officer = officer_factory(region=GRID_UNIT, agency_code=f"{GRID_UNIT}-ZD")
    colleague = enrol(None, agency=Agency.objects.get(code=f"{GRID_UNIT}-ZD"), name="周同事")
    client = login(officer)
    body = html(client.get(f"/cases/{number}/"))
    assert "立案处罚" in body
    assert f"/penalties/register/?source_case={number}" in body

    form = client.get(f"/penalties/register/?source_case={number}")
    assert form.status_code == 200
    text = html(form)
    assert "上街区济源路 18 号" in text and "人行道上摆摊设点卖水果" in text
    assert f"数字城管案卷 {number}" in text
    power = street_vending_case.category.enforcement.power
    assert re.search(rf'<option value="{power.pk}" selected>', text)

    response = client.post(
        f"/penalties/register/?source_case={number}",
        register_data(
            power,
            colleague,
            source_case=number,
            source=f"数字城管案卷 {number}",
            place="上街区济源路 18 号",
            **{"measured:单体面积㎡": None},
        ),
    )
    assert response.status_code == 302
    penalty = PenaltyCase.objects.get()
    assert penalty.source_case_id == street_vending_case.pk
    page = html(client.get(response["Location"]))
    assert f'href="/cases/{number}/"' in page
    assert penalty.number in html(client.get(f"/cases/{number}/"))  # linked back

    inspector = login(user_factory("inspector", region=GRID_UNIT))
    assert "立案处罚" not in html(inspector.get(f"/cases/{number}/"))


def test_a_non_enforcement_case_has_no_penalty_link(officer_factory, user_factory, login):
    grid = Grid.objects.filter(region_code=GRID_UNIT).order_by("code").first()
    point = grid.geometry.representative_point()
    case = case_report(
        actor=user_factory("inspector", region=GRID_UNIT),
        category=Category.objects.get(kind="matter", code="06010"),  # 暴露垃圾
        lon=point.x,
        lat=point.y,
        description="路边有垃圾",
        channel="inspector",
    )
    assert Case.objects.filter(pk=case.pk).exists()
    officer = officer_factory(region=GRID_UNIT, agency_code=f"{GRID_UNIT}-ZD")
    assert "立案处罚" not in html(login(officer).get(f"/cases/{case.number}/"))


# ---------------------------------------------------------------- whole procedures through the pages


def _status(case) -> str:
    case.refresh_from_db()
    return case.status


def test_an_ordinary_case_through_hearing_decision_service_and_revocation(
    case, officer, reviewer, login
):
    client = login(officer)
    assert (
        act(
            client,
            case,
            "add_evidence",
            {"kind": "documentary", "title": "照片", "file": upload("p.png", png(), "image/png")},
        ).status_code
        == 303
    )
    case.refresh_from_db()
    assert act(client, case, "notify", {"fine": "6000", "version": case.version}).status_code == 303
    assert _status(case) == "notified" and case.hearing_right and case.review_grounds == []

    page = html(client.get(f"/penalties/{case.number}/"))
    assert 'data-limit="hearing_request"' in page and "当事人期间" in page
    assert act(client, case, "request_hearing", {}).status_code == 400  # the time is required
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert act(client, case, "request_hearing", {"requested_at": now}).status_code == 303
    assert _status(case) == "hearing"

    page = html(client.get(f"/penalties/{case.number}/"))
    assert f'<option value="{reviewer.pk}">' in page  # a chair who did not investigate
    assert f'<option value="{officer.pk}">' not in page
    too_soon = act(
        client,
        case,
        "schedule_hearing",
        {"hearing_on": timezone.localdate().isoformat(), "place": "听证室", "chair": reviewer.pk},
    )
    assert too_soon.status_code == 400
    assert 'value="听证室"' in html(too_soon)
    hearing_on = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = act(
        client,
        case,
        "schedule_hearing",
        {"hearing_on": hearing_on, "place": "听证室", "chair": reviewer.pk, "public": "on"},
    )
    assert response.status_code == 303
    assert case.documents.filter(kind="hearing_notice").exists()
    response = act(client, case, "conclude_hearing", {"held": "no"})
    assert response.status_code == 303
    assert _status(case) == "notified" and case.hearing_outcome == "waived"

    assert act(client, case, "record_statement", {}).status_code == 400
    assert (
        act(client, case, "record_statement", {"statement": "当事人称已自行拆除"}).status_code
        == 303
    )
    case.refresh_from_db()
    assert act(client, case, "decide", {"version": case.version}).status_code == 303
    assert _status(case) == "decided"

    served_at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    refused = act(
        client,
        case,
        "serve",
        {"method": "electronic", "recipient": "赵当事", "served_at": served_at},
    )
    assert refused.status_code == 400  # electronic service needs the signed consent
    response = act(
        client, case, "serve", {"method": "direct", "recipient": "赵当事", "served_at": served_at}
    )
    assert response.status_code == 303
    assert _status(case) == "served" and case.payment_due

    until = (case.payment_due + timedelta(days=30)).isoformat()
    assert (
        act(
            client, case, "defer_payment", {"until": until, "hardship": "on", "applied": "on"}
        ).status_code
        == 400
    )
    response = act(
        client,
        case,
        "defer_payment",
        {"until": until, "hardship": "on", "applied": "on", "approved": "on"},
    )
    assert response.status_code == 303
    early = act(client, case, "apply_court")
    assert early.status_code == 400 and "缴款期限尚未届满" in html(early)

    assert act(client, case, "revoke", {"reason": ""}).status_code == 400
    assert act(client, case, "revoke", {"reason": "复议机关撤销"}).status_code == 303
    assert _status(case) == "revoked"
    client.get("/")  # the success message is consumed
    assert rows(client.get("/penalties/?tab=closed")) == [case.number]
    timeline = html(client.get(f"/penalties/{case.number}/"))
    for action in ("register", "notify", "request_hearing", "schedule_hearing", "serve", "revoke"):
        assert f'<li data-action="{action}">' in timeline


def test_a_summary_fine_collected_on_the_spot_is_handed_in_filed_and_archived(
    officer, power, login
):
    client = login(officer)
    response = client.post(
        "/penalties/summary/",
        {
            "power": str(power.pk),
            "party_kind": "person",
            "party_name": "吴当事",
            "place": "金水区花园路",
            "facts": "在路灯杆上挂横幅",
            "penalty": "fine",
            "amount": "50",
            "certificate_shown": "on",
            "handed_over": "on",
            "collect_cash": "on",
        },
    )
    assert response.status_code == 302
    case = PenaltyCase.objects.get()
    assert case.status == "executed"
    page = html(client.get(f"/penalties/{case.number}/"))
    assert "待上交" in page and 'data-limit="hand_in:50.00"' in page
    assert "处罚决定书" in page
    assert act(client, case, "close").status_code == 400  # not filed, cash not handed in
    assert act(client, case, "hand_in_cash").status_code == 303
    assert act(client, case, "file").status_code == 303
    assert act(client, case, "close").status_code == 303
    assert act(client, case, "archive").status_code == 303
    assert _status(case) == "archived"


def test_no_penalty_for_a_minor_corrected_first_offence(officer, co_officer, power, login):
    client = login(officer)
    client.post(
        "/penalties/register/",
        register_data(
            power, co_officer, corrected="on", first_offence="on", **{"measured:单体面积㎡": "1"}
        ),
    )
    case = PenaltyCase.objects.get()
    page = html(client.get(f"/penalties/{case.number}/"))
    assert "不予处罚" in page and "第三十三条第一款" in page
    assert act(client, case, "decide_no_penalty", {"education_record": ""}).status_code == 400
    response = act(
        client, case, "decide_no_penalty", {"education_record": "已当面教育，当事人承诺不再设置"}
    )
    assert response.status_code == 303
    assert _status(case) == "closed" and case.no_penalty_ground == "minor_corrected"


def test_referral_ends_the_case(case, officer, login):
    client = login(officer)
    assert act(client, case, "refer", {"to": "nowhere", "reason": "x"}).status_code == 400
    assert act(client, case, "refer", {"to": "police", "reason": "涉嫌犯罪"}).status_code == 303
    assert _status(case) == "referred"
    assert "公安机关" in html(client.get(f"/penalties/{case.number}/"))


def test_preserved_evidence_gets_its_decision(case, officer, login):
    client = login(officer)
    act(
        client,
        case,
        "add_evidence",
        {
            "kind": "physical",
            "title": "广告牌",
            "file": upload("a.png", png(), "image/png"),
            "preserved": "on",
        },
    )
    evidence = Evidence.objects.get()
    assert (
        act(
            client, case, "decide_preservation", {"evidence": evidence.pk, "decision": ""}
        ).status_code
        == 400
    )
    response = act(
        client,
        case,
        "decide_preservation",
        {"evidence": evidence.pk, "decision": "解除保存，退还当事人"},
    )
    assert response.status_code == 303
    evidence.refresh_from_db()
    assert evidence.preservation_decision == "解除保存，退还当事人"
    page = html(client.get(f"/penalties/{case.number}/"))
    assert 'id="action-decide_preservation"' not in page  # nothing waits any more
    assert "按期完成" in page


def test_extension_and_deliberation(case, officer, login):
    client = login(officer)
    until = (case.registered_at.date() + timedelta(days=120)).isoformat()
    assert act(client, case, "extend", {"until": until, "basis": ""}).status_code == 400
    response = act(
        client, case, "extend", {"until": until, "basis": "案情复杂，经负责人批准延长30日"}
    )
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.extension_until.isoformat() == until
