"""Core writes: ledger appends, revision bumps, the working calendar and deadlines.

Every function here expects to run inside the caller's transaction (or opens one), so a
registry change and its ledger entry commit together or not at all.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from chengguan.core import calendar_sources
from chengguan.core.ledger import ChainProblem, ChainRow, build_payload, sha256_hex, verify_chain
from chengguan.core.models import (
    CalendarDay,
    CalendarYear,
    Deadline,
    LedgerEntry,
    LedgerHead,
    OfficePeriod,
    OutboxEvent,
    Revision,
)
from chengguan.core.workcal import DayKind

REVISION_GRIDS = "grids"
REVISION_CALENDAR = "calendar"


def subject_ref(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def ledger_append(
    *,
    kind: str,
    data: Mapping[str, Any],
    subject: models.Model | None = None,
    subject_type: str = "",
    subject_id: str = "",
    actor: Any = None,
) -> LedgerEntry:
    """Add one entry to the chain, in the caller's transaction.

    The head row is locked first, so concurrent appends queue and the chain never forks;
    refusing to run outside a transaction keeps a change from committing without its entry.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("ledger_append must run inside the transaction of the change it records")
    if subject is not None:
        subject_type, subject_id = subject_ref(subject)
    head = _locked_head()
    actor_id = str(actor.pk) if actor is not None and actor.pk is not None else ""
    actor_name = actor.get_username() if actor_id else ""
    fields = {
        "seq": head.seq + 1,
        "created_at": timezone.now(),
        "kind": kind,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "actor_id": actor_id,
        "actor_name": actor_name,
    }
    payload = build_payload(**fields, data=data, prev_hash=head.hash)
    entry = LedgerEntry.objects.create(
        **fields, payload=payload, prev_hash=head.hash, hash=sha256_hex(payload)
    )
    LedgerHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def _locked_head() -> LedgerHead:
    """The head row, locked; created on first use (migration 0002 normally made it)."""
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        LedgerHead.objects.get_or_create(pk=1)
        head = LedgerHead.objects.select_for_update().get(pk=1)
    return head


@dataclass(frozen=True)
class LedgerReport:
    checked: int
    head_seq: int
    head_hash: str
    problem: ChainProblem | None
    files_checked: int = 0
    file_problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.file_problems


def ledger_verify(*, files: bool = False) -> LedgerReport:
    """Re-hash the whole chain from the database, in seq order, in bounded memory.

    With `files`, also re-hash every stored file whose SHA-256 the ledger recorded (evidence,
    issued documents): each app lists its files in CHENGGUAN["LEDGER_FILE_CHECKS"], a
    callable taking the ledger's recorded hashes and returning (files checked, problems).
    Reading every file is slow at scale, so the page shows the chain and the command
    checks both.
    """
    head = LedgerHead.objects.filter(pk=1).first() or LedgerHead()
    rows = (
        ChainRow(*values)
        for values in LedgerEntry.objects.order_by("seq")
        .values_list(
            "seq", "kind", "subject_type", "subject_id", "actor_id", "payload", "prev_hash", "hash"
        )
        .iterator(chunk_size=2000)
    )
    checked, problem = verify_chain(rows, head_seq=head.seq, head_hash=head.hash)
    files_checked, file_problems = 0, []
    if files:
        for path in settings.CHENGGUAN["LEDGER_FILE_CHECKS"]:
            count, problems = import_string(path)()
            files_checked += count
            file_problems.extend(problems)
    return LedgerReport(
        checked=checked,
        head_seq=head.seq,
        head_hash=head.hash,
        problem=problem,
        files_checked=files_checked,
        file_problems=tuple(file_problems),
    )


def ledger_data(kinds: Iterable[str]) -> Iterable[tuple[str, str, dict]]:
    """(kind, subject id, data) of the ledger entries of `kinds`, read from the hashed
    payload itself (the columns beside it are only an index)."""
    import json

    entries = (
        LedgerEntry.objects.filter(kind__in=list(kinds))
        .order_by("seq")
        .values_list("kind", "subject_id", "payload")
        .iterator(chunk_size=2000)
    )
    for kind, subject_id, payload in entries:
        yield kind, subject_id, json.loads(payload)["data"]


def revision_bump(name: str) -> None:
    """Tell every process that the structure called `name` must be rebuilt."""
    updated = Revision.objects.filter(name=name).update(value=F("value") + 1)
    if not updated:
        Revision.objects.get_or_create(name=name, defaults={"value": 1})
    from chengguan.core import selectors  # local: selectors import this module's names

    transaction.on_commit(lambda: selectors.forget_cached(name))


