"""Shared fixtures of penalty-case tests: certified officers of 金水区 (410105), a qualified
legal reviewer, and a case registered through the service.

- `enrol(user, *, agency, name)`: a sworn officer in the workforce register with a valid
  certificate and a competent assessment (what the enforcement gate asks); `user` may be None
  for a person without an account.
- `officer_factory(region=..., agency_code=...)`: a user with the officer role, enrolled.
- `officer`: an officer of 金水区综合执法支队 (410105-ZD).
- `co_officer`: a certified colleague of `officer` without an account (the second
  investigator Art. 42 requires).
- `reviewer`: a legal reviewer of 金水区城市管理局 with a `Reviewer` standing.
- `power`: ZF-JS-008 (bridges and street lamps: a three-tier discretion benchmark).
- `media`: MEDIA_ROOT in a temporary folder (documents and evidence files).
- `case`: an ordinary case registered by `officer` with `co_officer` on `power`, single
  area 6 ㎡ (the "ordinary" tier, 5000–10000 yuan), its PDF under `media`.
"""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from chengguan.org.models import Agency
from chengguan.powers.models import Power
from chengguan.workforce.models import Person
from chengguan.workforce.services import assessment_add, certificate_add, person_create
from chengguan.workforce.tests.test_id_number import valid_id

UNIT = "410105"
OFFICER_AGENCY = "410105-ZD"
BUREAU = "410105-CGJ"
POWER = "ZF-JS-008"  # 擅自在桥梁或者路灯设施上设置广告牌: has a three-tier benchmark

_serial = itertools.count(1)


def enrol(user, *, agency: Agency, name: str = "王执法") -> Person:
    """A sworn officer fit to enforce today, linked to `user` (or to no account)."""
    n = next(_serial)
    today = timezone.localdate()
    person = person_create(
        kind=Person.Kind.OFFICER,
        name=name,
        id_number=valid_id(f"410105198{n % 10}0315{n % 1000:03d}"),
        agency=agency,
        rank="四级主办",
        user=user,
    )
    certificate_add(
        person=person,
        number=f"豫410105-T-{n:05d}",
        issued_on=today - timedelta(days=400),
        expires_on=today + timedelta(days=1000),
    )
    assessment_add(person=person, year=today.year - 1, result="competent")
    return person


@pytest.fixture
def officer_factory(user_factory):
    def make(*, region: str = UNIT, agency_code: str = OFFICER_AGENCY, name: str = "陈执法"):
        agency = Agency.objects.get(code=agency_code)
        user = user_factory("officer", region=region, agency=agency)
        enrol(user, agency=agency, name=name)
        return user

    return make


@pytest.fixture
def officer(officer_factory):
    return officer_factory()


@pytest.fixture
def co_officer(db) -> Person:
    return enrol(None, agency=Agency.objects.get(code=OFFICER_AGENCY), name="李协办")


@pytest.fixture
def reviewer(user_factory):
    from chengguan.penalties.models import Reviewer

    user = user_factory("legal_reviewer", region=UNIT, agency=Agency.objects.get(code=BUREAU))
    Reviewer.objects.create(
        user=user,
        reviewing_since=timezone.localdate() - timedelta(days=3 * 365),
        legal_qualification=True,
        qualification_number="A2018410105T001",
    )
    return user


@pytest.fixture
def power(db) -> Power:
    return Power.objects.get(code=POWER)


@pytest.fixture
def media(settings, tmp_path):
    """Stored documents and evidence go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def case(media, officer, co_officer, power):
    from chengguan.penalties.services import Party, penalty_register

    today = timezone.localdate()
    return penalty_register(
        actor=officer,
        power_id=power.pk,
        party=Party(kind="person", name="赵当事", phone="13800138000"),
        place="金水区花园路与农业路交叉口",
        occurred_on=today - timedelta(days=2),
        discovered_on=today - timedelta(days=1),
        facts="在路灯杆上擅自设置广告牌一块",
        source="巡查发现",
        co_investigator_ids=[co_officer.pk],
        measured={"单体面积㎡": "6"},
    )
