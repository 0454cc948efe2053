"""After closure the reporter rates the result once per closure, and may reopen the case
within seven days if it is not fixed."""

from datetime import timedelta
from uuid import uuid4

import pytest
from django.core.cache import cache
from django.utils import timezone

from chengguan.cases.domain.workflow import Action
from chengguan.cases.models import Case, CaseEvent, Rating, Reporter
from chengguan.cases.services import case_act
from chengguan.core.errors import DomainError
from chengguan.core.models import LedgerEntry
from chengguan.core.services import ledger_verify
from chengguan.portal.services import PORTAL_USERNAME, rating_save
from chengguan.portal.tests.conftest import PHONE, walk_to_closed

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def reporter(client, report_data) -> Reporter:
    response = client.post("/public/report/", report_data(phone=PHONE))
    return Reporter.objects.select_related("case").get(tracking_code=response.context["code"])


@pytest.fixture
def closed(reporter, people) -> Reporter:
    walk_to_closed(reporter.case, people)
    reporter.case.refresh_from_db()
    return reporter


def rate(client, reporter, stars="4", comment="处理及时", key=None):
    return client.post(
        f"/public/track/{reporter.tracking_code}/rate/",
        {"key": key or str(uuid4()), "stars": stars, "comment": comment},
    )


def reopen(client, reporter, reason="垃圾又堆起来了", key=None, version=None):
    version = version if version is not None else Case.objects.get(pk=reporter.case.pk).version
    return client.post(
        f"/public/track/{reporter.tracking_code}/reopen/",
        {"key": key or str(uuid4()), "version": version, "reason": reason},
    )


def test_an_open_case_cannot_be_rated(client, reporter):
    response = rate(client, reporter)
    assert response.status_code == 400 and "案卷办结后才能评价" in text(response)
    assert not Rating.objects.exists()


def test_a_closed_case_is_rated_once_and_the_ledger_records_it(client, closed):
    page = text(client.get(f"/public/track/{closed.tracking_code}/"))
    assert "满意度评价" in page and "非常不满意" in page and "非常满意" in page
    response = rate(client, closed, stars="4", comment="处理及时")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "感谢您的评价" in text(follow) and "您已评价：满意" in text(follow)
    rating = Rating.objects.get()
    assert (rating.case_id, rating.reporter_id, rating.round, rating.stars) == (
        closed.case.pk,
        closed.pk,
        0,
        4,
    )
    entry = LedgerEntry.objects.get(kind="case.rated", subject_id=str(closed.case.pk))
    assert entry.actor_name == PORTAL_USERNAME and "处理及时" not in entry.payload
    assert ledger_verify().ok
    again = rate(client, closed, stars="1", comment="")
    assert again.status_code == 409 and "您已评价" in text(again)
    assert Rating.objects.count() == 1


def test_a_rating_sent_twice_by_a_double_tap_counts_once(client, closed):
    key = str(uuid4())
    assert rate(client, closed, key=key).status_code == 302
    assert rate(client, closed, key=key).status_code == 302  # the first answer again
    assert Rating.objects.count() == 1


@pytest.mark.parametrize(
    ("stars", "comment", "message"),
    [("", "", "请选择满意程度"), ("6", "", "请选择满意程度"), ("5", "长" * 501, "不能超过")],
)
def test_bad_ratings_are_refused(client, closed, stars, comment, message):
    response = rate(client, closed, stars=stars, comment=comment)
    assert response.status_code == 400 and message in text(response)
    assert not Rating.objects.exists()


def test_the_rating_service_checks_its_input_too(closed):
    with pytest.raises(DomainError, match="1 至 5 星"):
        rating_save(reporter=closed, stars=0)


