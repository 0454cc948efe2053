"""The procedure of an administrative-penalty case, rule by rule.

Every row of `data/admin_penalty_procedure_rules.csv` (stage, rule) and what enforces it;
`RULES` below is the same map as data, and a test fails if a CSV row is missing from it.
Articles are those of the Administrative Penalty Law (行政处罚法, 2021) unless named.

| stage | rule | enforced by |
|---|---|---|
| 简易程序 | 当场处罚上限 | `check_summary_penalty` (Art. 51) |
| 简易程序 | 当场处罚决定备案 | `missing_summary_steps` (Art. 52) |
| 简易程序 | 当场收缴 | `execution.check_on_the_spot_collection` (Art. 68) |
| 简易程序 | 当场收缴交付 | `execution.hand_in_due`, `execution.bank_deposit_due` (Art. 71) |
| 普通程序 | 立案 | `registration_required` (Art. 54; advisory on timing) |
| 调查取证 | 执法人员人数/亮证 | `check_investigators`, `check_inquiry` (Arts. 42, 55) |
| 调查取证 | 证据先行登记保存处理 | `preservation_decision_due`, `check_preservation_decision` (Art. 56) |
| 全过程记录 | 文字+音像记录, 归档 | `missing_record_stages` (Art. 47) |
| 告知 | 事先告知 | `missing_notice_items`, `check_may_decide` (Arts. 44, 62) |
| 听证 | 申请期限 | `hearing_request_due`, `check_hearing_request` (Art. 64(1)) |
| 听证 | 通知期限 | `check_hearing_notice` (Art. 64(2)) |
| 听证 | 河南听证门槛 | `hearing_right` (Henan order 204 Art. 4) |
| 法制审核 | 须审核情形 | `legal_review_required` (Art. 58) |
| 决定 | 办案期限 | `decision_due`, `check_decision_in_time` (Art. 60) |
| 送达 | 决定书送达 | `service_due`, `check_service_in_time` (Art. 61) |
| 执行 | 罚缴分离 | `execution.check_fine_collection` (Art. 67) |
| 执行 | 缴纳期限 | `execution.payment_due` (Art. 67) |
| 执行 | 加处罚款 | `execution.late_fee`, `execution.days_late` (Art. 72) |
| 执行 | 申请法院强制执行 | `execution.court_enforcement_counted_from` (Art. 72) |
| 公示 | 处罚决定公开 | `withdrawal_due` (Art. 48) |
| 公示 | 处罚决定公开时限(常见地方标准目录) | `publication_due` (local standard) |
| 时效 | 追责时效 | `within_limitation` (Art. 36) |
| 裁量 | 不予处罚 | `no_penalty_ground` (Art. 33) |
| 调查取证 | 出示执法证件 | `check_inquiry`, `may_refuse_inspection` (Art. 55) |
| 法制审核 | 审核人员资格 | `check_legal_reviewer` (Art. 58 para. 2) |
| 法制审核 | 未审核不得决定 | `check_may_decide` (Art. 58) |
| 听证 | 主持人回避 | `check_hearing_chair`, `hearing_is_public`, `check_hearing_record` (Art. 64) |
| 听证 | 视为放弃 | `hearing_waived` (Art. 64(6)) |
| 决定 | 决定书载明事项 | `missing_decision_items` (Art. 59) |
| 送达 | 电子送达 | `check_electronic_service` (Art. 61 para. 2) |
| 执行 | 暂缓或分期缴纳 | `execution.check_deferral`, `execution.court_enforcement_counted_from` (Arts. 66, 72) |
| 执行 | 复议诉讼不停止执行 | `execution.execution_suspended`, `execution.days_late` (Art. 73) |
| 执行 | 不得自行收缴 | `execution.check_fine_collection` (Arts. 67, 78) |
| 保密 | 国家秘密商业秘密个人隐私 | `check_disclosure`, `hearing_is_public` (Art. 50) |
| 期间 | 日的计算 | `periods.working_days_due`, `periods.WORKING_DAY_PERIODS` (Art. 85) |

How days are counted (working vs natural, where a period ends) is explained in `periods`.
Who is a person here: the service layer passes any hashable id (a staff UUID) for chairs,
reviewers and investigators; investigators themselves come as `EnforcerFacts`.
"""

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from chengguan.core.errors import DomainError, Forbidden, gettext_noop
from chengguan.core.workcal import Due, WorkCalendar
from chengguan.penalties.domain.money import yuan
from chengguan.penalties.domain.periods import (
    add_years,
    local_date,
    natural_days_end,
    working_days_due,
)
from chengguan.workforce.domain.gate import CertificateFacts, EnforcerFacts, check_enforcer

