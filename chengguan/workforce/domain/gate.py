"""Who may enforce (seed clauses (十一)(十二)(十三)), as pure rules shared by every
enforcing action: registering and investigating a penalty case, deciding, on-the-spot
penalties.

- Only a sworn officer (执法人员, 在编) may be recorded as the enforcer; an auxiliary (协管员)
  may only assist: publicity, patrol, information collection, dissuasion.
- The officer must hold an enforcement certificate (执法证) valid on the day of the act:
  issued, not expired, not suspended or revoked.
- The officer must not have failed the latest annual assessment (评议考核不合格人员，不得
  从事执法工作).
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from chengguan.core.errors import Forbidden, gettext_noop


class Kind(StrEnum):
    OFFICER = "officer"
    AUXILIARY = "auxiliary"


class Result(StrEnum):
    """评议考核 results; only "fail" bars a person from enforcing."""

    EXCELLENT = "excellent"
    COMPETENT = "competent"
    BASIC = "basic"
    FAIL = "fail"


RESULT_LABELS = {
    Result.EXCELLENT: gettext_noop("优秀"),
    Result.COMPETENT: gettext_noop("称职"),
    Result.BASIC: gettext_noop("基本称职"),
    Result.FAIL: gettext_noop("不称职（不合格）"),
}

# The only work an auxiliary may be given (clause 十三).
ASSISTING_TASKS = {
    "publicity": gettext_noop("宣传教育"),
    "patrol": gettext_noop("巡查"),
    "information": gettext_noop("信息收集"),
    "dissuasion": gettext_noop("违法行为劝阻"),
}


@dataclass(frozen=True)
class CertificateFacts:
    number: str
    issued_on: date
    expires_on: date
    in_force: bool  # not suspended or revoked


@dataclass(frozen=True)
class EnforcerFacts:
    """What the gate needs to know about a person; the service layer reads it."""

    name: str
    kind: Kind
    active: bool
    certificates: tuple[CertificateFacts, ...]
    latest_assessment: Result | None  # of the latest year assessed


def valid_certificate(facts: EnforcerFacts, on: date) -> CertificateFacts | None:
    return next(
        (
            c
            for c in sorted(facts.certificates, key=lambda c: c.expires_on, reverse=True)
            if c.in_force and c.issued_on <= on <= c.expires_on
        ),
        None,
    )


def check_enforcer(facts: EnforcerFacts, on: date) -> CertificateFacts:
    """The certificate the person enforces under on `on`, or Forbidden saying why not."""
    if facts.kind is Kind.AUXILIARY:
        raise Forbidden(
            gettext_noop(
                "%(name)s 是协管员，只能从事宣传教育、巡查、信息收集、违法行为劝阻等辅助性事务，不能作为执法人员"
            ),
            name=facts.name,
        )
    if not facts.active:
        raise Forbidden(gettext_noop("%(name)s 已不在执法岗位"), name=facts.name)
    certificate = valid_certificate(facts, on)
    if certificate is None:
        raise Forbidden(
            gettext_noop("%(name)s 没有在有效期内的行政执法证件，不能执法"), name=facts.name
        )
    if facts.latest_assessment is Result.FAIL:
        raise Forbidden(
            gettext_noop("%(name)s 最近一次评议考核不合格，不得从事执法工作"), name=facts.name
        )
    return certificate


def check_task(kind: Kind, task: str) -> None:
    """An auxiliary may be given assisting tasks only; an officer any task."""
    if kind is Kind.AUXILIARY and task not in ASSISTING_TASKS:
        raise Forbidden(
            gettext_noop("协管员只能承担宣传教育、巡查、信息收集、违法行为劝阻等辅助性事务")
        )
