"""The command dashboard (指挥大屏): the wall page, its JSON (fetched every minute to update
the charts in place) and its tables as a workbook. For leaders, shift leaders, dispatchers
and system administrators, each within their territory; the numbers come from
`kpi.dashboard`, which reads the roll-ups."""

from io import BytesIO
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from chengguan.kpi.dashboard import REFRESH_SECONDS, dashboard_allowed, dashboard_data
from chengguan.web.views import forbidden

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIN_REFRESH_SECONDS = 2


def _forbidden(request):
    return forbidden(request, gettext("只有领导、值班长、派遣员和系统管理员可以查看指挥大屏"))


def _refresh_seconds(request) -> int:
    """The auto-refresh interval: 60 s, or `?refresh=N` (at least 2 s) for a wall that
    wants it faster, or a test."""
    try:
        seconds = int(request.GET.get("refresh", REFRESH_SECONDS))
    except ValueError:
        return REFRESH_SECONDS
    return max(seconds, MIN_REFRESH_SECONDS)


def _labels() -> dict[str, str]:
    """The words the script puts on the charts and tables."""
    return {
        "cases": gettext("案卷数"),
        "open": gettext("未结（未超时）"),
        "overdue": gettext("超时"),
        "closed": gettext("结案"),
        "onTime": gettext("按期结案"),
        "rate": gettext("按期结案率（%）"),
        "reported": gettext("上报"),
        "compliant": gettext("达标"),
        "failing": gettext("不达标"),
        "city": gettext("全市"),
        "staffingSummary": gettext("达标 %(passing)s 个，不达标 %(failing)s 个"),
        "noOverdue": gettext("没有超时的未结案卷。"),
        "noUnits": gettext("辖区内没有县级单位的配备数据。"),
        "heatNone": gettext("近 7 天没有案卷。"),
        "heatUnavailable": gettext("热力图按县级单位汇总，您的辖区无法单独显示。"),
        "openUnavailable": gettext("未结案卷按区域汇总，您所在单位无法单独显示。"),
        "refreshFailed": gettext("刷新失败，稍后重试"),
    }


@login_required
@require_GET
def dashboard_page(request):
    if not dashboard_allowed(request.user):
        return _forbidden(request)
    return render(
        request,
        "kpi/dashboard.html",
        {
            "data": dashboard_data(request.user),
            "refresh": _refresh_seconds(request),
            "labels": _labels(),
            "tile_url": settings.CHENGGUAN["MAP_TILE_URL"],
            "tile_attribution": settings.CHENGGUAN["MAP_TILE_ATTRIBUTION"],
        },
    )


@login_required
@require_GET
@never_cache
def dashboard_json(request):
    if not dashboard_allowed(request.user):
        return JsonResponse({"detail": gettext("没有权限查看指挥大屏")}, status=403)
    return JsonResponse(dashboard_data(request.user), json_dumps_params={"ensure_ascii": False})


def _header(sheet, *titles: str) -> None:
    sheet.append(list(titles))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _sheet(book: Workbook, title: str, widths: tuple[int, ...]):
    sheet = book.create_sheet(title)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    return sheet


def dashboard_workbook(data: dict) -> Workbook:
    """The dashboard's tables, one sheet each: intake by channel and by category, open and
    overdue per district, the on-time trend, the most overdue cases."""
    book = Workbook()
    book.remove(book.active)
    stamp = [gettext("辖区"), data["territory"], gettext("生成时间"), data["generated_at"][:16]]
    intake = data["intake"]

    sheet = _sheet(book, gettext("今日受理-来源"), (16, 12))
    sheet.append(stamp)
    _header(sheet, gettext("来源"), gettext("案卷数"))
    for row in intake["by_channel"]:
        sheet.append([row["label"], row["count"]])
    sheet.append([gettext("合计"), intake["totals"]["reported"]])

    sheet = _sheet(book, gettext("今日受理-类别"), (10, 10, 28, 12))
    sheet.append(stamp)
    _header(sheet, gettext("类型"), gettext("小类代码"), gettext("小类"), gettext("案卷数"))
    kinds = {"matter": gettext("事件"), "component": gettext("部件")}
    for row in intake["by_category"]:
        sheet.append([kinds.get(row["kind"], ""), row["code"], row["name"], row["count"]])

    sheet = _sheet(book, gettext("各区未结与超时"), (12, 20, 12, 12))
    sheet.append(stamp)
    _header(
        sheet,
        gettext("区划代码"),
        gettext("县（市、区）"),
        gettext("未结案卷"),
        gettext("超时案卷"),
    )
    for row in data["open"]["districts"]:
        sheet.append([row["code"], row["name"], row["open"], row["overdue"]])
    sheet.append(["", gettext("合计"), data["open"]["open"], data["open"]["overdue"]])

    sheet = _sheet(book, gettext("按期结案趋势"), (12, 10, 10, 12, 12))
    sheet.append(stamp)
    _header(
        sheet,
        gettext("日期"),
        gettext("上报"),
        gettext("结案"),
        gettext("按期结案"),
        gettext("按期结案率"),
    )
    for row in data["trend"]:
        sheet.append(
            [
                row["day"],
                row["reported"],
                row["closed"],
                row["on_time"],
                row["rate"] / 100 if row["rate"] is not None else None,
            ]
        )
        sheet.cell(row=sheet.max_row, column=5).number_format = "0.0%"

    sheet = _sheet(book, gettext("超时最久的案卷"), (26, 20, 14, 12, 18, 18))
    sheet.append(stamp)
    _header(
        sheet,
        gettext("案卷号"),
        gettext("类别"),
        gettext("县（市、区）"),
        gettext("时限"),
        gettext("到期时间"),
        gettext("超时"),
    )
    for row in data["overdue_cases"]:
        sheet.append(
            [
                row["number"],
                row["category"],
                row["district"],
                row["clock"],
                row["due_at"][:16].replace("T", " "),
                row["overdue_text"],
            ]
        )
    return book


@login_required
@require_GET
def dashboard_xlsx(request):
    if not dashboard_allowed(request.user):
        return _forbidden(request)
    out = BytesIO()
    dashboard_workbook(dashboard_data(request.user)).save(out)
    on = timezone.localdate().isoformat()
    filename = gettext("指挥大屏统计-%(date)s.xlsx") % {"date": on}
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"dashboard-{on}.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
