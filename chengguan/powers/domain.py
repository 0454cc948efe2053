"""Rules of the power list over plain values: what a valid seed row is, and when a new
holder's period may start. No Django import, so these run in milliseconds."""

from dataclasses import dataclass
from datetime import date

from chengguan.core.errors import DomainError, gettext_noop

STATUSES = ("in_force", "deferred")
REQUIRED = (
    "code",
    "name",
    "domain",
    "functions",
    "legal_basis_prohibition",
    "legal_basis_penalty",
    "statutory_range",
    "transferred_from",
    "status",
    "basis_source",
)

# The ordinary procedure of the Administrative Penalty Law (2021), as published on each card.
ORDINARY_PROCEDURE = (
    "立案：发现违法行为，符合立案标准的及时立案（《行政处罚法》第五十四条）",
    "调查取证：两名以上执法人员出示证件，全面、客观、公正地调查，收集证据",
    "告知：作出决定前告知拟处罚的内容及事实、理由、依据和陈述、申辩、听证权利（第四十四条）",
    "（听证）：符合听证条件的，当事人在告知后五日内提出申请（第六十四条；河南省行政处罚听证办法）",
    "法制审核：重大执法决定未经法制审核或审核未通过的，不得作出决定（第五十八条）",
    "决定：制作行政处罚决定书，载明事实、依据、履行方式和救济途径（第五十九条）",
    "送达：宣告后当场交付，当事人不在场的七日内送达（第六十一条）",
    "执行：当事人在规定期限内履行；复议或诉讼期间不停止执行（第七十三条）",
)
SUMMARY_PROCEDURE_NOTE = (
    "简易程序：违法事实确凿并有法定依据，对公民处二百元以下、对法人或者其他组织处"
    "三千元以下罚款或者警告的，可以当场作出行政处罚决定（第五十一条）"
)


def process_text(*, summary_procedure: bool) -> str:
    """The steps, one a line; the public card shows them as a numbered list."""
    steps = list(ORDINARY_PROCEDURE)
    if summary_procedure:
        steps.append(SUMMARY_PROCEDURE_NOTE)
    return "\n".join(steps)


@dataclass(frozen=True)
class PowerRow:
    """One checked row of the seed table, ready to store."""

    code: str
    name: str
    domain: str
    functions: str
    legal_basis_prohibition: str
    legal_basis_penalty: str
    statutory_range: str
    transferred_from: str
    status: str
    deferred_until: date | None
    deferred_condition: str
    summary_procedure: bool
    basis_source: str


def power_row_parse(row: dict[str, str], *, line: int) -> PowerRow:
    """Check one row of powers.csv; a refusal names the line and the problem.

    Every power must carry both legal bases (a power without its clause is not publishable)
    and a deferred power must say until when or on what condition it stays deferred.
    """
    values = {key: (value or "").strip() for key, value in row.items() if key}
    missing = [name for name in REQUIRED if not values.get(name)]
    if missing:
        raise DomainError(
            gettext_noop("第 %(line)s 行缺少：%(fields)s"), line=line, fields="、".join(missing)
        )
    status = values["status"]
    if status not in STATUSES:
        raise DomainError(
            gettext_noop("第 %(line)s 行状态无效：%(status)s"), line=line, status=status
        )
    until = None
    if values.get("deferred_until"):
        try:
            until = date.fromisoformat(values["deferred_until"])
        except ValueError:
            raise DomainError(
                gettext_noop("第 %(line)s 行日期应为 YYYY-MM-DD：%(value)s"),
                line=line,
                value=values["deferred_until"],
            ) from None
    condition = values.get("deferred_condition", "")
    if status == "deferred" and until is None and not condition:
        raise DomainError(gettext_noop("第 %(line)s 行暂缓划转的事项须写明日期或条件"), line=line)
    if status == "in_force" and (until or condition):
        raise DomainError(gettext_noop("第 %(line)s 行在用的事项不应有暂缓日期或条件"), line=line)
    return PowerRow(
        code=values["code"],
        name=values["name"],
        domain=values["domain"],
        functions=values["functions"],
        legal_basis_prohibition=values["legal_basis_prohibition"],
        legal_basis_penalty=values["legal_basis_penalty"],
        statutory_range=values["statutory_range"],
        transferred_from=values["transferred_from"],
        status=status,
        deferred_until=until,
        deferred_condition=condition,
        summary_procedure=values.get("summary_procedure", "").lower() in ("yes", "是", "true"),
        basis_source=values["basis_source"],
    )


@dataclass(frozen=True)
class Period:
    """A holder's period: from `start`, until `end` (exclusive) or open when None."""

    start: date
    end: date | None


def check_new_period(*, start: date, existing: list[Period]) -> None:
    """A new holder in a territory starts after every earlier period there has started and
    after every closed one has ended; otherwise two bodies would hold the power at once.

    The open period (if any) is closed on `start` by the caller, so it only has to have
    begun before `start`.
    """
    for period in existing:
        if period.end is None and period.start >= start:
            raise DomainError(
                gettext_noop("新的行使主体须晚于现行主体的起始日期（%(date)s）开始"),
                date=period.start.isoformat(),
            )
        if period.end is not None and period.end > start:
            raise DomainError(
                gettext_noop("与已有的行使期间（%(start)s 至 %(end)s）重叠"),
                start=period.start.isoformat(),
                end=period.end.isoformat(),
            )


# Published on every card unless settings give a city's own wording (POWERS_SUPERVISION,
# POWERS_ACCOUNTABILITY): the seed names the hotlines, the statutes the remedies.
SUPERVISION = (
    "拨打 12345 政务服务便民热线或 12319 城管热线投诉、举报；"
    "向实施处罚的城市管理部门或其上级城市管理部门书面反映；"
    "对行政处罚决定不服的，可以依法申请行政复议或者提起行政诉讼。"
)
ACCOUNTABILITY = (
    "执法人员滥用职权、玩忽职守、徇私舞弊，或者违法实施行政处罚的，依照《中华人民共和国"
    "行政处罚法》第七章（法律责任）和《中华人民共和国公职人员政务处分法》追究责任；"
    "构成犯罪的，依法追究刑事责任。"
)
