"""Two deliveries of one work order at the same moment (PostgreSQL, real commits): the
unique work-order key lets one make the case and rolls the other back whole."""

import json
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client

from chengguan.cases.models import Case
from chengguan.core.services import ledger_verify
from chengguan.intake.models import WorkOrder
from chengguan.intake.tests.conftest import WORK_ORDERS, signed
from chengguan.org.models import Grid

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers by itself; row locks need PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def territory():
    """Real commits flush the database after each test, so load what the cases need."""
    from conftest import load_territory

    load_territory()


def at_once(jobs: list[Callable[[], object]]) -> list:
    """Run the jobs in threads released together; each thread closes its connection."""
    start = threading.Barrier(len(jobs))
    results: list = []
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            start.wait()
            results.append(job())
        except BaseException as error:  # collected and asserted on, never swallowed
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    assert errors == []
    return results


def test_concurrent_duplicates_make_exactly_one_case(territory):
    grid = Grid.objects.filter(region_code="410106").order_by("code").first()
    point = grid.geometry.representative_point()
    body = json.dumps(
        {
            "work_order_id": "GD-RACE-1",
            "category_code": "06010",
            "description": "同一工单被重复推送",
            "lon": point.x,
            "lat": point.y,
            "caller_phone": "13812345678",
        }
    ).encode()

    def deliver():
        answer = Client().post(
            WORK_ORDERS, body, content_type="application/json", headers=signed(body, "12345")
        )
        return answer.status_code, answer.json()

    answers = at_once([deliver] * 6)

    statuses = sorted(status for status, _ in answers)
    assert statuses == [201, 409, 409, 409, 409, 409], answers
    numbers = {body["case_number"] for _, body in answers}
    assert len(numbers) == 1
    assert Case.objects.filter(channel="12345").count() == 1
    assert WorkOrder.objects.get().case.number == numbers.pop()
    assert ledger_verify().ok