def test_reopening_within_seven_days_sends_the_case_back(client, closed):
    page = text(client.get(f"/public/track/{closed.tracking_code}/"))
    assert "问题未解决，申请重新办理" in page
    response = reopen(client, closed)
    assert response.status_code == 302
    case = Case.objects.get(pk=closed.case.pk)
    assert case.status == "dispatched" and case.rework_count == 1 and case.closed_at is None
    event = CaseEvent.objects.filter(case=case).latest("at")
    assert event.action == "reopen" and event.actor.username == PORTAL_USERNAME
    assert event.note == "垃圾又堆起来了"
    follow = text(client.get(response["Location"]))
    assert "已收到您的申请" in follow and "群众反映问题未解决，重新办理" in follow
    assert "处置中" in follow


def test_after_reopening_and_closing_again_the_reporter_rates_again(client, closed, people):
    assert rate(client, closed).status_code == 302
    assert reopen(client, closed).status_code == 302
    walk_again(closed, people)
    assert rate(client, closed, stars="2").status_code == 302
    assert list(Rating.objects.order_by("round").values_list("round", "stars")) == [(0, 4), (1, 2)]


def walk_again(reporter, people):
    """A reopened case goes through handling, check and close again."""
    for action, who, extra in [
        (Action.HANDLE, people.handler, {"feedback": "再次清运"}),
        (Action.CHECK_PASS, people.inspector, {}),
        (Action.CLOSE, people.shift_leader, {}),
    ]:
        case = Case.objects.get(pk=reporter.case.pk)
        case_act(case_id=case.pk, action=action, actor=who, expected_version=case.version, **extra)


def test_reopening_after_eight_days_is_refused(client, closed):
    Case.objects.filter(pk=closed.case.pk).update(closed_at=timezone.now() - timedelta(days=8))
    page = text(client.get(f"/public/track/{closed.tracking_code}/"))
    assert "结案已超过 7 天" in page and "问题未解决，申请重新办理" not in page
    response = reopen(client, closed)
    assert response.status_code == 400 and "结案已超过 7 天" in text(response)
    assert Case.objects.get(pk=closed.case.pk).status == "closed"


def test_reopening_needs_a_reason_and_the_current_version(client, closed):
    response = reopen(client, closed, reason="  ")
    assert response.status_code == 400 and "请说明问题仍未解决的情况" in text(response)
    stale = reopen(client, closed, version=1)
    assert stale.status_code == 409 and "请刷新后重试" in text(stale)
    assert Case.objects.get(pk=closed.case.pk).status == "closed"


def test_an_open_case_cannot_be_reopened(client, reporter):
    response = reopen(client, reporter)
    assert response.status_code == 400 and "不能执行" in text(response)


def test_a_merged_reporter_rates_and_reopens_the_surviving_case(client, report_data, people):
    first = client.post("/public/report/", report_data()).context["code"]
    second = client.post("/public/report/", report_data(description="同一处")).context["code"]
    survivor = Reporter.objects.get(tracking_code=first).case
    merged = Reporter.objects.get(tracking_code=second)
    case_act(
        case_id=merged.case.pk,
        action=Action.MERGE,
        actor=people.operator,
        expected_version=merged.case.version,
        target_number=survivor.number,
    )
    walk_to_closed(survivor, people)
    assert rate(client, merged, stars="5").status_code == 302
    assert Rating.objects.get().case_id == survivor.pk
    response = client.post(
        f"/public/track/{second}/reopen/",
        {
            "key": str(uuid4()),
            "version": Case.objects.get(pk=survivor.pk).version,
            "reason": "仍有垃圾",
        },
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=survivor.pk).status == "dispatched"


def test_ratings_and_reopenings_are_limited_per_phone(client, closed, settings):
    settings.CHENGGUAN = {**settings.CHENGGUAN, "RATE_LIMIT_PER_PHONE": "1/3600"}
    cache.clear()  # forget the report's own count: the rating is the phone's first POST
    assert rate(client, closed).status_code == 302
    response = reopen(client, closed)
    assert response.status_code == 429 and "提交过于频繁" in text(response)
    assert Case.objects.get(pk=closed.case.pk).status == "closed"
