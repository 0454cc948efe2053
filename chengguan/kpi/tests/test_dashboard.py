"""The command dashboard: who may see it, that its numbers are the roll-ups', that a
district leader sees only their district, the JSON, the API and the workbook."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import timezone
from openpyxl import load_workbook

from chengguan.cases.models import Case, Category
from chengguan.cases.services import case_report
from chengguan.kpi import api
from chengguan.kpi.dashboard import dashboard_data
from chengguan.kpi.models import DailyRollup, HexRollup, OpenSnapshot
from chengguan.kpi.rollups import open_snapshot_refresh, rollup_day
from chengguan.org.models import Agency, Grid, Region

pytestmark = pytest.mark.django_db

UNIT = "410106"  # 上街区
OTHER_UNIT = "410105"  # 金水区: no grids, no cases in the test database
KEYS = {
    "generated_at",
    "today",
    "territory",
    "refresh_seconds",
    "intake",
    "open",
    "trend",
    "heatmap",
    "staffing",
    "overdue_cases",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def login(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def point():
    grid = Grid.objects.filter(region_code=UNIT).order_by("code").first()
    p = grid.geometry.representative_point()
    return p.x, p.y


@pytest.fixture
def cases(user_factory, point):
    """Three hotline reports today, one by the patrol, and one a week old whose
    verification clock ran out long ago: the overdue one. Rolled up."""
    operator = user_factory("operator", region="4101")
    inspector = user_factory("inspector", region=UNIT)
    garbage = Category.objects.get(kind="matter", code="06010")
    made = []
    for n in range(3):
        made.append(
            case_report(
                actor=operator,
                category=garbage,
                lon=point[0],
                lat=point[1],
                description=f"垃圾 {n}",
                channel="hotline",
            )
        )
    made.append(
        case_report(
            actor=inspector,
            category=garbage,
            lon=point[0],
            lat=point[1],
            description="巡查发现垃圾",
            channel="inspector",
        )
    )
    old = case_report(
        actor=operator,
        category=garbage,
        lon=point[0],
        lat=point[1],
        description="一周前的垃圾",
        channel="hotline",
        at=timezone.now() - timedelta(days=7),
    )
    Case.objects.filter(pk=old.pk).update(overdue=True)
    today = timezone.localdate()
    rollup_day(today)
    rollup_day(today - timedelta(days=7))
    open_snapshot_refresh()
    return {"today": made, "old": old}


@pytest.fixture
def leader(user_factory):
    return user_factory("leader", region="4101")


def test_a_handler_is_refused_everything(user_factory, login):
    sanitation = Agency.objects.get(code=f"{UNIT}-DEPT-SAN")
    client = login(user_factory("handler", region=UNIT, agency=sanitation))
    page = client.get("/dashboard/")
    assert page.status_code == 403
    assert "指挥大屏" in page.content.decode()  # the forbidden page says what is refused
    assert client.get("/dashboard/data.json").status_code == 403
    assert client.get("/dashboard/export.xlsx").status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", ["leader", "shift_leader", "dispatcher", "system_admin"])
def test_the_page_opens_for_the_command_roles(user_factory, login, role):
    response = login(user_factory(role, region="4101")).get("/dashboard/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="chart-channels"' in body and 'id="overdue-list"' in body
    assert 'id="dashboard-data"' in body and 'data-refresh="60"' in body


def test_the_refresh_interval_comes_from_the_query(leader, login):
    client = login(leader)
    assert 'data-refresh="2"' in client.get("/dashboard/?refresh=2").content.decode()
    assert 'data-refresh="2"' in client.get("/dashboard/?refresh=0").content.decode()
    assert 'data-refresh="60"' in client.get("/dashboard/?refresh=x").content.decode()


def test_the_json_has_the_roll_ups_numbers(cases, leader, login):
    response = login(leader).get("/dashboard/data.json")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == KEYS
    today = timezone.localdate()
    assert data["today"] == today.isoformat()
    intake = data["intake"]
    rolled = sum(DailyRollup.objects.filter(day=today).values_list("reported", flat=True))
    assert intake["totals"]["reported"] == rolled == 4
    channels = {c["code"]: c["count"] for c in intake["by_channel"]}
    assert channels["hotline"] == 3 and channels["inspector"] == 1
    assert intake["by_category"][0]["code"] == "06010"
    assert intake["by_category"][0]["count"] == 4
    assert intake["by_category"][0]["name"] == "暴露垃圾"
    assert "category=matter%3A06010" in intake["by_category"][0]["url"]

    districts = {d["code"]: d for d in data["open"]["districts"]}
    assert len(districts) > 10  # every county-level unit of the city
    assert districts[UNIT]["name"] == "上街区"
    assert (districts[UNIT]["open"], districts[UNIT]["overdue"]) == (5, 1)
    assert districts[OTHER_UNIT]["open"] == 0
    assert "region=410106" in districts[UNIT]["overdue_url"]
    assert "overdue=1" in districts[UNIT]["overdue_url"]
    assert data["open"]["open"] == sum(OpenSnapshot.objects.values_list("open", flat=True))

    trend = data["trend"]
    assert len(trend) == 30 and trend[-1]["day"] == today.isoformat()
    assert trend[-1]["reported"] == 4
    assert trend[-8]["reported"] == 1  # the week-old case

    features = data["heatmap"]["features"]
    assert sum(f["properties"]["reported"] for f in features) == 4  # the last 7 days
    assert sum(HexRollup.objects.values_list("reported", flat=True)) == 5
    ring = features[0]["geometry"]["coordinates"][0]
    lng, lat = ring[0]
    assert 112 < lng < 115 and 34 < lat < 35.5  # GeoJSON order: [lng, lat]
    assert ring[0] == ring[-1]

    overdue = data["overdue_cases"]
    assert [row["number"] for row in overdue] == [cases["old"].number]
    assert overdue[0]["url"] == f"/cases/{cases['old'].number}/"
    assert overdue[0]["district"] == "上街区" and overdue[0]["category"] == "暴露垃圾"
    assert overdue[0]["overdue_hours"] > 24 and "已超时" in overdue[0]["overdue_text"]

    staffing = data["staffing"]
    assert staffing["passing"] + staffing["failing"] == len(staffing["units"]) > 10
    assert staffing["city"] is not None


def test_a_district_leader_sees_only_their_district(cases, user_factory):
    mine = dashboard_data(user_factory("leader", region=UNIT))
    assert [d["code"] for d in mine["open"]["districts"]] == [UNIT]
    assert mine["territory"] == "上街区"
    assert mine["intake"]["totals"]["reported"] == 4
    assert len(mine["overdue_cases"]) == 1
    assert [u["code"] for u in mine["staffing"]["units"]] == [UNIT]
    assert mine["staffing"]["city"] is None

    other = dashboard_data(user_factory("leader", region=OTHER_UNIT))
    assert [d["code"] for d in other["open"]["districts"]] == [OTHER_UNIT]
    assert other["open"]["districts"][0]["open"] == 0
    assert other["intake"]["totals"]["reported"] == 0
    assert other["heatmap"]["features"] == []
    assert other["overdue_cases"] == []
    assert sum(day["closed"] + day["reported"] for day in other["trend"]) == 0


def test_a_street_user_sees_their_street_but_no_heatmap(cases, user_factory):
    street = cases["today"][0].street_code
    data = dashboard_data(user_factory("shift_leader", region=street))
    assert data["intake"]["totals"]["reported"] == 4
    assert data["open"]["open"] == 5
    assert data["heatmap"]["available"] is False and data["heatmap"]["features"] == []
    assert "tab=overdue" in data["open"]["districts"][0]["overdue_url"]
    assert f"region={street}" in data["open"]["districts"][0]["overdue_url"]
    elsewhere = Region.objects.filter(kind="street", unit_code=UNIT).exclude(code=street).first()
    assert dashboard_data(user_factory("leader", region=elsewhere.code))["open"]["open"] == 0


def test_the_overdue_list_skips_clocks_of_cases_out_of_sight(cases, user_factory, point):
    from uuid import uuid4

    from chengguan.core.models import Deadline
    from chengguan.kpi.dashboard import most_overdue

    now = timezone.now()
    long_ago = now - timedelta(days=30)
    # Clocks further past due than any of ours, of cases this user does not see (or that
    # are not cases at all): more than one batch of them.
    Deadline.objects.bulk_create(
        Deadline(
            subject_type="cases.case",
            subject_id=str(uuid4()) if n else "not-a-uuid",
            kind="handle",
            start_at=long_ago,
            amount=1,
            unit="days",
            due_at=long_ago + timedelta(minutes=n),
        )
        for n in range(25)
    )
    leader = user_factory("leader", region=UNIT)
    rows = most_overdue(leader, now=now, limit=1)
    assert [r["number"] for r in rows] == [cases["old"].number]
    # Older first: a case overdue longer than the week-old one goes to the top.
    older = case_report(
        actor=user_factory("operator", region="4101"),
        category=Category.objects.get(kind="matter", code="06010"),
        lon=point[0],
        lat=point[1],
        description="两周前的垃圾",
        channel="hotline",
        at=now - timedelta(days=14),
    )
    rows = most_overdue(leader, now=now)
    assert [r["number"] for r in rows] == [older.number, cases["old"].number]
    assert rows[0]["overdue_hours"] > rows[1]["overdue_hours"]
    assert most_overdue(user_factory("leader", region=OTHER_UNIT), now=now) == []


def test_the_dashboard_reads_the_roll_ups_not_the_cases(cases, leader):
    DailyRollup.objects.all().delete()
    data = dashboard_data(leader)
    assert data["intake"]["totals"]["reported"] == 0  # until the next roll-up
    rollup_day(timezone.localdate())
    assert dashboard_data(leader)["intake"]["totals"]["reported"] == 4


def test_the_dashboard_costs_a_few_queries(cases, leader, django_assert_max_num_queries):
    dashboard_data(leader)  # staffing now cached
    with django_assert_max_num_queries(12):
        dashboard_data(leader)


def test_the_export_is_a_workbook_of_the_tables(cases, leader, login):
    response = login(leader).get("/dashboard/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "今日受理-来源",
        "今日受理-类别",
        "各区未结与超时",
        "按期结案趋势",
        "超时最久的案卷",
    ]
    channels = {
        row[0]: row[1] for row in book["今日受理-来源"].iter_rows(min_row=3, values_only=True)
    }
    assert channels["12319 热线"] == 3 and channels["合计"] == 4
    districts = {
        row[0]: row for row in book["各区未结与超时"].iter_rows(min_row=3, values_only=True)
    }
    assert districts[UNIT][2:] == (5, 1)
    assert book["按期结案趋势"].max_row == 2 + 30
    assert book["超时最久的案卷"]["A3"].value == cases["old"].number


def test_the_api_answers_the_same_json(cases, leader, user_factory):
    request = RequestFactory().get("/api/kpi/dashboard")
    request.user = leader
    data = api.dashboard(request)
    assert set(data) == KEYS and data["intake"]["totals"]["reported"] == 4
    request.user = user_factory("handler", region=UNIT)
    with pytest.raises(PermissionDenied):
        api.dashboard(request)
    assert "/dashboard" in api.router.path_operations