# ---------------------------------------------------------------- working calendar


def _replace_year_days(year: int, days: Mapping[date, tuple[DayKind, str]]) -> None:
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(date=d, kind=kind.value, name=name) for d, (kind, name) in sorted(days.items())
    )


@transaction.atomic
def calendar_seed(*, years: Iterable[int], actor: Any = None) -> dict[int, str]:
    """Fill missing years: official where the chinesecalendar package knows them, else estimated.

    Idempotent: an official year is never touched again; a provisional year is upgraded as
    soon as an official source is available (and open deadlines are recomputed).
    """
    result: dict[int, str] = {}
    for year in years:
        current = CalendarYear.objects.filter(year=year).first()
        if current and current.status == CalendarYear.Status.OFFICIAL:
            continue
        official = calendar_sources.official_year(year)
        if official is not None:
            calendar_year_publish(
                year=year, days=official, source="chinesecalendar（国务院办公厅通知）", actor=actor
            )
            result[year] = CalendarYear.Status.OFFICIAL
        elif current is None:
            _replace_year_days(year, calendar_sources.estimated_year(year))
            CalendarYear.objects.create(
                year=year,
                status=CalendarYear.Status.PROVISIONAL,
                source="holidays 软件包农历推算（未含调休）",
            )
            ledger_append(
                kind="calendar.year_estimated",
                subject_type="core.calendaryear",
                subject_id=str(year),
                actor=actor,
                data={"year": year},
            )
            revision_bump(REVISION_CALENDAR)
            result[year] = CalendarYear.Status.PROVISIONAL
    if not OfficePeriod.objects.exists():
        from chengguan.core.workcal import DEFAULT_PERIODS

        OfficePeriod.objects.bulk_create(OfficePeriod(start=s, end=e) for s, e in DEFAULT_PERIODS)
        revision_bump(REVISION_CALENDAR)
    return result


@transaction.atomic
def calendar_year_publish(
    *, year: int, days: Mapping[date, tuple[DayKind, str]], source: str, actor: Any = None
) -> int:
    """Enter a year's official holiday arrangement and recompute every open deadline.

    Returns how many open deadlines were recomputed.
    """
    stray = [d for d in days if d.year != year]
    if stray:
        from chengguan.core.errors import DomainError, gettext_noop

        raise DomainError(
            gettext_noop("日期 %(date)s 不属于 %(year)s 年"), date=stray[0], year=year
        )
    _replace_year_days(year, days)
    CalendarYear.objects.update_or_create(
        year=year, defaults={"status": CalendarYear.Status.OFFICIAL, "source": source}
    )
    ledger_append(
        kind="calendar.year_published",
        subject_type="core.calendaryear",
        subject_id=str(year),
        actor=actor,
        data={
            "year": year,
            "source": source,
            "days": {d.isoformat(): kind.value for d, (kind, _name) in sorted(days.items())},
        },
    )
    revision_bump(REVISION_CALENDAR)
    return deadlines_recompute(actor=actor)


# Never copied into the (permanent) ledger, whatever model they belong to.
SECRET_FIELDS = frozenset({"password"})


def _field_value(obj: models.Model, name: str) -> object:
    value = getattr(obj, obj._meta.get_field(name).attname)
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


@transaction.atomic
def registry_save(
    *,
    obj: models.Model,
    actor: Any,
    changed: Iterable[str],
    created: bool,
    revision: str | None = None,
) -> models.Model:
    """Save a registry row edited in the back office, with its ledger entry, atomically.

    `revision` names the in-memory structure (grid index, calendar) to rebuild after commit.
    """
    obj.save()
    concrete = {f.name for f in obj._meta.concrete_fields}
    fields = sorted(name for name in changed if name in concrete and name not in SECRET_FIELDS)
    ledger_append(
        kind=f"{obj._meta.label_lower}.{'created' if created else 'changed'}",
        subject=obj,
        actor=actor,
        data={name: _field_value(obj, name) for name in fields},
    )
    if revision:
        revision_bump(revision)
    return obj


@transaction.atomic
def registry_delete(*, obj: models.Model, actor: Any, revision: str | None = None) -> None:
    """Delete a registry row (where deleting is allowed at all), recording what it was."""
    subject_type, subject_id = subject_ref(obj)
    label = str(obj)
    obj.delete()
    ledger_append(
        kind=f"{subject_type}.deleted",
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor,
        data={"was": label},
    )
    if revision:
        revision_bump(revision)


