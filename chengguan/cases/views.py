"""The case console (server-rendered, htmx where it helps): my work, the case page with its
actions, the report form, notices.

Edges only: parse input, call one selector or service, map errors to answers: a DomainError
→ 400 with its message in the page, Conflict → 409, Forbidden → 403, a case the user may
not see → 404 (never saying whether it exists elsewhere).
"""

import json
import math
import uuid
from urllib.parse import urlencode

import shapely
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import roles_of, scope_of
from chengguan.cases import selectors
from chengguan.cases.domain.channels import INSPECTOR
from chengguan.cases.domain.workflow import (
    ACTION_LABELS,
    FIELD_LABELS,
    LEVEL_LABELS,
    TRANSITIONS,
    Action,
    Level,
)
from chengguan.cases.forms import ActionForm, QueueFilterForm, ReportForm, is_uuid
from chengguan.cases.models import Case, CasePhoto, Category
from chengguan.cases.services import (
    PHOTO_KINDS,
    Contact,
    case_act,
    case_report,
    case_reporter_join,
    reporter_display,
    reporter_phone_reveal,
)
from chengguan.core.errors import Conflict, DomainError, Forbidden, NotFound, gettext_noop
from chengguan.core.idempotency import request_fingerprint, run_once
from chengguan.core.personal import text_mask
from chengguan.web.api import error_message
from chengguan.web.views import forbidden

# Actions that undo, refuse or end a case: shown apart, with a warning colour.
NEGATIVE_ACTIONS = {
    Action.VOID,
    Action.REJECT,
    Action.RETURN,
    Action.CHECK_FAIL,
    Action.MERGE,
    Action.REFER_POLICE,
}
# Dispatching may always carry a reason (it must when overriding the suggestion).
OPTIONAL_REASON = {Action.DISPATCH, Action.APPROVE_EXTENSION}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _forbidden(request, message: str):
    return forbidden(
        request, message, back_url=reverse("cases:work"), back_label=gettext("返回我的工作")
    )


def _require_console(request):
    if not selectors.console_allowed(request.user):
        return _forbidden(request, gettext("您的岗位没有案卷工作"))
    return None


# ---------------------------------------------------------------- my work


