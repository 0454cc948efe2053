"""Demo workforce: some 5,800 sworn officers and 3,700 auxiliaries across Zhengzhou, with
certificates, last year's assessments and postings, so the staffing dashboard has a
believable city to judge.

Most county-level units sit between 3 and 7 officers per 10,000 residents, with at least
80 % of officers on the front line and fewer auxiliaries than officers. A few are out of
line on purpose (UNIT_PLANS): 上街区 is under the floor, 惠济区 over the ceiling without a
reason, 郑东新区 over it with a recorded reason, 中牟县 has too few officers on the front line
and 登封市 more auxiliaries than officers. Certificates are mostly valid, some expire within
the warning period and a few have expired; a few officers failed last year's assessment;
some street postings are older than the rotation period and a few are in the person's own
household street (legacy postings, as a city's roster would arrive).

The people are fictitious: common names, ID numbers with a real region prefix, a plausible
birth date and a correct check character, drawn from a seeded RNG. Going through
`person_create`, `certificate_add`, `assessment_add` and `posting_create` person by person
would take about a minute on SQLite (≈4.7 ms a person, measured) and write some 35,000
ledger entries, so the bulk path below seals the ID numbers with the same core.personal
functions and writes one ledger entry for the whole load (about 2.5 s). The demo account "officer" gets its person record through the services, so
the enforcement gate knows it.
"""

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from time import perf_counter

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from chengguan.accounts.models import User
from chengguan.core.personal import personal_encrypt, personal_index
from chengguan.core.services import ledger_append
from chengguan.org.models import Agency, Region
from chengguan.workforce.domain.gate import Result
from chengguan.workforce.domain.id_number import check_character, id_number_mask
from chengguan.workforce.models import (
    Assessment,
    Certificate,
    Person,
    Posting,
    StaffingException,
)
from chengguan.workforce.services import (
    assessment_add,
    certificate_add,
    person_create,
    posting_create,
)

SEED = 2017


@dataclass(frozen=True)
class UnitPlan:
    """How one county-level unit is staffed in the demo; None draws a normal value."""

    per_10k: float | None = None
    front_line: float | None = None  # share of officers on the front line
    auxiliaries: float | None = None  # auxiliaries per officer
    reason: str = ""  # a recorded StaffingException


UNIT_PLANS = {
    "410106": UnitPlan(per_10k=2.6),
    "410108": UnitPlan(per_10k=7.5),
    "410190": UnitPlan(
        per_10k=7.8,
        reason="郑东新区为中央商务区、龙湖金融岛和郑州东站所在地，日间流动人口远超常住人口，"
        "会展、交通枢纽周边执法任务重，经市编办同意按高于万分之七配备。",
    ),
    "410122": UnitPlan(front_line=0.72),
    "410185": UnitPlan(auxiliaries=1.22),
}
CORPS_OFFICERS, CORPS_AUXILIARIES = 160, 60
CENTRAL_DISTRICTS = (
    "410102",
    "410103",
    "410104",
    "410105",
)  # 市综合执法总队: counts for the city total only

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "华",
    "建国",
    "建华",
    "志强",
    "志刚",
    "海涛",
    "海燕",
    "红梅",
    "丽娟",
    "晓东",
    "晓燕",
    "文博",
    "浩然",
    "子豪",
    "宇航",
    "欣怡",
    "梓涵",
    "俊杰",
    "鹏飞",
    "亚楠",
    "晨阳",
    "振华",
    "国强",
    "春雷",
    "雪梅",
    "卫东",
    "永刚",
    "利民",
    "新民",
]
OFFICER_RANKS = (
    ("二级行政执法员", 20),
    ("一级行政执法员", 25),
    ("四级主办", 20),
    ("三级主办", 15),
    ("二级主办", 10),
    ("一级主办", 6),
    ("四级高级主办", 4),
)
RESULTS = ((Result.COMPETENT, 74), (Result.EXCELLENT, 16), (Result.BASIC, 7), (Result.FAIL, 3))
CERTIFICATE_YEARS = 5


