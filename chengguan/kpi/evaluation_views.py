"""The evaluation pages (C8): rankings per period and object kind, the cases behind every
number, satisfaction per agency (with the import of survey and third-party scores), and
the Excel export of each table. For the leaders, shift leaders, dispatchers and the system
and audit administrators; a district user sees the objects of their district."""

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import roles_of
from chengguan.cases.selectors import cases_visible
from chengguan.core.errors import DomainError
from chengguan.kpi import evaluation_selectors as sel
from chengguan.kpi.domain.indicators import BY_KIND, OBJECT_LABELS, Indicator, ObjectKind, Scoring
from chengguan.kpi.evaluation import grade_bands, weights_for
from chengguan.kpi.models import IndicatorValue
from chengguan.kpi.satisfaction import METHOD, method_params, satisfaction_import
from chengguan.web.api import error_message
from chengguan.web.views import forbidden

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 25
UPLOAD_MAX_BYTES = 5_000_000

# The tabs: areas split by level, then the departments and the posts.
TABS = (
    ("county", _("区域（县区）")),
    ("street", _("区域（街道）")),
    ("department", _(OBJECT_LABELS[ObjectKind.DEPARTMENT])),
    ("inspector", _(OBJECT_LABELS[ObjectKind.INSPECTOR])),
    ("operator", _(OBJECT_LABELS[ObjectKind.OPERATOR])),
    ("shift_leader", _(OBJECT_LABELS[ObjectKind.SHIFT_LEADER])),
    ("dispatcher", _(OBJECT_LABELS[ObjectKind.DISPATCHER])),
)
TAB_KEYS = dict(TABS)
GRADE_COLOURS = {"A": "15803D", "B": "65A30D", "C": "CA8A04", "D": "EA580C", "E": "B91C1C"}
PART_LABELS = {"numerator": _("分子"), "denominator": _("分母")}


