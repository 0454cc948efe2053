"""Reference set-up and demo data for penalty cases.

- Which city-management categories are enforcement matters, and the power that usually
  applies (data/category_powers.csv, our own mapping of GB/T 47678.5 matters onto the power
  list; the officer may pick another power when opening the case).
- The demo legal reviewer's standing (Art. 58 para. 2: reviewing since before the 2021 law,
  and qualified anyway).
"""

import csv
import io
from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.utils import timezone

from chengguan.accounts.models import User
from chengguan.cases.models import Category
from chengguan.core.reference import read_text
from chengguan.penalties.models import EnforcementCategory, Reviewer
from chengguan.powers.models import Power


@transaction.atomic
def enforcement_categories_ensure(*, say: Callable[[str], None] = print) -> int:
    powers = {p.code: p for p in Power.objects.all()}
    categories = {c.code: c for c in Category.objects.filter(kind=Category.Kind.MATTER)}
    created = 0
    for row in csv.DictReader(io.StringIO(read_text("category_powers.csv"))):
        category, power = categories.get(row["category_code"]), powers.get(row["power_code"])
        if category is None or power is None:
            raise ValueError(f"category_powers.csv: unknown {row}")
        _, made = EnforcementCategory.objects.get_or_create(
            category=category, defaults={"power": power}
        )
        created += made
    if created:
        say(f"执法类案卷类别：{created} 个")
    return created


def reviewer_standing_ensure() -> None:
    user = User.objects.filter(username="legal_reviewer").first()
    if user is not None:
        Reviewer.objects.get_or_create(
            user=user,
            defaults={
                "reviewing_since": date(2019, 3, 1),
                "legal_qualification": True,
                "qualification_number": "A20184101050123",
            },
        )


def _working_morning(day, calendar):
    """09:30 on `day` or the working day before it, in Zhengzhou."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    while not calendar.is_workday(day):
        day -= timedelta(days=1)
    return datetime.combine(day, time(9, 30), tzinfo=ZoneInfo(calendar.tz))


def _co_officer(officer):
    """An officer of the demo officer's agency line who passes the enforcement gate."""
    from chengguan.core.errors import Forbidden
    from chengguan.penalties.selectors import colleagues_for
    from chengguan.workforce.gate import person_enforcer_check

    today = timezone.localdate()
    for person in colleagues_for(officer).prefetch_related("certificates", "assessments")[:200]:
        try:
            person_enforcer_check(person, today)
        except Forbidden:
            continue
        return person
    return None