class _People:
    """Builds unsaved people with unique ID numbers and remembers what to attach to them."""

    def __init__(self, rng: random.Random, on: date):
        self.rng, self.on = rng, on
        self.people: list[Person] = []
        self.postings: list[Posting] = []
        self.certificates: list[Certificate] = []
        self.assessments: list[Assessment] = []
        self.seen: set[str] = set()

    def id_number(self, prefix: str, *, min_age: int, max_age: int) -> str:
        while True:
            born = self.on - timedelta(days=self.rng.randint(min_age * 365, max_age * 365))
            first17 = f"{prefix}{born:%Y%m%d}{self.rng.randint(0, 999):03d}"
            if first17 not in self.seen:
                self.seen.add(first17)
                return first17 + check_character(first17)

    def add(
        self,
        *,
        kind: str,
        agency: Agency,
        unit: Region,
        streets: list[str],
        front_line: bool,
        street_code: str,
    ) -> Person:
        rng = self.rng
        officer = kind == Person.Kind.OFFICER
        # Born in the unit (a zone without a code of its own: its host county); the city's
        # own corps recruits from the central districts.
        if unit.kind == Region.Kind.CITY:
            prefix = rng.choice(CENTRAL_DISTRICTS)
        else:
            prefix = unit.code if unit.statistical else (unit.host_county_code or unit.code)
        number = self.id_number(
            prefix, min_age=23 if officer else 20, max_age=58 if officer else 55
        )
        # A few (1 %) live in the street they serve: legacy postings that break recusal.
        at_home = street_code and rng.random() < 0.01
        person = Person(
            kind=kind,
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            id_cipher=personal_encrypt(number),
            id_index=personal_index(number),
            id_masked=id_number_mask(number),
            household_street_code=street_code if at_home else rng.choice(streets),
            agency=agency,
            front_line=front_line,
            rank=rng.choices(*zip(*OFFICER_RANKS, strict=True))[0] if officer else "",
            active=rng.random() >= 0.01,  # retired or left, kept on the roster
        )
        self.people.append(person)
        # Most street postings are recent; about one in six is past the rotation period.
        years = rng.uniform(5.2, 11) if rng.random() < 0.17 else rng.uniform(0.2, 4.8)
        self.postings.append(
            Posting(
                person=person,
                agency=agency,
                street_code=street_code,
                start_on=self.on - timedelta(days=round(years * 365.25)),
            )
        )
        if officer and person.active:
            self._certificate(person, unit)
            self.assessments.append(
                Assessment(
                    person=person,
                    year=self.on.year - 1,
                    result=rng.choices(*zip(*RESULTS, strict=True))[0].value,
                )
            )
        return person

    def _certificate(self, person: Person, unit: Region) -> None:
        """Mostly valid; about 5 % expiring within 90 days, 2 % already expired."""
        draw = self.rng.random()
        if draw < 0.05:
            expires = self.on + timedelta(days=self.rng.randint(0, 90))
        elif draw < 0.07:
            expires = self.on - timedelta(days=self.rng.randint(1, 200))
        else:
            expires = self.on + timedelta(days=self.rng.randint(91, CERTIFICATE_YEARS * 365))
        serial = len(self.certificates) + 1
        self.certificates.append(
            Certificate(
                person=person,
                number=f"豫{unit.code}{serial:06d}",
                issued_on=expires - timedelta(days=CERTIFICATE_YEARS * 365),
                expires_on=expires,
            )
        )


def _staff_unit(builder: _People, unit: Region, agencies: list[Agency], rng) -> None:
    """Officers and auxiliaries of one unit: office staff at the bureau and detachment,
    front-line officers mostly in the street brigades, auxiliaries all in the brigades."""
    plan = UNIT_PLANS.get(unit.code, UnitPlan())
    per_10k = plan.per_10k or rng.uniform(3.4, 5.2)
    officers = round(unit.population * per_10k / 10_000)
    front = round(officers * (plan.front_line or rng.uniform(0.83, 0.9)))
    auxiliaries = round(officers * (plan.auxiliaries or rng.uniform(0.45, 0.9)))
    bureau = next(a for a in agencies if a.kind == Agency.Kind.BUREAU)
    detachment = next(a for a in agencies if a.kind == Agency.Kind.DETACHMENT)
    brigades = [a for a in agencies if a.kind == Agency.Kind.BRIGADE]
    streets = [b.region.code for b in brigades] or [unit.code]
    weights = [rng.uniform(0.6, 1.4) for _ in brigades]

    def add(kind: str, agency: Agency, front_line: bool) -> None:
        street = agency.region.code if agency.kind == Agency.Kind.BRIGADE else ""
        builder.add(
            kind=kind,
            agency=agency,
            unit=unit,
            streets=streets,
            front_line=front_line,
            street_code=street,
        )

    for i in range(officers - front):
        add(Person.Kind.OFFICER, bureau if i % 5 < 3 else detachment, False)
    for _ in range(front):
        to_detachment = not brigades or rng.random() < 0.12
        add(
            Person.Kind.OFFICER,
            detachment if to_detachment else _pick(rng, brigades, weights),
            True,
        )
    for _ in range(auxiliaries):
        add(Person.Kind.AUXILIARY, _pick(rng, brigades, weights) if brigades else detachment, True)


