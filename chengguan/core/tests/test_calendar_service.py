"""The working calendar in the database: an unpublished year is estimated and marked
provisional; entering the official year recomputes every open deadline."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from chengguan.core.models import CalendarDay, CalendarYear, Deadline, LedgerEntry
from chengguan.core.selectors import work_calendar
from chengguan.core.services import calendar_year_publish, deadline_start
from chengguan.core.workcal import DayKind
from chengguan.org.models import Region

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def subject():
    return Region.objects.get(code="410106")


def test_published_years_are_official_and_2027_is_provisional():
    statuses = dict(CalendarYear.objects.values_list("year", "status"))
    assert statuses[2025] == statuses[2026] == "official"
    assert statuses[2027] == "provisional"
    assert CalendarDay.objects.get(date=date(2026, 2, 14)).kind == "workday"


def test_deadline_inside_2026_is_firm():
    deadline = deadline_start(
        subject=subject(), kind="handle", start=local(2026, 9, 30, 17), hours=4
    )
    assert deadline.due_at.astimezone(SHANGHAI) == local(2026, 10, 8, 11, 30)
    assert deadline.provisional is False


def test_deadline_reaching_into_an_unpublished_year_is_provisional():
    deadline = deadline_start(
        subject=subject(), kind="decide", start=local(2026, 12, 28, 10), days=7
    )
    assert deadline.provisional is True


def test_entering_the_official_year_recomputes_open_deadlines():
    start = local(2027, 2, 4, 17)  # Thursday; the estimate takes Friday 02-05 (除夕) off
    open_one = deadline_start(subject=subject(), kind="handle", start=start, hours=2)
    stopped = deadline_start(subject=subject(), kind="handle", start=start, hours=2)
    Deadline.objects.filter(pk=stopped.pk).update(stopped_at=start)
    estimated_due = open_one.due_at
    official = {
        d: (DayKind(kind), name)
        for d, kind, name in CalendarDay.objects.filter(date__year=2027).values_list(
            "date", "kind", "name"
        )
    }
    official[date(2027, 2, 5)] = (DayKind.WORKDAY, "春节")  # suppose the notice keeps it a workday

    recomputed = calendar_year_publish(year=2027, days=official, source="国办发明电〔2026〕X号")

    open_one.refresh_from_db()
    stopped.refresh_from_db()
    assert recomputed >= 1
    assert open_one.provisional is False
    assert open_one.due_at != estimated_due
    assert stopped.provisional is True  # closed clocks are history; they are not rewritten
    assert CalendarYear.objects.get(year=2027).status == "official"
    assert LedgerEntry.objects.filter(
        kind="deadline.recomputed", subject_id=str(open_one.pk)
    ).exists()
    assert work_calendar().is_workday(date(2027, 2, 5))


def test_calendar_publish_command_reads_the_official_csv(tmp_path):
    notice = tmp_path / "2027.csv"
    notice.write_text(
        "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节\n", encoding="utf-8"
    )
    call_command("calendar_publish", str(notice), "--year", "2027", "--source", "测试通知")
    assert CalendarYear.objects.get(year=2027).status == "official"
    assert work_calendar().is_workday(date(2027, 2, 6))


def test_calendar_publish_command_reports_a_bad_row(tmp_path):
    from django.core.management.base import CommandError

    notice = tmp_path / "bad.csv"
    notice.write_text("date,kind,name\n2027-13-01,holiday,元旦\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("calendar_publish", str(notice), "--year", "2027")
    assert CalendarYear.objects.get(year=2027).status == "provisional"


def test_editing_a_day_in_the_admin_changes_the_calendar_everyone_uses(client):
    from chengguan.accounts.services import user_create
    from chengguan.demo.services import demo_password

    admin = user_create(
        username="cal-admin",
        password=demo_password(),
        roles=["system_admin"],
        region=Region.objects.get(code="4101"),
    )
    client.force_login(admin)
    assert work_calendar().is_workday(date(2026, 11, 30))
    response = client.post(
        "/admin/core/calendarday/add/",
        {"date": "2026-11-30", "kind": "holiday", "name": "演示停工日"},
    )
    assert response.status_code == 302
    assert not work_calendar(fresh=True).is_workday(date(2026, 11, 30))
    assert LedgerEntry.objects.filter(kind="core.calendarday.created").exists()
