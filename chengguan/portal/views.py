"""Public pages, no login: report a problem, follow it by its tracking code, rate the result
or say it is not fixed.

Edges only: forms check the input, services decide. Every POST that creates something runs
once per idempotency key (`core.idempotency.run_once`; a replay gets the first answer) and
counts against the rate limits per address and per phone (`core.ratelimit`) when it runs;
a replay is not counted again. Errors come back on the page the person was on, with what
they typed: DomainError → 400, Conflict → 409, a stale or reused form → 422, too many
requests → 429 with Retry-After; an unknown tracking code → 404 saying so. Never a 500.
"""

import hashlib
from uuid import uuid4

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chengguan.cases.services import MAX_PHOTOS, Contact
from chengguan.core.errors import DomainError, gettext_noop
from chengguan.core.idempotency import IdempotencyMismatch, request_fingerprint, run_once
from chengguan.core.ratelimit import RateLimited, limit_ip, limit_phone, limit_phone_index
from chengguan.org.selectors import locate
from chengguan.portal import selectors, services
from chengguan.portal.domain import COMMENT_MAX, REOPEN_REASON_MAX, STAR_LABELS
from chengguan.portal.forms import RatingForm, ReopenForm, ReportForm, TrackForm, megabytes
from chengguan.web.api import error_message

REUSED = gettext_noop("该表单已提交过，内容有变化。如需反映另一个问题，请在本页重新填写后提交。")


def _private(response):
    """Tracking pages are reached by a code: no shared cache keeps them, no engine lists them."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(response, error: DomainError):
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


@require_GET
def home(request):
    return render(request, "portal/home.html")


# ---------------------------------------------------------------- report


def _script_text() -> dict[str, str]:
    """The report page script's messages, translated here (the script has no gettext)."""
    return {
        "chosen": gettext("已选位置：%(place)s"),
        "locating": gettext("正在定位…"),
        "geo_error_1": gettext("没有获得定位权限，请在地图上点选位置。"),
        "geo_error_2": gettext("暂时无法获取位置，请在地图上点选位置。"),
        "geo_error_3": gettext("定位超时，请重试或在地图上点选位置。"),
        "too_many": gettext("最多 %(n)s 张照片，您选择了 %(m)s 张，请重新选择。"),
        "chosen_photos": gettext("已选择 %(n)s 张照片"),
        "submitting": gettext("正在提交…"),
    }


def _report_page(request, form: ReportForm, *, status: int = 200, error: str = ""):
    return render(
        request,
        "portal/report.html",
        {
            "form": form,
            "key": form["key"].value(),
            "errors": ([error] if error else []) + (form.messages() if form.is_bound else []),
            "groups": selectors.category_picker(),
            "chosen_category": str(form["category"].value() or ""),
            "outline": selectors.city_outline(),
            "tile_url": settings.CHENGGUAN["MAP_TILE_URL"],
            "tile_attribution": settings.CHENGGUAN["MAP_TILE_ATTRIBUTION"],
            "max_photos": MAX_PHOTOS,
            "max_mb": megabytes(settings.CHENGGUAN["UPLOAD_MAX_BYTES"]),
            "photos_lost": form.is_bound and bool(request.FILES),
            "js_text": _script_text(),
        },
        status=status,
    )


def _report_fingerprint(data: dict) -> str:
    return request_fingerprint(
        str(data["category"].pk),
        repr(data["lon"]),
        repr(data["lat"]),
        data["address"],
        data["description"],
        data["name"],
        data["phone"],
        *(hashlib.sha256(photo).hexdigest() for photo in data["photos"]),
    )


@require_http_methods(["GET", "POST"])
def report_page(request):
    if request.method == "GET":
        return _report_page(request, ReportForm(initial={"key": uuid4()}))
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _report_page(request, form, status=400)
    data = form.cleaned_data

    def create():
        limit_ip(request)
        if data["phone"]:
            limit_phone(data["phone"])
        reporter = services.report_submit(
            category=data["category"],
            lon=data["lon"],
            lat=data["lat"],
            description=data["description"],
            address=data["address"],
            contact=Contact(name=data["name"], phone=data["phone"]),
            photos=data["photos"],
        )
        return 201, {
            "number": reporter.case.number,
            "code": reporter.tracking_code,
            "contact": bool(data["phone"]),
        }

    try:
        status, body = run_once(
            scope="portal.report",
            key=str(data["key"]),
            fingerprint=_report_fingerprint(data),
            compute=create,
        )
    except IdempotencyMismatch:
        posted = request.POST.copy()
        posted["key"] = str(uuid4())
        return _report_page(request, ReportForm(posted), status=422, error=gettext(REUSED))
    except DomainError as error:
        response = _report_page(request, form, status=error.status_code, error=error_message(error))
        return _refused(response, error)
    return _private(render(request, "portal/reported.html", body, status=status))


@require_GET
def locate_point(request):
    """Where a pin is, for the report form: the district and street, or why it is refused.
    Reads the in-memory grid index only, so it is cheap enough to stay unlimited."""
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
        place = locate(lon, lat)
    except (KeyError, ValueError):
        return JsonResponse({"detail": gettext("位置坐标有误")}, status=400)
    except DomainError as error:
        return JsonResponse({"detail": error_message(error)}, status=error.status_code)
    return JsonResponse({"district": place.unit_name, "street": place.street_name})