def penalty_cases_ensure(*, say: Callable[[str], None] = print) -> int:
    """A few penalty cases of the demo officer at different stages, made through the
    services with past times: one opened from a 占道经营 case and under investigation, one
    waiting for legal review, one served and waiting for payment, one archived, and an
    on-the-spot fine. Idempotent: nothing is made if any penalty case exists."""
    from datetime import timedelta
    from decimal import Decimal

    from chengguan.cases.models import Case
    from chengguan.core.selectors import work_calendar
    from chengguan.penalties import collection, services, steps, summary
    from chengguan.penalties.domain.procedure import Penalty, PenaltyKind
    from chengguan.penalties.models import PenaltyCase

    officer = User.objects.filter(username="officer").first()
    reviewer = User.objects.filter(username="legal_reviewer").first()
    if PenaltyCase.objects.exists() or officer is None or reviewer is None:
        return 0
    partner = _co_officer(officer)
    if partner is None:
        say("行政处罚演示案件：没有可共同办案的执法人员，跳过")
        return 0
    calendar = work_calendar(fresh=True)
    today = timezone.localdate()

    def at(days_ago: int, hours: float = 0):
        return _working_morning(today - timedelta(days=days_ago), calendar) + timedelta(hours=hours)

    def register(days_ago: int, power: str, party: steps.Party, facts: str, **extra):
        registered = at(days_ago)
        return services.penalty_register(
            actor=officer,
            power_id=Power.objects.get(code=power).pk,
            party=party,
            place=extra.pop("place", "金水区花园路与农业路交叉口东北角"),
            occurred_on=registered.date(),
            discovered_on=registered.date(),
            facts=facts,
            source=extra.pop("source", "日常巡查发现"),
            co_investigator_ids=[partner.pk],
            at=registered,
            **extra,
        )

    def evidence(case, when, title="现场照片"):
        services.evidence_add(
            actor=officer,
            case_id=case.pk,
            kind="audio_visual",
            title=title,
            data=_demo_photo(title),
            filename=f"{title}.png",
            at=when,
        )

    made = 0
    # 1. From a city-management case of 占道经营, under investigation.
    source = (
        Case.objects.filter(category__code="09006", region_code="410105")
        .order_by("reported_at")
        .first()
    )
    register(
        2,
        "ZF-GS-001",
        steps.Party(kind="person", name="刘某某", address="金水区经三路12号"),
        "当事人在经三路人行道上摆摊销售水果，经劝阻后仍未离开，三次被巡查发现",
        source=f"数字城管案卷 {source.number}" if source else "日常巡查发现",
        source_case_id=source.pk if source else None,
        place=(source.address if source and source.address else "金水区经三路人行道"),
    )
    made += 1
    # 2. A fine above the benchmark's range: waiting for legal review.
    case = register(
        9,
        "ZF-JS-008",
        steps.Party(
            kind="organisation",
            name="郑州市某某广告有限公司",
            id_number="91410105MA44XXXX1K",
            address="金水区农业路88号",
        ),
        "当事人未经批准在花园路路灯杆上设置广告牌 8 处，责令限期拆除后逾期未拆除",
        measured={"处数": "8"},
    )
    evidence(case, at(9, 1))
    services.penalty_notify(
        actor=officer,
        case_id=case.pk,
        penalties=[Penalty(PenaltyKind.FINE, Decimal("12000"))],
        departure_reason="责令限期拆除后逾期未拆除，且为第二次违法，拟按上限以上处罚",
        at=at(8),
    )
    services.statement_record(
        actor=officer,
        case_id=case.pk,
        statement="当事人称广告牌系为商户代设，已拆除 5 处",
        at=at(6),
    )
    services.review_submit(actor=officer, case_id=case.pk, at=at(5))
    made += 1
    # 3. Decided and served, waiting for payment at the bank.
    case = register(
        20,
        "ZF-JS-008",
        steps.Party(kind="person", name="张某某", address="金水区文化路45号"),
        "当事人在路灯杆上张挂小型广告牌 5 处",
        measured={"处数": "5"},
    )
    evidence(case, at(20, 1))
    services.penalty_notify(
        actor=officer,
        case_id=case.pk,
        penalties=[Penalty(PenaltyKind.FINE, Decimal("6000"))],
        at=at(19),
    )
    services.statement_record(actor=officer, case_id=case.pk, waived=True, at=at(18))
    services.penalty_decide(actor=officer, case_id=case.pk, at=at(12))
    services.penalty_serve(
        actor=officer, case_id=case.pk, method="direct", recipient="张某某", at=at(11)
    )
    made += 1
    # 4. Paid and archived.
    case = register(
        40,
        "ZF-JS-008",
        steps.Party(kind="person", name="赵某某", address="金水区纬五路3号"),
        "当事人在桥梁护栏上设置广告挂浮物 4 处",
        measured={"处数": "4"},
    )
    evidence(case, at(40, 1))
    services.penalty_notify(
        actor=officer,
        case_id=case.pk,
        penalties=[Penalty(PenaltyKind.FINE, Decimal("5000"))],
        at=at(39),
    )
    services.statement_record(actor=officer, case_id=case.pk, waived=True, at=at(38))
    services.penalty_decide(actor=officer, case_id=case.pk, party_present=True, at=at(30))
    case = services.penalty_serve(
        actor=officer, case_id=case.pk, method="direct", recipient="赵某某", at=at(30, 0.5)
    )
    collection.payment_confirm(
        channel="bank",
        reference=case.payment_reference,
        transaction_id=f"DEMO-{case.number}",
        amount=case.fine,
        paid_at=at(25),
    )
    services.penalty_close(actor=officer, case_id=case.pk, at=at(24))
    services.penalty_archive(actor=officer, case_id=case.pk, at=at(23))
    made += 1
    # 5. On the spot: 50 yuan for litter, paid in cash, filed and handed in.
    case = summary.penalty_summary_decide(
        actor=officer,
        power_id=Power.objects.get(code="ZF-JS-003").pk,
        party=steps.Party(kind="person", name="孙某某"),
        place="金水区紫荆山公园南门",
        facts="当事人随地乱扔烟蒂，经指出后拒不拾起",
        penalties=[Penalty(PenaltyKind.FINE, Decimal("50"))],
        certificate_shown=True,
        handed_over=True,
        collect_cash=True,
        at=at(3),
    )
    summary.penalty_file(actor=officer, case_id=case.pk, at=at(3, 2))
    collection.cash_hand_in(actor=officer, case_id=case.pk, at=at(2))
    made += 1
    say(f"行政处罚演示案件：{made} 件")
    return made


def _demo_photo(title: str) -> bytes:
    """A small PNG standing in for a scene photo (different per title)."""
    import hashlib
    import io

    from PIL import Image

    shade = hashlib.sha256(title.encode()).digest()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), tuple(shade[:3])).save(buffer, format="PNG")
    return buffer.getvalue()
