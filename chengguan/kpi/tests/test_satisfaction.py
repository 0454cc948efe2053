"""Satisfaction per agency: reporters' ratings, an imported survey and third-party scores
combined by hand; the import refuses a file with any bad row and names every one."""

import hashlib
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from chengguan.cases.domain.workflow import Action
from chengguan.cases.models import Category, Rating, Reporter
from chengguan.cases.services import case_act, case_report
from chengguan.core.errors import DomainError
from chengguan.core.models import LedgerEntry
from chengguan.kpi.evaluation import evaluation_compute
from chengguan.kpi.models import SatisfactionInput, SatisfactionScore
from chengguan.kpi.satisfaction import satisfaction_compute, satisfaction_import
from chengguan.org.models import Agency, Grid

pytestmark = pytest.mark.django_db

UNIT = "410106"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = date(2026, 11, 1)
D = Decimal
GOOD_CSV = (
    "机构代码,月份,类型,得分,样本量,来源\n"
    f"{UNIT}-DEPT-SAN,2026-11,满意度调查,80,100,电话回访\n"
    f"{UNIT}-DEPT-SAN,2026-11,survey,90,300,问卷调查\n"
    f"{UNIT}-DEPT-SAN,2026-11,第三方测评,70,,测评公司甲\n"
    f"{UNIT}-DEPT-SAN,2026-11,third_party,75,,测评公司乙\n"
)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def rated(user_factory):
    """A case dispatched to 上街区's sanitation and rated by six reporters in November:
    stars 5, 5, 5, 4, 4, 3."""
    sanitation = Agency.objects.get(code=f"{UNIT}-DEPT-SAN")
    grid = Grid.objects.filter(region_code=UNIT).order_by("code").first()
    point = grid.geometry.representative_point()
    operator = user_factory("operator", region="4101")
    inspector = user_factory("inspector", region=UNIT)
    shift_leader = user_factory("shift_leader", region="4101")
    dispatcher = user_factory("dispatcher", region="4101")
    at = local(2026, 11, 3, 9)
    case = case_report(
        actor=operator,
        category=Category.objects.get(kind="matter", code="06010"),
        lon=point.x,
        lat=point.y,
        description="路边成堆垃圾",
        channel="hotline",
        at=at,
    )
    for minutes, action, who, extra in [
        (30, Action.VERIFY, inspector, {}),
        (40, Action.REGISTER, shift_leader, {}),
        (50, Action.DISPATCH, dispatcher, {"agency_id": sanitation.pk}),
    ]:
        case.refresh_from_db()
        case_act(
            case_id=case.pk,
            action=action,
            actor=who,
            expected_version=case.version,
            at=at + timedelta(minutes=minutes),
            **extra,
        )
    for index, stars in enumerate([5, 5, 5, 4, 4, 3]):
        reporter = Reporter.objects.create(
            case=case, channel="hotline", tracking_code=f"TESTRATE{index:02d}", created_at=at
        )
        Rating.objects.create(
            case=case, reporter=reporter, stars=stars, at=local(2026, 11, 10 + index, 12)
        )
    # A rating in December does not count for November.
    late = Reporter.objects.create(
        case=case, channel="hotline", tracking_code="TESTRATELATE", created_at=at
    )
    Rating.objects.create(case=case, reporter=late, stars=1, at=local(2026, 12, 1, 9))
    return sanitation


def test_ratings_survey_and_third_party_combined_by_hand(rated, user_factory):
    admin = user_factory("system_admin", region="4101")
    report = satisfaction_import(filename="nov.csv", content=GOOD_CSV.encode(), actor=admin)
    assert report.applied and report.imported == 4 and report.months == ["2026-11"]
    score = SatisfactionScore.objects.get(period="month", period_start=NOV, agency=rated)
    # ratings: mean (3×5 + 2×4 + 3) / 6 = 4.3333 → (4.3333 − 1) / 4 × 100 = 83.33
    assert score.ratings_count == 6 and score.ratings == D("83.33")
    # survey: (80×100 + 90×300) / 400 = 87.50; third party: (70 + 75) / 2 = 72.50
    assert score.survey == D("87.50") and score.third_party == D("72.50")
    # (83.33×50 + 87.50×30 + 72.50×20) / 100 = 82.415 → 82.42
    assert score.combined == D("82.42")
    assert score.region_code == UNIT
    quarter = SatisfactionScore.objects.get(
        period="quarter", period_start=date(2026, 10, 1), agency=rated
    )
    # The quarter has the December rating too: 7 ratings, (26 + 1) / 7 = 3.857 → 71.43
    assert quarter.ratings_count == 7 and quarter.ratings == D("71.43")


def test_weights_from_settings(rated, user_factory, settings):
    satisfaction_import(filename="nov.csv", content=GOOD_CSV.encode(), actor=None)
    settings.CHENGGUAN = {**settings.CHENGGUAN, "SATISFACTION_WEIGHTS": "ratings:0,survey:1"}
    satisfaction_compute(period="month", period_start=NOV)
    score = SatisfactionScore.objects.get(period="month", period_start=NOV, agency=rated)
    assert score.combined == D("87.50")