RULES: dict[tuple[str, str], tuple[str, ...]] = {
    ("简易程序", "当场处罚上限"): ("check_summary_penalty",),
    ("简易程序", "当场处罚决定备案"): ("missing_summary_steps",),
    ("简易程序", "当场收缴"): ("execution.check_on_the_spot_collection",),
    ("简易程序", "当场收缴交付"): ("execution.hand_in_due", "execution.bank_deposit_due"),
    ("普通程序", "立案"): ("registration_required",),
    ("调查取证", "执法人员人数/亮证"): ("check_investigators", "check_inquiry"),
    ("调查取证", "证据先行登记保存处理"): (
        "preservation_decision_due",
        "check_preservation_decision",
    ),
    ("全过程记录", "文字+音像记录, 归档"): ("missing_record_stages",),
    ("告知", "事先告知"): ("missing_notice_items", "check_may_decide"),
    ("听证", "申请期限"): ("hearing_request_due", "check_hearing_request"),
    ("听证", "通知期限"): ("check_hearing_notice",),
    ("听证", "河南听证门槛"): ("hearing_right",),
    ("法制审核", "须审核情形"): ("legal_review_required",),
    ("决定", "办案期限"): ("decision_due", "check_decision_in_time"),
    ("送达", "决定书送达"): ("service_due", "check_service_in_time"),
    ("执行", "罚缴分离"): ("execution.check_fine_collection",),
    ("执行", "缴纳期限"): ("execution.payment_due",),
    ("执行", "加处罚款"): ("execution.late_fee", "execution.days_late"),
    ("执行", "申请法院强制执行"): ("execution.court_enforcement_counted_from",),
    ("公示", "处罚决定公开"): ("withdrawal_due",),
    ("公示", "处罚决定公开时限(常见地方标准目录)"): ("publication_due",),
    ("时效", "追责时效"): ("within_limitation",),
    ("裁量", "不予处罚"): ("no_penalty_ground",),
    ("调查取证", "出示执法证件"): ("check_inquiry", "may_refuse_inspection"),
    ("法制审核", "审核人员资格"): ("check_legal_reviewer",),
    ("法制审核", "未审核不得决定"): ("check_may_decide",),
    ("听证", "主持人回避"): ("check_hearing_chair", "hearing_is_public", "check_hearing_record"),
    ("听证", "视为放弃"): ("hearing_waived",),
    ("决定", "决定书载明事项"): ("missing_decision_items",),
    ("送达", "电子送达"): ("check_electronic_service",),
    ("执行", "暂缓或分期缴纳"): (
        "execution.check_deferral",
        "execution.court_enforcement_counted_from",
    ),
    ("执行", "复议诉讼不停止执行"): ("execution.execution_suspended", "execution.days_late"),
    ("执行", "不得自行收缴"): ("execution.check_fine_collection",),
    ("保密", "国家秘密商业秘密个人隐私"): ("check_disclosure", "hearing_is_public"),
    ("期间", "日的计算"): ("periods.working_days_due", "periods.WORKING_DAY_PERIODS"),
}


# -- parties and penalties ----------------------------------------------------------------


class PartyKind(StrEnum):
    PERSON = "person"  # 公民
    ORGANISATION = "organisation"  # 法人或者其他组织


class PenaltyKind(StrEnum):
    """The kinds of Art. 9 that city-management enforcement imposes."""

    WARNING = "warning"  # 警告
    CRITICISM = "criticism"  # 通报批评
    FINE = "fine"  # 罚款
    CONFISCATE_GAINS = "confiscate_gains"  # 没收违法所得
    CONFISCATE_PROPERTY = "confiscate_property"  # 没收非法财物
    SUSPEND_LICENCE = "suspend_licence"  # 暂扣许可证件
    DEMOTE_QUALIFICATION = "demote_qualification"  # 降低资质等级
    REVOKE_LICENCE = "revoke_licence"  # 吊销许可证件
    RESTRICT_BUSINESS = "restrict_business"  # 限制开展生产经营活动
    SUSPEND_BUSINESS = "suspend_business"  # 责令停产停业
    CLOSE = "close"  # 责令关闭
    RESTRICT_PRACTICE = "restrict_practice"  # 限制从业


