"""Writes on cases: report, then every workflow action, each in one transaction with its
timeline event, ledger entry, outbox event and clocks (deadlines on the working calendar)."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from chengguan.accounts.selectors import roles_of, scope_of
from chengguan.cases.domain.channels import INSPECTOR, check_report_channel
from chengguan.cases.domain.limits import LimitUnit
from chengguan.cases.domain.workflow import (
    FINAL,
    Action,
    Clock,
    Level,
    Status,
    check_reopen_window,
    check_transition,
    clocks_to_stop,
    escalate,
    needs_own_agency,
)
from chengguan.cases.domain.workflow import case_number as format_case_number
from chengguan.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CasePart,
    CasePhoto,
    Category,
    Notice,
    Reporter,
)
from chengguan.cases.selectors import (
    cases_visible,
    handler_agencies,
    joint_parts_open,
    suggest_agency,
)
from chengguan.core.errors import Conflict, DomainError, Forbidden, NotFound, gettext_noop
from chengguan.core.models import Deadline
from chengguan.core.personal import (
    name_mask,
    phone_decrypt,
    phone_encrypt,
    phone_index,
    phone_mask,
    phone_normalise,
    text_mask,
)
from chengguan.core.services import deadline_start, ledger_append, outbox_emit
from chengguan.core.uploads import image_check, image_store
from chengguan.org.models import Agency
from chengguan.org.selectors import locate

# One statement takes the next serial: it creates the day's counter or bumps it, and holds
# the row until commit, so two reports never share a number (PostgreSQL and SQLite ≥ 3.35).
NEXT_SERIAL_SQL = f"""
    INSERT INTO {CaseCounter._meta.db_table} (region_code, day, last) VALUES (%s, %s, 1)
    ON CONFLICT (region_code, day)
    DO UPDATE SET last = {CaseCounter._meta.db_table}.last + 1
    RETURNING last
