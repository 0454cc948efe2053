"""The penalty-case console (行政处罚案件, server-rendered): the queues, registration of an
ordinary case, the on-the-spot penalty, the case file with one form per step, and the
stored documents and evidence files.

Edges only: parse the input, call one selector or service, map errors to answers: a
DomainError → 400 with its message next to the form that caused it, Forbidden → 403,
Conflict → 409 (the page as it is now, the message on top), a case the user may not see →
404 (never saying whether it exists elsewhere). Only officers, legal reviewers and leaders
get in; everybody else gets the 403 page.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chengguan.accounts.models import User
from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import agency_family, roles_of
from chengguan.cases.selectors import case_for
from chengguan.core.errors import Conflict, DomainError, NotFound, gettext_noop
from chengguan.core.personal import name_mask
from chengguan.penalties import collection, forms, selectors, services, steps, summary
from chengguan.penalties.documents import penalty_text
from chengguan.penalties.domain import limits as limits_domain
from chengguan.penalties.domain.procedure import ReviewGround
from chengguan.penalties.domain.workflow import (
    ACTION_LABELS,
    STATUS_LABELS,
    Action,
    Procedure,
    Status,
)
from chengguan.penalties.models import Document, Evidence, PenaltyCase
from chengguan.powers.discretion import TIER_LABELS, fine_range_text, propose_tier
from chengguan.powers.models import DiscretionBenchmark
from chengguan.web.api import error_message
from chengguan.web.views import forbidden

PAGE_SIZE = 25

QUEUE_TABS = (
    ("open", gettext_noop("办理中")),
    ("review", gettext_noop("待法制审核")),
    ("decided", gettext_noop("已决定")),
    ("closed", gettext_noop("已办结")),
)

REVIEW_GROUND_LABELS = {
    ReviewGround.PUBLIC_INTEREST: gettext_noop("涉及重大公共利益"),
    ReviewGround.MAJOR_RIGHTS_HEARD: gettext_noop("重大权益且经过听证"),
    ReviewGround.COMPLEX: gettext_noop("疑难复杂"),
    ReviewGround.BY_LAW: gettext_noop("法律法规规定"),
    ReviewGround.BENCHMARK_DEPARTED: gettext_noop("偏离裁量基准"),
}

# Timeline events that are not workflow actions.
EVENT_LABELS = {
    "register": gettext_noop("立案"),
    "summary_decide": gettext_noop("当场处罚决定"),
    "warning_given": gettext_noop("警告已执行"),
}

STATE_CLASSES = {
    limits_domain.State.OPEN: "info",
    limits_domain.State.WARNING: "warn",
    limits_domain.State.OVERDUE: "bad",
    limits_domain.State.MET: "good",
    limits_domain.State.LATE: "muted",
    limits_domain.State.LAPSED: "muted",
}
PENDING_STATES = frozenset(
    {limits_domain.State.OPEN, limits_domain.State.WARNING, limits_domain.State.OVERDUE}
)

# Steps that end or undo a case: shown apart, with a warning colour.
NEGATIVE_ACTIONS = frozenset(
    {Action.DECIDE_NO_PENALTY, Action.REFER, Action.REVOKE, Action.APPLY_COURT}
)


def _forbidden(request, message: str):
    return forbidden(request, message, back_url=reverse("home"), back_label=gettext("返回首页"))


def readers_only(view):
    """Sign-in first, then one of the roles that work on penalty cases; else the 403 page."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not roles_of(request.user) & selectors.READERS:
            return _forbidden(
                request, gettext("只有执法队员、法制审核员和领导可以查看行政处罚案件")
            )
        return view(request, *args, **kwargs)

    return wrapped


def _is_officer(user) -> bool:
    return Role.OFFICER in roles_of(user)


def _load_case(user, number: str) -> PenaltyCase:
    case = selectors.penalty_case_for(user, number)
    if case is None:
        raise Http404
    return case


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _party_display(case: PenaltyCase) -> str:
    if case.party_kind == PenaltyCase.PartyKind.PERSON:
        return name_mask(case.party_name)
    return case.party_name


def _limit_row(limit: limits_domain.Limit) -> dict:
    return {
        "key": limit.key,
        "label": gettext(limit.label),
        "basis": gettext(limit.basis),
        "days": limit.days,
        "counting": gettext(limits_domain.COUNTING_LABELS[limit.counting]),
        "due": timezone.localtime(limit.due),
        "state": limit.state.value,
        "state_label": gettext(limits_domain.STATE_LABELS[limit.state]),
        "state_class": STATE_CLASSES[limit.state],
        "done_at": timezone.localtime(limit.done_at) if limit.done_at else None,
        "party": limit.party,
    }