# Kinds whose size is a sum of money (the fine, or the value confiscated).
_MONEY_KINDS = frozenset(
    {PenaltyKind.FINE, PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY}
)


@dataclass(frozen=True)
class Penalty:
    kind: PenaltyKind
    amount: Decimal | None = None  # yuan: the fine, or the value confiscated

    def __post_init__(self) -> None:
        if (self.kind in _MONEY_KINDS) != (self.amount is not None):
            raise ValueError(f"{self.kind} {'needs' if self.amount is None else 'takes no'} amount")
        if self.amount is not None:
            object.__setattr__(self, "amount", yuan(self.amount))


def _total(penalties: Iterable[Penalty], kinds: Collection[PenaltyKind]) -> Decimal:
    return sum((p.amount for p in penalties if p.kind in kinds and p.amount), Decimal(0))


# -- summary procedure (简易程序) -----------------------------------------------------------

# Art. 51: on the spot, at most 200 yuan for a person and 3,000 for an organisation, or a warning.
SUMMARY_FINE_CAP = {PartyKind.PERSON: Decimal(200), PartyKind.ORGANISATION: Decimal(3000)}


def check_summary_penalty(party_kind: PartyKind, penalties: Iterable[Penalty]) -> None:
    """Whether the penalties may be decided on the spot (Art. 51), or DomainError.

    Only a warning and/or a fine qualify; the fines of one decision are added up, so
    splitting a fine cannot get round the cap.
    """
    penalties = tuple(penalties)
    if not penalties:
        raise ValueError("no penalty given")
    if any(p.kind not in (PenaltyKind.WARNING, PenaltyKind.FINE) for p in penalties):
        raise DomainError(gettext_noop("简易程序只能当场给予警告或者罚款，其他处罚须适用普通程序"))
    cap = SUMMARY_FINE_CAP[party_kind]
    if _total(penalties, {PenaltyKind.FINE}) > cap:
        raise DomainError(
            gettext_noop("简易程序当场罚款不得超过 %(cap)s 元，须适用普通程序"), cap=cap
        )


class SummaryStep(StrEnum):
    """What Art. 52 requires when an officer decides on the spot."""

    CERTIFICATE_SHOWN = "certificate_shown"  # 出示执法证件
    NUMBERED_FORM = "numbered_form"  # 填写预定格式、编有号码的决定书
    HANDED_OVER = "handed_over"  # 当场交付（拒绝签收的在决定书上注明）
    FILED = "filed"  # 报所属行政机关备案


def missing_summary_steps(done: Iterable[SummaryStep]) -> list[SummaryStep]:
    """The Art. 52 steps still to do; a summary case is closed only when this is empty."""
    done = set(done)
    return [step for step in SummaryStep if step not in done]


# -- register and investigate ---------------------------------------------------------------


def registration_required(*, meets_standard: bool, summary: bool) -> bool:
    """Art. 54: outside the summary procedure, a case meeting the standard must be registered
    "及时" (promptly). The law sets no number of days, so none is enforced here; a local
    time limit, if adopted, belongs in configuration, not in this module."""
    return meets_standard and not summary


# Art. 42: at least two officers with enforcement status ("法律另有规定的除外": no such law
# applies to city management, so the exception is not modelled).
MIN_INVESTIGATORS = 2


def check_investigators(facts: Sequence[EnforcerFacts], on: date) -> tuple[CertificateFacts, ...]:
    """The certificates of the investigators, or Forbidden/DomainError (Art. 42).

    Each person must pass the enforcement gate on `on`; people are told apart by the
    certificate they enforce under (certificate numbers are unique, names are not).
    """
    certificates = {c.number: c for c in (check_enforcer(f, on) for f in facts)}
    if len(certificates) < MIN_INVESTIGATORS:
        raise DomainError(gettext_noop("调查取证须由两名以上具有执法资格的执法人员进行"))
    return tuple(certificates.values())


def check_inquiry(*, certificate_shown: bool, record_made: bool) -> None:
    """Art. 55: officers show their certificates unprompted, and every inquiry or
    inspection is recorded in writing (笔录)."""
    if not certificate_shown:
        raise DomainError(gettext_noop("执法人员调查或者检查时应当主动出示执法证件"))
    if not record_made:
        raise DomainError(gettext_noop("询问或者检查应当制作笔录"))


