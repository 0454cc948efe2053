"""`manage.py tick`: relays the outbox and sweeps deadlines; running it again changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from chengguan.cases.domain.workflow import Action
from chengguan.cases.models import Notice
from chengguan.cases.services import case_act, case_report
from chengguan.cases.tests.conftest import local
from chengguan.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


def test_tick_delivers_events_once_and_sweeps(people, garbage, point):
    case = case_report(
        actor=people.operator,
        category=garbage,
        lon=point[0],
        lat=point[1],
        description="垃圾",
        channel="hotline",
        at=local(2026, 1, 5, 9),
    )
    case_act(
        case_id=case.pk,
        action=Action.VERIFY,
        actor=people.inspector,
        expected_version=1,
        at=local(2026, 1, 5, 9, 30),
    )
    out = StringIO()
    call_command("tick", stdout=out)
    assert "outbox_delivered 4" in out.getvalue()  # 2 transitions + overdue + escalation
    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()
    assert Notice.objects.filter(case=case, kind="overdue").count() == 1  # registered long ago
    again = StringIO()
    call_command("tick", stdout=again)
    assert "outbox_delivered 0" in again.getvalue() and "overdue 0" in again.getvalue()
    assert Notice.objects.filter(case=case, kind="overdue").count() == 1
