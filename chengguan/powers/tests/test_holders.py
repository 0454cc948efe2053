"""One holder per power per territory at a time, with history (C2 invariant)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from chengguan.core.errors import DomainError
from chengguan.core.models import LedgerEntry
from chengguan.org.models import Agency
from chengguan.powers.models import Power, PowerHolder
from chengguan.powers.services import power_holder_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def power():
    return Power.objects.get(code="ZF-JS-001")


def current(power, territory):
    return PowerHolder.objects.get(power=power, territory_code=territory, valid_to__isnull=True)


def test_a_second_holder_in_the_same_territory_closes_the_first(power):
    first = current(power, "410102")
    detachment = Agency.objects.get(code="410102-ZD")
    holder = power_holder_assign(
        power=power, agency=detachment, mode="own", valid_from=date(2025, 1, 1)
    )
    first.refresh_from_db()
    assert first.valid_to == date(2025, 1, 1)
    assert current(power, "410102") == holder and holder.agency == detachment
    assert first.history.count() == 2  # created, then closed
    entry = LedgerEntry.objects.filter(kind="powers.holder_assigned").last()
    assert entry.subject_id == str(holder.pk)


def test_other_territories_keep_their_holders(power):
    before = set(PowerHolder.objects.filter(power=power, valid_to__isnull=True))
    power_holder_assign(
        power=power,
        agency=Agency.objects.get(code="410102-ZD"),
        mode="own",
        valid_from=date(2025, 1, 1),
    )
    after = set(PowerHolder.objects.filter(power=power, valid_to__isnull=True))
    assert len(after) == len(before) and len(before - after) == 1


def test_overlapping_periods_are_refused(power):
    detachment = Agency.objects.get(code="410102-ZD")
    with pytest.raises(DomainError, match="晚于"):
        power_holder_assign(power=power, agency=detachment, mode="own", valid_from=date(2017, 6, 1))
    power_holder_assign(power=power, agency=detachment, mode="own", valid_from=date(2025, 1, 1))
    bureau = Agency.objects.get(code="410102-CGJ")
    with pytest.raises(DomainError):
        power_holder_assign(power=power, agency=bureau, mode="own", valid_from=date(2024, 6, 1))


def test_assigning_the_current_holder_again_changes_nothing(power):
    holder = current(power, "410171")
    again = power_holder_assign(
        power=power, agency=holder.agency, mode=holder.mode, valid_from=date(2026, 1, 1)
    )
    assert again == holder and again.valid_to is None


def test_a_zone_can_move_from_entrustment_to_authorisation(power):
    entrusted = current(power, "410171")
    authorised = power_holder_assign(
        power=power, agency=entrusted.agency, mode="authorised", valid_from=date(2026, 1, 1)
    )
    entrusted.refresh_from_db()
    assert entrusted.valid_to == date(2026, 1, 1) and authorised.mode == "authorised"


def test_former_departments_and_deferred_powers_cannot_be_assigned(power):
    department = Agency.objects.filter(kind=Agency.Kind.DEPARTMENT).first()
    with pytest.raises(DomainError, match="不能行使"):
        power_holder_assign(power=power, agency=department, mode="own", valid_from=date(2026, 1, 1))
    deferred = Power.objects.get(code="ZF-JT-002")
    bureau = Agency.objects.get(code="410102-CGJ")
    with pytest.raises(DomainError, match="暂缓划转"):
        power_holder_assign(power=deferred, agency=bureau, mode="own", valid_from=date(2026, 1, 1))


def test_the_database_refuses_a_second_open_holder(power):
    first = current(power, "410102")
    with pytest.raises(IntegrityError), transaction.atomic():
        PowerHolder.objects.create(
            power=power,
            agency=first.agency,
            territory_code="410102",
            mode="own",
            valid_from=date(2026, 1, 1),
        )