# ---------------------------------------------------------------- tracking


def _not_found(request, code: str):
    form = TrackForm(initial={"code": code})
    return _private(
        render(request, "portal/not_found.html", {"code": code, "form": form}, status=404)
    )


@require_GET
def track_lookup(request):
    """The form to type a code; a typed code goes to its page, written as stored."""
    if "code" not in request.GET:
        return render(request, "portal/track_form.html", {"form": TrackForm()})
    form = TrackForm(request.GET)
    if not form.is_valid():
        return render(request, "portal/track_form.html", {"form": form}, status=400)
    return redirect("portal:track", code=form.cleaned_data["code"])


def _track_page(
    request,
    reporter,
    *,
    status: int = 200,
    rating_form: RatingForm | None = None,
    reopen_form: ReopenForm | None = None,
    error_at: str = "",
    error: str = "",
):
    tracking = selectors.tracking_for(reporter, now=timezone.now())
    rating_form = rating_form or RatingForm(initial={"key": uuid4()})
    reopen_form = reopen_form or ReopenForm(
        initial={"key": uuid4(), "version": tracking.case.version}
    )
    errors = {"rate": [], "reopen": []}
    for name, form in (("rate", rating_form), ("reopen", reopen_form)):
        if form.is_bound:
            errors[name] = form.messages()
    if error:
        errors[error_at].insert(0, error)
    return _private(
        render(
            request,
            "portal/track.html",
            {
                "t": tracking,
                "code": reporter.tracking_code,
                "rating_form": rating_form,
                "reopen_form": reopen_form,
                "errors": errors,
                "stars": [(n, gettext(label)) for n, label in STAR_LABELS.items()],
                "chosen_stars": str(rating_form["stars"].value() or ""),
                "rating_label": gettext(STAR_LABELS[tracking.rating.stars])
                if tracking.rating
                else "",
                "comment_max": COMMENT_MAX,
                "reason_max": REOPEN_REASON_MAX,
            },
            status=status,
        )
    )


@require_GET
def track_page(request, code: str):
    reporter = selectors.reporter_by_code(code)
    if reporter is None:
        return _not_found(request, code)
    if reporter.tracking_code != code:  # typed in lower case or with dashes
        return redirect("portal:track", code=reporter.tracking_code)
    return _track_page(request, reporter)


def _limit(request, reporter) -> None:
    limit_ip(request)
    if reporter.phone_index:
        limit_phone_index(reporter.phone_index)


def _reporter_post(
    request, code: str, *, step: str, form_name: str, form_class, act, fingerprint, done: str
):
    """A reporter's POST on the tracking page (rate, reopen): checked, rate-limited and
    idempotent by the form's key; errors re-render the page with the input kept."""
    reporter = selectors.reporter_by_code(code)
    if reporter is None:
        return _not_found(request, code)
    form = form_class(request.POST)
    if not form.is_valid():
        return _track_page(request, reporter, status=400, **{form_name: form})
    data = form.cleaned_data

    def create():
        _limit(request, reporter)
        return 201, act(reporter, data)

    try:
        run_once(
            scope=f"portal.{step}",
            key=str(data["key"]),
            fingerprint=request_fingerprint(reporter.tracking_code, *fingerprint(data)),
            compute=create,
        )
    except IdempotencyMismatch:
        return _track_page(request, reporter, status=422, error_at=step, error=gettext(REUSED))
    except DomainError as error:
        response = _track_page(
            request,
            reporter,
            status=error.status_code,
            error_at=step,
            error=error_message(error),
            **{form_name: form},
        )
        return _refused(response, error)
    messages.success(request, done)
    return redirect("portal:track", code=reporter.tracking_code)


@require_POST
def rate(request, code: str):
    def act(reporter, data):
        rating = services.rating_save(
            reporter=reporter, stars=data["stars"], comment=data["comment"]
        )
        return {"stars": rating.stars}

    return _reporter_post(
        request,
        code,
        step="rate",
        form_name="rating_form",
        form_class=RatingForm,
        act=act,
        fingerprint=lambda data: (str(data["stars"]), data["comment"]),
        done=gettext("感谢您的评价！"),
    )


@require_POST
def reopen(request, code: str):
    def act(reporter, data):
        case = services.reporter_reopen(
            reporter=reporter, reason=data["reason"], expected_version=data["version"]
        )
        return {"number": case.number}

    return _reporter_post(
        request,
        code,
        step="reopen",
        form_name="reopen_form",
        form_class=ReopenForm,
        act=act,
        fingerprint=lambda data: (str(data["version"]), data["reason"]),
        done=gettext("已收到您的申请，问题已重新交办处置单位"),
    )


@require_GET
def photo(request, code: str, photo_id: str):
    """One of the reporter's own report photos, the public copy (no EXIF); only through the
    code that reported it, never another case's photo."""
    reporter = selectors.reporter_by_code(code)
    found = selectors.reporter_photo(reporter, photo_id) if reporter else None
    try:
        stream = default_storage.open(found.public) if found else None
    except OSError:  # the file is gone from storage: as good as not there
        stream = None
    if stream is None:
        raise Http404
    response = FileResponse(stream, content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)
