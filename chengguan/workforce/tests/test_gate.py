"""The enforcement gate (seed clauses 十一–十三): each rule in the pure domain and through the
service that reads the register. Each case fails if its rule is removed."""

from datetime import date

import pytest

from chengguan.core.errors import Forbidden
from chengguan.org.models import Agency
from chengguan.workforce.domain.gate import (
    CertificateFacts,
    EnforcerFacts,
    Kind,
    Result,
    check_enforcer,
    check_task,
)
from chengguan.workforce.gate import assisting_task_check, enforcer_check
from chengguan.workforce.models import Certificate
from chengguan.workforce.services import assessment_add, certificate_add, person_create
from chengguan.workforce.tests.test_id_number import valid_id

ON = date(2026, 6, 1)
GOOD = CertificateFacts("ZZ-001", date(2024, 1, 1), date(2028, 12, 31), in_force=True)


def facts(**changes) -> EnforcerFacts:
    base = {
        "name": "张三",
        "kind": Kind.OFFICER,
        "active": True,
        "certificates": (GOOD,),
        "latest_assessment": Result.COMPETENT,
    }
    return EnforcerFacts(**{**base, **changes})


# (name, domain facts changes, register set-up, refusal fragment)
REFUSALS = {
    "expired": (
        {"certificates": (CertificateFacts("X", date(2020, 1, 1), date(2026, 5, 31), True),)},
        {"certificate": (date(2020, 1, 1), date(2026, 5, 31), "valid")},
        "没有在有效期内",
    ),
    "not_yet_issued": (
        {"certificates": (CertificateFacts("X", date(2026, 6, 2), date(2030, 1, 1), True),)},
        {"certificate": (date(2026, 6, 2), date(2030, 1, 1), "valid")},
        "没有在有效期内",
    ),
    "suspended": (
        {"certificates": (CertificateFacts("X", date(2024, 1, 1), date(2028, 1, 1), False),)},
        {"certificate": (date(2024, 1, 1), date(2028, 1, 1), "suspended")},
        "没有在有效期内",
    ),
    "failed_latest_assessment": (
        {"latest_assessment": Result.FAIL},
        {"assessments": {2024: "excellent", 2025: "fail"}},
        "评议考核不合格",
    ),
    "auxiliary": ({"kind": Kind.AUXILIARY}, {"kind": "auxiliary"}, "协管员"),
    "inactive": ({"active": False}, {"active": False}, "不在执法岗位"),
}


def test_an_officer_with_a_certificate_in_force_may_enforce():
    assert check_enforcer(facts(), ON) == GOOD


def test_the_certificate_counts_on_its_first_and_last_day():
    assert check_enforcer(facts(), GOOD.issued_on) == GOOD
    assert check_enforcer(facts(), GOOD.expires_on) == GOOD


@pytest.mark.parametrize("rule", REFUSALS)
def test_domain_refuses(rule):
    changes, _setup, fragment = REFUSALS[rule]
    with pytest.raises(Forbidden) as refused:
        check_enforcer(facts(**changes), ON)
    assert fragment in str(refused.value)


def test_an_auxiliary_may_only_be_given_assisting_tasks():
    check_task(Kind.AUXILIARY, "patrol")
    check_task(Kind.OFFICER, "penalty")
    with pytest.raises(Forbidden):
        check_task(Kind.AUXILIARY, "penalty")


# ---------------------------------------------------------------- through the register

_serial = iter(range(100, 1000))


def enrolled(user, **setup):
    """A registered person linked to `user`; by default an officer fit to enforce on ON."""
    person = person_create(
        kind=setup.get("kind", "officer"),
        name="张三",
        id_number=valid_id(f"41010619850315{next(_serial):03d}"),
        agency=Agency.objects.get(code="410106-ZD"),
        user=user,
    )
    issued, expires, status = setup.get(
        "certificate", (date(2024, 1, 1), date(2028, 12, 31), "valid")
    )
    if person.kind == "officer":
        certificate = certificate_add(
            person=person, number=f"ZZ-{person.pk}", issued_on=issued, expires_on=expires
        )
        Certificate.objects.filter(pk=certificate.pk).update(status=status)
    for year, result in setup.get("assessments", {2025: "competent"}).items():
        assessment_add(person=person, year=year, result=result)
    if not setup.get("active", True):
        person.active = False
        person.save(update_fields=["active"])
    return person


@pytest.mark.django_db
def test_service_lets_a_fit_officer_enforce(user_factory):
    user = user_factory("officer", region="410106")
    person = enrolled(user)
    assert enforcer_check(user, ON) == person.certificates.get()


@pytest.mark.django_db
@pytest.mark.parametrize("rule", REFUSALS)
def test_service_refuses(rule, user_factory):
    _changes, setup, fragment = REFUSALS[rule]
    user = user_factory("officer", region="410106")
    enrolled(user, **setup)
    with pytest.raises(Forbidden) as refused:
        enforcer_check(user, ON)
    assert fragment in str(refused.value)


@pytest.mark.django_db
def test_only_the_latest_assessment_counts(user_factory):
    user = user_factory("officer", region="410106")
    enrolled(user, assessments={2024: "fail", 2025: "competent"})
    assert enforcer_check(user, ON).number.startswith("ZZ-")


@pytest.mark.django_db
def test_a_later_years_failure_does_not_bar_an_earlier_act(user_factory):
    user = user_factory("officer", region="410106")
    enrolled(user, assessments={2024: "competent", 2025: "fail"})
    assert enforcer_check(user, date(2024, 12, 1))
    with pytest.raises(Forbidden):
        enforcer_check(user, date(2025, 12, 1))


@pytest.mark.django_db
def test_a_user_not_in_the_register_is_refused(user_factory):
    enrolled(None)  # somebody without an account must not stand in for the user
    with pytest.raises(Forbidden) as refused:
        enforcer_check(user_factory("officer", region="410106"), ON)
    assert "您不在执法队伍登记中" in str(refused.value)


@pytest.mark.django_db
def test_assisting_task_check_reads_the_persons_kind(user_factory):
    auxiliary = enrolled(None, kind="auxiliary")
    assisting_task_check(auxiliary, "dissuasion")
    with pytest.raises(Forbidden):
        assisting_task_check(auxiliary, "penalty")
    assisting_task_check(enrolled(None), "penalty")
