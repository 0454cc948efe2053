"""Writes of the work-order exchange: take in a partner's work order as a case, queue the
callbacks that report back, refer a case to 110, record what a partner acknowledged.

Each write runs in one transaction; a received order and an acknowledged callback are
ledgered with it. The case itself is made by `cases.services.case_report`, so an exchanged
case is a case like any other.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from chengguan.accounts.models import User
from chengguan.accounts.services import service_account_ensure
from chengguan.cases.models import Case, CaseEvent, Category
from chengguan.cases.selectors import cases_following
from chengguan.cases.services import Contact, case_report
from chengguan.core.errors import Conflict, DomainError, Forbidden, gettext_noop
from chengguan.core.services import ledger_append
from chengguan.intake.domain import ID_FIELDS, PARTNER_110, OrderIn
from chengguan.intake.models import Callback, WorkOrder
from chengguan.org.selectors import geocode_text

CITY_REGION = "4101"
ACCOUNT_NAMES = {"12345": "12345 工单交换接口", "110": "110 转办交换接口"}


@dataclass(frozen=True)
class Partner:
    code: str
    enabled: bool
    secret: str
    callback_url: str


def partner_config(code: str) -> Partner:
    """The partner's settings (`CHENGGUAN["EXCHANGE"]`, filled from the environment)."""
    conf = settings.CHENGGUAN["EXCHANGE"].get(code) or {}
    return Partner(
        code=code,
        enabled=bool(conf.get("enabled")) and bool(conf.get("secret")),
        secret=conf.get("secret") or "",
        callback_url=conf.get("callback_url") or "",
    )


class DuplicateWorkOrder(Conflict):
    """The partner sent this work order before; `case_number` is the case it made."""

    def __init__(self, message: str, *, case_number: str) -> None:
        self.case_number = case_number
        super().__init__(message, number=case_number)


def partner_account(code: str) -> User:
    """The operator service account the partner's cases are reported by (`exchange-12345`,
    `exchange-110`), city-wide."""
    return service_account_ensure(
        username=f"exchange-{code}", full_name=ACCOUNT_NAMES[code], region_code=CITY_REGION
    )


def _place(order: OrderIn) -> tuple[float, float, str]:
    """The order's point, or the street its address names (located "address")."""
    if order.lon is not None and order.lat is not None:
        return order.lon, order.lat, WorkOrder.Located.POINT
    streets = [p for p in geocode_text(order.address) if p.kind == "street"]
    if not streets:
        raise DomainError(
            gettext_noop("无法从地址“%(address)s”确定所在街道，请提供 lon 和 lat（WGS84）"),
            address=order.address,
        )
    return streets[0].lon, streets[0].lat, WorkOrder.Located.ADDRESS


def _duplicate(partner: str, external_id: str, payload_sha256: str) -> DuplicateWorkOrder | None:
    earlier = (
        WorkOrder.objects.select_related("case")
        .filter(partner=partner, external_id=external_id, direction=WorkOrder.Direction.IN)
        .first()
    )
    if earlier is None:
        return None
    if earlier.payload_sha256 == payload_sha256:
        message = gettext_noop("重复的工单：该工单已受理，案卷号 %(number)s")
    else:
        message = gettext_noop("重复的工单：该工单号已受理（案卷号 %(number)s），内容与首次不同")
    return DuplicateWorkOrder(message, case_number=earlier.case.number)


def work_order_receive(*, partner: str, order: OrderIn, payload_sha256: str) -> WorkOrder:
    """Make a case of a partner's work order, once.

    The case, its reporter and the work order commit together or not at all: a refused
    category or a point outside the city leaves nothing behind. A replay (the same order
    number again) raises DuplicateWorkOrder naming the first case; when two copies arrive
    at once, the unique work-order key lets one commit and rolls the other back whole.
    """
    if duplicate := _duplicate(partner, order.external_id, payload_sha256):
        raise duplicate
    # Its own transaction first: creating the account takes the ledger's head lock, which
    # must not be held while the report waits for the county's case counter.
    account = partner_account(partner)
    if not account.is_active:
        raise Forbidden(gettext_noop("%(partner)s 工单交换的服务账号已停用"), partner=partner)
    try:
        return _receive(
            account=account, partner=partner, order=order, payload_sha256=payload_sha256
        )
    except IntegrityError:
        duplicate = _duplicate(partner, order.external_id, payload_sha256)
        if duplicate is None:
            raise
        raise duplicate from None


@transaction.atomic
def _receive(*, account: User, partner: str, order: OrderIn, payload_sha256: str) -> WorkOrder:
    category = Category.objects.filter(
        kind=order.category_kind, code=order.category_code, active=True
    ).first()
    if category is None:
        raise DomainError(
            gettext_noop("没有找到启用的类别：%(code)s（%(kind)s）"),
            code=order.category_code,
            kind=order.category_kind,
        )
    lon, lat, located = _place(order)
    now = timezone.now()
    case = case_report(
        actor=account,
        category=category,
        lon=lon,
        lat=lat,
        description=order.description,
        channel=partner,  # the case channels 12345 and 110 are named after them
        address=order.address,
        at=now,
        client_time=order.partner_time,
        contact=Contact(name=order.caller_name, phone=order.caller_phone),
    )
    work_order = WorkOrder.objects.create(
        partner=partner,
        external_id=order.external_id,
        direction=WorkOrder.Direction.IN,
        case=case,
        region_code=case.region_code,
        received_at=now,
        partner_time=order.partner_time,
        partner_deadline=order.partner_deadline,
        located=located,
        payload_sha256=payload_sha256,
    )
    ledger_append(
        kind="exchange.work_order_received",
        subject=work_order,
        actor=account,
        data={
            "partner": partner,
            "external_id": order.external_id,
            "number": case.number,
            "payload_sha256": payload_sha256,
            "located": located,
        },
    )
    return work_order


