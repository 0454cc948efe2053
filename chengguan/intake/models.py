"""Work orders exchanged with the 12345 hotline platform and 110, and the callbacks that
tell a partner what became of them.

The partners themselves (their shared secrets and callback addresses) are settings, not
rows: a secret belongs in the environment, not in the database or a back-office form, and
the two partners are fixed by the city's policy (郑发〔2017〕18号: 12319 joined to 12345 and 110).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chengguan.core.models import UUIDModel
from chengguan.intake.domain import FAILING_AFTER_ATTEMPTS, PARTNER_110, PARTNER_12345


class WorkOrder(UUIDModel):
    """工单: one order passed between a partner and us, tied to the case that carries it.

    In: the partner sent it (a 12345 work order, a matter 110 transferred) and it became a
    case. Out: we referred a case to 110; `external_id` is then our case number. One order
    per (partner, number, direction), so a replayed delivery can never make a second case.
    """

    class Partner(models.TextChoices):
        HOTLINE_12345 = PARTNER_12345, _("12345 市民服务热线")
        POLICE_110 = PARTNER_110, _("110 报警服务台")

    class Direction(models.TextChoices):
        IN = "in", _("转入")
        OUT = "out", _("移交")

    class Located(models.TextChoices):
        POINT = "point", _("坐标")
        ADDRESS = "address", _("按地址推定（街道）")

    partner = models.CharField(_("对方平台"), max_length=8, choices=Partner.choices)
    external_id = models.CharField(_("工单号"), max_length=64)
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("案卷"), on_delete=models.PROTECT, related_name="work_orders"
    )
    region_code = models.CharField(_("县级区划代码"), max_length=6, db_index=True)
    received_at = models.DateTimeField(_("收到/移交时间"))
    partner_time = models.DateTimeField(_("对方受理时间"), null=True, blank=True)
    partner_deadline = models.DateTimeField(
        _("对方要求办结时间"),
        null=True,
        blank=True,
        help_text=_("仅作记录；本市时限按案卷类别计算"),
    )
    located = models.CharField(
        _("定位方式"), max_length=8, choices=Located.choices, default=Located.POINT
    )
    payload_sha256 = models.CharField(_("报文摘要（SHA-256）"), max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id", "direction"], name="work_order_once"
            )
        ]
        verbose_name = _("交换工单")
        verbose_name_plural = _("交换工单")

    def __str__(self) -> str:
        return f"{self.partner} {self.external_id}"


class Callback(UUIDModel):
    """One message to a partner about a work order (closed, merged, referred …), kept until
    the partner acknowledges it and tried again with growing pauses until then.

    `key` is the event kind and the case event that caused it: an outbox event relayed
    twice queues nothing twice, while a case closed, reopened and closed again is told twice.
    """

    class Event(models.TextChoices):
        CLOSED = "closed", _("已办结")
        MERGED = "merged", _("已合并")
        REFERRED = "referred", _("已移交公安")
        REOPENED = "reopened", _("重新办理")
        VOIDED = "voided", _("已作废")
        REJECTED = "rejected", _("不予立案")

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="callbacks"
    )
    event = models.CharField(_("事项"), max_length=10, choices=Event.choices)
    key = models.CharField(max_length=80)
    body = models.JSONField(_("报文"))
    created_at = models.DateTimeField(_("生成时间"))
    attempts = models.PositiveIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("最近发送"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("对方确认时间"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("最近 HTTP 状态"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "key"], name="callback_once_per_event")
        ]
        indexes = [
            # The sender's queue: a small slice (waiting callbacks) of a growing table.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="callback_due",
            )
        ]
        verbose_name = _("工单回调")
        verbose_name_plural = _("工单回调")

    def __str__(self) -> str:
        return f"{self.work_order} {self.event}"

    @property
    def failing(self) -> bool:
        return self.acknowledged_at is None and self.attempts >= FAILING_AFTER_ATTEMPTS
