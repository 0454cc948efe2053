"""The case console through HTTP: my work per role, filters, the case page and its actions,
the report form, notices, and the whole journey from a hotline call to closing."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from chengguan.cases.domain.workflow import Action, Status
from chengguan.cases.models import Case, CaseEvent, Category, Notice
from chengguan.cases.selectors import countdown
from chengguan.cases.services import case_act, case_report
from chengguan.core.models import Deadline
from chengguan.org.models import Agency, Grid

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNIT = "410106"


def html(response) -> str:
    return response.content.decode()


def rows(response) -> list[str]:
    """Case numbers listed in the queue table, in order."""
    return re.findall(r'<tr data-number="([^"]+)"', html(response))


def tab_keys(response) -> list[str]:
    return re.findall(r'data-tab="([a-z]+)"', html(response))


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def grid():
    return Grid.objects.filter(region_code=UNIT).select_related("street").order_by("code").first()


@pytest.fixture
def other_grid(grid):
    """A grid of 上街区 in another street than `grid`."""
    return (
        Grid.objects.filter(region_code=UNIT)
        .exclude(street=grid.street)
        .select_related("street")
        .order_by("code")
        .first()
    )


def inside(g) -> tuple[float, float]:
    p = g.geometry.representative_point()
    return p.x, p.y


@pytest.fixture
def sanitation():
    return Agency.objects.get(code=f"{UNIT}-DEPT-SAN")


@pytest.fixture
def municipal():
    return Agency.objects.get(code=f"{UNIT}-DEPT-MUN")


@pytest.fixture
def garbage():
    """暴露垃圾: 上街区's sanitation centre handles it (responsibility matrix, major 06)."""
    return Category.objects.get(kind="matter", code="06010")


@pytest.fixture
def unassigned():
    """其他管理部件 (05) is in nobody's responsibility: city triage."""
    return Category.objects.filter(kind="component", major_code="05").order_by("code").first()


@pytest.fixture
def staff(user_factory, sanitation, municipal):
    return {
        "operator": user_factory("operator", region="4101"),
        "inspector": user_factory("inspector", region=UNIT),
        "shift_leader": user_factory("shift_leader", region="4101"),
        "dispatcher": user_factory("dispatcher", region="4101"),
        "handler": user_factory("handler", region=UNIT, agency=sanitation),
        "other_handler": user_factory("handler", region=UNIT, agency=municipal),
        "leader": user_factory("leader", region="4101"),
        "sysadmin": user_factory("system_admin", region="4101"),
    }


@pytest.fixture
def report(staff, grid, garbage):
    """Make a case through the service (as the operator, by hotline)."""

    def make(*, category=None, where=None, description="垃圾堆放", at=None, actor=None):
        lon, lat = inside(where or grid)
        return case_report(
            actor=actor or staff["operator"],
            category=category or garbage,
            lon=lon,
            lat=lat,
            description=description,
            channel=Case.Channel.HOTLINE,
            address="测试路 1 号",
            at=at,
        )

    return make


def act(case, action, actor, **kwargs):
    case.refresh_from_db()
    return case_act(
        case_id=case.pk, action=action, actor=actor, expected_version=case.version, **kwargs
    )


@pytest.fixture
def advance(staff):
    """Move a case along the main line of the workflow through the services."""
    line = [
        (Status.REPORTED, None, None),
        (Status.VERIFIED, Action.VERIFY, "inspector"),
        (Status.REGISTERED, Action.REGISTER, "shift_leader"),
        (Status.DISPATCHED, Action.DISPATCH, "dispatcher"),
        (Status.HANDLED, Action.HANDLE, "handler"),
        (Status.CHECKED, Action.CHECK_PASS, "inspector"),
    ]
    statuses = [status for status, _action, _who in line]

    def move(case, target: Status, **dispatch):
        case.refresh_from_db()
        start = statuses.index(Status(case.status))
        for _status, action, who in line[start + 1 : statuses.index(target) + 1]:
            extra = {}
            if action is Action.DISPATCH:
                extra = {"agency_id": case.suggested_agency_id, **dispatch}
            elif action is Action.HANDLE:
                extra = {"feedback": "已清运"}
            act(case, action, staff[who], **extra)
        case.refresh_from_db()
        return case

    return move