def _pick(rng: random.Random, agencies: list[Agency], weights: list[float]) -> Agency:
    return rng.choices(agencies, weights=weights)[0]


def workforce_ensure(*, say: Callable[[str], None] = print) -> None:
    """Fill an empty register with the demo workforce (nothing happens when people exist)."""
    if Person.objects.exists():
        return
    started = perf_counter()
    on = timezone.localdate()
    rng = random.Random(SEED)
    builder = _People(rng, on)
    builder.seen.add(_demo_officer_first17(on))
    city = Region.objects.get(kind=Region.Kind.CITY)
    by_unit: dict[str, list[Agency]] = {}
    for agency in Agency.objects.filter(
        kind__in=[Agency.Kind.BUREAU, Agency.Kind.DETACHMENT, Agency.Kind.BRIGADE]
    ).select_related("region"):
        by_unit.setdefault(agency.region.unit_code, []).append(agency)
    units = Region.objects.filter(
        kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE], population__isnull=False
    ).order_by("code")
    for unit in units:
        if unit.code in by_unit:
            _staff_unit(builder, unit, sorted(by_unit[unit.code], key=lambda a: a.code), rng)
    corps = Agency.objects.get(code=f"{city.code}-ZD")
    city_streets = [s.code for s in Region.objects.filter(kind=Region.Kind.STREET)]
    for i in range(CORPS_OFFICERS + CORPS_AUXILIARIES):
        officer = i < CORPS_OFFICERS
        builder.add(
            kind=Person.Kind.OFFICER if officer else Person.Kind.AUXILIARY,
            agency=corps,
            unit=city,
            streets=city_streets,
            front_line=not officer or i % 10 != 0,
            street_code="",
        )
    with transaction.atomic():
        bulk_create_with_history(
            builder.people, Person, batch_size=1000, default_change_reason="demo"
        )
        Posting.objects.bulk_create(builder.postings, batch_size=1000)
        Certificate.objects.bulk_create(builder.certificates, batch_size=1000)
        Assessment.objects.bulk_create(builder.assessments, batch_size=1000)
        exceptions = [
            StaffingException(
                region=Region.objects.get(code=code),
                reason=plan.reason,
                valid_until=date(on.year + 1, 12, 31),
            )
            for code, plan in UNIT_PLANS.items()
            if plan.reason
        ]
        StaffingException.objects.bulk_create(exceptions)
        kinds = Counter(p.kind for p in builder.people)
        summary = {
            "officers": kinds[Person.Kind.OFFICER],
            "auxiliaries": kinds[Person.Kind.AUXILIARY],
            "certificates": len(builder.certificates),
            "assessments": len(builder.assessments),
            "postings": len(builder.postings),
            "staffing_exceptions": len(exceptions),
            "seed": SEED,
        }
        ledger_append(kind="workforce.demo_loaded", subject=city, data=summary)
        _demo_officer_person(on)
    say(
        f"执法队伍：在编执法人员 {summary['officers']} 名，协管员 {summary['auxiliaries']} 名，"
        f"执法证件 {summary['certificates']} 本（{perf_counter() - started:.1f} 秒）"
    )


def _demo_officer_first17(on: date) -> str:
    return f"410105{on.year - 35}0315051"


def _demo_officer_person(on: date) -> None:
    """The demo account "officer" as a sworn, certified front-line officer, through the
    services, so it may act as an enforcer."""
    user = User.objects.filter(username="officer").select_related("agency").first()
    if user is None or user.agency is None:
        return
    first17 = _demo_officer_first17(on)
    person = person_create(
        kind=Person.Kind.OFFICER,
        name=user.full_name or user.username,
        id_number=first17 + check_character(first17),
        agency=user.agency,
        rank="三级主办",
        user=user,
    )
    certificate_add(
        person=person,
        number="豫410105-DEMO-0001",
        issued_on=on - timedelta(days=365),
        expires_on=on + timedelta(days=4 * 365),
    )
    assessment_add(person=person, year=on.year - 1, result=Result.COMPETENT.value)
    posting_create(person=person, agency=user.agency, street_code="", start_on=on)
