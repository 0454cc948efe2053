"""The evaluation pages: who may see them, what a district user sees, the table, the cases
behind a number, the satisfaction page with its import, and the Excel exports."""

import io
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from chengguan.cases.domain.workflow import Action
from chengguan.cases.models import Category
from chengguan.cases.services import case_act, case_report
from chengguan.kpi.evaluation import evaluation_compute
from chengguan.kpi.models import Evaluation, IndicatorValue, SatisfactionInput
from chengguan.org.models import Agency, Grid

pytestmark = pytest.mark.django_db

UNIT = "410106"  # 上街区
OTHER = "410102"  # 中原区
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = date(2026, 11, 1)
QUERY = {"period": "month", "start": "2026-11-01"}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def login(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def computed(user_factory):
    """One case of 上街区 taken to closure in November 2026, and the month computed."""
    sanitation = Agency.objects.get(code=f"{UNIT}-DEPT-SAN")
    grid = Grid.objects.filter(region_code=UNIT).order_by("code").first()
    point = grid.geometry.representative_point()
    people = {
        "operator": user_factory("operator", region="4101"),
        "inspector": user_factory("inspector", region=UNIT),
        "shift_leader": user_factory("shift_leader", region="4101"),
        "dispatcher": user_factory("dispatcher", region="4101"),
        "handler": user_factory("handler", region=UNIT, agency=sanitation),
    }
    at = local(2026, 11, 3, 9)
    case = case_report(
        actor=people["operator"],
        category=Category.objects.get(kind="matter", code="06010"),
        lon=point.x,
        lat=point.y,
        description="路边成堆垃圾",
        channel="hotline",
        at=at,
    )
    steps = [
        (Action.VERIFY, "inspector", {}),
        (Action.REGISTER, "shift_leader", {}),
        (Action.DISPATCH, "dispatcher", {"agency_id": sanitation.pk}),
        (Action.HANDLE, "handler", {"feedback": "已清运"}),
        (Action.CHECK_PASS, "inspector", {}),
        (Action.CLOSE, "shift_leader", {}),
    ]
    for minutes, (action, who, extra) in enumerate(steps, start=1):
        case.refresh_from_db()
        case = case_act(
            case_id=case.pk,
            action=action,
            actor=people[who],
            expected_version=case.version,
            at=at + timedelta(minutes=10 * minutes),
            **extra,
        )
    evaluation_compute(period="month", period_start=NOV)
    return {"case": case, "sanitation": sanitation, **people}


def test_who_may_see_the_rankings(computed, user_factory, login, client):
    login(computed["handler"])
    response = client.get("/kpi/", QUERY)
    assert response.status_code == 403
    assert "考核评价" in response.content.decode()
    assert client.get("/kpi/export.xlsx", QUERY).status_code == 403
    assert client.get("/kpi/satisfaction/").status_code == 403
    client.logout()
    assert client.get("/kpi/").status_code == 302  # to the login page
    for role in ("leader", "shift_leader", "dispatcher", "system_admin", "audit_admin"):
        login(user_factory(role, region="4101"))
        assert client.get("/kpi/", QUERY).status_code == 200, role
        client.logout()


def test_the_table_shows_scores_and_links_every_number(computed, user_factory, login, client):
    login(user_factory("leader", region="4101"))
    page = client.get("/kpi/", {**QUERY, "kind": "county"}).content.decode()
    assert "上街区" in page and "中原区" in page  # city-wide: every county
    e = Evaluation.objects.get(period="month", period_start=NOV, object_key=UNIT)
    assert f'grade grade-{e.grade}"' in page and str(e.composite) in page
    closing = IndicatorValue.objects.get(
        period="month", period_start=NOV, object_key=UNIT, indicator="closing_rate"
    )
    numerator = "/kpi/drill/?" + urlencode(
        {
            "period": "month",
            "start": "2026-11-01",
            "kind": "area",
            "key": UNIT,
            "indicator": "closing_rate",
            "part": "numerator",
        }
    )
    assert numerator.replace("&", "&amp;") in page
    assert "A ≥ 90" in page  # the grade bands
    assert "按期结案率" in page and "40" in page  # indicators with their weights

    page = client.get("/kpi/", {**QUERY, "kind": "dispatcher"}).content.decode()
    assert computed["dispatcher"].username in page
    page = client.get("/kpi/", {**QUERY, "kind": "department"}).content.decode()
    assert computed["sanitation"].name in page
    # The default: the current month (not computed in this test), said so.
    assert client.get("/kpi/").status_code == 200
    assert closing.numerator == 1


def test_a_district_user_sees_their_district_only(computed, user_factory, login, client):
    login(user_factory("leader", region=UNIT))
    page = client.get("/kpi/", {**QUERY, "kind": "county"}).content.decode()
    assert "上街区" in page and "中原区" not in page
    page = client.get("/kpi/", {**QUERY, "kind": "dispatcher"}).content.decode()
    assert computed["dispatcher"].username not in page  # a city-level post
    drill = {
        **QUERY,
        "kind": "area",
        "indicator": "registered",
        "part": "numerator",
    }
    assert client.get("/kpi/drill/", {**drill, "key": UNIT}).status_code == 200
    assert client.get("/kpi/drill/", {**drill, "key": OTHER}).status_code == 404


def test_the_drill_down_lists_the_cases(computed, user_factory, login, client):
    login(user_factory("leader", region="4101"))
    case = computed["case"]
    response = client.get(
        "/kpi/drill/",
        {
            **QUERY,
            "kind": "area",
            "key": UNIT,
            "indicator": "on_time_closing_rate",
            "part": "numerator",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="/cases/{case.number}/"' in page
    assert "共 1 件案卷" in page and "暴露垃圾" in page
    # A dispatcher's acts: the dispatch of the case.
    response = client.get(
        "/kpi/drill/",
        {
            **QUERY,
            "kind": "dispatcher",
            "key": str(computed["dispatcher"].pk),
            "indicator": "dispatch_count",
            "part": "numerator",
        },
    )
    assert case.number in response.content.decode()
    bad = {**QUERY, "kind": "area", "key": UNIT, "indicator": "nothing", "part": "numerator"}
    assert client.get("/kpi/drill/", bad).status_code == 404
    assert client.get("/kpi/drill/", {**bad, "start": "2026-11-05"}).status_code == 404


def test_the_rankings_export(computed, user_factory, login, client):
    login(user_factory("leader", region="4101"))
    response = client.get("/kpi/export.xlsx", {**QUERY, "kind": "county"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[2]
    assert header[:5] == ("排名", "代码", "名称", "等级", "综合得分")
    assert "结案率 分子" in header
    unit = next(r for r in rows[3:] if r[1] == UNIT)
    assert unit[2] == "上街区" and unit[0] == 1
    closing = header.index("结案率 分子")
    assert unit[closing : closing + 4] == (1, 1, 100.0, 100.0)


def test_satisfaction_page_import_and_export(computed, user_factory, login, client):
    admin = user_factory("system_admin", region="4101")
    login(admin)
    page = client.get("/kpi/satisfaction/", QUERY).content.decode()
    assert "加权平均" in page and 'id="import"' in page
    bad = SimpleUploadedFile(
        "bad.csv",
        "机构代码,月份,类型,得分,样本量\nNOPE,2026-11,survey,80,10\n".encode(),
    )
    response = client.post("/kpi/satisfaction/import/?" + urlencode(QUERY), {"file": bad})
    assert response.status_code == 400
    assert "NOPE" in response.content.decode() and not SatisfactionInput.objects.exists()
    good = SimpleUploadedFile(
        "good.csv",
        f"机构代码,月份,类型,得分,样本量,来源\n{UNIT}-DEPT-SAN,2026-11,survey,86,120,回访\n".encode(),
    )
    response = client.post("/kpi/satisfaction/import/?" + urlencode(QUERY), {"file": good})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已导入 1 条" in page and computed["sanitation"].name in page and "86.00" in page
    export = client.get("/kpi/satisfaction/export.xlsx", QUERY)
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[2][0] == "机构代码"
    assert (f"{UNIT}-DEPT-SAN", computed["sanitation"].name) == rows[3][:2]
    assert rows[3][4] == 86.0 and rows[3][6] == 86.0
    client.logout()
    login(user_factory("leader", region="4101"))
    page = client.get("/kpi/satisfaction/", QUERY).content.decode()
    assert 'id="import"' not in page
    again = SimpleUploadedFile("good.csv", b"x")
    assert client.post("/kpi/satisfaction/import/", {"file": again}).status_code == 403


def test_the_system_admin_keeps_the_weights_in_the_back_office(db, user_factory, login, client):
    from chengguan.core.models import LedgerEntry
    from chengguan.kpi.models import IndicatorWeight

    login(user_factory("system_admin", region="4101"))
    assert client.get("/admin/kpi/indicatorweight/").status_code == 200
    form = {"object_kind": "area", "indicator": "closing_rate", "weight": "35"}
    response = client.post("/admin/kpi/indicatorweight/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    weight = IndicatorWeight.objects.get(object_kind="area", indicator="closing_rate")
    assert LedgerEntry.objects.filter(
        kind="kpi.indicatorweight.created", subject_id=str(weight.pk)
    ).exists()
    # An indicator the kind does not have, or one this platform cannot measure, is refused.
    wrong = {"object_kind": "area", "indicator": "rework_rate", "weight": "10"}
    assert client.post("/admin/kpi/indicatorweight/add/", wrong).status_code == 200
    na = {"object_kind": "operator", "indicator": "on_time_check_dispatch_rate", "weight": "10"}
    assert client.post("/admin/kpi/indicatorweight/add/", na).status_code == 200
    assert IndicatorWeight.objects.count() == 1
    client.logout()
    login(user_factory("audit_admin", region="4101"))
    assert client.get("/admin/kpi/indicatorweight/").status_code == 200
    assert client.get(f"/admin/kpi/indicatorweight/{weight.pk}/change/").status_code == 200
    response = client.post(f"/admin/kpi/indicatorweight/{weight.pk}/change/", form)
    assert response.status_code == 403
    client.logout()
    login(user_factory("leader", region="4101"))
    assert client.get("/admin/kpi/indicatorweight/").status_code in (302, 403)