def may_refuse_inspection(*, certificate_shown: bool) -> bool:
    """Art. 55: the party may refuse an inquiry or inspection if no certificate is shown."""
    return not certificate_shown


def preservation_decision_due(preserved_at: datetime, calendar: WorkCalendar) -> Due:
    """Art. 56: evidence registered for preservation (先行登记保存) must be dealt with
    within 7 days, working days by Art. 85."""
    return working_days_due(preserved_at, 7, calendar)


def check_preservation_decision(
    preserved_at: datetime, decided_at: datetime, calendar: WorkCalendar
) -> None:
    if decided_at > preservation_decision_due(preserved_at, calendar).at:
        raise DomainError(gettext_noop("先行登记保存的证据应当在七个工作日内作出处理决定"))


class RecordStage(StrEnum):
    """Art. 47: the stages recorded (in writing, audio-video "等形式") and archived."""

    START = "start"  # 启动
    INVESTIGATION = "investigation"  # 调查取证
    REVIEW = "review"  # 审核
    DECISION = "decision"  # 决定
    SERVICE = "service"  # 送达
    EXECUTION = "execution"  # 执行


def missing_record_stages(recorded: Iterable[RecordStage]) -> list[RecordStage]:
    """The stages with no record yet; a case is archived only when this is empty. The law
    lets the form vary ("文字、音像等"), so any record of a stage counts."""
    recorded = set(recorded)
    return [stage for stage in RecordStage if stage not in recorded]


# -- notice and hearing ---------------------------------------------------------------------

# Art. 44: what the notice of intended penalty (告知) contains.
NOTICE_ITEMS = {
    "penalty": gettext_noop("拟作出的行政处罚内容"),
    "facts": gettext_noop("事实"),
    "reasons": gettext_noop("理由"),
    "basis": gettext_noop("依据"),
    "statement_rights": gettext_noop("陈述、申辩的权利"),
    "hearing_right": gettext_noop("要求听证的权利"),
}


def missing_notice_items(items: Iterable[str], *, hearing_right: bool) -> list[str]:
    """The Art. 44 items the notice lacks; the hearing right only where `hearing_right`."""
    items = set(items)
    needed = [k for k in NOTICE_ITEMS if hearing_right or k != "hearing_right"]
    return [k for k in needed if k not in items]


# Henan order 204 Art. 4(1)-(2): a fine, or a confiscation worth, at least this much.
HEARING_THRESHOLD = {PartyKind.PERSON: Decimal(5000), PartyKind.ORGANISATION: Decimal(50000)}
# Art. 4(3)-(4): these carry the hearing right whatever their size.
HEARING_KINDS = frozenset(
    {
        PenaltyKind.DEMOTE_QUALIFICATION,
        PenaltyKind.REVOKE_LICENCE,
        PenaltyKind.SUSPEND_BUSINESS,
        PenaltyKind.CLOSE,
        PenaltyKind.RESTRICT_PRACTICE,
    }
)


def hearing_right(
    party_kind: PartyKind, penalties: Iterable[Penalty], *, heavier_or_prescribed: bool = False
) -> bool:
    """Whether the party must be told of the right to a hearing (Henan order 204 Art. 4,
    implementing Art. 63).

    Fines are added up, and so are confiscated gains and property, over the whole decision
    (the reading that never loses a party the right). `heavier_or_prescribed` is the
    agency's judgement under Art. 4(5)-(6) ("其他较重的行政处罚", or a law, regulation or rule
    grants a hearing), e.g. for a licence suspension. Thresholds that a State Council
    department sets differently take precedence (Art. 4 para. 2); none applies to city
    management, so none is modelled.
    """
    penalties = tuple(penalties)
    threshold = HEARING_THRESHOLD[party_kind]
    confiscated = {PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY}
    return (
        heavier_or_prescribed
        or any(p.kind in HEARING_KINDS for p in penalties)
        or _total(penalties, {PenaltyKind.FINE}) >= threshold
        or _total(penalties, confiscated) >= threshold
    )


def hearing_request_due(notified_at: datetime, calendar: WorkCalendar) -> date:
    """Art. 64(1): the last day to ask for a hearing, 5 working days (Art. 85) after the
    notice. A request made any time that day is in time (see `periods`)."""
    return local_date(working_days_due(notified_at, 5, calendar).at, calendar)


