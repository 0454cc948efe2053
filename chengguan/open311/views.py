"""GeoReport v2 endpoints, and mySociety's `servicerequestupdates` extension. Everything is
public except the POSTs (api_key)."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from chengguan.core.errors import DomainError
from chengguan.core.idempotency import request_fingerprint, run_once
from chengguan.open311 import services
from chengguan.open311.formats import error, render
from chengguan.web.api import error_message

MAX_REQUESTS = 1000
DEFAULT_DAYS = 90
# Updates: a client polls for the recent ones (FixMyStreet asks for the last two hours), so
# without dates the answer is the last day; a window longer than a month keeps its newest
# month, and a window with more than MAX_REQUESTS updates its newest ones.
DEFAULT_UPDATE_WINDOW = timedelta(hours=24)
MAX_UPDATE_WINDOW = timedelta(days=31)
UPDATES_SPECIFICATION = (
    "https://github.com/mysociety/fixmystreet/wiki/Open311-FMS---Proposed-differences-to-Open311"
)


def _wrong_jurisdiction(request, fmt):
    jurisdiction = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if jurisdiction and jurisdiction != services.JURISDICTION_ID:
        return error(fmt, 404, f"unknown jurisdiction_id: {jurisdiction}")
    return None


@require_GET
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/")
    body = {
        "changeset": "2026-11-27T00:00:00+08:00",
        "contact": "郑州市城市管理局数字城管中心",
        "key_service": "API keys are issued by the platform's system administrator.",
        # One entry per specification the base URL serves: GeoReport v2 first (clients take
        # the first), then mySociety's extension, whose servicerequestupdates lives there too.
        "endpoints": [
            {
                "specification": specification,
                "url": base,
                "changeset": "2026-11-27T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
            for specification in ("http://wiki.open311.org/GeoReport_v2", UPDATES_SPECIFICATION)
        ],
    }
    return render(fmt, "discovery", body)


@require_GET
def service_list(request, fmt):
    if wrong := _wrong_jurisdiction(request, fmt):
        return wrong
    return render(fmt, "services", services.services_list())


@require_GET
def service_definition(request, code, fmt):
    if wrong := _wrong_jurisdiction(request, fmt):
        return wrong
    category = services.category_for(code)
    if category is None:
        return error(fmt, 404, f"unknown service_code: {code}")
    body = {"service_code": services.service_code(category), "attributes": []}
    return render(fmt, "service_definition", body)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_(request, fmt):
    if wrong := _wrong_jurisdiction(request, fmt):
        return wrong
    if request.method == "POST":
        return _post(request, fmt)
    return _search(request, fmt)


def _fingerprint(request) -> str:
    items = sorted((k, v) for k in request.POST for v in request.POST.getlist(k))
    return request_fingerprint(*(f"{k}={v}" for k, v in items))


def _post(request, fmt):
    client = services.client_for_key(request.POST.get("api_key"))
    if client is None:
        return error(fmt, 403, "api_key missing or invalid")
    try:
        status, body = run_once(
            scope=f"open311:{client.pk}",
            key=request.headers.get("Idempotency-Key"),
            fingerprint=_fingerprint(request),
            compute=lambda: (201, services.request_post(client=client, data=request.POST)),
        )
    except DomainError as exc:
        return error(fmt, exc.status_code, error_message(exc))
    return render(fmt, "requests", body, status)


def _moment(text):
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None and (day := parse_date(text)):
        moment = datetime(day.year, day.month, day.day)
    if moment is None:
        raise ValueError(text)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _search(request, fmt):
    query = request.GET
    cases = services.cases_public()
    ids = [i.strip() for i in query.get("service_request_id", "").split(",") if i.strip()]
    if ids:  # overrides all other filters
        rows = cases.filter(number__in=ids[:MAX_REQUESTS])
    else:
        try:
            start, end = _moment(query.get("start_date")), _moment(query.get("end_date"))
        except ValueError as exc:
            return error(fmt, 400, f"invalid date (ISO 8601 expected): {exc}")
        if end is None:
            end = start + timedelta(days=DEFAULT_DAYS) if start else timezone.now()
        if start is None:
            start = end - timedelta(days=DEFAULT_DAYS)
        if start > end:
            return error(fmt, 400, "start_date is after end_date")
        rows = cases.filter(reported_at__gte=start, reported_at__lte=end)
        codes = [c.strip() for c in query.get("service_code", "").split(",") if c.strip()]
        if codes:
            wanted = Q(pk__in=[])
            for code in codes:
                category = services.category_for(code)
                if category is not None:
                    wanted |= Q(category=category)
            rows = rows.filter(wanted)
        statuses = {s.strip() for s in query.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            return error(fmt, 400, "status must be open or closed")
        if statuses == {"open"}:
            rows = rows.exclude(status__in=services.CLOSED)
        elif statuses == {"closed"}:
            rows = rows.filter(status__in=services.CLOSED)
    rows = rows.order_by("-reported_at")[:MAX_REQUESTS]
    return render(fmt, "requests", [services.request_dict(c) for c in rows])


@csrf_exempt
@require_http_methods(["GET", "POST"])
def request_updates(request, fmt):
    """mySociety's extension: GET lists the public updates, POST passes on a follow-up."""
    if wrong := _wrong_jurisdiction(request, fmt):
        return wrong
    if request.method == "POST":
        return _post_update(request, fmt)
    return _updates(request, fmt)


