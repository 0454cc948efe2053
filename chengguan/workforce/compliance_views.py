"""Staffing compliance pages (C3): the dashboard and its Excel export, for the personnel
officer and the leaders, each within their territory. The rules live in
`domain.staffing`; these views only count (through the selectors), translate and render."""

import math
from io import BytesIO
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import roles_of
from chengguan.core.errors import DomainError
from chengguan.web.api import error_message
from chengguan.web.views import forbidden
from chengguan.workforce import selectors, services
from chengguan.workforce.domain.staffing import Compliance, Finding, Level, Rule
from chengguan.workforce.forms import StaffingExceptionForm

ALLOWED_ROLES = frozenset({Role.PERSONNEL, Role.LEADER})
COLUMN_WIDTHS = (10, 18, 12, 12, 14, 12, 10, 10, 10, 10, 10, 80)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _forbidden(request):
    return forbidden(request, gettext("只有队伍管理员和领导可以查看队伍配备达标情况"))


def _finding_text(finding: Finding) -> str:
    message = gettext(finding.message)
    return message % finding.params if finding.params else message


def _row(c: Compliance) -> dict:
    """One unit as the table, the chart and the spreadsheet show it."""
    return {
        "code": c.counts.code,
        "name": c.counts.name,
        "population": c.counts.population,
        "officers": c.counts.officers,
        "per_10k": c.per_10k,
        "front_line": c.counts.front_line,
        "front_line_share": c.front_line_share,
        # truncated, so a share just under the minimum never shows as the minimum itself
        "front_line_pct": (
            math.floor(c.front_line_share * 1000) / 10 if c.front_line_share is not None else None
        ),
        "auxiliaries": c.counts.auxiliaries,
        "expiring": c.counts.expiring_certificates,
        "uncertified": c.counts.uncertified_officers,
        "failing": c.counts.failing_officers,
        "compliant": c.compliant,
        "findings": [
            {"level": f.level.value, "rule": f.rule.value, "text": _finding_text(f)}
            for f in c.findings
        ],
        "over_ceiling_noted": any(
            f.rule is Rule.CEILING and f.level is Level.NOTED for f in c.findings
        ),
    }


def _chart(rows: list[dict], report: selectors.StaffingReport) -> dict:
    t = report.thresholds
    return {
        "units": [r["name"] for r in rows],
        "per10k": [round(r["per_10k"], 2) if r["per_10k"] is not None else None for r in rows],
        "frontLineShare": [r["front_line_pct"] for r in rows],
        "noted": [r["over_ceiling_noted"] for r in rows],
        "floor": t.floor_per_10k,
        "ceiling": t.ceiling_per_10k,
        "frontLineMin": round(t.front_line_share_min * 100, 1),
        "labels": {
            "per10k": gettext("每万人执法人员"),
            "floor": gettext("下限"),
            "ceiling": gettext("上限"),
            "frontLine": gettext("一线执法人员占比（%）"),
            "frontLineMin": gettext("最低比例"),
        },
    }


@login_required
@require_GET
def compliance_page(request):
    if not ALLOWED_ROLES & roles_of(request.user):
        return _forbidden(request)
    on = timezone.localdate()
    report = selectors.staffing_for(user=request.user, on=on)
    rows = [_row(c) for c in report.units]
    return render(
        request,
        "workforce/compliance.html",
        {
            "report": report,
            "rows": rows,
            "city": _row(report.city) if report.city else None,
            "chart": _chart(rows, report),
            "floor_share": f"{report.thresholds.front_line_share_min:.0%}",
            "expiring": selectors.expiring_certificates(
                user=request.user, on=on, days=report.thresholds.warning_days
            ),
            "failing": selectors.failing_officers(user=request.user, year=on.year),
            "exception_form": (
                StaffingExceptionForm(units=units)
                if Role.PERSONNEL in roles_of(request.user)
                and (units := selectors.units_over_ceiling(report))
                else None
            ),
        },
    )


@login_required
@require_POST
def staffing_exception_view(request):
    """Record a reason to staff a unit above the ceiling (personnel only, own territory)."""
    if Role.PERSONNEL not in roles_of(request.user):
        return forbidden(request, gettext("只有队伍管理员可以登记超编配备理由"))
    report = selectors.staffing_for(user=request.user, on=timezone.localdate())
    form = StaffingExceptionForm(request.POST, units=selectors.units_over_ceiling(report))
    if form.is_valid():
        try:
            services.staffing_exception_record(**form.cleaned_data, actor=request.user)
        except DomainError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(request, gettext("已登记超编配备理由"))
    else:
        messages.error(request, gettext("请选择超过上限的县级单位并写明理由"))
    return redirect("workforce:compliance")


@login_required
@require_GET
def compliance_xlsx(request):
    """The dashboard's table as a workbook: the date and thresholds on top, a header row,
    one row per unit and the city total."""
    if not ALLOWED_ROLES & roles_of(request.user):
        return _forbidden(request)
    on = timezone.localdate()
    report = selectors.staffing_for(user=request.user, on=on)
    t = report.thresholds
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("配备达标情况")
    sheet.append([gettext("执法队伍配备达标情况"), on.isoformat()])
    sheet.append(
        [
            gettext("标准"),
            gettext("每万名常住人口执法人员 %(floor)s–%(ceiling)s 名（超过上限须登记理由）")
            % {"floor": f"{t.floor_per_10k:g}", "ceiling": f"{t.ceiling_per_10k:g}"},
            gettext("一线执法人员不低于在编执法人员的 %(share)s")
            % {"share": f"{t.front_line_share_min:.0%}"},
            gettext("协管员不超过在编执法人员"),
            gettext("执法证件 %(days)s 天内到期提示") % {"days": t.warning_days},
        ]
    )
    header = [
        gettext("区划代码"),
        gettext("单位"),
        gettext("常住人口"),
        gettext("在编执法人员"),
        gettext("每万人执法人员"),
        gettext("一线执法人员"),
        gettext("一线占比"),
        gettext("协管员"),
        gettext("证件将到期"),
        gettext("无有效证件"),
        gettext("考核不合格"),
        gettext("是否达标"),
        gettext("说明"),
    ]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    units = [_row(c) for c in report.units] + ([_row(report.city)] if report.city else [])
    for r in units:
        sheet.append(
            [
                r["code"],
                r["name"],
                r["population"],
                r["officers"],
                round(r["per_10k"], 2) if r["per_10k"] is not None else None,
                r["front_line"],
                round(r["front_line_share"], 4) if r["front_line_share"] is not None else None,
                r["auxiliaries"],
                r["expiring"],
                r["uncertified"],
                r["failing"],
                gettext("达标") if r["compliant"] else gettext("不达标"),
                "；".join(f["text"] for f in r["findings"]),
            ]
        )
        sheet.cell(row=sheet.max_row, column=7).number_format = "0.0%"
    sheet.freeze_panes = "C4"
    for column, width in zip("ABCDEFGHIJKL", COLUMN_WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    filename = gettext("执法队伍配备达标情况-%(date)s.xlsx") % {"date": on.isoformat()}
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    # RFC 6266/5987: an ASCII name for old clients, the Chinese name for the rest.
    response["Content-Disposition"] = (
        f'attachment; filename="staffing-compliance-{on.isoformat()}.xlsx"; '
        f"filename*=UTF-8''{quote(filename)}"
    )
    return response
