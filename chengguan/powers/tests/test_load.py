"""The shipped power list loads whole, honestly sourced, and again without changes; the demo
gives every county-level unit and the city one holder per in-force power."""

import re

import pytest

from chengguan.core.models import LedgerEntry
from chengguan.core.reference import read_text
from chengguan.core.tabular import csv_text_rows
from chengguan.org.models import Agency, Region
from chengguan.powers.demo import powers_ensure
from chengguan.powers.models import Power, PowerHolder
from chengguan.powers.services import powers_load

pytestmark = pytest.mark.django_db
UNVERIFIED = "依据法规文本整理，待法制机构核对"


def test_every_shipped_row_is_loaded_with_both_legal_bases():
    rows = csv_text_rows(read_text("powers.csv"))
    assert 20 <= len(rows) <= 40
    assert Power.objects.count() == len(rows)
    for power in Power.objects.all():
        assert power.legal_basis_prohibition and power.legal_basis_penalty, power.code
        assert power.statutory_range and power.transferred_from and power.steps, power.code


def test_every_basis_says_where_it_comes_from():
    for power in Power.objects.all():
        assert power.basis_source == UNVERIFIED or re.match(
            r"discretion_benchmark_examples_henan\.csv DB\d+", power.basis_source
        ), power.code


def test_the_deferred_items_of_the_seed_are_deferred_with_their_condition():
    deferred = Power.objects.filter(status=Power.Status.DEFERRED)
    assert {p.code for p in deferred} == {"ZF-JT-001", "ZF-JT-002", "ZF-HB-010"}
    for power in deferred:
        assert power.deferred_until or "待时机成熟" in power.deferred_condition


def test_loading_again_changes_nothing_and_writes_no_ledger_entry():
    entries = LedgerEntry.objects.count()
    history = Power.history.count()
    counts = powers_load(csv_text=read_text("powers.csv"))
    assert counts == {"created": 0, "updated": 0, "unchanged": Power.objects.count()}
    assert LedgerEntry.objects.count() == entries and Power.history.count() == history


def test_a_changed_row_is_updated_with_history_and_a_ledger_entry():
    text = read_text("powers.csv").replace("处20元以上50元以下罚款", "处20元以上60元以下罚款")
    counts = powers_load(csv_text=text)
    assert counts["updated"] == 1
    power = Power.objects.get(code="ZF-JS-003")
    assert "60元" in power.statutory_range and power.history.count() == 2
    assert LedgerEntry.objects.filter(kind="powers.loaded").last().payload.count("ZF-JS-003")


def test_demo_holders_own_in_districts_entrusted_in_zones_none_for_deferred():
    units = Region.objects.filter(kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE])
    in_force = Power.objects.filter(status=Power.Status.IN_FORCE)
    current = PowerHolder.objects.filter(valid_to__isnull=True)
    assert current.count() == in_force.count() * (units.count() + 1)
    assert not current.filter(power__status=Power.Status.DEFERRED).exists()
    zone_modes = set(
        current.filter(agency__region__kind=Region.Kind.ZONE).values_list("mode", flat=True)
    )
    assert zone_modes == {PowerHolder.Mode.ENTRUSTED}
    county = current.filter(territory_code="410102")
    assert {h.agency.code for h in county} == {"410102-CGJ"}
    assert set(county.values_list("mode", flat=True)) == {PowerHolder.Mode.OWN}
    assert current.filter(territory_code="4101", agency__kind=Agency.Kind.COMMISSION).exists()


def test_running_the_demo_hook_again_adds_nothing():
    before = PowerHolder.objects.count()
    said = []
    powers_ensure(say=said.append)
    assert PowerHolder.objects.count() == before and said == []