def check_hearing_request(
    notified_at: datetime, requested_at: datetime, calendar: WorkCalendar
) -> None:
    if local_date(requested_at, calendar) > hearing_request_due(notified_at, calendar):
        raise DomainError(gettext_noop("听证申请应当在告知后五个工作日内提出，已逾期"))


def check_hearing_notice(notified_at: datetime, hearing_on: date, calendar: WorkCalendar) -> None:
    """Art. 64(2): the party is told of the hearing 7 days (working, Art. 85) before it.

    Read strictly: seven whole working days lie between the notice and the hearing day,
    so the hearing is after the seventh working day following the notice, never on it.
    """
    seventh = local_date(working_days_due(notified_at, 7, calendar).at, calendar)
    if hearing_on <= seventh:
        raise DomainError(gettext_noop("应当在举行听证的七个工作日前通知当事人听证的时间、地点"))


def check_hearing_chair(chair: Hashable, investigators: Collection[Hashable]) -> None:
    """Art. 64(4): the hearing is chaired by someone who did not investigate the case. (A
    recusal request by the party is decided by the agency; the workflow records it.)"""
    if chair in investigators:
        raise Forbidden(gettext_noop("听证主持人不得是本案调查人员"))


class Confidential(StrEnum):
    """Art. 50: what must be kept secret."""

    STATE_SECRET = "state_secret"  # 国家秘密
    TRADE_SECRET = "trade_secret"  # 商业秘密
    PRIVACY = "privacy"  # 个人隐私


def hearing_is_public(involves: Iterable[Confidential]) -> bool:
    """Art. 64(3): a hearing is public unless it involves secrets protected by Art. 50."""
    return not any(involves)


def check_disclosure(contains: Iterable[Confidential]) -> None:
    """Art. 50: secrets learnt in a case are not disclosed (publication, open hearings,
    replies to the public); mask or withhold them first."""
    found = sorted(set(contains))
    if found:
        raise Forbidden(
            gettext_noop("内容含有依法应当保密的信息（%(kinds)s），不得公开"),
            kinds="、".join(found),
        )


def check_hearing_record(*, party_signed: bool, refusal_noted: bool) -> None:
    """Art. 64(8): the record is checked and signed by the party or agent; if they refuse,
    the chair notes the refusal in it."""
    if not (party_signed or refusal_noted):
        raise DomainError(
            gettext_noop("听证笔录应当交当事人核对签字或者盖章；拒绝签字的，由主持人注明")
        )


def hearing_waived(*, absent_or_left_without_leave: bool, good_reason: bool) -> bool:
    """Art. 64(6): not attending, or leaving without permission, with no good reason, waives
    the hearing and the agency ends it."""
    return absent_or_left_without_leave and not good_reason


# -- legal review (法制审核) -------------------------------------------------------------------


class ReviewGround(StrEnum):
    PUBLIC_INTEREST = "public_interest"  # Art. 58(1) 涉及重大公共利益
    MAJOR_RIGHTS_HEARD = "major_rights_heard"  # (2) 重大权益且经过听证
    COMPLEX = "complex"  # (3) 疑难复杂、涉及多个法律关系
    BY_LAW = "by_law"  # (4) 法律、法规规定的其他情形
    BENCHMARK_DEPARTED = "benchmark_departed"  # issue 6: 偏离裁量基准


def legal_review_required(
    *,
    major_public_interest: bool = False,
    major_rights: bool = False,
    heard: bool = False,
    complex_case: bool = False,
    required_by_law: bool = False,
    departs_from_benchmark: bool = False,
) -> frozenset[ReviewGround]:
    """The grounds on which legal review is required; empty when it is not.

    Art. 58's four situations; the second needs both a major right at stake and a
    hearing held. Departing from the discretion benchmark is added by issue 6 (this
    platform's rule, not the statute's): such a decision is reviewed too.
    """
    grounds = {
        ReviewGround.PUBLIC_INTEREST: major_public_interest,
        ReviewGround.MAJOR_RIGHTS_HEARD: major_rights and heard,
        ReviewGround.COMPLEX: complex_case,
        ReviewGround.BY_LAW: required_by_law,
        ReviewGround.BENCHMARK_DEPARTED: departs_from_benchmark,
    }
    return frozenset(g for g, applies in grounds.items() if applies)


# The day the 2021 law took effect: Art. 58 para. 2 binds reviewers who start after it.
LAW_IN_FORCE = date(2021, 7, 15)