@login_required
@require_GET
def work_page(request):
    refused = _require_console(request)
    if refused:
        return refused
    user, now = request.user, timezone.now()
    queues = selectors.queues_of(user)
    form = QueueFilterForm(request.GET)
    keys = [q.key for q in queues]
    tab = form.value("tab") or keys[0]
    if tab not in keys:
        raise Http404
    filters = selectors.QueueFilters(
        region=form.value("region", ""),
        category=form.value("category", ""),
        status=form.value("status", ""),
        overdue=bool(form.value("overdue", False)),
        near=form.near,
    )
    cases = selectors.queue_cases(user, tab, filters, now=now)
    page = Paginator(cases, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.with_clocks(page.object_list, now=now)
    counts = selectors.queue_counts(user, now=now)
    kept = {k: v for k, v in request.GET.items() if k not in ("page", "tab") and v}
    return render(
        request,
        "cases/work.html",
        {
            "tabs": [
                {
                    "key": q.key,
                    "label": gettext(q.label),
                    "count": counts.get(q.key),
                    "url": "?" + urlencode({**kept, "tab": q.key}),
                }
                for q in queues
            ],
            "tab": tab,
            "tab_hint": gettext(selectors.QUEUE_BY_KEY[tab].hint),
            "rows": rows,
            "page": page,
            "page_query": urlencode({**kept, "tab": tab}),
            "form": form,
            "filters": filters,
            "near_lon": f"{filters.near[0]:.6f}" if filters.near else "",
            "near_lat": f"{filters.near[1]:.6f}" if filters.near else "",
            "regions": selectors.filter_regions(user).only("code", "name", "kind"),
            "categories": Category.objects.filter(active=True).order_by("kind", "code"),
            "can_report": bool(selectors.report_channels(user)),
            "triage_label": gettext(selectors.TRIAGE_LABEL),
        },
    )


# ---------------------------------------------------------------- the case page


def _load_case(user, number: str) -> Case:
    case = selectors.case_for(user, number)
    if case is None:
        raise Http404
    return case


def _action_forms(request, case: Case, *, posted=None, error_action="", error="") -> list[dict]:
    """The forms of the actions this user may take now, with the fields each requires."""
    actions = selectors.actions_for(case, request.user)
    agencies = None
    forms = []
    for action in actions:
        requires = TRANSITIONS[action].requires
        values = posted if posted is not None and action == error_action else {}
        fields = {name: True for name in requires}
        if action in OPTIONAL_REASON:
            fields.setdefault("reason", False)
        agency_options = []
        if "agency" in fields or "helpers" in fields:
            if agencies is None:
                agencies = list(selectors.dispatch_agencies(case))
            chosen = str(values.get("agency") or case.suggested_agency_id or "")
            if action is Action.REASSIGN and not values.get("agency"):
                chosen = ""
            agency_options = [
                {
                    "id": str(a.pk),
                    "name": a.name,
                    "selected": str(a.pk) == chosen,
                    "suggested": a.pk == case.suggested_agency_id,
                    "current": a.pk == case.agency_id,
                }
                for a in agencies
            ]
        duplicates = []
        if "target" in fields:
            duplicates = [
                {"number": c.number, "distance_m": c.distance_m, "reported_at": c.reported_at}
                for c in selectors.duplicate_candidates(request.user, case)
            ]
            if not values.get("target") and duplicates:
                values = {**values, "target": duplicates[0]["number"]}
        forms.append(
            {
                "action": action.value,
                "label": gettext(ACTION_LABELS[action]),
                "url": reverse("cases:act", args=[case.number, action.value]),
                "fields": {
                    name: {
                        "required": required,
                        "label": gettext(FIELD_LABELS[name]),
                        "value": values.get(name, ""),
                    }
                    for name, required in fields.items()
                },
                "agencies": agency_options,
                "duplicates": duplicates,
                "photos": action in PHOTO_KINDS,
                "negative": action in NEGATIVE_ACTIONS,
                "error": error if action == error_action else "",
            }
        )
    return forms


def _grid_geojson(case: Case) -> dict | None:
    geometry = case.grid.geometry if case.grid_id else None
    if geometry is None:
        return None
    return {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(geometry)),
        "properties": {"code": case.grid.code},
    }


def _case_context(request, case: Case, **action_state) -> dict:
    now = timezone.now()
    forms = _action_forms(request, case, **action_state)
    error = action_state.get("error", "")
    return {
        "case": case,
        "level_label": gettext(LEVEL_LABELS[Level(case.level)]),
        "clocks": selectors.case_countdowns(case, now=now),
        "timeline": selectors.case_timeline(case),
        "action_forms": forms,
        "photos": [
            {
                "url": reverse("cases:photo", args=[case.number, p.pk]),
                "kind": p.get_kind_display(),
                "at": p.uploaded_at,
            }
            for p in case.photos.all()
        ],
        "reporters": [
            {"id": r.pk, **reporter_display(r)} for r in case.reporters.order_by("created_at")
        ],
        "can_reveal": request.user.has_perm("cases.unmask_phone"),
        "ratings": [
            {"stars": r.stars, "comment": text_mask(r.comment), "at": r.at}
            for r in case.ratings.order_by("-at")
        ],
        "merged_into": case.merged_into.number if case.merged_into_id else "",
        # An error no form shows (a conflict, an action no longer offered) goes on top.
        "action_error": error if error and not any(f["error"] for f in forms) else "",
        "triage_label": gettext(selectors.TRIAGE_LABEL),
        **_penalty_context(request, case),
    }


def _penalty_context(request, case: Case) -> dict:
    """For an officer on an enforcement category's case: the link to open a penalty case
    (行政处罚立案) from it, and the penalty cases already opened from it."""
    from chengguan.penalties.selectors import penalty_cases_visible, power_for_category

    if Role.OFFICER not in roles_of(request.user):
        return {}
    if power_for_category(case.category_id) is None:
        return {}
    return {
        "penalty_register_url": reverse("penalties:register")
        + "?"
        + urlencode({"source_case": case.number}),
        "penalty_cases": list(
            penalty_cases_visible(request.user)
            .filter(source_case=case)
            .values_list("number", flat=True)
        ),
    }