# ---------------------------------------------------------------- outbox


def outbox_relay(*, now: datetime | None = None, batch: int = 1000) -> dict[str, int]:
    """Hand committed events to every consumer in `CHENGGUAN["OUTBOX_CONSUMERS"]` and mark
    them delivered: at least once, in the order they were written.

    Each event's consumers run in a savepoint. If one raises, the event's work is rolled
    back and it stays undelivered for the next tick, so consumers must be idempotent (they
    queue work under unique keys rather than doing it twice). Other events go on.
    """
    import logging

    from django.utils.module_loading import import_string

    log = logging.getLogger("chengguan.outbox")
    consumers = [import_string(path) for path in settings.CHENGGUAN.get("OUTBOX_CONSUMERS", [])]
    now = now or timezone.now()
    delivered, failed = [], 0
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(delivered_at__isnull=True)
            .order_by("created_at")[:batch]
        )
        for event in events:
            log.info("event %s %s", event.topic, event.payload)
            try:
                with transaction.atomic():
                    for consumer in consumers:
                        consumer(event)
            except Exception:
                log.exception(
                    "outbox consumer failed on %s %s; retried next tick", event.topic, event.pk
                )
                failed += 1
                continue
            delivered.append(event.pk)
        OutboxEvent.objects.filter(pk__in=delivered).update(delivered_at=now)
    return {"outbox_delivered": len(delivered), "outbox_failed": failed}


def outbox_emit(topic: str, **payload: Any) -> OutboxEvent:
    """Record an event in the caller's transaction; it is relayed only if the change commits."""
    if not connection.in_atomic_block:
        raise RuntimeError("outbox_emit must run inside the transaction of the change it announces")
    return OutboxEvent.objects.create(topic=topic, payload=payload)


# ---------------------------------------------------------------- deadlines


def _compute(start: datetime, amount: Decimal, unit: str):
    from chengguan.core.selectors import work_calendar
    from chengguan.core.workcal import Due

    if unit == Deadline.Unit.CLOCK_HOURS:  # urgent matters run around the clock
        return Due(at=start + timedelta(hours=float(amount)), provisional=False)
    cal = work_calendar(fresh=True)
    if unit == Deadline.Unit.HOURS:
        return cal.add_working_time(start, hours=float(amount))
    return cal.add_working_time(start, days=int(amount))


@transaction.atomic(savepoint=False)  # a part of the caller's change, never retried alone
def deadline_start(
    *,
    subject: models.Model,
    kind: str,
    start: datetime,
    hours: float | None = None,
    days: int | None = None,
    clock_hours: float | None = None,
) -> Deadline:
    """Start a clock for `subject`, computed on the working calendar and kept recomputable."""
    given = {
        Deadline.Unit.HOURS: hours,
        Deadline.Unit.DAYS: days,
        Deadline.Unit.CLOCK_HOURS: clock_hours,
    }
    chosen = [(unit, value) for unit, value in given.items() if value is not None]
    if len(chosen) != 1:
        raise ValueError("give exactly one of hours, days or clock_hours")
    unit, value = chosen[0]
    amount = Decimal(str(value))
    due = _compute(start, amount, unit)
    subject_type, subject_id = subject_ref(subject)
    return Deadline.objects.create(
        subject_type=subject_type,
        subject_id=subject_id,
        kind=kind,
        start_at=start,
        amount=amount,
        unit=unit,
        due_at=due.at,
        provisional=due.provisional,
    )


@transaction.atomic
def deadlines_recompute(*, actor: Any = None) -> int:
    """Recompute every open deadline after the calendar changed; record what moved."""
    changed = 0
    for deadline in Deadline.objects.select_for_update().filter(stopped_at__isnull=True):
        due = _compute(deadline.start_at, deadline.amount, deadline.unit)
        if due.at != deadline.due_at or due.provisional != deadline.provisional:
            old = deadline.due_at
            deadline.due_at, deadline.provisional = due.at, due.provisional
            deadline.save(update_fields=["due_at", "provisional"])
            ledger_append(
                kind="deadline.recomputed",
                subject=deadline,
                actor=actor,
                data={"from": old, "to": due.at, "provisional": due.provisional},
            )
            changed += 1
    return changed
