"""Platform core: revision counters, the hash-chained ledger, the working calendar, deadlines."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from chengguan.core.ids import uuid7


class UUIDModel(models.Model):
    """Base for every table: a UUIDv7 key minted in Python (time-ordered, no DB round trip)."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)

    class Meta:
        abstract = True


class Revision(models.Model):
    """A counter per in-memory structure (grid index, calendar) bumped when its source changes.

    Each process caches the structure with the revision it was built from and rebuilds when
    the counter moves, so several app servers stay consistent without a message bus.
    """

    name = models.CharField(primary_key=True, max_length=40)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}@{self.value}"


class LedgerEntry(UUIDModel):
    """One link of the append-only, hash-chained ledger (执法全过程记录 / 审计日志).

    `payload` is the canonical JSON that was hashed, stored as text so verification re-hashes
    the exact bytes; `hash = sha256(payload)` and the payload contains the previous hash.
    Database triggers refuse UPDATE and DELETE (see migration 0002).
    """

    seq = models.BigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(editable=False)
    kind = models.CharField(_("事项"), max_length=80, db_index=True)
    subject_type = models.CharField(max_length=80, blank=True)
    subject_id = models.CharField(max_length=64, blank=True, db_index=True)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    payload = models.TextField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("审计账本记录")
        verbose_name_plural = _("审计账本")

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"


class LedgerHead(models.Model):
    """The tip of the chain: appends lock this row, so the chain never forks.

    It also lets verification notice rows cut off the end of the chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class CalendarYear(models.Model):
    """Whether a year's holidays come from the State Council notice or from an estimate."""

    class Status(models.TextChoices):
        OFFICIAL = "official", _("已发布（国务院办公厅通知）")
        PROVISIONAL = "provisional", _("暂估（通知尚未发布）")

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")

    def __str__(self) -> str:
        return f"{self.year} ({self.get_status_display()})"


class CalendarDay(models.Model):
    """A day that differs from the Monday–Friday default: a holiday, or a 调休 make-up workday."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=40, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class OfficePeriod(models.Model):
    """A span of office hours on every working day (e.g. 08:30–12:00)."""

    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))

    class Meta:
        ordering = ["start"]
        verbose_name = _("办公时段")
        verbose_name_plural = _("办公时段")

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


class Deadline(UUIDModel):
    """A time limit computed on the working calendar, kept with the inputs that produced it.

    Keeping start and amount lets the platform recompute every open deadline when the
    calendar changes (an official year replacing an estimate, an admin correction).
    """

    class Unit(models.TextChoices):
        HOURS = "hours", _("工作时")
        DAYS = "days", _("工作日")
        CLOCK_HOURS = "clock_hours", _("小时（连续计时）")

    subject_type = models.CharField(max_length=80)
    subject_id = models.CharField(max_length=64)
    kind = models.CharField(_("时限"), max_length=40)
    start_at = models.DateTimeField(_("起算时间"))
    amount = models.DecimalField(_("时长"), max_digits=8, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=12, choices=Unit.choices)
    due_at = models.DateTimeField(_("到期时间"), db_index=True)
    provisional = models.BooleanField(_("暂估"), default=False)
    stopped_at = models.DateTimeField(_("停止时间"), null=True, blank=True)
    # Set once by the sweep (`manage.py tick`); a conditional UPDATE makes each happen once.
    warned_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("超时时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级督办时间"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["stopped_at", "due_at"]),
            # The running clocks in due order (the dashboard's most overdue cases): without
            # it PostgreSQL walks the due_at index over every stopped clock (20 s at 10 M).
            models.Index(
                fields=["due_at"],
                condition=models.Q(stopped_at__isnull=True),
                name="deadline_running_due",
            ),
        ]
        verbose_name = _("时限")
        verbose_name_plural = _("时限")

    def __str__(self) -> str:
        return f"{self.kind} {self.due_at:%Y-%m-%d %H:%M}"


class OutboxEvent(UUIDModel):
    """An event written in the transaction of the change it announces (transactional outbox).

    A relay (`manage.py tick`) hands undelivered events to the configured channel and marks
    them delivered, so consumers see each committed change at least once and never a change
    that rolled back.
    """

    topic = models.CharField(max_length=80, db_index=True)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("事件发件箱")
        verbose_name_plural = _("事件发件箱")

    def __str__(self) -> str:
        return self.topic


class IdempotencyKey(UUIDModel):
    """A client's Idempotency-Key and the first answer given to it.

    The row is inserted in the same transaction as the work it guards, so a concurrent
    duplicate waits on the unique index and then finds the stored answer; a request that
    fails leaves no row, and its retry runs again.
    """

    scope = models.CharField(max_length=120)  # endpoint and caller
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key")
        ]
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