# ---------------------------------------------------------------- callbacks


def _when(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _result(case: Case, before: datetime) -> str:
    """What the handler reported doing: the last handling feedback before the closure."""
    handled = (
        CaseEvent.objects.filter(case=case, action="handle", at__lte=before).order_by("-at").first()
    )
    return handled.note if handled else ""


def _body(event: str, case: Case, happened: CaseEvent, work_order: WorkOrder) -> dict:
    """The callback as the partner reads it, from the case event that caused it (not the
    case as it is now: the relay may run after later changes)."""
    body: dict[str, Any] = {
        "event": event,
        ID_FIELDS[work_order.partner]: work_order.external_id,
        "case_number": work_order.case.number,
        "status": happened.to_status,
        "at": _when(happened.at),
    }
    carrier = case.merged_into if event == Callback.Event.MERGED else case
    if carrier is not None and work_order.case_id != carrier.pk:
        body["merged_into"] = carrier.number
    if event == Callback.Event.CLOSED:
        body.update(result=_result(case, happened.at), closed_at=_when(happened.at))
    elif event != Callback.Event.MERGED:
        body["reason"] = happened.note
    return body


def callback_queue(*, work_order: WorkOrder, event: str, happened: CaseEvent, body: dict) -> bool:
    """Queue one callback, once per (work order, event, case event); True if it is new."""
    _callback, created = Callback.objects.get_or_create(
        work_order=work_order,
        key=f"{event}:{happened.pk}",
        defaults={
            "event": event,
            "body": body,
            "created_at": timezone.now(),
            "next_attempt_at": timezone.now(),
        },
    )
    return created


@transaction.atomic
def callbacks_for_event(*, case: Case, event: str, happened: CaseEvent) -> int:
    """Queue `event` for every incoming work order the case carries (its own and those of
    the cases merged into it); returns how many were new."""
    orders = WorkOrder.objects.select_related("case").filter(
        case__in=cases_following(case), direction=WorkOrder.Direction.IN
    )
    return sum(
        callback_queue(
            work_order=order,
            event=event,
            happened=happened,
            body=_body(event, case, happened, order),
        )
        for order in orders
    )


def referral_body(case: Case, happened: CaseEvent) -> dict:
    """What 110 needs to take over a police matter: what, where, since when, and why we
    think it is theirs. No reporter's name or phone: the police call the city's 12319
    centre, which may call the reporter back (a ledgered unmask), quoting the case number."""
    return {
        "event": Callback.Event.REFERRED.value,
        "case_number": case.number,
        "category": {
            "code": case.category.code,
            "kind": case.category.kind,
            "name": case.category.name,
        },
        "description": case.description,
        "lon": case.lon,
        "lat": case.lat,
        "address": case.address,
        "region_code": case.region_code,
        "street_code": case.street_code,
        "reported_at": _when(case.reported_at),
        "referred_at": _when(happened.at),
        "reason": happened.note,
    }


@transaction.atomic
def referral_queue(*, case: Case, happened: CaseEvent) -> WorkOrder:
    """The outgoing 110 work order of a case referred to the police (its number is ours),
    and the callback that delivers it; idempotent."""
    work_order, _created = WorkOrder.objects.get_or_create(
        partner=PARTNER_110,
        external_id=case.number,
        direction=WorkOrder.Direction.OUT,
        defaults={"case": case, "region_code": case.region_code, "received_at": happened.at},
    )
    callback_queue(
        work_order=work_order,
        event=Callback.Event.REFERRED,
        happened=happened,
        body=referral_body(case, happened),
    )
    return work_order


@transaction.atomic
def callback_settle(
    *,
    callback_id: Any,
    at: datetime,
    acknowledged: bool,
    status: int | None,
    error: str,
    retry_at: datetime,
) -> Callback:
    """Record one delivery attempt: acknowledged (ledgered, never sent again) or failed
    (tried again at `retry_at`). An attempt that ends after another sender's acknowledgement
    changes nothing."""
    callback = (
        Callback.objects.select_for_update(of=("self",))
        .select_related("work_order")
        .get(pk=callback_id)
    )
    if callback.acknowledged_at is not None:
        return callback
    callback.attempts += 1
    callback.sent_at, callback.last_status, callback.last_error = at, status, error[:2000]
    if acknowledged:
        callback.acknowledged_at, callback.next_attempt_at = at, None
        ledger_append(
            kind="exchange.callback_acknowledged",
            subject=callback,
            data={
                "partner": callback.work_order.partner,
                "external_id": callback.work_order.external_id,
                "event": callback.event,
                "key": callback.key,
                "attempts": callback.attempts,
            },
        )
    else:
        callback.next_attempt_at = retry_at
    callback.save()
    return callback
