"""Import the staff list (花名册) from CSV or Excel (service).

The personnel officer keeps the roster in Excel; the import checks every row against the
same rules as the person page (GB 11643 ID numbers, one certificate per number, no
certificate for an auxiliary, recusal), reports each bad row with its number and the problem,
and imports nothing while any row is bad unless asked to import the good rows. Everything
is written in one transaction with one summary ledger entry carrying the file's SHA-256, so
the ledger says exactly which file produced the register.

Columns (Chinese headers, or the English field names): see HEADERS.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from chengguan.core.errors import DomainError, gettext_noop
from chengguan.core.personal import personal_index
from chengguan.core.services import ledger_append
from chengguan.org.models import Agency, Region
from chengguan.workforce.domain.id_number import id_number_check, id_number_mask
from chengguan.workforce.models import Certificate, Person
from chengguan.workforce.services import certificate_add, person_create, posting_create

HEADERS = {
    "姓名": "name",
    "身份证号码": "id_number",
    "类别": "kind",
    "单位代码": "agency",
    "一线": "front_line",
    "职级": "rank",
    "户籍街道代码": "household_street",
    "执法证号": "certificate",
    "发证日期": "issued_on",
    "有效期至": "expires_on",
    "任职街道代码": "street",
    "任职起始日期": "posting_start",
    "例外审批理由": "exception_reason",
}
REQUIRED = ("name", "id_number", "kind", "agency")
KIND_WORDS = {
    "执法人员": Person.Kind.OFFICER,
    "在编": Person.Kind.OFFICER,
    "officer": Person.Kind.OFFICER,
    "协管员": Person.Kind.AUXILIARY,
    "auxiliary": Person.Kind.AUXILIARY,
}
YES = {"是", "y", "yes", "true", "1"}
NO = {"否", "n", "no", "false", "0"}
# 2024-03-01, 2024/3/1, 2024.3.1, and Excel's "2024-03-01 00:00:00".
DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")
STREET = re.compile(r"^\d{9}$")


@dataclass
class RejectedRow:
    number: int  # as the spreadsheet shows it: the header is row 1
    name: str
    problems: list[str]


@dataclass
class StaffReport:
    rows: int = 0
    people: int = 0
    certificates: int = 0
    postings: int = 0
    file_problems: list[str] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    applied: bool = False

    @property
    def errors(self) -> list[str]:
        """One line per problem, as the import commands print them."""
        return self.file_problems + [
            f"第 {r.number} 行（{r.name or '未填姓名'}）：" + "；".join(r.problems)
            for r in self.rejected
        ]


@dataclass
class PlannedRow:
    number: int
    fields: dict[str, Any]
    certificate: tuple[str, date, date] | None
    posting: tuple[str, date, str] | None  # street, start, exception reason


def _date(text: str, label: str, problems: list[str]) -> date | None:
    if not text:
        return None
    match = DATE.match(text.strip())
    try:
        if match is None:
            raise ValueError
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        problems.append(f"{label}“{text}”不是有效日期（应为 YYYY-MM-DD）")
        return None


class _Checker:
    """Checks rows one by one, remembering what earlier rows of the file claimed."""

    def __init__(self) -> None:
        self.agencies = {a.code: a for a in Agency.objects.filter(active=True)}
        self.streets = set(
            Region.objects.filter(kind=Region.Kind.STREET).values_list("code", flat=True)
        )
        self.seen_ids: dict[str, int] = {}
        self.seen_certificates: dict[str, int] = {}

    def check(self, number: int, row: dict[str, str]) -> tuple[PlannedRow | None, list[str]]:
        problems: list[str] = []
        name = row.get("name", "")
        if not name:
            problems.append("须填写姓名")
        index = self._id_index(row.get("id_number", ""), problems)
        kind = KIND_WORDS.get(row.get("kind", "").lower())
        if kind is None:
            problems.append(f"类别“{row.get('kind', '')}”应为 执法人员 或 协管员")
        agency = self.agencies.get(row.get("agency", ""))
        if agency is None:
            problems.append(f"没有单位代码“{row.get('agency', '')}”")
        front_line = row.get("front_line", "").lower()
        if front_line and front_line not in YES | NO:
            problems.append(f"一线“{row.get('front_line')}”应为 是 或 否")
        household = row.get("household_street", "")
        if household and not STREET.match(household):
            problems.append(f"户籍街道代码“{household}”应为 9 位街道（乡镇）代码")
        certificate = self._certificate(number, row, kind, problems)
        posting = self._posting(row, household, problems)
        if problems:
            return None, problems
        if index is not None:
            self.seen_ids[index] = number
        if certificate is not None:
            self.seen_certificates[certificate[0]] = number
        return PlannedRow(
            number=number,
            fields={
                "kind": kind,
                "name": name,
                "id_number": row["id_number"],
                "agency": agency,
                "front_line": front_line not in NO,
                "rank": row.get("rank", ""),
                "household_street_code": household,
            },
            certificate=certificate,
            posting=posting,
        ), []

    def _id_index(self, text: str, problems: list[str]) -> str | None:
        try:
            id_number = id_number_check(text)
        except DomainError as error:
            # The report is shown on screen: never the number itself, even a mistyped one.
            problems.append(error.message % {"id": id_number_mask(text.strip())})
            return None
        index = personal_index(id_number)
        if index in self.seen_ids:
            problems.append(f"身份证号码与第 {self.seen_ids[index]} 行重复")
        elif Person.objects.filter(id_index=index).exists():
            problems.append(f"身份证号码 {id_number_mask(id_number)} 已登记")
        return index

    def _certificate(self, number, row, kind, problems) -> tuple[str, date, date] | None:
        cert = row.get("certificate", "")
        issued = _date(row.get("issued_on", ""), "发证日期", problems)
        expires = _date(row.get("expires_on", ""), "有效期至", problems)
        if not (cert or row.get("issued_on") or row.get("expires_on")):
            return None
        if kind == Person.Kind.AUXILIARY:
            problems.append("协管员不发放行政执法证件，请删除执法证号和日期")
            return None
        if not cert:
            problems.append("填写了证件日期但没有执法证号")
            return None
        if cert in self.seen_certificates:
            problems.append(f"执法证号“{cert}”与第 {self.seen_certificates[cert]} 行重复")
        elif Certificate.objects.filter(number=cert).exists():
            problems.append(f"执法证号“{cert}”已登记")
        if not (row.get("issued_on") and row.get("expires_on")):
            problems.append("执法证须填写发证日期和有效期至")
        elif issued and expires and expires <= issued:
            problems.append("有效期至应晚于发证日期")
        return (cert, issued, expires) if issued and expires else None

    def _posting(self, row, household, problems) -> tuple[str, date, str] | None:
        street = row.get("street", "")
        start = _date(row.get("posting_start", ""), "任职起始日期", problems)
        reason = row.get("exception_reason", "")
        if street and street not in self.streets:
            problems.append(f"没有任职街道代码“{street}”")
        if street and not row.get("posting_start"):
            problems.append("填写了任职街道但没有任职起始日期")
        if street and street == household and not reason:
            problems.append("任职街道为本人户籍所在地（应回避），须填写例外审批理由")
        return (street, start, reason) if start else None


@transaction.atomic
def staff_import(
    rows: list[dict[str, str]],
    *,
    import_good_rows: bool = False,
    actor: Any = None,
    source_name: str = "",
    sha256: str = "",
) -> StaffReport:
    """Register the people of a staff file with their certificates and current postings.

    Checks every row first; with any bad row nothing is written unless `import_good_rows`.
    The good rows then go through the same services as the person page.
    """
    report = StaffReport(rows=len(rows))
    if not rows:
        report.file_problems.append("文件中没有数据行")
        return report
    columns = {HEADERS.get(k, k) for k in rows[0]}
    missing = [h for h, f in HEADERS.items() if f in REQUIRED and f not in columns]
    if missing:
        report.file_problems.append("缺少列：" + "、".join(missing))
        return report
    checker, planned = _Checker(), []
    for number, raw in enumerate(rows, start=2):
        row = {HEADERS.get(k, k): v.strip() for k, v in raw.items()}
        plan, problems = checker.check(number, row)
        if problems:
            report.rejected.append(RejectedRow(number, row.get("name", ""), problems))
        else:
            planned.append(plan)
    if report.rejected and not import_good_rows:
        return report
    for plan in planned:
        try:
            _apply(plan, report, actor)
        except DomainError as error:  # checked above; a concurrent change can still collide
            raise DomainError(
                gettext_noop("第 %(row)s 行：%(problem)s，未导入任何一行"),
                row=plan.number,
                problem=str(error),
            ) from error
    report.applied = True
    ledger_append(
        kind="workforce.staff_imported",
        subject_type="workforce.person",
        subject_id="",
        actor=actor,
        data={
            "source": source_name,
            "sha256": sha256,
            "rows": report.rows,
            "people": report.people,
            "certificates": report.certificates,
            "postings": report.postings,
            "rejected_rows": len(report.rejected),
        },
    )
    return report


def _apply(plan: PlannedRow, report: StaffReport, actor: Any) -> None:
    person = person_create(**plan.fields, actor=actor)
    report.people += 1
    if plan.certificate:
        number, issued_on, expires_on = plan.certificate
        certificate_add(
            person=person, number=number, issued_on=issued_on, expires_on=expires_on, actor=actor
        )
        report.certificates += 1
    if plan.posting:
        street, start_on, reason = plan.posting
        posting_create(
            person=person,
            agency=person.agency,
            street_code=street,
            start_on=start_on,
            exception_reason=reason,
            actor=actor,
        )
        report.postings += 1
