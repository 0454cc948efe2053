"""Import the responsibility matrix (责任划分) from CSV or Excel (service).

Columns (Chinese headers of the export, or the English field names): 网格编码 or 区划代码
(where), 大类代码 and/or 类型 + 小类代码 (what; both empty = all categories), 处置单位代码
(who, an agency code), 优先级 (smaller first, default 100), 生效日期 / 失效日期 (YYYY-MM-DD).
Every bad row is reported; a file with a bad row imports nothing unless asked to import the
good rows. `replace` first removes the existing rows of the places the file mentions.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from chengguan.cases.catalogue import KIND_WORDS
from chengguan.cases.models import Category, Responsibility
from chengguan.core.services import ledger_append
from chengguan.org.models import Agency, Grid, Region

HEADERS = {
    "网格编码": "grid",
    "区划代码": "region",
    "大类代码": "major_code",
    "类型": "kind",
    "小类代码": "code",
    "处置单位代码": "agency",
    "优先级": "priority",
    "生效日期": "valid_from",
    "失效日期": "valid_to",
}


@dataclass
class MatrixReport:
    created: int = 0
    errors: list[str] = field(default_factory=list)
    applied: bool = False


def _date(text: str, label: str, problems: list[str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        problems.append(f"{label}“{text}”应为 YYYY-MM-DD")
        return None


def _row(row: dict[str, str], lookups: dict) -> tuple[Responsibility | None, list[str]]:
    problems: list[str] = []
    grid = region = category = None
    if row.get("grid"):
        grid = lookups["grids"].get(row["grid"])
        if grid is None:
            problems.append(f"没有网格“{row['grid']}”")
    elif row.get("region"):
        region = lookups["regions"].get(row["region"])
        if region is None:
            problems.append(f"没有区划“{row['region']}”")
    else:
        problems.append("须填写网格编码或区划代码")
    if row.get("code"):
        kind = KIND_WORDS.get(row.get("kind") or "事件")
        category = lookups["categories"].get((kind, row["code"]))
        if category is None:
            problems.append(f"没有小类“{row['code']}”")
    major = row.get("major_code", "")
    if major and major not in lookups["majors"]:
        problems.append(f"没有大类“{major}”")
    agency = lookups["agencies"].get(row.get("agency", ""))
    if agency is None:
        problems.append(f"没有处置单位“{row.get('agency', '')}”")
    try:
        priority = int(row.get("priority") or 100)
        if not 0 <= priority <= 32767:
            raise ValueError
    except ValueError:
        problems.append(f"优先级“{row.get('priority')}”应为 0–32767 的整数")
        priority = 100
    valid_from = _date(row.get("valid_from", ""), "生效日期", problems)
    valid_to = _date(row.get("valid_to", ""), "失效日期", problems)
    if valid_from and valid_to and valid_to < valid_from:
        problems.append("失效日期早于生效日期")
    if problems:
        return None, problems
    return Responsibility(
        grid=grid,
        region=region,
        category=category,
        major_code=category.major_code if category else major,
        agency=agency,
        priority=priority,
        valid_from=valid_from,
        valid_to=valid_to,
    ), []


@transaction.atomic
def responsibilities_import(
    *,
    rows: list[dict[str, str]],
    source_name: str,
    actor: Any = None,
    import_good_rows: bool = False,
    replace: bool = False,
) -> MatrixReport:
    lookups = {
        "grids": {g.code: g for g in Grid.objects.only("id", "code")},
        "regions": {r.code: r for r in Region.objects.only("id", "code")},
        "categories": {(c.kind, c.code): c for c in Category.objects.all()},
        "majors": set(Category.objects.values_list("major_code", flat=True)),
        "agencies": {a.code: a for a in Agency.objects.filter(active=True)},
    }
    report = MatrixReport()
    planned = []
    for number, raw in enumerate(rows, start=2):
        row = {HEADERS.get(k, k): v for k, v in raw.items()}
        responsibility, problems = _row(row, lookups)
        if problems:
            report.errors.append(f"第 {number} 行：" + "；".join(problems))
        else:
            planned.append(responsibility)
    if report.errors and not import_good_rows:
        return report
    if replace and planned:
        Responsibility.objects.filter(grid__in=[r.grid for r in planned if r.grid]).delete()
        Responsibility.objects.filter(region__in=[r.region for r in planned if r.region]).delete()
    Responsibility.objects.bulk_create(planned)
    report.created, report.applied = len(planned), True
    ledger_append(
        kind="responsibility.imported",
        subject_type="cases.responsibility",
        subject_id="",
        actor=actor,
        data={
            "source": source_name,
            "created": len(planned),
            "replace": replace,
            "rejected_rows": len(report.errors),
        },
    )
    return report