"""


def _next_number(region_code: str, at: datetime) -> str:
    """Serial per county and local day."""
    day = timezone.localtime(at).strftime("%Y%m%d")
    with connection.cursor() as cursor:
        cursor.execute(NEXT_SERIAL_SQL, [region_code, day])
        (serial,) = cursor.fetchone()
    return format_case_number(region_code=region_code, local_date_text=day, serial=serial)


def _start_clock(case: Case, clock: Clock, at: datetime) -> Deadline:
    limit = case.category.limit(clock.value)
    unit = {
        LimitUnit.WORKING_HOURS: "hours",
        LimitUnit.WORKING_DAYS: "days",
        LimitUnit.CLOCK_HOURS: "clock_hours",
    }[limit.unit]
    amount = int(limit.amount) if limit.unit is LimitUnit.WORKING_DAYS else float(limit.amount)
    return deadline_start(subject=case, kind=clock.value, start=at, **{unit: amount})


def _stop_clocks(case: Case, clocks, at: datetime) -> None:
    if clocks:
        Deadline.objects.filter(
            subject_type="cases.case",
            subject_id=str(case.pk),
            kind__in=[c.value for c in clocks],
            stopped_at__isnull=True,
        ).update(stopped_at=at)


MAX_PHOTOS = 5
# Which stage a photo belongs to, by the action it comes with.
PHOTO_KINDS = {
    "reported": "report",
    Action.VERIFY: "verify",
    Action.HANDLE: "after",
    Action.PART_DONE: "after",
    Action.CHECK_PASS: "check",
    Action.CHECK_FAIL: "check",
}


def _add_photos(case: Case, photos, *, action, actor, at: datetime) -> list[str]:
    """Store the photos that come with an action; returns their SHA-256 for the ledger."""
    if not photos:
        return []
    kind = PHOTO_KINDS.get(action)
    if kind is None:
        raise DomainError(gettext_noop("此操作不能附带照片"))
    if len(photos) > MAX_PHOTOS:
        raise DomainError(gettext_noop("每次最多上传 %(n)s 张照片"), n=MAX_PHOTOS)
    for data in photos:  # all of them first: one bad photo must not leave the others stored
        image_check(data)
    digests = []
    for data in photos:
        stored = image_store(data=data, folder=f"cases/{case.region_code}")
        CasePhoto.objects.create(
            case=case,
            kind=kind,
            original=stored.original,
            public=stored.public,
            sha256=stored.sha256,
            content_type=stored.content_type,
            size=stored.size,
            width=stored.width,
            height=stored.height,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            uploaded_at=at,
        )
        digests.append(stored.sha256)
    return digests


def _record(
    case: Case,
    *,
    action: str,
    actor: Any,
    at: datetime,
    from_status: str,
    note: str = "",
    data: dict | None = None,
) -> None:
    data = data or {}
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at,
        from_status=from_status,
        to_status=case.status,
        note=note,
        data=data,
    )
    ledger_append(
        kind=f"case.{action}",
        subject=case,
        actor=actor,
        data={"number": case.number, "from": from_status, "to": case.status, "note": note, **data},
    )
    outbox_emit(
        f"case.{action}",
        case_id=str(case.pk),
        event_id=str(event.pk),
        number=case.number,
        status=case.status,
        region_code=case.region_code,
    )


@dataclass(frozen=True)
class Contact:
    """How to reach someone who reported from outside; both parts are optional."""

    name: str = ""
    phone: str = ""


# Tracking codes: no 0/O, 1/I/L, so a code read out on the phone is typed right.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 10


def _reporter_add(case: Case, contact: Contact, *, channel: str, at: datetime) -> Reporter:
    phone = phone_normalise(contact.phone) if contact.phone.strip() else ""
    name = contact.name.strip()
    if len(name) > 40:
        raise DomainError(gettext_noop("姓名不能超过 %(n)s 个字"), n=40)
    while True:  # 31^10 codes: a clash is astronomically rare, but never fatal
        code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
        if not Reporter.objects.filter(tracking_code=code).exists():
            break
    return Reporter.objects.create(
        case=case,
        channel=channel,
        name=name,
        phone_cipher=phone_encrypt(phone) if phone else "",
        phone_index=phone_index(phone) if phone else "",
        phone_masked=phone_mask(phone) if phone else "",
        tracking_code=code,
        created_at=at,
    )


@transaction.atomic
def case_report(
    *,
    actor: Any,
    category: Category,
    lon: float,
    lat: float,
    description: str,
    channel: str,
    address: str = "",
    photos: list[bytes] | tuple = (),
    at: datetime | None = None,
    client_time: datetime | None = None,
    contact: Contact | None = None,
) -> Case:
    """Take in a report: place it on its grid, number it, suggest who should handle it.

    A patrol inspector's own report counts as verified (they saw it); anything else waits
    for an inspector to verify it. `client_time` is when a phone made the report (it may
    have waited offline): recorded in the timeline and the ledger, while the clocks start
    at receipt, when the city could first act on it. A `contact` (even an empty one) makes
    the reporter a `Reporter` with a tracking code: `case.reporters`.
    """
    check_report_channel(roles_of(actor), channel)
    if not description or not description.strip():
        raise DomainError(gettext_noop("请填写问题描述"))
    if not category.active:
        raise DomainError(gettext_noop("该类别已停用，请选择其他类别"))
    at = at or timezone.now()
    place = locate(lon, lat)
    if not scope_of(actor).contains(unit_code=place.unit_code, street_code=place.street_code):
        # The reporter would create a case they cannot see.
        raise DomainError(
            gettext_noop("该位置（%(place)s）不在您的工作辖区内"),
            place=f"{place.unit_name}{place.street_name}",
        )
    by_inspector = channel == INSPECTOR  # only inspectors may use it (checked above)
    suggestion = suggest_agency(
        category=category,
        grid=place.grid_id,
        street_code=place.street_code,
        unit_code=place.unit_code,
        on=timezone.localdate(at),
    )
    case = Case.objects.create(
        number=_next_number(place.unit_code, at),
        region_code=place.unit_code,
        street_code=place.street_code,
        grid_id=place.grid_id,
        category=category,
        status=Status.VERIFIED if by_inspector else Status.REPORTED,
        level=Level.STREET,
        channel=channel,
        description=description.strip(),
        address=address.strip(),
        lon=lon,
        lat=lat,
        reporter=actor if getattr(actor, "pk", None) else None,
        suggested_agency_id=suggestion.agency_id,
        suggestion=suggestion.reason,
        reported_at=at,
    )
    _start_clock(case, Clock.REGISTER if by_inspector else Clock.VERIFY, at)
    if contact is not None:
        _reporter_add(case, contact, channel=channel, at=at)
    digests = _add_photos(case, photos, action="reported", actor=actor, at=at)
    _record(
        case,
        action="reported",
        actor=actor,
        at=at,
        from_status="",
        data={
            "channel": channel,
            "category": category.code,
            "grid": place.grid_code,
            "photos": digests,
            **({"client_time": client_time.isoformat()} if client_time else {}),
        },
    )
    return case


def _agency(agency_id: Any, case: Case) -> Agency:
    """A body that can take the case: active, and of the case's county-level unit (or one of
    its streets) or city-wide."""
    agency = (
        Agency.objects.select_related("region").filter(pk=agency_id, active=True).first()
        if agency_id
        else None
    )
    if agency is None:
        raise DomainError(gettext_noop("请选择有效的处置单位"))
    region = agency.region
    if region.kind != "city" and case.region_code not in (region.code, region.unit_code):
        raise DomainError(gettext_noop("%(agency)s 不负责本案卷所在区域"), agency=agency.name)
    return agency


@transaction.atomic
def case_act(
    *,
    case_id: Any,
    action: Action,
    actor: Any,
    expected_version: int,
    reason: str = "",
    agency_id: Any = None,
    feedback: str = "",
    hours: Decimal | float | None = None,
    helper_ids: list | None = None,
    target_number: str = "",
    photos: list[bytes] | tuple = (),
    at: datetime | None = None,
) -> Case:
    """Apply one workflow action. Exactly one of two people acting at once wins: the other
    gets a Conflict, because the version they saw is no longer the case's."""
    at = at or timezone.now()
    case = (
        cases_visible(actor)
        .select_for_update()
        .select_related("category")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(gettext_noop("没有找到该案卷"))
    if case.version != expected_version:
        raise Conflict(gettext_noop("该案卷已被他人处理，请刷新后重试"))
    given = {
        "reason": reason,
        "agency": agency_id,
        "feedback": feedback,
        "hours": hours,
        "helpers": helper_ids,
        "target": target_number,
    }
    open_parts = joint_parts_open(case)
    transition = check_transition(
        action,
        status=Status(case.status),
        roles=roles_of(actor),
        given=given,
        pending_extension=case.extension_pending,
        complex_case=case.complex,
        open_joint_parts=open_parts,
    )
    if action is Action.PART_DONE:
        pass  # the helper's own part is checked below, not the lead's task
    elif needs_own_agency(action, roles_of(actor)) and case.agency_id not in handler_agencies(
        actor
    ):
        raise Forbidden(gettext_noop("该任务不属于您的单位"))
    from_status = case.status
    data: dict[str, Any] = {}
    _stop_clocks(case, clocks_to_stop(transition, Status(case.status)), at)
    if action in (Action.DISPATCH, Action.REASSIGN):
        agency = _agency(agency_id, case)
        if (
            case.suggested_agency_id
            and agency.pk != case.suggested_agency_id
            and not reason.strip()
        ):
            raise DomainError(gettext_noop("改派或不采用建议处置单位时请填写理由"))
        data["agency"] = agency.code
        case.agency = agency
        CasePart.objects.filter(case=case, lead=True).update(agency=agency)
    elif action is Action.DISPATCH_JOINT:
        lead = _agency(agency_id, case)
        helpers = [_agency(h, case) for h in dict.fromkeys(helper_ids or [])]
        helpers = [h for h in helpers if h.pk != lead.pk]
        if not helpers:
            raise DomainError(gettext_noop("联合执法至少需要一个协办单位"))
        CasePart.objects.bulk_create(
            [CasePart(case=case, agency=lead, lead=True)]
            + [CasePart(case=case, agency=h) for h in helpers]
        )
        case.agency = lead
        data.update(agency=lead.code, helpers=[h.code for h in helpers])
    elif action is Action.PART_DONE:
        part = CasePart.objects.filter(
            case=case, lead=False, done_at__isnull=True, agency_id__in=handler_agencies(actor)
        ).first()
        if part is None:
            raise Forbidden(gettext_noop("本单位在该联合执法中没有待完成的协办任务"))
        part.done_at, part.feedback = at, feedback.strip()
        part.save(update_fields=["done_at", "feedback"])
        data.update(agency=part.agency.code, feedback=feedback.strip())
    elif action is Action.RETURN:
        data["agency"] = case.agency.code if case.agency else ""
        case.agency = None
        CasePart.objects.filter(case=case).delete()  # the dispatcher starts over
    elif action is Action.REQUEST_EXTENSION:
        hours = Decimal(str(hours))
        if not Decimal("0.5") <= hours <= Decimal("200"):
            raise DomainError(gettext_noop("延期时长应在 0.5 至 200 个工作时之间"))
        case.extension_pending, case.extension_hours = True, hours
        data["hours"] = hours
    elif action is Action.APPROVE_EXTENSION:
        data.update(_extend_handle_clock(case, at))
    elif action is Action.REFUSE_EXTENSION:
        case.extension_pending, case.extension_hours = False, None
    elif action is Action.CHECK_FAIL:
        case.rework_count += 1
    elif action is Action.CLOSE:
        case.closed_at = at
    elif action is Action.MERGE:
        target = _merge_target(case, target_number, actor)
        case.merged_into = target
        data["into"] = target.number
    elif action is Action.REOPEN:
        check_reopen_window(case.closed_at, at)
        # A reporter's own words, bound for the ledger that is never erased: any phone or
        # ID number typed into them is masked first (their number is on the Reporter).
        reason = text_mask(reason)
        case.closed_at = None
        case.rework_count += 1
        data["agency"] = case.agency.code if case.agency else ""
    elif action is Action.SUPERVISE:
        case.level = escalate(Level(case.level))
        data["level"] = case.level
        _notify(
            case,
            kind=Notice.Kind.SUPERVISE,
            key=f"supervise:{case.pk}:{case.version}",
            text=f"督办：{case.number}（{reason.strip()}）",
        )
    elif action is Action.MARK_COMPLEX:
        case.complex = True
        case.level = escalate(Level(case.level))
        data["level"] = case.level
        _notify(
            case,
            kind=Notice.Kind.SUPERVISE,
            key=f"complex:{case.pk}",
            text=f"疑难复杂升级督办：{case.number}（{reason.strip()}）",
        )
    if action is Action.HANDLE:
        data["feedback"] = feedback.strip()
    if transition.target is not None:
        case.status = transition.target
        if case.status != Status.DISPATCHED:
            case.extension_pending, case.extension_hours = False, None
    if transition.starts:
        _start_clock(case, transition.starts, at)
    if transition.stops or transition.starts:
        case.overdue = False
    case.version += 1
    case.save()
    digests = _add_photos(case, photos, action=action, actor=actor, at=at)
    if digests:
        data["photos"] = digests
    _record(
        case,
        action=action.value,
        actor=actor,
        at=at,
        from_status=from_status,
        note=(reason or feedback).strip(),
        data=data,
    )
    return case


def _merge_target(case: Case, number: str, actor: Any) -> Case:
    """The earlier open case a duplicate joins: same category, visible to the actor, not
    itself merged away (so every reporter ends on one living case)."""
    target = cases_visible(actor).select_for_update().filter(number=(number or "").strip()).first()
    if target is None:
        raise DomainError(gettext_noop("没有找到要合并到的案卷：%(number)s"), number=number)
    if target.pk == case.pk:
        raise DomainError(gettext_noop("不能把案卷合并到它自己"))
    if target.status in FINAL:
        raise DomainError(
            gettext_noop("案卷 %(number)s 已办结或已合并，不能再合并进来"), number=target.number
        )
    if target.category_id != case.category_id:
        raise DomainError(gettext_noop("只能合并同一类别的案卷"))
    return target


@transaction.atomic
def case_reporter_join(
    *, case_id: Any, actor: Any, contact: Contact, channel: str, description: str = ""
) -> Reporter:
    """Another caller about a problem already on file: add them to that case instead of
    opening a duplicate, so they get its tracking code and hear when it is fixed."""
    check_report_channel(roles_of(actor), channel)
    case = cases_visible(actor).select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound(gettext_noop("没有找到该案卷"))
    if case.status in FINAL:
        raise DomainError(gettext_noop("该案卷已办结，请作为新问题上报"))
    at = timezone.now()
    reporter = _reporter_add(case, contact, channel=channel, at=at)
    _record(
        case,
        action="reporter_joined",
        actor=actor,
        at=at,
        from_status=case.status,
        note=(description or "").strip()[:2000],
        data={"channel": channel, "tracking_code": reporter.tracking_code},
    )
    return reporter


def reporter_phone_reveal(*, actor: Any, reporter_id: Any) -> str:
    """The full number, for someone allowed to call the reporter back; every look is
    written to the ledger (who, which case, when)."""
    if not actor.has_perm("cases.unmask_phone"):
        raise Forbidden(gettext_noop("您无权查看完整电话号码"))
    reporter = (
        Reporter.objects.select_related("case")
        .filter(pk=reporter_id, case__in=cases_visible(actor))
        .first()
    )
    if reporter is None or not reporter.phone_cipher:
        raise NotFound(gettext_noop("没有找到该反映人的电话"))
    with transaction.atomic():
        ledger_append(
            kind="personal.phone_revealed",
            subject=reporter.case,
            actor=actor,
            data={"number": reporter.case.number, "reporter": str(reporter.pk)},
        )
    return phone_decrypt(reporter.phone_cipher)


def reporter_display(reporter: Reporter) -> dict[str, str]:
    """What every page and API answer may show of a reporter: masked name and phone."""
    return {
        "name": name_mask(reporter.name),
        "phone": reporter.phone_masked,
        "channel": reporter.get_channel_display(),
        "tracking_code": reporter.tracking_code,
    }


@transaction.atomic
def case_comment(*, case_id: Any, actor: Any, text: str, at: datetime | None = None) -> CaseEvent:
    """Add a public remark to the timeline (a reporter's follow-up through an Open311 client
    or the hotline). The status does not change, so nobody's open form goes stale."""
    # A reporter's follow-up goes into the ledger, never erased: numbers in it are masked.
    text = text_mask((text or "").strip())
    if not text:
        raise DomainError(gettext_noop("请填写补充说明"))
    if len(text) > 2000:
        raise DomainError(gettext_noop("补充说明不能超过 %(n)s 个字"), n=2000)
    at = at or timezone.now()
    case = cases_visible(actor).filter(pk=case_id).first()
    if case is None:
        raise NotFound(gettext_noop("没有找到该案卷"))
    _record(case, action="comment", actor=actor, at=at, from_status=case.status, note=text)
    return case.events.order_by("-at", "-pk").first()


@transaction.atomic(savepoint=False)  # a part of the enforcing step that calls it
def case_enforcement_record(
    *, case_id: Any, actor: Any, outcome: str, public_text: str, reference: str, at: datetime
) -> None:
    """The outcome of a penalty case opened from this case (C4 ← C6): a timeline event whose
    public wording the reporter reads on the tracking page. The penalty service checked its
    own permissions; the case's status does not change."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return
    _record(
        case,
        action="enforcement",
        actor=actor,
        at=at,
        from_status=case.status,
        note=public_text,
        data={"outcome": outcome, "penalty_case": reference, "public": public_text},
    )


def _extend_handle_clock(case: Case, at: datetime) -> dict:
    """An approved extension continues the handle clock from its due for the granted hours:
    the only way a running deadline moves, and only later."""
    current = Deadline.objects.filter(
        subject_type="cases.case",
        subject_id=str(case.pk),
        kind=Clock.HANDLE.value,
        stopped_at__isnull=True,
    ).first()
    if current is None:
        raise DomainError(gettext_noop("该案卷没有正在计时的处置时限"))
    current.stopped_at = at
    current.save(update_fields=["stopped_at"])
    extended = deadline_start(
        subject=case,
        kind=Clock.HANDLE.value,
        start=current.due_at,
        hours=float(case.extension_hours),
    )
    hours = case.extension_hours
    case.extension_pending, case.extension_hours = False, None
    return {"hours": hours, "from": current.due_at, "to": extended.due_at}


def _notify(case: Case, *, kind: str, key: str, text: str) -> bool:
    """Put a notice in the inbox of the case's agency (or its district) once per key."""
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                key=key,
                kind=kind,
                case=case,
                agency=case.agency,
                region_code=case.region_code,
                text=text,
            )
    except IntegrityError:
        return False
    from chengguan.core.notify import send

    transaction.on_commit(lambda: send(notice))
    return True
