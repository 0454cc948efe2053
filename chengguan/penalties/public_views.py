"""Public publicity of penalty decisions (执法公示, Art. 48), no login: the list with its
filters, one decision, and the open data (JSON, CSV).

Edges only, like the public power list (`chengguan.powers.views`): input is read
leniently, `public_selectors` decides what is shown, and only `Publication.content` (the
copy redacted at decision time) reaches the page. A withdrawn decision answers 410 Gone
with the date and reason of the withdrawal, never its content. The open-data files are the
same for everybody, so shared caches may keep them for five minutes and revalidate with
ETag / Last-Modified (the latest publication or withdrawal).
"""

import csv
import io
import json
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import condition, require_GET, require_safe

from chengguan.penalties import public_selectors as selectors

OPEN_DATA_CACHE = "public, max-age=300"

# What each content key means: the detail page's labels and the open data's field list
# (always the Chinese text there, so one cached file serves everybody).
CONTENT_LABELS = {
    "decision_number": _("决定书文号"),
    "party": _("当事人"),
    "party_kind": _("当事人类型"),
    "power_code": _("事项编码"),
    "power": _("违法行为（处罚事项）"),
    "facts": _("违法事实"),
    "place": _("违法地点"),
    "basis": _("处罚依据"),
    "penalty": _("处罚内容"),
    "agency": _("处罚机关"),
    "decided_on": _("决定日期"),
}
OPEN_DATA_FIELDS = {
    "id": "公示标识（UUID，详情页地址 /public/penalties/<id>/）",
    "decision_number": "决定书文号",
    "party": "当事人（自然人仅显示姓氏）",
    "party_kind": "当事人类型",
    "power_code": "事项编码（见权责清单）",
    "power": "违法行为（处罚事项）",
    "facts": "违法事实（已删除身份证号码、电话号码）",
    "place": "违法地点",
    "basis": "处罚依据",
    "penalty": "处罚内容",
    "agency": "处罚机关",
    "decided_on": "决定日期（YYYY-MM-DD）",
    "region_code": "县级区划代码",
    "published_at": "公开时间（ISO 8601）",
}
CSV_FIELDS = (*selectors.CONTENT_KEYS, "region_code", "published_at", "id")
CSV_HEADERS = {
    "decision_number": "决定书文号",
    "party": "当事人",
    "party_kind": "当事人类型",
    "power_code": "事项编码",
    "power": "违法行为（处罚事项）",
    "facts": "违法事实",
    "place": "违法地点",
    "basis": "处罚依据",
    "penalty": "处罚内容",
    "agency": "处罚机关",
    "decided_on": "决定日期",
    "region_code": "县级区划代码",
    "published_at": "公开时间",
    "id": "公示标识",
}


# ---------------------------------------------------------------- pages


def _not_found(request, key: str):
    return render(request, "penalties/public/not_found.html", {"key": key}, status=404)


@require_GET
def publication_list(request):
    filters = selectors.Filters.from_query(request.GET)
    page = Paginator(selectors.publications_public(filters), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = urlencode(filters.query())
    return render(
        request,
        "penalties/public/list.html",
        {
            "filters": filters,
            "page": page,
            "page_query": query,
            "districts": selectors.districts(),
            "powers": selectors.published_powers(),
            "data_query": f"?{query}" if query else "",
        },
    )


@require_GET
def publication_detail(request, key: str):
    publication = selectors.publication_find(key)
    if publication is None:
        return _not_found(request, key)
    if publication.withdrawn_at is not None:
        return render(
            request,
            "penalties/public/withdrawn.html",
            {
                "decision_number": publication.decision_number,
                "withdrawn_at": publication.withdrawn_at,
                "reason": selectors.withdrawal_reason(publication),
            },
            status=410,
        )
    content = publication.content or {}
    return render(
        request,
        "penalties/public/detail.html",
        {
            "publication": publication,
            "content": content,
            "rows": [(key, label, content.get(key, "")) for key, label in CONTENT_LABELS.items()],
        },
    )


# ---------------------------------------------------------------- open data


def _last_modified(request):
    return selectors.open_data_version()[0]


def _etag(request):
    return selectors.open_data_version()[1]


def _cacheable(response):
    response["Cache-Control"] = OPEN_DATA_CACHE
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _open_data_page(request):
    """The filters and the requested page of at most 5,000 rows (None: no such page)."""
    filters = selectors.Filters.from_query(request.GET)
    paginator = Paginator(selectors.publications_public(filters), selectors.OPEN_DATA_PAGE_SIZE)
    try:
        return filters, paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        return filters, None


def _page_url(request, name: str, filters, number: int) -> str:
    query = urlencode({**filters.query(), "page": number})
    return request.build_absolute_uri(f"{reverse(name)}?{query}")


def _paged(response, request, name: str, filters, page):
    response["X-Total-Count"] = str(page.paginator.count)
    if page.has_next():
        next_url = _page_url(request, name, filters, page.next_page_number())
        response["Link"] = f'<{next_url}>; rel="next"'
    return _cacheable(response)


def _no_page(request):
    return JsonResponse(
        {"detail": gettext("没有这一页：page 应为 1 至总页数之间的整数")},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
@condition(etag_func=_etag, last_modified_func=_last_modified)
def publications_json(request):
    filters, page = _open_data_page(request)
    if page is None:
        return _no_page(request)
    name = "penalty_publicity:json"
    withdrawn = selectors.publications_withdrawn(filters)[: selectors.OPEN_DATA_PAGE_SIZE]
    with translation.override("zh-hans"):
        document = {
            "title": "郑州市城市管理行政处罚决定公示",
            "fields": OPEN_DATA_FIELDS,
            "filters": filters.query(),
            "page": page.number,
            "pages": page.paginator.num_pages,
            "page_size": selectors.OPEN_DATA_PAGE_SIZE,
            "total": page.paginator.count,
            "next": (
                _page_url(request, name, filters, page.next_page_number())
                if page.has_next()
                else None
            ),
            "decisions": [selectors.publication_record(p) for p in page.object_list],
            "withdrawn_fields": {
                "id": "公示标识",
                "decision_number": "已撤回的决定书文号（镜像网站应删除）",
                "withdrawn_at": "撤回时间（ISO 8601）",
            },
            "withdrawn": [
                {
                    "id": str(p.pk),
                    "decision_number": p.decision_number,
                    "withdrawn_at": timezone.localtime(p.withdrawn_at).isoformat(),
                }
                for p in withdrawn
            ],
        }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    return _paged(response, request, name, filters, page)


# A cell starting with one of these is a formula to a spreadsheet: quote it, so a party or
# fact typed as "=HYPERLINK(…)" stays text when the file is opened in Excel or WPS.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@require_safe
@condition(etag_func=_etag, last_modified_func=_last_modified)
def publications_csv(request):
    filters, page = _open_data_page(request)
    if page is None:
        return _no_page(request)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel in China opens UTF-8 correctly only with a BOM
    writer = csv.writer(buffer)
    writer.writerow([CSV_HEADERS[field] for field in CSV_FIELDS])
    for publication in page.object_list:
        record = selectors.publication_record(publication)
        writer.writerow([_cell(record[field]) for field in CSV_FIELDS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    suffix = f"-{page.number}" if page.paginator.num_pages > 1 else ""
    response["Content-Disposition"] = f'attachment; filename="penalties{suffix}.csv"'
    return _paged(response, request, "penalty_publicity:csv", filters, page)
