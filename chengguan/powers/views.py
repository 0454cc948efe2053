"""Public power list (C2), no login: browse and search the list, read one power's card, and
download the whole list as open data (JSON, CSV).

Edges only: input is read leniently (an unknown domain or unit simply matches nothing), the
selectors decide what is shown; an unknown code is a 404 that says so. The open-data files
are the same for everybody, so shared caches may keep them for an hour and revalidate with
ETag / Last-Modified.
"""

import csv
import io
import json

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import condition, require_GET

from chengguan.powers import opendata, selectors

OPEN_DATA_CACHE = "public, max-age=3600"


@require_GET
def power_list(request):
    q = request.GET.get("q", "").strip()[: selectors.QUERY_MAX]
    domain = request.GET.get("domain", "")
    unit = request.GET.get("unit", "")
    powers = selectors.powers_search(q=q, domain=domain)
    groups, unheld = selectors.powers_by_agency(powers=powers, unit_code=unit)
    return render(
        request,
        "powers/list.html",
        {
            "q": q,
            "domain": domain,
            "unit": unit,
            "domains": selectors.domains(),
            "territories": selectors.territories(),
            "groups": groups,
            "unheld": unheld,
            "found": powers.count(),
            "filtered": bool(q or domain or unit),
        },
    )


@require_GET
def power_detail(request, code: str):
    power = selectors.power_detail(code=code)
    if power is None:
        return render(request, "powers/not_found.html", {"code": code}, status=404)
    return render(
        request,
        "powers/detail.html",
        {
            "power": power,
            "benchmarks": list(power.benchmarks.all()),
            "territories": selectors.holders_by_territory(power=power),
        },
    )


def _last_modified(request):
    return selectors.open_data_version()[0]


def _etag(request):
    return selectors.open_data_version()[1]


def _cacheable(response):
    response["Cache-Control"] = OPEN_DATA_CACHE
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@condition(etag_func=_etag, last_modified_func=_last_modified)
def powers_json(request):
    document = opendata.powers_document(selectors.powers_for_open_data(), selectors.territories())
    return _cacheable(
        HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    )


@require_GET
@condition(etag_func=_etag, last_modified_func=_last_modified)
def powers_csv(request):
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel in China opens UTF-8 correctly only with a BOM
    csv.writer(buffer).writerows(
        opendata.powers_rows(selectors.powers_for_open_data(), selectors.territories())
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="powers.csv"'
    return _cacheable(response)