# ---------------------------------------------------------------- access


def test_anonymous_visitor_is_sent_to_login(client):
    for path in ["/cases/", "/cases/report/", "/cases/notices/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_user_without_case_work_gets_a_403_page(client, staff):
    client.force_login(staff["sysadmin"])

    response = client.get("/cases/")

    assert response.status_code == 403
    assert "您的岗位没有案卷工作" in html(response)


def test_nav_links_to_cases_report_and_notices(client, staff):
    client.force_login(staff["operator"])
    page = html(client.get("/"))
    assert 'href="/cases/"' in page and 'href="/cases/report/"' in page
    assert 'href="/cases/notices/"' in page

    client.force_login(staff["dispatcher"])
    page = html(client.get("/"))
    assert 'href="/cases/"' in page and 'href="/cases/report/"' not in page


# ---------------------------------------------------------------- queues per role


def test_operator_has_verify_and_register_tabs_with_new_reports(client, staff, report, advance):
    new = report()
    verified = advance(report(), Status.VERIFIED)
    client.force_login(staff["operator"])

    response = client.get("/cases/")

    assert response.status_code == 200
    assert tab_keys(response) == ["verify", "register", "all"]
    assert rows(response) == [new.number]
    assert rows(client.get("/cases/?tab=register")) == [verified.number]


def test_operator_queue_is_oldest_first(client, staff, report):
    now = timezone.now()
    late = report(at=now - timedelta(minutes=5))
    early = report(at=now - timedelta(minutes=50))
    client.force_login(staff["operator"])

    assert rows(client.get("/cases/?tab=verify")) == [early.number, late.number]


def test_shift_leader_sees_register_close_and_overdue(client, staff, report, advance):
    verified = advance(report(), Status.VERIFIED)
    checked = advance(report(), Status.CHECKED)
    long_ago = timezone.now() - timedelta(days=30)
    late = report(at=long_ago)  # its verify clock ran out long ago
    client.force_login(staff["shift_leader"])

    response = client.get("/cases/")
    assert tab_keys(response) == ["register", "close", "overdue", "all"]
    assert rows(response) == [verified.number]
    assert rows(client.get("/cases/?tab=close")) == [checked.number]
    overdue = client.get("/cases/?tab=overdue")
    assert rows(overdue) == [late.number]
    assert "已超时" in html(overdue) and "超时</span>" in html(overdue)


def test_dispatcher_sees_city_triage_first_then_extensions_and_deferred(
    client, staff, report, advance, unassigned, sanitation
):
    now = timezone.now()
    routed = advance(report(at=now - timedelta(minutes=30)), Status.REGISTERED)
    triage = advance(report(category=unassigned, at=now - timedelta(minutes=5)), Status.REGISTERED)
    extension = advance(report(), Status.DISPATCHED)
    act(extension, Action.REQUEST_EXTENSION, staff["handler"], reason="等配件", hours=8)
    deferred = advance(report(), Status.DISPATCHED)
    act(deferred, Action.DEFER, staff["dispatcher"], reason="需协调产权单位")
    plain_dispatched = advance(report(), Status.DISPATCHED)
    client.force_login(staff["dispatcher"])

    response = client.get("/cases/")

    assert tab_keys(response) == ["dispatch", "extension", "deferred", "all"]
    assert rows(response) == [triage.number, routed.number]
    page = html(response)
    triage_row = page[page.index(f'data-number="{triage.number}"') :]
    assert "市级分拨" in triage_row[: triage_row.index("</tr>")]
    assert sanitation.name in page  # the suggested agency of the routed case
    assert rows(client.get("/cases/?tab=extension")) == [extension.number]
    assert rows(client.get("/cases/?tab=deferred")) == [deferred.number]
    assert plain_dispatched.number not in html(client.get("/cases/?tab=extension"))


def test_handler_sees_only_their_agencys_tasks(client, staff, report, advance, municipal):
    mine = advance(report(), Status.DISPATCHED)
    theirs = advance(report(), Status.DISPATCHED, agency_id=municipal.pk, reason="井盖归市政")
    client.force_login(staff["handler"])

    response = client.get("/cases/")

    assert tab_keys(response) == ["handle", "all"]
    assert rows(response) == [mine.number]
    assert theirs.number not in html(client.get("/cases/?tab=all"))
    assert "剩余" in html(response) and "工作时" in html(response)


def test_inspector_sees_verify_and_check_tasks_nearest_first(
    client, staff, report, advance, grid, other_grid
):
    far = report(where=other_grid)
    near = report(where=grid)
    handled = advance(report(), Status.HANDLED)
    client.force_login(staff["inspector"])

    response = client.get("/cases/")
    assert tab_keys(response) == ["verify", "check", "all"]
    assert rows(response) == [far.number, near.number]  # oldest first
    lon, lat = inside(grid)
    nearby = client.get(f"/cases/?tab=verify&lon={lon}&lat={lat}")
    assert rows(nearby) == [near.number, far.number]
    assert "约 0 米" in html(nearby)
    lon, lat = inside(other_grid)
    assert rows(client.get(f"/cases/?tab=verify&lon={lon}&lat={lat}")) == [
        far.number,
        near.number,
    ]
    assert rows(client.get("/cases/?tab=check")) == [handled.number]


def test_tab_the_user_does_not_have_is_404(client, staff):
    client.force_login(staff["handler"])

    assert client.get("/cases/?tab=dispatch").status_code == 404


# ---------------------------------------------------------------- filters and pages


def test_filters_by_street_category_status_and_overdue(
    client, staff, report, advance, grid, other_grid, unassigned
):
    here = report(where=grid)
    there = report(where=other_grid)
    odd = report(category=unassigned)
    late = report(at=timezone.now() - timedelta(days=30))
    registered = advance(report(), Status.REGISTERED)
    client.force_login(staff["leader"])

    def listed(query):
        return set(rows(client.get("/cases/?tab=all&" + query)))

    assert listed(f"region={other_grid.street.code}") == {there.number}
    assert here.number in listed(f"region={grid.street.code}")
    assert listed(f"region={UNIT}") >= {here.number, there.number, odd.number}
    assert listed("region=410105") == set()
    assert listed(f"category={unassigned.code}") == {odd.number}
    assert listed(f"category=component:{unassigned.code}") == {odd.number}
    assert listed(f"category=matter:{unassigned.code}") == set()
    assert listed("status=registered") == {registered.number}
    assert listed("overdue=1") == {late.number}
    # A malformed filter is ignored rather than an error page.
    assert client.get("/cases/?tab=all&region=abc&lon=x").status_code == 200


def test_queue_pages_hold_25_cases(client, staff, report):
    start = timezone.now() - timedelta(hours=2)
    made = [report(at=start + timedelta(minutes=i)) for i in range(27)]
    client.force_login(staff["operator"])

    first = client.get("/cases/?tab=verify")
    second = client.get("/cases/?tab=verify&page=2")

    assert rows(first) == [c.number for c in made[:25]]
    assert rows(second) == [c.number for c in made[25:]]
    assert "共 27 件" in html(first) and "第 1 / 2 页" in html(first)
    assert "page=2" in html(first)


# ---------------------------------------------------------------- the case page


def test_case_page_shows_the_case(client, staff, report, sanitation, grid):
    case = report(description="小区门口垃圾堆放三天")
    client.force_login(staff["operator"])

    response = client.get(f"/cases/{case.number}/")

    page = html(response)
    assert response.status_code == 200
    assert case.number in page and "待核实" in page and "暴露垃圾" in page
    assert "12319 热线" in page and "街道" in page  # channel, level
    reported = timezone.localtime(case.reported_at, SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert reported in page
    assert "小区门口垃圾堆放三天" in page and "测试路 1 号" in page
    assert sanitation.name in page and "责任划分" in page  # suggestion and why
    assert "核实时限" in page and "剩余" in page
    assert "上报" in page and 'data-action="reported"' in page  # the timeline
    assert 'id="case-grid"' in page and grid.code in page  # the map's grid
    # The operator may void a report, not verify it (that is the inspector's).
    assert 'data-action="void"' in page and 'data-action="verify"' not in page


def test_case_page_marks_provisional_deadlines(client, staff, report):
    case = report()
    Deadline.objects.filter(subject_id=str(case.pk)).update(provisional=True)
    client.force_login(staff["operator"])

    assert "暂估" in html(client.get(f"/cases/{case.number}/"))


def test_another_districts_case_is_404(client, staff, report, user_factory):
    case = report()
    stranger = user_factory("operator", region="410105")
    client.force_login(stranger)

    assert client.get(f"/cases/{case.number}/").status_code == 404
    assert client.get("/cases/410106-20000101-000001/").status_code == 404
    response = client.post(
        f"/cases/{case.number}/act/void/", {"version": case.version, "reason": "x"}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.REPORTED


def test_handler_cannot_see_or_act_on_another_agencys_task(
    client, staff, report, advance, municipal
):
    theirs = advance(report(), Status.DISPATCHED, agency_id=municipal.pk, reason="归市政")
    client.force_login(staff["handler"])  # sanitation centre

    assert client.get(f"/cases/{theirs.number}/").status_code == 404
    response = client.post(
        f"/cases/{theirs.number}/act/handle/", {"version": theirs.version, "feedback": "已处理"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.DISPATCHED


def test_street_handler_who_sees_a_task_of_another_agency_is_refused_with_403(
    client, staff, report, advance, grid, user_factory
):
    case = advance(report(where=grid), Status.DISPATCHED)  # to the sanitation centre
    street_office = Agency.objects.get(code=f"{grid.street.code}-JD")
    street_handler = user_factory("handler", region=grid.street.code, agency=street_office)
    client.force_login(street_handler)

    page = client.get(f"/cases/{case.number}/")
    assert page.status_code == 200  # the street sees its cases …
    assert 'data-action="handle"' not in html(page)  # … but is offered no handler action
    response = client.post(
        f"/cases/{case.number}/act/handle/", {"version": case.version, "feedback": "已处理"}
    )
    assert response.status_code == 403
    assert "该任务不属于您的单位" in html(response)


def test_unknown_action_is_404(client, staff, report):
    case = report()
    client.force_login(staff["operator"])

    assert client.post(f"/cases/{case.number}/act/explode/", {"version": 1}).status_code == 404
    assert client.get(f"/cases/{case.number}/act/void/").status_code == 405


# ---------------------------------------------------------------- the whole journey


def test_journey_from_hotline_call_to_close_through_the_console(
    client, staff, grid, garbage, sanitation
):
    lon, lat = inside(grid)

    def as_(who):
        client.force_login(staff[who])
        return client

    def status_on_page(number, who):
        page = html(as_(who).get(f"/cases/{number}/"))
        return re.search(r'data-status="([a-z]+)"', page).group(1)

    def post(number, action, who, **fields):
        case = Case.objects.get(number=number)
        response = as_(who).post(
            f"/cases/{number}/act/{action}/", {"version": case.version, **fields}
        )
        assert response.status_code == 302, html(response)
        assert response["Location"] == f"/cases/{number}/"
        return response

    response = as_("operator").post(
        "/cases/report/",
        {
            "category": garbage.pk,
            "lon": f"{lon:.6f}",
            "lat": f"{lat:.6f}",
            "address": "济源路 8 号",
            "description": "路边暴露垃圾",
            "channel": "hotline",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(description="路边暴露垃圾")
    number = case.number
    assert response["Location"] == f"/cases/{number}/"
    assert case.channel == "hotline" and case.suggested_agency == sanitation
    assert status_on_page(number, "operator") == Status.REPORTED

    post(number, "verify", "inspector")
    assert status_on_page(number, "inspector") == Status.VERIFIED

    post(number, "register", "shift_leader")
    assert status_on_page(number, "shift_leader") == Status.REGISTERED

    page = html(as_("dispatcher").get(f"/cases/{number}/"))
    assert re.search(rf'<option value="{sanitation.pk}" selected>', page)  # preselected
    post(number, "dispatch", "dispatcher", agency=str(sanitation.pk))
    assert status_on_page(number, "dispatcher") == Status.DISPATCHED

    assert number in rows(as_("handler").get("/cases/"))
    post(number, "handle", "handler", feedback="已清运，现场干净")
    assert status_on_page(number, "handler") == Status.HANDLED

    post(number, "check_pass", "inspector")
    assert status_on_page(number, "inspector") == Status.CHECKED

    post(number, "close", "shift_leader")
    assert status_on_page(number, "shift_leader") == Status.CLOSED

    page = html(client.get(f"/cases/{number}/"))
    assert "已结案" in page and "已清运，现场干净" in page
    assert "当前没有您可执行的操作" in page
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "reported",
        "verify",
        "register",
        "dispatch",
        "handle",
        "check_pass",
        "close",
    ]
    for label in ["上报", "核实", "立案", "派遣", "处置反馈", "核查通过", "结案"]:
        assert f"<b>{label}</b>" in page
    assert f"处置单位：{sanitation.name}" in page


def test_success_message_after_a_plain_post(client, staff, report):
    case = report()
    client.force_login(staff["inspector"])

    response = client.post(
        f"/cases/{case.number}/act/verify/", {"version": case.version}, follow=True
    )

    assert "已执行“核实”，案卷当前状态：待立案" in html(response)


def test_handler_returning_a_task_goes_back_to_their_list(client, staff, report, advance):
    case = advance(report(), Status.DISPATCHED)
    client.force_login(staff["handler"])

    response = client.post(
        f"/cases/{case.number}/act/return/", {"version": case.version, "reason": "不属本单位"}
    )

    assert response.status_code == 302 and response["Location"] == "/cases/"
    case.refresh_from_db()
    assert case.status == Status.REGISTERED and case.agency is None


def test_htmx_return_sends_the_handler_back_to_their_list(client, staff, report, advance):
    case = advance(report(), Status.DISPATCHED)
    client.force_login(staff["handler"])

    response = client.post(
        f"/cases/{case.number}/act/return/",
        {"version": case.version, "reason": "不属本单位"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 204 and response["HX-Redirect"] == "/cases/"
    assert "已执行“回退”" in html(client.get("/cases/"))


# ---------------------------------------------------------------- errors


def test_stale_version_is_a_409_with_the_message(client, staff, report):
    case = report()
    stale = case.version
    act(case, Action.VERIFY, staff["inspector"])
    client.force_login(staff["shift_leader"])

    response = client.post(
        f"/cases/{case.number}/act/reject/", {"version": stale, "reason": "重复上报"}
    )

    assert response.status_code == 409
    assert "该案卷已被他人处理，请刷新后重试" in html(response)
    case.refresh_from_db()
    assert case.status == Status.VERIFIED
    # The page shows the case as it is now, with the actions it allows now.
    assert f'name="version" value="{case.version}"' in html(response)


def test_stale_version_through_htmx_answers_the_actions_area(client, staff, report):
    case = report()
    stale = case.version
    act(case, Action.VERIFY, staff["inspector"])
    client.force_login(staff["shift_leader"])

    response = client.post(
        f"/cases/{case.number}/act/register/",
        {"version": stale},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    page = html(response)
    assert page.lstrip().startswith('<section id="actions"')
    assert "该案卷已被他人处理，请刷新后重试" in page
    assert "<html" not in page


def test_missing_reason_is_a_400_and_the_form_comes_back(client, staff, report, advance):
    case = advance(report(), Status.VERIFIED)
    client.force_login(staff["shift_leader"])

    response = client.post(f"/cases/{case.number}/act/reject/", {"version": case.version})

    assert response.status_code == 400
    page = html(response)
    assert "请填写理由" in page
    assert 'data-action="reject"' in page and "<html" in page
    case.refresh_from_db()
    assert case.status == Status.VERIFIED


def test_domain_error_keeps_what_was_typed(client, staff, report, advance, municipal):
    case = advance(report(), Status.REGISTERED)
    client.force_login(staff["dispatcher"])

    response = client.post(
        f"/cases/{case.number}/act/dispatch/",
        {"version": case.version, "agency": str(municipal.pk), "reason": ""},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    page = html(response)
    assert "改派或不采用建议处置单位时请填写理由" in page
    assert re.search(rf'<option value="{municipal.pk}" selected>', page)


def test_missing_version_is_400(client, staff, report):
    case = report()
    client.force_login(staff["inspector"])

    response = client.post(f"/cases/{case.number}/act/verify/", {})

    assert response.status_code == 400
    assert "页面已过期，请刷新后重试" in html(response)


def test_role_without_the_action_gets_a_403_page(client, staff, report):
    case = report()
    client.force_login(staff["leader"])

    response = client.post(f"/cases/{case.number}/act/verify/", {"version": case.version})

    assert response.status_code == 403
    assert "您的岗位不能执行“核实”" in html(response)


def test_htmx_success_updates_actions_status_and_timeline(client, staff, report):
    case = report()
    client.force_login(staff["inspector"])

    response = client.post(
        f"/cases/{case.number}/act/verify/",
        {"version": case.version},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    page = html(response)
    assert page.lstrip().startswith('<section id="actions"')
    assert "已执行“核实”" in page
    assert 'id="case-header" class="card" hx-swap-oob="true"' in page
    assert 'data-status="verified"' in page
    assert 'id="case-timeline" class="card" hx-swap-oob="true"' in page
    assert 'data-action="verify"' in page


def test_extension_request_needs_hours_then_shows_for_approval(client, staff, report, advance):
    case = advance(report(), Status.DISPATCHED)
    client.force_login(staff["handler"])
    url = f"/cases/{case.number}/act/request_extension/"

    missing = client.post(url, {"version": case.version, "reason": "等配件"})
    assert missing.status_code == 400 and "请填写延期时长" in html(missing)
    bad = client.post(url, {"version": case.version, "reason": "等配件", "hours": "abc"})
    assert bad.status_code == 400 and "延期时长应为数字" in html(bad)
    ok = client.post(url, {"version": case.version, "reason": "等配件", "hours": "8"})
    assert ok.status_code == 302

    client.force_login(staff["dispatcher"])
    page = html(client.get(f"/cases/{case.number}/"))
    assert "延期待批" in page and 'data-action="approve_extension"' in page
    assert "申请延期 8 工作时" in page


# ---------------------------------------------------------------- report form


def report_form(garbage, lon, lat, /, **overrides):
    data = {
        "category": garbage.pk,
        "lon": f"{lon:.6f}",
        "lat": f"{lat:.6f}",
        "address": "",
        "description": "井盖缺失",
        "channel": "hotline",
    }
    data.update(overrides)
    return data


def test_report_form_shows_categories_grouped_and_a_map(client, staff):
    client.force_login(staff["operator"])

    response = client.get("/cases/report/")

    page = html(response)
    assert response.status_code == 200
    assert '<optgroup label="事件 · 06 市容环境类">' in page
    assert "暴露垃圾" in page and 'id="report-map"' in page
    assert 'name="lon"' in page and 'name="lat"' in page
    assert '<option value="hotline"' in page and '<option value="12345"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"category": ""}, "请选择问题类别"),
        ({"description": "   "}, "请填写问题描述"),
        ({"lon": "", "lat": ""}, "请在地图上点选位置，或填写经纬度"),
        ({"lon": "100.000000", "lat": "30.000000"}, "不在本市网格范围内"),
        ({"lon": "abc"}, "经纬度应为数字"),
        ({"channel": "inspector"}, "选择一个有效的选项"),
    ],
)
def test_bad_report_comes_back_with_a_message_and_saves_nothing(
    client, staff, grid, garbage, overrides, message
):
    lon, lat = inside(grid)
    before = Case.objects.count()
    client.force_login(staff["operator"])

    response = client.post("/cases/report/", report_form(garbage, lon, lat, **overrides))

    assert response.status_code == 400
    assert message in html(response)
    assert Case.objects.count() == before


def test_inspector_reports_as_patrol_and_the_case_is_already_verified(client, staff, grid, garbage):
    lon, lat = inside(grid)
    client.force_login(staff["inspector"])

    response = client.post(
        "/cases/report/", report_form(garbage, lon, lat, channel="inspector", description="满溢")
    )

    assert response.status_code == 302
    case = Case.objects.get(description="满溢")
    assert case.channel == "inspector" and case.status == Status.VERIFIED


def test_report_outside_the_reporters_territory_is_refused(client, user_factory, grid, garbage):
    lon, lat = inside(grid)
    elsewhere = user_factory("inspector", region="410105")
    client.force_login(elsewhere)

    response = client.post("/cases/report/", report_form(garbage, lon, lat, channel="inspector"))

    assert response.status_code == 400
    assert "不在您的工作辖区内" in html(response)
    assert not Case.objects.filter(description="井盖缺失").exists()


def test_only_operators_and_inspectors_report(client, staff):
    client.force_login(staff["dispatcher"])

    assert client.get("/cases/report/").status_code == 403


def test_report_form_lists_similar_open_cases_nearby(client, staff, report, grid, garbage):
    case = report()
    lon, lat = inside(grid)
    client.force_login(staff["operator"])

    response = client.get(
        "/cases/report/similar/", {"category": garbage.pk, "lon": lon, "lat": lat}
    )

    assert response.status_code == 200
    assert case.number in html(response) and "是否为同一问题" in html(response)
    nothing = client.get("/cases/report/similar/", {"category": "x", "lon": lon, "lat": lat})
    assert nothing.status_code == 200 and case.number not in html(nothing)


# ---------------------------------------------------------------- notices


def test_notices_are_listed_newest_first_with_a_link(client, staff, report, advance):
    first = advance(report(), Status.DISPATCHED)
    second = advance(report(), Status.DISPATCHED)
    act(first, Action.SUPERVISE, staff["dispatcher"], reason="群众多次投诉")
    act(second, Action.SUPERVISE, staff["dispatcher"], reason="领导批示")
    Notice.objects.filter(case=first).update(created_at=timezone.now() - timedelta(hours=1))
    client.force_login(staff["handler"])

    response = client.get("/cases/notices/")

    page = html(response)
    assert response.status_code == 200
    assert page.index(second.number) < page.index(first.number)
    assert f'href="/cases/{first.number}/"' in page
    assert "督办" in page and "群众多次投诉" in page


def test_notices_of_another_agency_are_not_shown(client, staff, report, advance, municipal):
    theirs = advance(report(), Status.DISPATCHED, agency_id=municipal.pk, reason="归市政")
    act(theirs, Action.SUPERVISE, staff["dispatcher"], reason="催办")
    client.force_login(staff["handler"])

    response = client.get("/cases/notices/")

    assert theirs.number not in html(response) and "暂无通知" in html(response)


# ---------------------------------------------------------------- countdown text


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def deadline(due, unit="hours"):
    return Deadline(kind="handle", due_at=due, unit=unit, provisional=False)


def test_countdown_counts_working_time_across_golden_week():
    # Due on the first working morning after the 2025 National Day holiday (1–8 October):
    # on 3 October the task is not overdue and has two working hours left.
    shown = countdown(deadline(local(2025, 10, 9, 10, 30)), now=local(2025, 10, 3, 12, 0))

    assert not shown.overdue
    assert shown.text == "剩余 2 工作时"
    assert shown.label == "处置时限" and shown.working


def test_countdown_after_due_says_how_long_ago():
    shown = countdown(deadline(local(2026, 3, 2, 10, 0)), now=local(2026, 3, 2, 12, 0))
    assert shown.overdue and shown.text == "已超时 2 小时"

    shown = countdown(deadline(local(2026, 3, 2, 10, 0)), now=local(2026, 3, 4, 13, 0))
    assert shown.text == "已超时 2 天 3 小时"


def test_countdown_of_round_the_clock_limits_is_plain_time():
    due = local(2026, 3, 7, 23, 0)  # a Saturday night: urgent matters do not wait

    assert countdown(deadline(due, "clock_hours"), now=local(2026, 3, 7, 20, 0)).text == (
        "剩余 3 小时"
    )
    assert countdown(deadline(due, "clock_hours"), now=local(2026, 3, 7, 22, 40)).text == (
        "剩余 20 分钟"
    )