def test_evaluation_compute_writes_satisfaction(rated):
    evaluation_compute(period="month", period_start=NOV)
    score = SatisfactionScore.objects.get(period="month", period_start=NOV, agency=rated)
    assert score.ratings == D("83.33") and score.combined == D("83.33")  # ratings alone


def test_a_file_with_bad_rows_is_refused_row_by_row(db):
    bad = (
        "机构代码,月份,类型,得分,样本量,来源\n"
        f"{UNIT}-DEPT-SAN,2026-11,满意度调查,80,100,电话回访\n"  # 2: good
        "NO-SUCH-AGENCY,2026-11,survey,80,100,x\n"  # 3
        f"{UNIT}-DEPT-SAN,2026-13,survey,80,100,y\n"  # 4
        f"{UNIT}-DEPT-SAN,2026-11,opinion,80,100,z\n"  # 5
        f"{UNIT}-DEPT-SAN,2026-11,第三方测评,120,,w\n"  # 6
        f"{UNIT}-DEPT-SAN,2026-11,满意度调查,85,,v\n"  # 7: a survey needs respondents
        f"{UNIT}-DEPT-SAN,2026-11,满意度调查,80,100,电话回访\n"  # 8: same as row 2
    )
    before = LedgerEntry.objects.filter(kind="kpi.satisfaction_imported").count()
    report = satisfaction_import(filename="bad.csv", content=bad.encode(), actor=None)
    assert not report.applied
    problems = {r.number: "；".join(r.problems) for r in report.rejected}
    assert set(problems) == {3, 4, 5, 6, 7, 8}
    assert "NO-SUCH-AGENCY" in problems[3]
    assert "月份" in problems[4]
    assert "类型" in problems[5]
    assert "得分" in problems[6]
    assert "样本量" in problems[7]
    assert "第 2 行重复" in problems[8]
    assert any(line.startswith("第 3 行") for line in report.errors)
    assert not SatisfactionInput.objects.exists()
    assert LedgerEntry.objects.filter(kind="kpi.satisfaction_imported").count() == before


def test_missing_columns_and_wrong_type(db):
    report = satisfaction_import(
        filename="x.csv", content="机构代码,得分\nA,1\n".encode(), actor=None
    )
    assert not report.applied and "月份" in report.file_problems[0]
    with pytest.raises(DomainError):
        satisfaction_import(filename="x.txt", content=b"x", actor=None)


def test_a_good_xlsx_imports_with_one_ledger_entry(db, user_factory):
    admin = user_factory("system_admin", region="4101")
    book = Workbook()
    sheet = book.active
    sheet.append(["机构代码", "月份", "类型", "得分", "样本量", "来源"])
    sheet.append([f"{UNIT}-DEPT-SAN", "2026-11", "满意度调查", 88.5, 200, "电话回访"])
    sheet.append([f"{UNIT}-DEPT-MUN", datetime(2026, 12, 1), "第三方测评", 76, None, "测评公司"])
    out = io.BytesIO()
    book.save(out)
    content = out.getvalue()
    before = LedgerEntry.objects.filter(kind="kpi.satisfaction_imported").count()
    report = satisfaction_import(filename="scores.xlsx", content=content, actor=admin)
    assert report.applied and report.imported == 2, report.errors
    assert report.months == ["2026-11", "2026-12"]
    entries = LedgerEntry.objects.filter(kind="kpi.satisfaction_imported")
    assert entries.count() == before + 1
    entry = entries.order_by("-seq").first()
    assert hashlib.sha256(content).hexdigest() in entry.payload
    assert '"imported":2' in entry.payload.replace(" ", "")
    assert entry.actor_id == str(admin.pk)
    survey = SatisfactionInput.objects.get(kind="survey")
    assert survey.score == D("88.50") and survey.respondents == 200 and survey.month == NOV
    assert SatisfactionScore.objects.get(
        period="month", period_start=NOV, agency__code=f"{UNIT}-DEPT-SAN"
    ).combined == D("88.50")
    # The same rows again replace, not add to, what was imported.
    again = satisfaction_import(filename="scores.xlsx", content=content, actor=admin)
    assert again.replaced == 2 and SatisfactionInput.objects.count() == 2


def test_the_commands(db, tmp_path):
    path = tmp_path / "nov.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("satisfaction_import", str(path), stdout=out)
    assert "已导入 4 条" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("机构代码,月份,类型,得分\nX,2026-11,survey,1\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("satisfaction_import", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("evaluation_compute", "--month", "2026-11", stdout=out)
    assert "2026-11" in out.getvalue()
    call_command("evaluation_compute", "--quarter", "2026-Q4", stdout=io.StringIO())
    assert SatisfactionScore.objects.filter(period="quarter", period_start=date(2026, 10, 1))
    with pytest.raises(CommandError):
        call_command("evaluation_compute", "--month", "2026-Q4", stdout=io.StringIO())
