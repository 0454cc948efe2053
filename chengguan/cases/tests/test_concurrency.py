"""People acting at the same moment (PostgreSQL, real commits): the row lock and the version
let exactly one of two dispatchers win, and the county's counter numbers reports without gaps
or repeats."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.utils import timezone

from chengguan.accounts.models import User
from chengguan.accounts.services import user_create
from chengguan.cases.domain.workflow import Action, Status
from chengguan.cases.models import Case, Category
from chengguan.cases.services import case_act, case_report
from chengguan.core.errors import Conflict
from chengguan.core.models import Deadline, LedgerEntry
from chengguan.core.services import ledger_verify
from chengguan.demo.services import demo_password
from chengguan.org.models import Grid, Region

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers by itself; row locks need PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]

UNIT = "410106"


@pytest.fixture
def territory():
    """Real commits flush the database after each test, so load what the cases need."""
    from conftest import load_territory

    load_territory()


def staff(role: str, username: str) -> User:
    return user_create(
        username=username,
        password=demo_password(),
        roles=[role],
        region=Region.objects.get(code=UNIT),
    )


def points(n: int) -> list[tuple[float, float]]:
    grids = Grid.objects.filter(region_code=UNIT).order_by("code")[:n]
    return [(p.x, p.y) for p in (g.geometry.representative_point() for g in grids)]


def at_once(jobs: list[Callable[[], object]]) -> tuple[list, list[BaseException]]:
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
    return results, errors


def test_two_dispatchers_at_once_exactly_one_wins(territory):
    inspector = staff("inspector", "inspector-c")
    operator = staff("operator", "operator-c")
    dispatchers = [staff("dispatcher", f"dispatcher-c{n}") for n in (1, 2)]
    garbage = Category.objects.get(kind="matter", code="06010")
    ((lon, lat),) = points(1)
    case = case_report(
        actor=inspector,
        category=garbage,
        lon=lon,
        lat=lat,
        description="暴露垃圾",
        channel="inspector",
    )
    case = case_act(
        case_id=case.pk, action=Action.REGISTER, actor=operator, expected_version=case.version
    )
    assert case.status == Status.REGISTERED and case.suggested_agency_id

    def dispatch(user_id) -> Case:
        return case_act(
            case_id=case.pk,
            action=Action.DISPATCH,
            actor=User.objects.get(pk=user_id),  # a user object of the thread's own
            expected_version=case.version,
            agency_id=case.suggested_agency_id,
        )

    results, errors = at_once([lambda u=d.pk: dispatch(u) for d in dispatchers])

    assert len(results) == 1 and results[0].status == Status.DISPATCHED
    assert len(errors) == 1 and isinstance(errors[0], Conflict), errors
    saved = Case.objects.get(pk=case.pk)
    assert saved.status == Status.DISPATCHED and saved.version == case.version + 1
    assert LedgerEntry.objects.filter(kind="case.dispatch", subject_id=str(case.pk)).count() == 1
    assert saved.events.filter(action="dispatch").count() == 1
    handle = Deadline.objects.filter(subject_type="cases.case", subject_id=str(case.pk))
    assert handle.filter(kind="handle").count() == 1
    assert ledger_verify().ok


def test_reports_at_once_in_one_county_get_consecutive_numbers(territory):
    inspector = staff("inspector", "inspector-n")
    garbage = Category.objects.get(kind="matter", code="06010")
    at = timezone.now()  # one local day for all, even at midnight

    def report(lon: float, lat: float) -> str:
        return case_report(
            actor=User.objects.get(pk=inspector.pk),
            category=garbage,
            lon=lon,
            lat=lat,
            description="暴露垃圾",
            channel="inspector",
            at=at,
        ).number

    numbers, errors = at_once([lambda p=p: report(*p) for p in points(8)])

    assert errors == []
    day = timezone.localtime(at).strftime("%Y%m%d")
    assert sorted(numbers) == [f"{UNIT}-{day}-{serial:06d}" for serial in range(1, 9)]
    assert Case.objects.filter(region_code=UNIT).count() == 8
    assert LedgerEntry.objects.filter(kind="case.reported").count() == 8
    assert ledger_verify().ok