@login_required
@require_GET
def case_page(request, number: str):
    refused = _require_console(request)
    if refused:
        return refused
    case = _load_case(request.user, number)
    context = _case_context(request, case)
    context.update(
        {
            "grid_geojson": _grid_geojson(case),
            "tile_url": settings.CHENGGUAN["MAP_TILE_URL"],
            "tile_attribution": settings.CHENGGUAN["MAP_TILE_ATTRIBUTION"],
        }
    )
    return render(request, "cases/case.html", context)


def _render_after_action(request, case: Case, *, status: int = 200, **action_state):
    """The answer to an action: for htmx the actions area plus the parts of the page that
    changed (out-of-band); otherwise the whole page."""
    context = _case_context(request, case, **action_state)
    if _is_htmx(request):
        return render(request, "cases/_act_response.html", context, status=status)
    context.update(
        {
            "grid_geojson": _grid_geojson(case),
            "tile_url": settings.CHENGGUAN["MAP_TILE_URL"],
            "tile_attribution": settings.CHENGGUAN["MAP_TILE_ATTRIBUTION"],
        }
    )
    return render(request, "cases/case.html", context, status=status)


def _gone_elsewhere(request, case_number: str, done: str):
    """After an action that takes the case out of the user's sight (a handler returning it)."""
    messages.success(request, done)
    target = reverse("cases:work")
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@login_required
@require_POST
def case_act_view(request, number: str, action: str):
    refused = _require_console(request)
    if refused:
        return refused
    try:
        chosen = Action(action)
    except ValueError:
        raise Http404 from None
    user = request.user
    case = _load_case(user, number)
    form = ActionForm(request.POST)
    posted = {
        k: request.POST.get(k, "") for k in ("reason", "feedback", "agency", "hours", "target")
    }
    if not form.is_valid():
        return _render_after_action(
            request, case, status=400, posted=posted, error_action=chosen, error=form.first_error()
        )
    data = form.cleaned_data
    try:
        done = case_act(
            case_id=case.pk,
            action=chosen,
            actor=user,
            expected_version=data["version"],
            reason=data["reason"],
            agency_id=data["agency"],
            feedback=data["feedback"],
            hours=data["hours"],
            helper_ids=data["helpers"],
            target_number=data["target"],
            photos=_uploaded_photos(request),
        )
    except NotFound:
        raise Http404 from None
    except Forbidden as error:
        if _is_htmx(request):
            return _render_after_action(
                request, case, status=403, error_action=chosen, error=error_message(error)
            )
        return _forbidden(request, error_message(error))
    except Conflict as error:
        # Show what the case looks like now, with the message above the actions.
        fresh = _load_case(user, number)
        return _render_after_action(request, fresh, status=409, error=error_message(error))
    except DomainError as error:
        fresh = _load_case(user, number)
        return _render_after_action(
            request,
            fresh,
            status=400,
            posted=posted,
            error_action=chosen,
            error=error_message(error),
        )
    label = gettext(ACTION_LABELS[chosen])
    text = gettext("已执行“%(action)s”，案卷当前状态：%(status)s") % {
        "action": label,
        "status": done.status_label,
    }
    visible = selectors.case_for(user, number)
    if visible is None:
        return _gone_elsewhere(request, number, text)
    if _is_htmx(request):
        context = _case_context(request, visible)
        context["action_done"] = text
        return render(request, "cases/_act_response.html", context)
    messages.success(request, text)
    return redirect("cases:detail", number=number)


@login_required
@require_POST
def reporter_phone_view(request, number: str, reporter_id: str):
    """htmx: the reporter's full number, shown after an explicit click that the ledger
    records; anyone without the permission gets 403 and sees only the mask."""
    case = _load_case(request.user, number)
    if not is_uuid(reporter_id) or not case.reporters.filter(pk=reporter_id).exists():
        raise Http404
    try:
        phone = reporter_phone_reveal(actor=request.user, reporter_id=reporter_id)
    except Forbidden as error:
        return HttpResponse(error_message(error), status=403)
    except NotFound:
        raise Http404 from None
    return render(
        request, "cases/_reporter_phone.html", {"phone": phone, "reporter_id": reporter_id}
    )


# ---------------------------------------------------------------- report


def _report_refusal(request, channels):
    if not channels:
        return _forbidden(request, gettext("只有受理员和监督员可以上报案卷"))
    return None


