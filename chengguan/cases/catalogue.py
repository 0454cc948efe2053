"""The category catalogue (service): load GB/T 47678.5 with default time limits, and take a
city's own limits from a CSV or Excel file with a report of every row it cannot use."""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from chengguan.cases.domain.limits import parse_limit
from chengguan.cases.models import Category
from chengguan.core.errors import DomainError
from chengguan.core.services import ledger_append
from chengguan.core.tabular import csv_text_rows

KINDS = {"管理部件": Category.Kind.COMPONENT, "管理事项": Category.Kind.MATTER}
LIMIT_FIELDS = ["verify_limit", "register_limit", "dispatch_limit", "handle_limit", "check_limit"]
TEXT_FIELDS = ["filing_condition", "closing_condition"]


@transaction.atomic
def catalogue_load(
    *, catalogue_csv: str, defaults_csv: str, limits_csv: str, actor: Any = None
) -> dict[str, int]:
    """Create or refresh every category (idempotent).

    Limits come from the documented defaults per major class, overridden by the local
    standards in `limits_csv`; a category the city has adjusted keeps the city's values.
    """
    defaults = {(r["category_kind"], r["major_code"]): r for r in csv_text_rows(defaults_csv)}
    specific = {(r["category_kind"], r["category_code"]): r for r in csv_text_rows(limits_csv)}
    counts = {"created": 0, "updated": 0, "kept_city_values": 0}
    existing = {(c.kind, c.code): c for c in Category.objects.all()}
    for row in csv_text_rows(catalogue_csv):
        kind = KINDS[row["kind"]]
        names = {
            "major_code": row["major_code"],
            "major_name": row["major_name"],
            "name": row["name"],
        }
        category = existing.get((kind, row["code"]))
        if category is None:
            category = Category(kind=kind, code=row["code"])
            counts["created"] += 1
        else:
            counts["updated"] += 1
        for name, value in names.items():
            setattr(category, name, value)
        if category.city_override:
            counts["kept_city_values"] += 1
        else:
            base = defaults.get((kind, row["major_code"])) or defaults[(kind, "*")]
            local = specific.get((kind, row["code"]), {})
            for name in [*LIMIT_FIELDS, *TEXT_FIELDS, "urgency"]:
                setattr(category, name, local.get(name) or base[name])
            source = "默认时限表（data/case_time_limit_defaults.csv）"
            if local:
                source = f"{local['source']}；其余为默认"
            category.limits_source = source
        category.save()
    ledger_append(
        kind="category.catalogue_loaded",
        subject_type="cases.category",
        subject_id="",
        actor=actor,
        data=counts,
    )
    return counts


# Column names a city may use: English field names or the Chinese headers of the export.
HEADERS = {
    "类型": "kind",
    "小类代码": "code",
    "紧急程度": "urgency",
    "立案条件": "filing_condition",
    "结案条件": "closing_condition",
    "核实时限": "verify_limit",
    "立案时限": "register_limit",
    "派遣时限": "dispatch_limit",
    "处置时限": "handle_limit",
    "核查时限": "check_limit",
}
KIND_WORDS = {
    "部件": "component",
    "管理部件": "component",
    "component": "component",
    "事件": "matter",
    "管理事项": "matter",
    "matter": "matter",
}
URGENCY_WORDS = {"一般": "normal", "normal": "normal", "紧急": "urgent", "urgent": "urgent"}


@dataclass
class ImportReport:
    updated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    applied: bool = False


def _row_changes(row: dict[str, str], categories: dict) -> tuple[Category | None, dict, list[str]]:
    problems: list[str] = []
    kind = KIND_WORDS.get(row.get("kind", ""))
    if kind is None:
        problems.append(f"类型“{row.get('kind', '')}”应为 部件 或 事件")
    category = categories.get((kind, row.get("code", "")))
    if kind and category is None:
        problems.append(
            f"没有小类代码为“{row.get('code', '')}”的{'部件' if kind == 'component' else '事件'}"
        )
    changes: dict[str, str] = {}
    for name in LIMIT_FIELDS:
        if row.get(name):
            try:
                changes[name] = str(parse_limit(row[name]))
            except DomainError as error:
                problems.append(error.message % error.params)
    if row.get("urgency"):
        if row["urgency"] in URGENCY_WORDS:
            changes["urgency"] = URGENCY_WORDS[row["urgency"]]
        else:
            problems.append(f"紧急程度“{row['urgency']}”应为 一般 或 紧急")
    for name in TEXT_FIELDS:
        if row.get(name):
            changes[name] = row[name]
    if not changes and not problems:
        problems.append("没有要修改的时限或条件")
    return category, changes, problems


@transaction.atomic
def category_limits_import(
    *,
    rows: list[dict[str, str]],
    source_name: str,
    actor: Any = None,
    import_good_rows: bool = False,
) -> ImportReport:
    """Apply a city's time limits. Any bad row stops the whole import (nothing is saved)
    unless `import_good_rows`: then the good rows are saved and the bad ones reported."""
    categories = {(c.kind, c.code): c for c in Category.objects.all()}
    report = ImportReport()
    planned: list[tuple[Category, dict]] = []
    for number, raw in enumerate(rows, start=2):  # row 1 is the header
        row = {HEADERS.get(k, k): v for k, v in raw.items()}
        category, changes, problems = _row_changes(row, categories)
        if problems:
            report.errors.append(f"第 {number} 行：" + "；".join(problems))
        else:
            planned.append((category, changes))
    if report.errors and not import_good_rows:
        return report
    for category, changes in planned:
        for name, value in changes.items():
            setattr(category, name, value)
        category.city_override = True
        category.limits_source = f"本市导入：{source_name}"
        category.save()
        report.updated.append(category.code)
    if planned:
        ledger_append(
            kind="category.limits_imported",
            subject_type="cases.category",
            subject_id="",
            actor=actor,
            data={
                "source": source_name,
                "updated": report.updated,
                "rejected_rows": len(report.errors),
            },
        )
    report.applied = True
    return report