@dataclass(frozen=True)
class ReviewerFacts:
    person: Hashable
    reviewing_since: date  # first assigned to legal review of penalty decisions
    legal_qualification: bool  # passed the national unified legal professional exam


def check_legal_reviewer(reviewer: ReviewerFacts, investigators: Collection[Hashable]) -> None:
    """Art. 58 para. 2: a reviewer who first took up the work under the 2021 law holds the
    legal professional qualification. The reviewer is never one of the case's
    investigators (issue 6: review is a check on the investigation, not part of it)."""
    if reviewer.person in investigators:
        raise Forbidden(gettext_noop("法制审核人员不得是本案调查人员"))
    if reviewer.reviewing_since >= LAW_IN_FORCE and not reviewer.legal_qualification:
        raise Forbidden(gettext_noop("初次从事行政处罚决定法制审核的人员应当取得法律职业资格"))


# -- decision -------------------------------------------------------------------------------


def check_may_decide(
    *,
    notified: bool,
    statements_heard_or_waived: bool,
    hearing_requested: bool,
    hearing_concluded: bool,
    review_grounds: Collection[ReviewGround],
    review_passed: bool,
) -> None:
    """The gate before any ordinary-procedure decision.

    Art. 62: no decision without the Art. 44 notice, or while refusing to hear the party's
    statement and defence (unless the party expressly waived it). Art. 65: a requested
    hearing is held (or waived, Art. 64(6)) before deciding. Art. 58: where review is
    required, no decision without a review that passed.
    """
    if not notified:
        raise DomainError(
            gettext_noop("未告知当事人拟作出的行政处罚内容及事实、理由、依据，不得作出决定")
        )
    if not statements_heard_or_waived:
        raise DomainError(gettext_noop("未听取当事人的陈述、申辩，不得作出决定"))
    if hearing_requested and not hearing_concluded:
        raise DomainError(gettext_noop("当事人要求听证的，听证结束前不得作出决定"))
    if review_grounds and not review_passed:
        raise DomainError(gettext_noop("未经法制审核或者审核未通过的，不得作出决定"))


# Art. 60: decided within 90 days of registration (natural days, see `periods`).
DECISION_DAYS = 90


@dataclass(frozen=True)
class Extension:
    """A longer period approved under a law, regulation or rule (Art. 60 "另有规定")."""

    until: date
    basis: str  # the provision allowing it, and the approval


def decision_due(registered_on: date, extension: Extension | None = None) -> date:
    """The last day to decide: 90 natural days after registration, or an approved extension."""
    due = natural_days_end(registered_on, DECISION_DAYS)
    if extension is None:
        return due
    if not extension.basis.strip() or extension.until <= due:
        raise DomainError(gettext_noop("延长办案期限须有法律、法规、规章依据并晚于法定期限"))
    return extension.until


def check_decision_in_time(
    registered_on: date, decided_on: date, extension: Extension | None = None
) -> None:
    if decided_on > decision_due(registered_on, extension):
        raise DomainError(gettext_noop("已超过办案期限（自立案之日起九十日）"))


# Art. 59: what the decision states, and the seal.
DECISION_ITEMS = {
    "party": gettext_noop("当事人的姓名或者名称"),
    "address": gettext_noop("当事人地址"),
    "facts_and_evidence": gettext_noop("违法事实和证据"),
    "kind_and_basis": gettext_noop("行政处罚的种类和依据"),
    "performance": gettext_noop("履行方式和期限"),
    "remedies": gettext_noop("申请行政复议、提起行政诉讼的途径和期限"),
    "agency": gettext_noop("作出决定的行政机关名称"),
    "date": gettext_noop("作出决定的日期"),
    "seal": gettext_noop("行政机关印章"),
}


def missing_decision_items(document_fields: Mapping[str, object]) -> list[str]:
    """The Art. 59 items the decision lacks (absent, None, False or blank)."""
    return [key for key in DECISION_ITEMS if not _filled(document_fields.get(key))]


def _filled(value: object) -> bool:
    return value is not None and value is not False and bool(str(value).strip())


# -- service and publicity ------------------------------------------------------------------


def service_due(announced_at: datetime, *, party_present: bool, calendar: WorkCalendar) -> Due:
    """Art. 61: handed over on the spot after announcement; if the party is absent, served
    within 7 days (working, Art. 85) under the Civil Procedure Law.

    "当场" is the same occasion, which the record of service states by its date: the
    officer records the hand-over minutes later, so the limit is the end of that day, not
    the instant of announcement."""
    if party_present:
        day = local_date(announced_at, calendar)
        end = datetime.combine(day, time.max, tzinfo=ZoneInfo(calendar.tz))
        return Due(end, provisional=False)
    return working_days_due(announced_at, 7, calendar)


