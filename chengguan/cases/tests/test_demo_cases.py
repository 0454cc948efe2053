"""The demo cases: made through the services, in believable states, with a consistent record."""

from collections import Counter
from datetime import timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from chengguan.accounts.models import User
from chengguan.cases.demo import cases_ensure
from chengguan.cases.domain.workflow import Status
from chengguan.cases.models import Case, CaseEvent
from chengguan.core.models import LedgerEntry
from chengguan.core.services import ledger_verify
from chengguan.org.selectors import locate

pytestmark = pytest.mark.django_db

SWEEP_KINDS = {"case.overdue", "case.escalated"}  # the sweep's entries have no timeline event


def test_demo_cases_take_real_journeys_with_a_consistent_record():
    lines: list[str] = []
    started = timezone.now()
    assert cases_ensure(count=60, say=lines.append) == 60
    assert len(lines) == 1 and "演示案卷：60 件" in lines[0] and "未能生成" not in lines[0]

    cases = list(Case.objects.select_related("agency", "grid"))
    statuses = Counter(c.status for c in cases)
    assert len(statuses) >= 4, statuses
    assert statuses[Status.CLOSED] >= 1 and statuses[Status.DISPATCHED] >= 1, statuses
    assert {c.channel for c in cases} >= {"inspector", "hotline"}
    for case in cases:
        assert started - timedelta(days=31) <= case.reported_at <= started
        assert locate(case.lon, case.lat).grid_id == case.grid_id  # a point inside its grid
        assert case.description.strip() and case.address.strip()

    # The timeline: starts with the report, moves forward in time, each event leaving the
    # status the next one starts from, ending in the case's status.
    events: dict = {}
    for event in CaseEvent.objects.select_related("actor__agency").order_by("at"):
        events.setdefault(event.case_id, []).append(event)
    assert set(events) == {c.pk for c in cases}
    for case in cases:
        timeline = events[case.pk]
        assert timeline[0].action == "reported" and timeline[0].at == case.reported_at
        for before, after in pairwise(timeline):
            assert before.at < after.at <= started
            if after.action != "supervise":
                assert after.from_status == before.to_status, (case.number, before, after)
        assert timeline[-1].to_status == case.status
        holder = None  # the agency the case is with, as the timeline tells it
        for event in timeline:
            if event.action in ("dispatch", "reassign"):
                holder = event.data["agency"]
            if event.action in ("handle", "return", "request_extension"):
                assert event.actor.username == f"h-{holder}"
                assert event.actor.agency.code == holder
        assert holder is None or case.agency is None or case.agency.code == holder

    # Every timeline event has its ledger entry (and the ledger nothing the timeline lacks,
    # apart from the sweep's overdue and escalation entries); the chain verifies.
    timeline_kinds = Counter((str(e.case_id), f"case.{e.action}") for e in CaseEvent.objects.all())
    ledger_kinds = Counter(
        LedgerEntry.objects.filter(subject_type="cases.case")
        .exclude(kind__in=SWEEP_KINDS)
        .values_list("subject_id", "kind")
    )
    assert timeline_kinds == ledger_kinds
    assert ledger_verify().ok

    # One handler account per agency that got a case; a second call makes nothing.
    for agency in {c.agency for c in cases if c.agency_id}:
        handler = User.objects.get(username=f"h-{agency.code}")
        assert handler.agency == agency and handler.region == agency.region
    assert cases_ensure(count=60, say=lines.append) == 0
    assert Case.objects.count() == 60


def test_demo_callers_have_masked_fictitious_numbers_and_some_rate_their_closed_case():
    from chengguan.cases.models import Rating, Reporter
    from chengguan.demo.services import ratings_ensure

    cases_ensure(count=60, say=lambda _: None)
    reporters = list(Reporter.objects.exclude(phone_masked=""))
    assert reporters and all(r.phone_masked[3:7] == "****" for r in reporters)
    assert not Reporter.objects.filter(case__channel="inspector").exists()
    ratings_ensure(say=lambda _: None)
    rated = Rating.objects.count()
    closed = Reporter.objects.filter(case__status="closed").count()
    assert 0 < rated <= closed
    ratings_ensure(say=lambda _: None)
    assert Rating.objects.count() == rated  # a rerun adds nothing


def test_demo_history_sends_nothing_on_the_first_tick():
    from chengguan.core.models import OutboxEvent
    from chengguan.core.services import outbox_relay

    cases_ensure(count=30, say=lambda _: None)
    assert OutboxEvent.objects.exists()
    assert outbox_relay() == {"outbox_delivered": 0, "outbox_failed": 0}