# ---------------------------------------------------------------- queues


@readers_only
@require_GET
def queue_page(request):
    user = request.user
    keys = [key for key, _label in QUEUE_TABS]
    tab = request.GET.get("tab") or keys[0]
    if tab not in keys:
        raise Http404
    page = Paginator(selectors.penalty_queue(user, tab), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = []
    for case in page.object_list:
        pending = [
            lim for lim in selectors.penalty_limits(case, now=now) if lim.state in PENDING_STATES
        ]
        rows.append(
            {
                "case": case,
                "party": _party_display(case),
                "limit": _limit_row(pending[0]) if pending else None,
            }
        )
    return render(
        request,
        "penalties/queue.html",
        {
            "tabs": [
                {
                    "key": key,
                    "label": gettext(label),
                    "count": selectors.penalty_queue(user, key).count(),
                }
                for key, label in QUEUE_TABS
            ],
            "tab": tab,
            "rows": rows,
            "page": page,
            "is_officer": _is_officer(user),
        },
    )


# ---------------------------------------------------------------- registration


def _powers(user):
    return selectors.powers_for(user).prefetch_related(
        Prefetch("benchmarks", queryset=DiscretionBenchmark.objects.order_by("order"))
    )


def _measures_of(power) -> list[str]:
    """The measures the power's discretion benchmark tests ("单体面积㎡", "处数")."""
    return list(
        dict.fromkeys(q.measure for b in power.benchmarks.all() for q in b.rule().quantities)
    )


def _measure_inputs(powers, posted=None) -> list[dict]:
    """One number input per measure any offered power uses, tagged with those powers."""
    used: dict[str, list[str]] = {}
    for power in powers:
        for measure in _measures_of(power):
            used.setdefault(measure, []).append(str(power.pk))
    return [
        {
            "name": f"measured:{measure}",
            "measure": measure,
            "powers": " ".join(ids),
            "value": (posted or {}).get(f"measured:{measure}", ""),
        }
        for measure, ids in used.items()
    ]


def measured_from(post, power) -> dict[str, str]:
    """The measured facts typed for the chosen power's measures (the service checks them)."""
    return {
        measure: (post.get(f"measured:{measure}") or "").strip() for measure in _measures_of(power)
    }


def _party(data) -> steps.Party:
    return steps.Party(
        kind=data["party_kind"],
        name=data["party_name"],
        id_number=data.get("party_id_number") or "",
        address=data.get("party_address") or "",
        phone=data.get("party_phone") or "",
    )


def _source_case(user, number: str):
    """The city-management case a penalty case comes from, if the user may see it."""
    number = (number or "").strip()
    if not number:
        return None
    found = case_for(user, number)
    if found is None:
        raise Http404
    return found


def _officers_only(request):
    if not _is_officer(request.user):
        return _forbidden(request, gettext("只有执法队员可以立案或当场处罚"))
    return None


@readers_only
@require_http_methods(["GET", "POST"])
def register_page(request):
    refused = _officers_only(request)
    if refused:
        return refused
    user = request.user
    powers = list(_powers(user))
    colleagues = list(selectors.colleagues_for(user))
    status, error = 200, ""
    if request.method == "POST":
        source = _source_case(user, request.POST.get("source_case", ""))
        form = forms.RegisterForm(request.POST, powers=powers, colleagues=colleagues)
        status = 400
        if not form.is_valid():
            error = form.first_error()
        else:
            data = form.cleaned_data
            power = next(p for p in powers if str(p.pk) == data["power"])
            try:
                case = services.penalty_register(
                    actor=user,
                    power_id=power.pk,
                    party=_party(data),
                    place=data["place"],
                    occurred_on=data["occurred_on"],
                    discovered_on=data["discovered_on"],
                    facts=data["facts"],
                    source=data["source"],
                    co_investigator_ids=data["co_investigators"],
                    measured=measured_from(request.POST, power),
                    first_offence=data["first_offence"],
                    corrected=data["corrected"],
                    harm=data["harm"],
                    complex_case=data["complex_case"],
                    major_public_interest=data["major_public_interest"],
                    source_case_id=source.pk if source else None,
                )
            except DomainError as problem:
                status, error = problem.status_code, error_message(problem)
            else:
                messages.success(
                    request, gettext("已立案，案件编号 %(number)s") % {"number": case.number}
                )
                return redirect("penalties:detail", number=case.number)
        posted = request.POST
    else:
        source = _source_case(user, request.GET.get("source_case", ""))
        initial = {}
        if source is not None:
            power = selectors.power_for_category(source.category_id)
            initial = {
                "power": str(power.pk) if power and any(p.pk == power.pk for p in powers) else "",
                "place": source.address,
                "facts": source.description,
                "source": f"数字城管案卷 {source.number}",
                "source_case": source.number,
            }
        form = forms.RegisterForm(initial=initial, powers=powers, colleagues=colleagues)
        posted = None
    return render(
        request,
        "penalties/register.html",
        {
            "form": form,
            "error": error,
            "source": source,
            "measures": _measure_inputs(powers, posted),
            "has_colleagues": bool(colleagues),
        },
        status=status,
    )


@readers_only
@require_http_methods(["GET", "POST"])
def summary_page(request):
    refused = _officers_only(request)
    if refused:
        return refused
    user = request.user
    powers = list(_powers(user))
    status, error = 200, ""
    if request.method == "POST":
        form = forms.SummaryForm(request.POST, powers=powers)
        status = 400
        if not form.is_valid():
            error = form.first_error()
        else:
            data = form.cleaned_data
            try:
                case = summary.penalty_summary_decide(
                    actor=user,
                    power_id=data["power"],
                    party=_party(data),
                    place=data["place"],
                    facts=data["facts"],
                    penalties=services.penalties_parse(form.penalty_items()),
                    certificate_shown=data["certificate_shown"],
                    handed_over=data["handed_over"],
                    collect_cash=data["collect_cash"],
                    hard_to_execute_later=data["hard_to_execute_later"],
                )
            except DomainError as problem:
                status, error = problem.status_code, error_message(problem)
            else:
                messages.success(
                    request,
                    gettext("已作出当场处罚决定，案件编号 %(number)s") % {"number": case.number},
                )
                return redirect("penalties:detail", number=case.number)
    else:
        form = forms.SummaryForm(powers=powers)
    return render(request, "penalties/summary.html", {"form": form, "error": error}, status=status)


# ---------------------------------------------------------------- the case file


@dataclass(frozen=True)
class Step:
    """One step of the case file: its form and the service call it makes."""

    form: type
    run: Callable  # (user, case, cleaned data) -> None
    multipart: bool = False


def _chairs(case: PenaltyCase):
    """Who may chair the hearing: active officers, legal reviewers and leaders of the case's
    agency and the units under it who did not investigate (Art. 64(4); the service checks
    it again)."""
    return (
        User.objects.filter(
            is_active=True,
            agency_id__in=agency_family(case.agency_id),
            groups__name__in=[role.value for role in selectors.READERS],
        )
        .exclude(pk__in=selectors.investigator_user_ids(case))
        .distinct()
        .order_by("full_name", "username")
    )


def _evidence_add(user, case, data):
    upload = data["file"]
    services.evidence_add(
        actor=user,
        case_id=case.pk,
        kind=data["kind"],
        title=data["title"],
        data=upload.read(),
        filename=upload.name,
        preserved=data["preserved"],
    )


def _preservation_decide(user, case, data):
    if not case.evidence.filter(pk=data["evidence"]).exists():
        raise NotFound(gettext_noop("没有找到该证据"))
    services.evidence_preservation_decide(
        actor=user, evidence_id=data["evidence"], decision=data["decision"]
    )


def _notify(user, case, data):
    services.penalty_notify(
        actor=user,
        case_id=case.pk,
        penalties=services.penalties_parse(forms.NotifyForm.penalty_items(data)),
        departure_reason=data["departure_reason"],
        version=data["version"],
    )


STEPS: dict[Action, Step] = {
    Action.ADD_EVIDENCE: Step(forms.EvidenceForm, _evidence_add, multipart=True),
    Action.DECIDE_PRESERVATION: Step(forms.PreservationForm, _preservation_decide),
    Action.NOTIFY: Step(forms.NotifyForm, _notify),
    Action.DECIDE_NO_PENALTY: Step(
        forms.NoPenaltyForm,
        lambda user, case, d: services.penalty_no_penalty(
            actor=user,
            case_id=case.pk,
            education_record=d["education_record"],
            no_fault_proven=d["no_fault_proven"],
        ),
    ),
    Action.RECORD_STATEMENT: Step(
        forms.StatementForm,
        lambda user, case, d: services.statement_record(
            actor=user, case_id=case.pk, statement=d["statement"], waived=d["waived"]
        ),
    ),
    Action.REQUEST_HEARING: Step(
        forms.HearingRequestForm,
        lambda user, case, d: services.hearing_request(
            actor=user, case_id=case.pk, requested_at=d["requested_at"]
        ),
    ),
    Action.SCHEDULE_HEARING: Step(
        forms.HearingScheduleForm,
        lambda user, case, d: services.hearing_schedule(
            actor=user,
            case_id=case.pk,
            hearing_on=d["hearing_on"],
            place=d["place"],
            chair_id=d["chair"],
            public=d["public"],
        ),
    ),
    Action.CONCLUDE_HEARING: Step(
        forms.HearingConcludeForm,
        lambda user, case, d: services.hearing_conclude(
            actor=user,
            case_id=case.pk,
            held=d["held"] == "yes",
            outcome=d["outcome"],
            party_signed=d["party_signed"],
            refusal_noted=d["refusal_noted"],
            good_reason_for_absence=d["good_reason_for_absence"],
        ),
    ),
    Action.SUBMIT_REVIEW: Step(
        forms.StepForm, lambda user, case, d: services.review_submit(actor=user, case_id=case.pk)
    ),
    Action.REVIEW: Step(
        forms.ReviewForm,
        lambda user, case, d: services.penalty_review(
            actor=user, case_id=case.pk, passed=d["passed"] == "approve", opinion=d["opinion"]
        ),
    ),
    Action.DELIBERATE: Step(
        forms.DeliberateForm,
        lambda user, case, d: services.penalty_deliberate(
            actor=user, case_id=case.pk, minutes=d["minutes"]
        ),
    ),
    Action.EXTEND: Step(
        forms.ExtendForm,
        lambda user, case, d: services.penalty_extend(
            actor=user, case_id=case.pk, until=d["until"], basis=d["basis"]
        ),
    ),
    Action.DECIDE: Step(
        forms.DecideForm,
        lambda user, case, d: services.penalty_decide(
            actor=user, case_id=case.pk, party_present=d["party_present"], version=d["version"]
        ),
    ),
    Action.SERVE: Step(
        forms.ServeForm,
        lambda user, case, d: services.penalty_serve(
            actor=user,
            case_id=case.pk,
            method=d["method"],
            recipient=d["recipient"],
            served_at=d["served_at"],
            consent_signed=d["consent_signed"],
        ),
    ),
    Action.DEFER_PAYMENT: Step(
        forms.DeferForm,
        lambda user, case, d: collection.payment_defer(
            actor=user,
            case_id=case.pk,
            until=d["until"],
            hardship=d["hardship"],
            applied=d["applied"],
            approved=d["approved"],
        ),
    ),
    Action.APPLY_COURT: Step(
        forms.StepForm, lambda user, case, d: collection.court_apply(actor=user, case_id=case.pk)
    ),
    Action.RECORD_COURT: Step(
        forms.CourtForm,
        lambda user, case, d: collection.court_record(
            actor=user, case_id=case.pk, outcome=d["outcome"]
        ),
    ),
    Action.HAND_IN_CASH: Step(
        forms.StepForm, lambda user, case, d: collection.cash_hand_in(actor=user, case_id=case.pk)
    ),
    Action.FILE: Step(
        forms.StepForm, lambda user, case, d: summary.penalty_file(actor=user, case_id=case.pk)
    ),
    Action.CLOSE: Step(
        forms.StepForm, lambda user, case, d: services.penalty_close(actor=user, case_id=case.pk)
    ),
    Action.ARCHIVE: Step(
        forms.StepForm,
        lambda user, case, d: services.penalty_archive(actor=user, case_id=case.pk),
    ),
    Action.REFER: Step(
        forms.ReferForm,
        lambda user, case, d: services.penalty_refer(
            actor=user, case_id=case.pk, to=d["to"], reason=d["reason"]
        ),
    ),
    Action.REVOKE: Step(
        forms.RevokeForm,
        lambda user, case, d: services.penalty_revoke(
            actor=user, case_id=case.pk, reason=d["reason"]
        ),
    ),
}


def _form_kwargs(action: Action, case: PenaltyCase) -> dict:
    if action is Action.SCHEDULE_HEARING:
        return {"chairs": _chairs(case)}
    return {}


def _auto_id(action: Action, key="") -> str:
    """Field ids unique on the page, which holds many forms."""
    return f"id_{action.value}{'_' + str(key) if key else ''}_%s"


def _blank_form(action: Action, case: PenaltyCase, key="", **initial):
    return STEPS[action].form(
        initial={"version": case.version, **initial},
        auto_id=_auto_id(action, key),
        **_form_kwargs(action, case),
    )


def _gettext_note(note) -> str:
    message = gettext(note.message)
    return message % dict(note.params) if note.params else message


def _discretion(case: PenaltyCase) -> dict:
    """The tier the facts point to, its range and why, for the notice form."""
    benchmarks = list(case.power.benchmarks.order_by("order"))
    table = [
        {
            "tier": gettext(TIER_LABELS[b.tier]),
            "condition": b.condition,
            "range": b.fine_range,
            "other": b.other_sanction,
        }
        for b in benchmarks
    ]
    result = {"benchmarks": table, "statutory_range": case.power.statutory_range}
    try:
        proposal = propose_tier(
            [b.rule() for b in benchmarks],
            case.measured,
            first_offence=case.first_offence,
            corrected=case.corrected,
            harm=case.harm != PenaltyCase.Harm.NONE,
        )
    except DomainError as problem:
        result["error"] = error_message(problem)
        return result
    result.update(
        {
            "tier": gettext(TIER_LABELS[proposal.tier]) if proposal.tier else "",
            "range": fine_range_text(proposal.fine_min, proposal.fine_max) if proposal.tier else "",
            "notes": [_gettext_note(n) for n in proposal.why],
        }
    )
    return result


def _payment(case: PenaltyCase) -> dict | None:
    if not case.fine and not case.payment_reference:
        return None
    owed = collection.owed_on(case, timezone.localdate())
    return {
        "reference": case.payment_reference,
        "due": case.payment_due,
        "deferred_until": case.deferred_until,
        "owed": owed,
        "payments": list(case.payments.select_related("collected_by").order_by("paid_at")),
    }


def _action_blocks(case, actions, *, failed=None, bound=None, error=""):
    blocks = []
    for action in actions:
        block = {
            "action": action.value,
            "label": gettext(ACTION_LABELS[action]),
            "url": reverse("penalties:act", args=[case.number, action.value]),
            "negative": action in NEGATIVE_ACTIONS,
            "error": error if action == failed else "",
            "form": None,
            "forms": [],
        }
        if action is Action.RECORD_PAYMENT:
            pass  # the bank confirms payments: the case page shows what is owed
        elif action is Action.DECIDE_PRESERVATION:
            for evidence in case.evidence.filter(preserved=True, preservation_decided_at=None):
                form = (
                    bound
                    if action == failed
                    and bound is not None
                    and str(bound.data.get("evidence")) == str(evidence.pk)
                    else _blank_form(action, case, key=evidence.pk, evidence=evidence.pk)
                )
                block["forms"].append({"evidence": evidence, "form": form})
            if not block["forms"] and not block["error"]:
                continue  # nothing preserved waits for a decision
        else:
            block["form"] = (
                bound if action == failed and bound is not None else _blank_form(action, case)
            )
            block["multipart"] = STEPS[action].multipart
        blocks.append(block)
    return blocks


def _case_context(request, case: PenaltyCase, *, failed=None, bound=None, error="") -> dict:
    user = request.user
    actions = selectors.penalty_actions(case, user)
    blocks = _action_blocks(case, actions, failed=failed, bound=bound, error=error)
    evidence = [
        {
            "item": e,
            "url": reverse("penalties:evidence", args=[case.number, e.pk]),
            "sha": e.sha256[:16],
        }
        for e in selectors.evidence_of(case)
    ]
    documents = [
        {
            "item": d,
            "url": reverse("penalties:document", args=[case.number, d.pk]),
            "sha": d.sha256[:16],
        }
        for d in case.documents.order_by("issued_at")
    ]
    timeline = []
    for event in case.events.select_related("actor").order_by("at"):
        try:
            label = ACTION_LABELS[Action(event.action)]
        except ValueError:
            label = EVENT_LABELS.get(event.action, event.action)
        try:
            to_label = gettext(STATUS_LABELS[Status(event.to_status)])
        except ValueError:
            to_label = ""
        timeline.append(
            {
                "at": event.at,
                "action": event.action,
                "label": gettext(label),
                "actor": str(event.actor) if event.actor else gettext("系统"),
                "note": event.note,
                "status_label": to_label if event.to_status != event.from_status else "",
            }
        )
    tier = case.proposed_tier
    context = {
        "case": case,
        "party_kind_label": case.get_party_kind_display(),
        "harm_label": case.get_harm_display(),
        "penalty_text": penalty_text(case.penalties) if case.penalties else "",
        "tier_label": gettext(TIER_LABELS[tier]) if tier in TIER_LABELS else "",
        "review_grounds": [gettext(REVIEW_GROUND_LABELS.get(g, g)) for g in case.review_grounds],
        "referred_label": gettext(services.REFERRAL_BODIES.get(case.referred_to, ""))
        if case.referred_to
        else "",
        "service_label": gettext(services.SERVICE_METHODS.get(case.service_method, ""))
        if case.service_method
        else "",
        "limits": [_limit_row(lim) for lim in selectors.penalty_limits(case)],
        "investigators": case.investigators.select_related("person", "person__agency"),
        "evidence": evidence,
        "documents": documents,
        "timeline": timeline,
        "action_blocks": blocks,
        "action_codes": {b["action"] for b in blocks},
        # An error no form shows (a conflict, a step no longer offered) goes on top.
        "action_error": error if error and not any(b["error"] for b in blocks) else "",
        "payment": _payment(case),
        "is_summary": case.procedure == Procedure.SUMMARY,
    }
    if Action.NOTIFY in actions:
        context["discretion"] = _discretion(case)
    return context


@readers_only
@require_GET
def case_page(request, number: str):
    case = _load_case(request.user, number)
    return render(request, "penalties/case.html", _case_context(request, case))


@readers_only
@require_POST
def case_act_view(request, number: str, action: str):
    try:
        chosen = Action(action)
    except ValueError:
        raise Http404 from None
    user = request.user
    case = _load_case(user, number)
    step = STEPS.get(chosen)
    if step is None:  # record_payment: the bank's signed confirmation, not a person
        context = _case_context(
            request,
            case,
            failed=chosen,
            error=gettext("罚款由指定银行或电子支付系统确认入账，不能在此登记缴款"),
        )
        return render(request, "penalties/case.html", context, status=400)
    key = ""
    if chosen is Action.DECIDE_PRESERVATION:
        try:
            key = str(uuid.UUID(request.POST.get("evidence", "")))
        except ValueError:
            key = ""
    form = step.form(
        request.POST,
        request.FILES,
        auto_id=_auto_id(chosen, key),
        **_form_kwargs(chosen, case),
    )
    if not form.is_valid():
        context = _case_context(request, case, failed=chosen, bound=form, error=form.first_error())
        return render(request, "penalties/case.html", context, status=400)
    try:
        step.run(user, case, form.cleaned_data)
    except NotFound:
        raise Http404 from None
    except Conflict as problem:
        fresh = _load_case(user, number)
        context = _case_context(request, fresh, error=error_message(problem))
        return render(request, "penalties/case.html", context, status=409)
    except DomainError as problem:  # Forbidden included: 403 with the form as typed
        fresh = _load_case(user, number)
        context = _case_context(
            request, fresh, failed=chosen, bound=form, error=error_message(problem)
        )
        return render(request, "penalties/case.html", context, status=problem.status_code)
    visible = selectors.penalty_case_for(user, number)
    if visible is None:
        return _see_other(reverse("penalties:queue"))
    messages.success(
        request,
        gettext("已执行“%(action)s”，案件当前状态：%(status)s")
        % {"action": gettext(ACTION_LABELS[chosen]), "status": visible.status_label},
    )
    return _see_other(reverse("penalties:detail", args=[number]))


# ---------------------------------------------------------------- files


def _stored(name: str):
    try:
        return default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None


@readers_only
@require_GET
def document_view(request, number: str, document_id):
    """A document's PDF exactly as issued (its SHA-256 is in the ledger)."""
    case = _load_case(request.user, number)
    document = Document.objects.filter(case=case, pk=document_id).first()
    if document is None:
        raise Http404
    response = FileResponse(_stored(document.file), content_type="application/pdf")
    filename = quote(f"{document.title}-{document.number}", safe="") + ".pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@readers_only
@require_GET
def evidence_view(request, number: str, evidence_id):
    """An evidence file byte-exact, as a download (never rendered in the page's origin)."""
    case = _load_case(request.user, number)
    evidence = Evidence.objects.filter(case=case, pk=evidence_id).first()
    if evidence is None:
        raise Http404
    response = FileResponse(_stored(evidence.file), content_type=evidence.content_type)
    filename = quote(evidence.filename or evidence.file.rsplit("/", 1)[-1], safe="")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
