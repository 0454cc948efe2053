"""Open311 clients and the mapping between GeoReport v2 and cases.

Service codes: a matter (事件) keeps its 5-digit GB/T code (`06010` 暴露垃圾); a component
(部件) is prefixed with `c` (`c01001`), because the two catalogues reuse the same codes.

Updates (the `servicerequestupdates` extension of mySociety, see `update_dict`) are the
case's timeline events that a citizen may read: every change of status, and remarks.
"""

import hashlib
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from chengguan.accounts.services import service_account_ensure
from chengguan.cases.domain.workflow import FINAL, Action, event_label
from chengguan.cases.models import Case, CaseEvent, Category
from chengguan.cases.selectors import cases_visible
from chengguan.cases.services import case_act, case_comment, case_report
from chengguan.core.errors import DomainError, NotFound, gettext_noop
from chengguan.core.personal import text_mask
from chengguan.core.services import ledger_append
from chengguan.open311.models import Open311Client

JURISDICTION_ID = "4101"
# GeoReport v2 knows only open and closed: every final status of the workflow is closed.
CLOSED = frozenset(status.value for status in FINAL)


def api_key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def client_for_key(api_key: str | None) -> Open311Client | None:
    if not api_key:
        return None
    return (
        # The account's region and agency decide its scope on every POST: fetched at once.
        Open311Client.objects.select_related("service_account__region", "service_account__agency")
        .defer("service_account__region__geometry_wkb")
        .filter(api_key_hash=api_key_hash(api_key), active=True, service_account__is_active=True)
        .first()
    )


@transaction.atomic
def client_register(
    *, name: str, api_key: str, username: str, region_code: str = JURISDICTION_ID
) -> Open311Client:
    """Register (or re-key) a client and its operator service account; idempotent by name."""
    account = service_account_ensure(username=username, full_name=name, region_code=region_code)
    client, _ = Open311Client.objects.update_or_create(
        name=name,
        defaults={"api_key_hash": api_key_hash(api_key), "service_account": account},
    )
    return client


def service_code(category: Category) -> str:
    return category.code if category.kind == Category.Kind.MATTER else f"c{category.code}"


def category_for(code: str) -> Category | None:
    code = (code or "").strip()
    if code.startswith("c"):
        kind, code = Category.Kind.COMPONENT, code[1:]
    else:
        kind = Category.Kind.MATTER
    return Category.objects.filter(kind=kind, code=code, active=True).first()


def service_dict(category: Category) -> dict[str, Any]:
    return {
        "service_code": service_code(category),
        "service_name": category.name,
        "description": category.filing_condition,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join([category.get_kind_display(), category.major_name, category.name]),
        "group": category.major_name,
    }


def services_list() -> list[dict[str, Any]]:
    return [service_dict(c) for c in Category.objects.filter(active=True)]


def _when(moment) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def request_dict(case: Case) -> dict[str, Any]:
    """The public view of a case: no reporter, no contact details, no internal notes; a
    phone or ID number typed into the description or the address is masked."""
    closed = case.status in CLOSED
    return {
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": case.status_label,
        "service_name": case.category.name,
        "service_code": service_code(case.category),
        "description": text_mask(case.description),
        "agency_responsible": case.agency.name if case.agency_id else "",
        "service_notice": "",
        "requested_datetime": _when(case.reported_at),
        "updated_datetime": _when((case.closed_at if closed else None) or case.updated_at),
        "address": text_mask(case.address),
        "lat": case.lat,
        "long": case.lon,
        "media_url": "",
    }


def cases_public():
    return Case.objects.select_related("category", "agency")


def request_post(*, client: Open311Client, data: Any) -> list[dict[str, Any]]:
    """Take in a POSTed request (form data) as a web report by the client's service account."""
    category = category_for(data.get("service_code", ""))
    if category is None:
        raise DomainError(
            gettext_noop("没有找到该服务：%(code)s"), code=data.get("service_code", "")
        )
    try:
        lat, lon = float(data["lat"]), float(data["long"])
    except (KeyError, TypeError, ValueError):
        raise DomainError(gettext_noop("location required：请提供 lat 和 long（WGS84）")) from None
    case = case_report(
        actor=client.service_account,
        category=category,
        lon=lon,
        lat=lat,
        description=data.get("description", ""),
        channel="web",
        address=data.get("address_string", "")[:200],
    )
    # The spec answers service_request_id and service_notice; the whole public request is
    # given too, so the answer also validates against the community's request.json schema.
    notice = gettext("已受理，案卷号 %(number)s，待监督员核实") % {"number": case.number}
    return [request_dict(case) | {"service_notice": notice}]


# ---------------------------------------------------------------- servicerequestupdates

# An update's description is the label of what happened. Only two notes are public words:
# the handler's feedback (the city's answer to the citizen) and a remark (the citizen's
# follow-up). Every other note (why a report was voided, rejected, returned…) is staff's
# internal reasoning and stays inside.
SPOKEN = frozenset({Action.HANDLE.value, "comment"})

# The reason recorded when a client reopens a request without words of its own.
REOPEN_REASON = "群众反映问题仍未解决（Open311）"


def _update_description(event: CaseEvent) -> str:
    label = gettext(event_label(event.action))
    if event.action in SPOKEN and event.note:
        return f"{label}：{text_mask(event.note)}"
    return label