class SatisfactionImportForm(forms.Form):
    file = forms.FileField(label=_("满意度数据（.xlsx 或 .csv）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("文件过大（不超过 5 MB）"))
        return upload


def _forbidden(request):
    return forbidden(request, gettext("只有领导、值班长、派遣员和系统、审计管理员可以查看考核评价"))


def _kind_of(tab: str) -> ObjectKind:
    return ObjectKind.AREA if tab in sel.AREA_LEVELS else ObjectKind(tab)


@dataclass(frozen=True)
class Choice:
    period: str
    start: date
    tab: str

    @property
    def kind(self) -> ObjectKind:
        return _kind_of(self.tab)

    @property
    def label(self) -> str:
        return sel.period_label(self.period, self.start)

    def query(self, **extra) -> str:
        return urlencode(
            {"period": self.period, "start": self.start.isoformat(), "kind": self.tab, **extra}
        )


def _choice(request) -> Choice:
    """The period and tab asked for; anything unreadable falls back to the current month
    and the counties."""
    period = request.GET.get("period", sel.MONTH)
    if period not in (sel.MONTH, sel.QUARTER):
        period = sel.MONTH
    tab = request.GET.get("kind", "county")
    if tab == ObjectKind.AREA.value:
        tab = "county"
    if tab not in TAB_KEYS:
        tab = "county"
    start = sel.period_start_of(period, timezone.localdate())
    text = request.GET.get("start", "")
    if text:
        try:
            asked = date.fromisoformat(text)
            sel.period_end(period, asked)
            start = asked
        except (ValueError, DomainError):
            pass
    return Choice(period, start, tab)


def _period_options(choice: Choice) -> list[dict]:
    starts = set(sel.periods_computed(choice.period)) | {
        choice.start,
        sel.period_start_of(choice.period, timezone.localdate()),
    }
    return [
        {
            "start": s.isoformat(),
            "label": sel.period_label(choice.period, s),
            "selected": s == choice.start,
        }
        for s in sorted(starts, reverse=True)
    ]


def _drill_url(choice: Choice, key: str, code: str, part: str) -> str:
    return (
        reverse("evaluation:drill")
        + "?"
        + urlencode(
            {
                "period": choice.period,
                "start": choice.start.isoformat(),
                "kind": choice.kind.value,
                "key": key,
                "indicator": code,
                "part": part,
            }
        )
    )


def _cell(choice: Choice, key: str, item: Indicator, value) -> dict:
    cell = {"item": item, "value": value, "applicable": item.applicable}
    if value is None or not item.applicable:
        return cell
    cell["numerator_url"] = _drill_url(choice, key, item.code, "numerator")
    if item.scoring is not Scoring.BANDS:
        cell["denominator_url"] = _drill_url(choice, key, item.code, "denominator")
    return cell


def _table(request, choice: Choice) -> tuple[list[Indicator], list[dict]]:
    items = list(BY_KIND[choice.kind])
    evaluations = sel.evaluations_for(
        request.user, period=choice.period, start=choice.start, tab=choice.tab
    )
    values = sel.indicator_values_for(
        request.user, period=choice.period, start=choice.start, tab=choice.tab
    )
    rows = []
    for evaluation in evaluations:
        mine = values.get(evaluation.object_key, {})
        rows.append(
            {
                "evaluation": evaluation,
                "cells": [_cell(choice, evaluation.object_key, i, mine.get(i.code)) for i in items],
            }
        )
    return items, rows


def _bands_text() -> str:
    bands = grade_bands()
    parts = [f"{letter} ≥ {floor:g}" for letter, floor in bands]
    lowest = chr(ord(bands[-1][0]) + 1) if len(bands[-1][0]) == 1 else "E"
    return "，".join(parts) + gettext("，其余为 %(grade)s") % {"grade": lowest}


def _weights(kind: ObjectKind) -> list[dict]:
    weights = weights_for(kind)
    return [
        {
            "item": item,
            "name": item.name,
            "weight": weights.get(item.code),
            "definition": gettext(item.definition),
        }
        for item in BY_KIND[kind]
    ]


@login_required
@require_GET
def rankings_page(request):
    if not sel.evaluation_allowed(request.user):
        return _forbidden(request)
    choice = _choice(request)
    items, rows = _table(request, choice)
    computed_at = next((r["evaluation"].computed_at for r in rows), None)
    tabs = [
        {"key": key, "label": label, "url": "?" + Choice(choice.period, choice.start, key).query()}
        for key, label in TABS
    ]
    return render(
        request,
        "kpi/rankings.html",
        {
            "choice": choice,
            "tabs": tabs,
            "tab_label": TAB_KEYS[choice.tab],
            "periods": _period_options(choice),
            "items": items,
            "rows": rows,
            "computed_at": computed_at,
            "bands": _bands_text(),
            "weights": _weights(choice.kind),
            "export_url": reverse("evaluation:export") + "?" + choice.query(),
            "is_area": choice.kind is ObjectKind.AREA,
        },
    )


@login_required
@require_GET
def drill_page(request):
    """The cases behind one number of the rankings."""
    if not sel.evaluation_allowed(request.user):
        return _forbidden(request)
    period = request.GET.get("period", "")
    kind = request.GET.get("kind", "")
    key = request.GET.get("key", "")
    code = request.GET.get("indicator", "")
    part = request.GET.get("part", "")
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
        sel.period_end(period, start)
        object_kind = _kind_of(kind)
    except (ValueError, DomainError):
        raise Http404 from None
    item = sel.indicator_by_code(object_kind, code)
    if item is None or part not in PART_LABELS:
        raise Http404
    if not sel.object_visible(request.user, period=period, start=start, kind=kind, key=key):
        raise Http404
    stored = (
        IndicatorValue.objects.filter(
            period=period,
            period_start=start,
            object_kind=object_kind.value,
            object_key=key,
            indicator=code,
        )
        .only("object_name", "numerator", "denominator", "value", "score")
        .first()
    )
    cases = sel.indicator_cases(
        period=period, start=start, kind=kind, key=key, indicator=code, part=part
    )
    cases = (
        cases.filter(pk__in=cases_visible(request.user).values("pk"))
        .select_related("category")
        .order_by("reported_at", "number", "event_at")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    tab = kind
    if object_kind is ObjectKind.AREA:
        tab = "street" if len(key) == sel.AREA_LEVELS["street"] else "county"
    back = reverse("evaluation:rankings") + "?" + Choice(period, start, tab).query()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "kpi/eval_drill.html",
        {
            "item": item,
            "definition": gettext(item.definition),
            "part": part,
            "part_label": PART_LABELS[part],
            "stored": stored,
            "period_label": sel.period_label(period, start),
            "page": page,
            "back": back,
            "query": query.urlencode(),
            "bands_count": item.scoring is Scoring.BANDS,
            # acts (dispatches, checks …) rather than cases: each row has the act's time
            "acts": any(getattr(c, "event_at", None) for c in page.object_list),
        },
    )


def _xlsx_response(book: Workbook, ascii_name: str, name: str) -> HttpResponse:
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


def _bold_last_row(sheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _number(value):
    return float(value) if value is not None else None


@login_required
@require_GET
def rankings_xlsx(request):
    """The table of one tab as a workbook: per indicator its numerator, denominator, value
    and score."""
    if not sel.evaluation_allowed(request.user):
        return _forbidden(request)
    choice = _choice(request)
    items, rows = _table(request, choice)
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("考核排名")
    sheet.append([gettext("综合评价排名"), str(TAB_KEYS[choice.tab]), choice.label])
    sheet.append([gettext("等级"), _bands_text()])
    header = [
        gettext("排名"),
        gettext("代码"),
        gettext("名称"),
        gettext("等级"),
        gettext("综合得分"),
    ]
    for item in items:
        name = gettext(item.name)
        header += [
            f"{name} {gettext('分子')}",
            f"{name} {gettext('分母')}",
            f"{name} {gettext('值')}",
            f"{name} {gettext('得分')}",
        ]
    sheet.append(header)
    _bold_last_row(sheet)
    for row in rows:
        e = row["evaluation"]
        line = [e.rank, e.object_key, e.object_name, e.grade, _number(e.composite)]
        for cell in row["cells"]:
            v = cell["value"]
            if v is None:
                line += [None, None, None, None]
            else:
                line += [v.numerator, v.denominator, _number(v.value), _number(v.score)]
        sheet.append(line)
        if e.grade in GRADE_COLOURS:
            sheet.cell(row=sheet.max_row, column=4).fill = PatternFill(
                "solid", fgColor=GRADE_COLOURS[e.grade]
            )
            sheet.cell(row=sheet.max_row, column=4).font = Font(color="FFFFFF", bold=True)
    sheet.freeze_panes = "D4"
    sheet.column_dimensions["C"].width = 24
    sheet.column_dimensions["B"].width = 14
    name = gettext("考核排名-%(tab)s-%(period)s.xlsx") % {
        "tab": TAB_KEYS[choice.tab],
        "period": choice.label,
    }
    return _xlsx_response(book, f"evaluation-{choice.tab}-{choice.label}.xlsx", name)


# ---------------------------------------------------------------- satisfaction


def _satisfaction_context(request, choice: Choice, **extra) -> dict:
    starts = set(sel.satisfaction_periods(choice.period)) | {
        choice.start,
        sel.period_start_of(choice.period, timezone.localdate()),
    }
    return {
        "choice": choice,
        "periods": [
            {
                "start": s.isoformat(),
                "label": sel.period_label(choice.period, s),
                "selected": s == choice.start,
            }
            for s in sorted(starts, reverse=True)
        ],
        "rows": sel.satisfaction_for(request.user, period=choice.period, start=choice.start),
        "method": gettext(METHOD) % method_params(),
        "can_import": Role.SYSTEM_ADMIN in roles_of(request.user),
        "form": SatisfactionImportForm(),
        "export_url": reverse("evaluation:satisfaction_export")
        + "?"
        + urlencode({"period": choice.period, "start": choice.start.isoformat()}),
        **extra,
    }


@login_required
@require_GET
def satisfaction_page(request):
    if not sel.evaluation_allowed(request.user):
        return _forbidden(request)
    choice = _choice(request)
    return render(request, "kpi/eval_satisfaction.html", _satisfaction_context(request, choice))


@login_required
@require_POST
def satisfaction_import_view(request):
    """Upload survey and third-party scores (system administrator): a report of the bad
    rows, or the scores imported and the satisfaction rescored."""
    if Role.SYSTEM_ADMIN not in roles_of(request.user):
        return forbidden(request, gettext("只有系统管理员可以导入满意度数据"))
    choice = _choice(request)
    form = SatisfactionImportForm(request.POST, request.FILES)
    if not form.is_valid():
        context = _satisfaction_context(
            request, choice, form=form, error=gettext("请选择要导入的文件")
        )
        return render(request, "kpi/eval_satisfaction.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        report = satisfaction_import(
            filename=upload.name, content=upload.read(), actor=request.user
        )
    except DomainError as error:
        context = _satisfaction_context(request, choice, error=error_message(error))
        return render(request, "kpi/eval_satisfaction.html", context, status=400)
    if not report.applied:
        context = _satisfaction_context(request, choice, report=report, filename=upload.name)
        return render(request, "kpi/eval_satisfaction.html", context, status=400)
    messages.success(
        request,
        gettext("已导入 %(n)s 条满意度数据（替换 %(replaced)s 条），涉及月份：%(months)s")
        % {"n": report.imported, "replaced": report.replaced, "months": "、".join(report.months)},
    )
    return redirect(reverse("evaluation:satisfaction") + "?" + choice.query())


@login_required
@require_GET
def satisfaction_xlsx(request):
    if not sel.evaluation_allowed(request.user):
        return _forbidden(request)
    choice = _choice(request)
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("满意度")
    sheet.append([gettext("满意度评价"), choice.label])
    sheet.append([gettext("方法"), gettext(METHOD) % method_params()])
    sheet.append(
        [
            gettext("机构代码"),
            gettext("单位"),
            gettext("评价数"),
            gettext("群众评价得分"),
            gettext("满意度调查"),
            gettext("第三方测评"),
            gettext("综合满意度"),
        ]
    )
    _bold_last_row(sheet)
    for s in sel.satisfaction_for(request.user, period=choice.period, start=choice.start):
        sheet.append(
            [
                s.agency.code,
                s.agency.name,
                s.ratings_count,
                _number(s.ratings),
                _number(s.survey),
                _number(s.third_party),
                _number(s.combined),
            ]
        )
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 30
    name = gettext("满意度-%(period)s.xlsx") % {"period": choice.label}
    return _xlsx_response(book, f"satisfaction-{choice.label}.xlsx", name)
