"""The power list (权责清单, C2): each administrative-penalty power in the comprehensive-
enforcement scope, and which body holds it in which territory over time."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from chengguan.core.models import UUIDModel
from chengguan.org.models import Agency
from chengguan.powers import discretion


class Power(UUIDModel):
    """一项行政处罚事项 with what the public must see about it (seed clause 十四):
    functions, legal basis, penalty range, process, supervision and accountability.

    `basis_source` says where the legal basis was taken from, so a row transcribed from the
    statutes is never mistaken for one checked by a legal office.
    """

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("在用")
        DEFERRED = "deferred", _("暂缓划转")

    code = models.CharField(_("事项编码"), max_length=20, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    domain = models.CharField(_("领域"), max_length=20, db_index=True)
    functions = models.TextField(_("职权内容"))
    legal_basis_prohibition = models.TextField(_("法律依据（禁止性条款）"))
    legal_basis_penalty = models.TextField(_("法律依据（处罚条款）"))
    statutory_range = models.TextField(_("法定处罚幅度"))
    transferred_from = models.CharField(_("划转自"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    deferred_until = models.DateField(_("暂缓至"), null=True, blank=True)
    deferred_condition = models.CharField(_("暂缓条件"), max_length=200, blank=True)
    process = models.TextField(_("办理流程"), help_text=_("每行一个步骤"))
    supervision = models.TextField(_("监督渠道"))
    accountability = models.TextField(_("责任追究"))
    basis_source = models.CharField(_("依据来源"), max_length=200)
    order = models.PositiveIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("行政处罚事项")
        verbose_name_plural = _("行政处罚事项")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="in_force", deferred_until__isnull=True, deferred_condition="")
                | (
                    Q(status="deferred")
                    & (Q(deferred_until__isnull=False) | ~Q(deferred_condition=""))
                ),
                name="power_deferred_has_date_or_condition",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def steps(self) -> list[str]:
        return [line for line in self.process.splitlines() if line.strip()]


class PowerHolder(UUIDModel):
    """Who exercises a power in one territory, from `valid_from` until `valid_to` (exclusive).

    Territory is the holder's county-level unit, or the city for city-level bodies; it is
    stored on the row so the database itself refuses a second open holder there. Rows are
    never edited by hand: `power_holder_assign` closes the previous holder and opens the
    next, so the history of who held what stays complete.
    """

    class Mode(models.TextChoices):
        OWN = "own", _("自有")
        AUTHORISED = "authorised", _("授权")
        ENTRUSTED = "entrusted", _("委托")

    power = models.ForeignKey(
        Power,
        verbose_name=pgettext_lazy("power", "事项"),
        on_delete=models.PROTECT,
        related_name="holders",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("行使主体"), on_delete=models.PROTECT, related_name="powers_held"
    )
    territory_code = models.CharField(_("行使区域代码"), max_length=12)
    mode = models.CharField(_("行使方式"), max_length=12, choices=Mode.choices)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["power__order", "territory_code", "valid_from"]
        verbose_name = _("行使主体")
        verbose_name_plural = _("行使主体")
        indexes = [models.Index(fields=["power", "territory_code", "valid_from"])]
        constraints = [
            models.UniqueConstraint(
                fields=["power", "territory_code"],
                condition=Q(valid_to__isnull=True),
                name="power_one_open_holder_per_territory",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="power_holder_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.power.code} {self.territory_code} {self.agency}"


class DiscretionBenchmark(UUIDModel):
    """One tier of a power's discretion benchmark (裁量基准), as a bureau published it.

    `condition` keeps the published words; `quantities` holds the numbers in them that a
    proposal can test (see chengguan/powers/discretion.py), empty for a qualitative
    condition. Fines are in yuan; no range means the tier fines nothing. `source` says
    which publication the row was transcribed from, so a public reader can check it.
    """

    class Tier(models.TextChoices):
        NO_PENALTY = "no_penalty", _("不予处罚")
        MINOR = "minor", _("轻微")
        ORDINARY = "ordinary", pgettext_lazy("discretion tier", "一般")
        SERIOUS = "serious", _("严重")

    power = models.ForeignKey(
        Power,
        verbose_name=pgettext_lazy("power", "事项"),
        on_delete=models.PROTECT,
        related_name="benchmarks",
    )
    tier = models.CharField(_("等次"), max_length=12, choices=Tier.choices)
    condition = models.TextField(_("情形（公布原文）"))
    quantities = models.JSONField(
        _("量化条件"),
        default=list,
        blank=True,
        help_text=_("[{measure, above, up_to}]：取值在 (above, up_to] 内即符合；任一项符合即可"),
    )
    fine_min = models.DecimalField(
        _("罚款下限（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    fine_max = models.DecimalField(
        _("罚款上限（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    other_sanction = models.CharField(_("其他处理"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=200)
    order = models.PositiveIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["power__order", "order"]
        verbose_name = _("裁量基准")
        verbose_name_plural = _("裁量基准")
        constraints = [
            models.UniqueConstraint(fields=["power", "tier"], name="benchmark_one_per_tier"),
            models.CheckConstraint(
                condition=Q(fine_min__isnull=True, fine_max__isnull=True)
                | Q(fine_min__isnull=False, fine_max__gte=F("fine_min")),
                name="benchmark_fine_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.power.code} {self.get_tier_display()}"

    @property
    def fine_range(self) -> str:
        return discretion.fine_range_text(self.fine_min, self.fine_max)

    def rule(self) -> discretion.Benchmark:
        """This row as the pure proposal rules take it."""
        return discretion.Benchmark(
            tier=self.tier,
            condition=self.condition,
            quantities=tuple(discretion.Quantity.from_json(q) for q in self.quantities),
            fine_min=self.fine_min,
            fine_max=self.fine_max,
            other_sanction=self.other_sanction,
        )