def update_dict(event: CaseEvent) -> dict[str, Any]:
    """One `request_update` of mySociety's GeoReport v2 extension "servicerequestupdates".

    Fields as in mySociety's reference server, open311-adapter
    (`perllib/Open311/Endpoint/Role/mySociety.pm`: required `update_id`,
    `service_request_id`, `status`, `updated_datetime`, `description`, `media_url`;
    optional `external_status_code`), described in the FixMyStreet wiki page "Open311 FMS –
    Proposed differences to Open311". `status` is the request's status after the event, in
    lower case as the adapter and GeoReport v2's requests give it (the wiki's table writes
    OPEN/CLOSED); `external_status_code` is the workflow status, for clients that want more
    than open/closed. Never the actor, the reporter or the event's data; no photo is public
    yet, so `media_url` is empty.
    """
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.number,
        "status": "closed" if event.to_status in CLOSED else "open",
        "updated_datetime": _when(event.at),
        "description": _update_description(event),
        "media_url": "",
        "external_status_code": event.to_status,
    }


def updates_public(
    *,
    start: datetime | None,
    end: datetime | None,
    numbers: list[str],
    limit: int,
) -> list[dict[str, Any]]:
    """The newest `limit` updates in the window (of the given requests), oldest first.

    An update is an event that changed the request's status, or a remark; the rest of the
    timeline (extension requests, 督办, a reporter joining with a tracking code…) is the
    city's own business and changes nothing a client could show.
    """
    events = CaseEvent.objects.select_related("case").filter(
        Q(action="comment") | ~Q(from_status=F("to_status"))
    )
    if numbers:
        events = events.filter(case__number__in=numbers)
    if start is not None:
        events = events.filter(at__gte=start)
    if end is not None:
        events = events.filter(at__lte=end)
    newest = list(events.order_by("-at", "-pk")[:limit])
    return [update_dict(e) for e in reversed(newest)]


def _client_time(text: str | None) -> datetime | None:
    if not text or not text.strip():
        return None
    try:
        moment = parse_datetime(text.strip())
    except ValueError:
        moment = None
    if moment is None:
        raise DomainError(
            gettext_noop("updated_datetime 格式不正确（应为 ISO 8601）：%(value)s"), value=text
        )
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@transaction.atomic
def update_post(*, client: Open311Client, data: Any) -> list[dict[str, Any]]:
    """Take in a citizen's follow-up that a client passes on (POST servicerequestupdates).

    Fields as in open311-adapter's `POST_Service_Request_Update_input_schema`, which
    FixMyStreet's `Open311::post_service_request_update` sends. Kept: `service_request_id`,
    `description` (the remark), `status`, `updated_datetime` (the client's time, in the
    ledger: the timeline keeps the time of receipt, so a client cannot backdate), `update_id`
    (the client's own id: the edge uses it as the idempotency key). The adapter requires
    the last three as well; here they are optional, since the city needs none of them.
    Ignored on purpose: `email`, `first_name`, `last_name`, `phone`, `title` (personal data
    the city has no need for here) and `media_url` (photos come only through the case's own
    upload).

    `status=OPEN` on a closed request reopens it (within the domain's window, as an
    operator: the client's service account); `status=CLOSED` on an open one is refused,
    because only the city closes a case after its check. On a request already closed,
    CLOSED changes nothing: FixMyStreet sends the status its copy has with every remark.
    The reopening comes first, so the remark reads after it and carries the status after
    the update; the answer is the remark, whose `update_id` a client keeps to recognise its
    own update when it next asks for updates (without a remark: the reopening).
    """
    actor = client.service_account
    number = (data.get("service_request_id") or "").strip()
    if not number:
        raise DomainError(gettext_noop("service_request_id 必填：要补充的服务请求编号"))
    status = (data.get("status") or "").strip().upper()
    if status not in ("", "OPEN", "CLOSED"):
        raise DomainError(
            gettext_noop("status 只能是 OPEN 或 CLOSED：%(status)s"), status=data.get("status")
        )
    client_time = _client_time(data.get("updated_datetime"))
    # Remarks go into the never-erased ledger: numbers typed into them are masked first.
    text = text_mask((data.get("description") or "").strip())
    case = cases_visible(actor).filter(number=number).first()
    if case is None:
        raise NotFound(gettext_noop("没有找到该服务请求：%(number)s"), number=number)
    closed = case.status in CLOSED
    if status == "CLOSED" and not closed:
        raise DomainError(
            gettext_noop("status=CLOSED：市民不能关闭服务请求，结案由城管部门核查后办理")
        )
    reopen = status == "OPEN" and closed
    if not text and not reopen:
        raise DomainError(gettext_noop("description 必填：请填写补充说明"))
    if reopen:
        case = case_act(
            case_id=case.pk,
            action=Action.REOPEN,
            actor=actor,
            expected_version=case.version,
            reason=text or REOPEN_REASON,
        )
        event = case.events.order_by("-at", "-pk").first()
    if text:
        event = case_comment(case_id=case.pk, actor=actor, text=text)
    ledger_append(
        kind="open311.update",
        subject=case,
        actor=actor,
        data={
            "number": case.number,
            "client": client.name,
            "update_id": (data.get("update_id") or "").strip(),
            "client_time": client_time.isoformat() if client_time else "",
            "status": status,
            "event": str(event.pk),
        },
    )
    return [update_dict(event)]
