"""Writes on the workforce, each in one transaction with its ledger entry."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chengguan.core.errors import DomainError, gettext_noop
from chengguan.core.personal import personal_encrypt, personal_index
from chengguan.core.services import ledger_append
from chengguan.workforce.domain.gate import Result
from chengguan.workforce.domain.id_number import id_number_check, id_number_mask
from chengguan.workforce.domain.postings import PROBLEM_LABELS, posting_problems
from chengguan.workforce.models import (
    Assessment,
    Certificate,
    Exam,
    Person,
    Posting,
    StaffingException,
    Training,
)


@transaction.atomic
def person_create(
    *,
    kind: str,
    name: str,
    id_number: str,
    agency: Any,
    front_line: bool = True,
    rank: str = "",
    household_street_code: str = "",
    user: Any = None,
    actor: Any = None,
) -> Person:
    """A new officer or auxiliary; the ID number is checked (GB 11643) and stored sealed."""
    number = id_number_check(id_number)
    name = (name or "").strip()
    if not name:
        raise DomainError(gettext_noop("请填写姓名"))
    if kind not in Person.Kind.values:
        raise DomainError(gettext_noop("人员类别应为执法人员或协管员"))
    index = personal_index(number)
    if Person.objects.filter(id_index=index).exists():
        raise DomainError(gettext_noop("该身份证号码已登记：%(id)s"), id=id_number_mask(number))
    person = Person.objects.create(
        kind=kind,
        name=name,
        id_cipher=personal_encrypt(number),
        id_index=index,
        id_masked=id_number_mask(number),
        household_street_code=household_street_code,
        agency=agency,
        front_line=front_line,
        rank=rank,
        user=user,
    )
    ledger_append(
        kind="workforce.person_created",
        subject=person,
        actor=actor,
        data={"kind": kind, "agency": agency.code, "id": person.id_masked},
    )
    return person


@transaction.atomic
def posting_create(
    *,
    person: Person,
    agency: Any,
    street_code: str,
    start_on: date,
    exception_reason: str = "",
    actor: Any = None,
) -> Posting:
    """Post a person (closing their open posting): refused when it breaks the recusal rule
    unless approved with a written reason; the rotation clock starts again."""
    problems = posting_problems(
        street_code=street_code,
        household_street_code=person.household_street_code,
        start=start_on,
        on=start_on,
        rotation_years=settings.CHENGGUAN["ROTATION_YEARS"],
    )
    reason = (exception_reason or "").strip()
    if problems and not reason:
        labels = "；".join(
            PROBLEM_LABELS[p.kind] % {"years": f"{settings.CHENGGUAN['ROTATION_YEARS']:g}"}
            for p in problems
        )
        raise DomainError(
            gettext_noop("该任职不符合规定（%(problems)s），须填写例外审批理由"), problems=labels
        )
    if Posting.objects.filter(person=person, start_on__gt=start_on).exists():
        raise DomainError(gettext_noop("任职起始日期不能早于此人已登记的任职"))
    Posting.objects.filter(person=person, end_on__isnull=True).update(end_on=start_on)
    posting = Posting.objects.create(
        person=person,
        agency=agency,
        street_code=street_code,
        start_on=start_on,
        exception_reason=reason if problems else "",
        approved_by=actor if problems and getattr(actor, "pk", None) else None,
    )
    person.agency = agency
    person.save(update_fields=["agency"])
    ledger_append(
        kind="workforce.posted",
        subject=person,
        actor=actor,
        data={
            "agency": agency.code,
            "street": street_code,
            "start": start_on.isoformat(),
            "exception": [p.kind for p in problems],
            "reason": posting.exception_reason,
        },
    )
    return posting


@transaction.atomic
def certificate_add(
    *, person: Person, number: str, issued_on: date, expires_on: date, actor: Any = None
) -> Certificate:
    """Record an enforcement certificate. Only sworn officers hold one (clause 十三: an
    auxiliary never enforces), and a number identifies one certificate city-wide."""
    number = (number or "").strip()
    if not number:
        raise DomainError(gettext_noop("请填写执法证号"))
    if person.kind != Person.Kind.OFFICER:
        raise DomainError(gettext_noop("协管员不发放行政执法证件"))
    if expires_on <= issued_on:
        raise DomainError(gettext_noop("有效期至应晚于发证日期"))
    if Certificate.objects.filter(number=number).exists():
        raise DomainError(gettext_noop("执法证号已登记：%(number)s"), number=number)
    certificate = Certificate.objects.create(
        person=person, number=number, issued_on=issued_on, expires_on=expires_on
    )
    ledger_append(
        kind="workforce.certificate_added",
        subject=person,
        actor=actor,
        data={
            "number": number,
            "issued_on": issued_on.isoformat(),
            "expires_on": expires_on.isoformat(),
        },
    )
    return certificate


@transaction.atomic
def training_add(
    *, person: Person, title: str, hours: Decimal, finished_on: date, actor: Any = None
) -> Training:
    """Record a finished training (clause 十二: 常态化的培训机制)."""
    title = (title or "").strip()
    if not title:
        raise DomainError(gettext_noop("请填写培训名称"))
    if not Decimal(0) < hours < Decimal(1000):
        raise DomainError(gettext_noop("学时应大于 0 且小于 1000"))
    training = Training.objects.create(
        person=person, title=title, hours=hours, finished_on=finished_on
    )
    ledger_append(
        kind="workforce.training_added",
        subject=person,
        actor=actor,
        data={"title": title, "hours": str(hours), "finished_on": finished_on.isoformat()},
    )
    return training


@transaction.atomic
def exam_add(
    *,
    person: Person,
    subject: str,
    taken_on: date,
    score: Decimal,
    passed: bool,
    actor: Any = None,
) -> Exam:
    """Record an exam (clause 十二: only those who pass may be issued a certificate)."""
    subject = (subject or "").strip()
    if not subject:
        raise DomainError(gettext_noop("请填写考试科目"))
    if not Decimal(0) <= score <= Decimal(1000):
        raise DomainError(gettext_noop("成绩应在 0 到 1000 之间"))
    exam = Exam.objects.create(
        person=person, subject=subject, taken_on=taken_on, score=score, passed=passed
    )
    ledger_append(
        kind="workforce.exam_added",
        subject=person,
        actor=actor,
        data={
            "subject": subject,
            "taken_on": taken_on.isoformat(),
            "score": str(score),
            "passed": passed,
        },
    )
    return exam


@transaction.atomic
def assessment_add(*, person: Person, year: int, result: str, actor: Any = None) -> Assessment:
    """Record the annual assessment; one per person and year, so a second one for the same
    year is refused rather than silently replacing a result the gate relies on."""
    if result not in Result:
        raise DomainError(gettext_noop("评议考核结果无效"))
    if not 2000 <= year <= timezone.localdate().year:
        raise DomainError(gettext_noop("年度应在 2000 年到今年之间"))
    if Assessment.objects.filter(person=person, year=year).exists():
        raise DomainError(gettext_noop("%(year)s 年度的评议考核已登记"), year=year)
    assessment = Assessment.objects.create(person=person, year=year, result=result)
    ledger_append(
        kind="workforce.assessment_added",
        subject=person,
        actor=actor,
        data={"year": year, "result": result},
    )
    return assessment


@transaction.atomic
def person_leave(*, person: Person, on: date, reason: str, actor: Any = None) -> Person:
    """Someone leaves the workforce (transfer out, retirement): no longer counted, their
    posting closed, and the gate refuses them from then on. The record stays."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext_noop("请填写离岗原因"))
    if not person.active:
        raise DomainError(gettext_noop("%(name)s 已离岗"), name=person.name)
    Posting.objects.filter(person=person, end_on__isnull=True).update(end_on=on)
    person.active = False
    person.save(update_fields=["active"])
    ledger_append(
        kind="workforce.person_left",
        subject=person,
        actor=actor,
        data={"on": on.isoformat(), "reason": reason},
    )
    return person


@transaction.atomic
def staffing_exception_record(
    *, region: Any, reason: str, valid_until: date | None = None, actor: Any = None
) -> StaffingException:
    """Record why a county-level unit may staff above the ceiling (clause 十: 区域面积大，
    流动人口多，管理执法任务重): from now on its compliance shows the reason instead of a
    violation, until `valid_until`."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise DomainError(gettext_noop("请写明超过上限配备的理由（不少于 10 个字）"))
    if region.kind not in ("county", "zone"):
        raise DomainError(gettext_noop("只能为县级单位登记超编配备理由"))
    exception = StaffingException.objects.create(
        region=region,
        reason=reason,
        valid_until=valid_until,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    ledger_append(
        kind="workforce.staffing_exception",
        subject=exception,
        actor=actor,
        data={
            "region": region.code,
            "reason": reason,
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
    )
    return exception