def check_service_in_time(
    announced_at: datetime, served_at: datetime, *, party_present: bool, calendar: WorkCalendar
) -> None:
    if served_at > service_due(announced_at, party_present=party_present, calendar=calendar).at:
        if party_present:
            raise DomainError(gettext_noop("当事人在场的，决定书应当在宣告后当场交付"))
        raise DomainError(gettext_noop("当事人不在场的，决定书应当在七个工作日内送达"))


def check_electronic_service(*, consent_signed: bool) -> None:
    """Art. 61 para. 2: fax, e-mail and the like only with the party's signed consent."""
    if not consent_signed:
        raise DomainError(gettext_noop("当事人同意并签订确认书后，才能以电子方式送达"))


def withdrawal_due(changed_at: datetime, calendar: WorkCalendar) -> Due:
    """Art. 48: a published decision that is changed, revoked or found unlawful or void is
    withdrawn, with reasons, within 3 days (working, Art. 85). Which decisions are published
    ("具有一定社会影响") is the agency's judgement, not a rule computed here."""
    return working_days_due(changed_at, 3, calendar)


# A common local standard (基层政务公开标准目录, city-enforcement field), not the statute: a
# city may adopt another figure, so it is a named default.
PUBLICATION_WORKING_DAYS = 20


def publication_due(decided_at: datetime, calendar: WorkCalendar) -> Due:
    """The day a published decision should be online: 20 working days after it is made
    (advisory: the local catalogue says 工作日 itself, so Art. 85 is not involved)."""
    return calendar.add_working_time(decided_at, days=PUBLICATION_WORKING_DAYS)


# -- limitation and leniency ----------------------------------------------------------------

LIMITATION_YEARS = 2
EXTENDED_LIMITATION_YEARS = 5


def within_limitation(
    *,
    act_ended_on: date,
    discovered_on: date,
    endangers_life_health_or_finance: bool = False,
    harmful_consequence: bool = False,
) -> bool:
    """Art. 36: no penalty for an act not discovered within 2 years; 5 years when it
    concerns citizens' life and health safety or financial safety *and* had harmful
    consequences. Counted from the act, or from its end if it was continuing; the last day
    is the same date 2 (or 5) years on, and discovery on that day is in time."""
    serious = endangers_life_health_or_finance and harmful_consequence
    years = EXTENDED_LIMITATION_YEARS if serious else LIMITATION_YEARS
    return discovered_on <= add_years(act_ended_on, years)


class Harm(StrEnum):
    NONE = "none"  # 没有造成危害后果
    MINOR = "minor"  # 危害后果轻微
    SIGNIFICANT = "significant"


class NoPenaltyGround(StrEnum):
    MINOR_CORRECTED = "minor_corrected"  # 轻微并及时改正，没有危害后果：不予处罚
    NO_FAULT = "no_fault"  # 有证据足以证明没有主观过错：不予处罚
    FIRST_OFFENCE = "first_offence"  # 初次违法且危害后果轻微并及时改正：可以不予处罚

    @property
    def mandatory(self) -> bool:
        """不予 (must not penalise) rather than 可以不予 (may decide not to)."""
        return self is not NoPenaltyGround.FIRST_OFFENCE


def no_penalty_ground(
    *,
    minor: bool,
    corrected_promptly: bool,
    harm: Harm,
    first_offence: bool,
    no_fault_proven: bool,
) -> NoPenaltyGround | None:
    """The Art. 33 ground that applies, a mandatory one before the discretionary one.

    No harm at all counts as "minor harm" for first-offence leniency. The no-fault ground
    yields where a law or administrative regulation says otherwise (Art. 33 para. 2); the
    caller then passes `no_fault_proven=False`. Art. 33 para. 3 (educate the party) is the
    workflow's step after a no-penalty outcome.
    """
    if minor and corrected_promptly and harm is Harm.NONE:
        return NoPenaltyGround.MINOR_CORRECTED
    if no_fault_proven:
        return NoPenaltyGround.NO_FAULT
    if first_offence and corrected_promptly and harm is not Harm.SIGNIFICANT:
        return NoPenaltyGround.FIRST_OFFENCE
    return None