def _post_update(request, fmt):
    """The client's `update_id` names the update for good (FixMyStreet sends its comment's
    id on every retry), so it is the idempotency key when given; else the Idempotency-Key
    header. Each has its own scope, so neither can replay the other's answer."""
    client = services.client_for_key(request.POST.get("api_key"))
    if client is None:
        return error(fmt, 403, "api_key missing or invalid")
    update_id = request.POST.get("update_id", "").strip()
    if update_id:
        scope, key = f"open311:{client.pk}:update_id", update_id
    else:
        scope, key = f"open311:{client.pk}:updates", request.headers.get("Idempotency-Key")
    try:
        status, body = run_once(
            scope=scope,
            key=key,
            fingerprint=_fingerprint(request),
            compute=lambda: (201, services.update_post(client=client, data=request.POST)),
        )
    except DomainError as exc:
        return error(fmt, exc.status_code, error_message(exc))
    return render(fmt, "updates", body, status)


def _updates(request, fmt):
    """Updates between start_date and end_date (both optional in the extension). Requests
    named by service_request_id without dates give their whole history, as a client that
    asks for one request wants it."""
    query = request.GET
    ids = [i.strip() for i in query.get("service_request_id", "").split(",") if i.strip()]
    try:
        start, end = _moment(query.get("start_date")), _moment(query.get("end_date"))
    except ValueError as exc:
        return error(fmt, 400, f"invalid date (ISO 8601 expected): {exc}")
    if start or end or not ids:
        end = end or timezone.now()
        start = start or end - DEFAULT_UPDATE_WINDOW
        if start > end:
            return error(fmt, 400, "start_date is after end_date")
        start = max(start, end - MAX_UPDATE_WINDOW)
    rows = services.updates_public(
        start=start, end=end, numbers=ids[:MAX_REQUESTS], limit=MAX_REQUESTS
    )
    return render(fmt, "updates", rows)


@require_GET
def request_detail(request, number, fmt):
    if wrong := _wrong_jurisdiction(request, fmt):
        return wrong
    case = services.cases_public().filter(number=number).first()
    if case is None:
        return error(fmt, 404, f"unknown service_request_id: {number}")
    return render(fmt, "requests", [services.request_dict(case)])


@require_GET
def token(request, token, fmt):
    # Requests are numbered at once (the POST answers service_request_id): no tokens.
    return error(fmt, 404, "tokens are not used: POST requests answers service_request_id")
