"""Deadline sweeps for cases (run by `manage.py tick`): warn, mark overdue, escalate.

Each step claims its deadline with a conditional UPDATE (`… WHERE warned_at IS NULL`); only
the sweep whose UPDATE changed the row acts, so overlapping sweeps send every notice once.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F
from django.utils import timezone

from chengguan.cases.domain.workflow import CLOCK_LABELS, LEVEL_LABELS, OPEN, Level, escalate
from chengguan.cases.models import Case, Notice
from chengguan.cases.services import _notify
from chengguan.core.models import Deadline
from chengguan.core.services import ledger_append, outbox_emit


def _claim(deadline_id, field: str, now: datetime) -> bool:
    return bool(
        Deadline.objects.filter(pk=deadline_id, **{f"{field}__isnull": True}).update(**{field: now})
    )


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    conf = settings.CHENGGUAN
    counts = {"warned": 0, "overdue": 0, "escalated": 0}
    open_case_clocks = Deadline.objects.filter(subject_type="cases.case", stopped_at__isnull=True)
    span = ExpressionWrapper(F("due_at") - F("start_at"), output_field=DurationField())

    # Warnings: past the configured share of the limit, not yet due.
    share = conf["DEADLINE_WARNING_SHARE"]
    for deadline in open_case_clocks.filter(warned_at__isnull=True, due_at__gt=now).annotate(
        span=span
    ):
        if deadline.start_at + deadline.span * share <= now and _act(
            deadline, "warned_at", now, Notice.Kind.WARNING, "即将超时"
        ):
            counts["warned"] += 1
    # Overdue.
    for deadline in open_case_clocks.filter(overdue_at__isnull=True, due_at__lte=now):
        if _act(deadline, "overdue_at", now, Notice.Kind.OVERDUE, "已超时"):
            counts["overdue"] += 1
    # Escalation: overdue by the configured share of the limit → one level up with 督办.
    margin = conf["ESCALATE_OVERDUE_SHARE"]
    for deadline in open_case_clocks.filter(escalated_at__isnull=True, due_at__lte=now).annotate(
        span=span
    ):
        if deadline.due_at + deadline.span * margin <= now and _act(
            deadline, "escalated_at", now, Notice.Kind.SUPERVISE, "超时升级督办"
        ):
            counts["escalated"] += 1
    return counts


@transaction.atomic
def _act(deadline: Deadline, field: str, now: datetime, kind: str, label: str) -> bool:
    if not _claim(deadline.pk, field, now):
        return False  # another sweep got here first
    case = (
        Case.objects.select_for_update()
        .filter(pk=deadline.subject_id, status__in=list(OPEN))
        .first()
    )
    if case is None:
        return False
    clock = CLOCK_LABELS.get(deadline.kind, deadline.kind)  # e.g. 处置时限
    text = f"{case.number} {clock}{label}（时限 {timezone.localtime(deadline.due_at):%m-%d %H:%M}）"
    if field == "overdue_at":
        case.overdue = True
    if field == "escalated_at":
        case.level = escalate(Level(case.level))
        text += f"，升至{LEVEL_LABELS[Level(case.level)]}级"
    if field != "warned_at":
        case.version += 1
        case.save(update_fields=["overdue", "level", "version", "updated_at"])
        ledger_append(
            kind=f"case.{field.removesuffix('_at')}",
            subject=case,
            data={
                "number": case.number,
                "clock": deadline.kind,
                "due": deadline.due_at,
                "level": case.level,
            },
        )
        outbox_emit(f"case.{field.removesuffix('_at')}", case_id=str(case.pk), number=case.number)
    return _notify(case, kind=kind, key=f"{field}:{deadline.pk}", text=text)
