"""The demo workforce: a believable city with the out-of-compliance units the dashboard is
meant to show, generated once."""

from time import perf_counter

import pytest
from django.urls import reverse
from django.utils import timezone

from chengguan.accounts.models import User
from chengguan.core.models import LedgerEntry
from chengguan.core.personal import personal_decrypt
from chengguan.workforce.demo import workforce_ensure
from chengguan.workforce.domain.id_number import id_number_check
from chengguan.workforce.domain.staffing import Level, Rule
from chengguan.workforce.models import Person
from chengguan.workforce.selectors import staffing_by_unit


@pytest.fixture
def demo(db):
    started = perf_counter()
    workforce_ensure(say=lambda _line: None)
    return perf_counter() - started


def findings(compliance) -> set[tuple[Rule, Level]]:
    return {(f.rule, f.level) for f in compliance.findings}


def test_demo_has_every_kind_of_unit_the_dashboard_shows(demo):
    report = staffing_by_unit(on=timezone.localdate())
    units = {c.counts.code: c for c in report.units}
    assert (Rule.FLOOR, Level.VIOLATION) in findings(units["410106"])
    assert (Rule.CEILING, Level.VIOLATION) in findings(units["410108"])
    assert (Rule.CEILING, Level.NOTED) in findings(units["410190"])
    assert units["410190"].compliant
    assert (Rule.FRONT_LINE, Level.VIOLATION) in findings(units["410122"])
    assert (Rule.AUXILIARIES, Level.VIOLATION) in findings(units["410185"])
    compliant = [c for c in report.units if c.compliant]
    assert len(compliant) >= len(report.units) - 5
    assert all(3 <= c.per_10k <= 7 for c in compliant if c.counts.code != "410190")
    assert 4_000 <= report.city.counts.officers <= 6_500
    assert report.city.compliant
    assert report.city.counts.expiring_certificates > 0
    assert report.city.counts.failing_officers > 0


def test_demo_people_have_valid_sealed_id_numbers_and_the_officer_account_a_record(demo):
    for person in Person.objects.order_by("?")[:50]:
        number = id_number_check(personal_decrypt(person.id_cipher))
        assert person.id_masked == number[:6] + "********" + number[-4:]
    officer = User.objects.get(username="officer")
    assert officer.person.certificates.count() == 1


def test_demo_runs_once_with_one_ledger_entry(demo):
    people = Person.objects.count()
    workforce_ensure(say=lambda _line: None)
    assert Person.objects.count() == people
    assert LedgerEntry.objects.filter(kind="workforce.demo_loaded").count() == 1
    assert demo < 20


def test_dashboard_renders_the_demo_city(demo, client, user_factory):
    client.force_login(user_factory("personnel", region="4101"))
    page = client.get(reverse("workforce:compliance")).content.decode()
    assert page.count("✓") >= 11 and page.count("✗") == 4