def _uploaded_photos(request) -> list[bytes]:
    """The bytes of the photos posted with a form; their content is judged by the service."""
    return [upload.read() for upload in request.FILES.getlist("photos")]


@login_required
@require_GET
def photo_view(request, number: str, photo_id: str):
    """A case photo's public copy (no EXIF), only for people who can see the case."""
    case = _load_case(request.user, number)
    try:
        photo = case.photos.get(pk=photo_id)
    except (CasePhoto.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    response = FileResponse(default_storage.open(photo.public), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _report_submit(request, data: dict) -> tuple[str, str]:
    """Create the case, or add the caller to the case they duplicate; (case number, message)."""
    inspector = data["channel"] == INSPECTOR
    contact = None if inspector else Contact(data["caller_name"], data["caller_phone"])
    if data["join"]:
        target = selectors.case_for(request.user, data["join"])
        if target is None:
            raise NotFound(gettext_noop("没有找到该案卷"))
        case_reporter_join(
            case_id=target.pk,
            actor=request.user,
            contact=contact or Contact(),
            channel=data["channel"],
            description=data["description"],
        )
        return target.number, gettext("已将来电人并入案卷 %(number)s，办结时一并告知") % {
            "number": target.number
        }
    case = case_report(
        photos=_uploaded_photos(request),
        actor=request.user,
        category=data["category"],
        lon=data["lon"],
        lat=data["lat"],
        description=data["description"],
        channel=data["channel"],
        address=data["address"],
        contact=contact,
    )
    return case.number, gettext("已上报，案卷号 %(number)s") % {"number": case.number}


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request):
    channels = selectors.report_channels(request.user)
    refused = _report_refusal(request, channels)
    if refused:
        return refused
    status = 200
    error = ""
    if request.method == "POST":
        form = ReportForm(request.POST, channels=channels)
        if form.is_valid():
            data = form.cleaned_data
            fields = sorted((k, v) for k in request.POST for v in request.POST.getlist(k))
            try:
                # A double click or a resubmitted page gives the first answer, not a second case.
                _, done = run_once(
                    scope=f"console.report:{request.user.pk}",
                    key=data["idempotency_key"],
                    fingerprint=request_fingerprint(
                        *(f"{k}={v}" for k, v in fields if k != "csrfmiddlewaretoken")
                    ),
                    compute=lambda: (201, _report_submit(request, data)),
                )
                number, text = done
                messages.success(request, text)
                return redirect("cases:detail", number=number)
            except NotFound:
                error = gettext("没有找到该案卷")
            except DomainError as problem:
                error = error_message(problem)
        status = 400
    else:
        form = ReportForm(channels=channels)
    scope = scope_of(request.user)
    return render(
        request,
        "cases/report.html",
        {
            "form": form,
            "error": error,
            "groups": selectors.categories_grouped(),
            "chosen_category": str(form["category"].value() or ""),
            "tile_url": settings.CHENGGUAN["MAP_TILE_URL"],
            "tile_attribution": settings.CHENGGUAN["MAP_TILE_ATTRIBUTION"],
            "scope_unit": scope.unit_code or "",
            "is_inspector": Role.INSPECTOR in roles_of(request.user),
            "takes_calls": any(c != INSPECTOR for c in channels),
            "idempotency_key": uuid.uuid4().hex,
        },
        status=status,
    )


@login_required
@require_GET
def report_similar(request):
    """htmx fragment: open cases of the chosen category near the chosen point."""
    if not selectors.report_channels(request.user):
        return _forbidden(request, gettext("只有受理员和监督员可以上报案卷"))
    found = []
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
        category = Category.objects.filter(pk=request.GET["category"], active=True).first()
    except (KeyError, ValueError, ValidationError):
        category = None
    if category is not None and math.isfinite(lon) and math.isfinite(lat):
        found = selectors.similar_open_cases(request.user, category=category, lon=lon, lat=lat)
    takes_calls = any(c != INSPECTOR for c in selectors.report_channels(request.user))
    return render(request, "cases/_similar.html", {"similar": found, "can_join": takes_calls})


# ---------------------------------------------------------------- notices


@login_required
@require_GET
def notices_page(request):
    refused = _require_console(request)
    if refused:
        return refused
    notices = selectors.notices_for(request.user).order_by("-created_at", "-pk")
    page = Paginator(notices, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/notices.html", {"page": page})
