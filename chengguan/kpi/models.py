"""Roll-ups and snapshots that the dashboard, the rankings and the public statistics read,
so none of them scans the case table (10 million rows after three years).

- `DailyRollup`: per day, street, category, channel and handling agency, how many cases
  were reported, registered, closed (on time or not) and reworked that day. Rebuilt for a
  day by `kpi.services.rollup_day`; `tick` keeps today's and yesterday's fresh.
- `HexRollup`: cases reported per day and H3 cell (resolution 8, about 0.7 km²): the
  heatmap and the public map read it.
- `OpenSnapshot`: open and overdue cases per street right now (rebuilt each tick).
- `IndicatorValue` / `Evaluation`: each indicator of each object per month and quarter,
  and the composite score, grade and rank; every number links to the cases behind it.
- `IndicatorWeight`: a city's own weights (defaults from data/evaluation_indicators.csv).
- `SatisfactionInput` / `SatisfactionScore`: imported survey and third-party scores, and the
  combined satisfaction per agency and period.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chengguan.core.models import UUIDModel
from chengguan.kpi.domain.indicators import OBJECT_LABELS


class DailyRollup(models.Model):
    day = models.DateField(_("日期"))
    region_code = models.CharField(_("县级区划代码"), max_length=6)
    street_code = models.CharField(_("街道代码"), max_length=12, blank=True)
    category_code = models.CharField(_("小类代码"), max_length=5)
    category_kind = models.CharField(max_length=10)
    channel = models.CharField(_("来源"), max_length=10)
    agency_id = models.UUIDField(null=True, blank=True)
    reported = models.PositiveIntegerField(default=0)
    registered = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    reworked = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["day", "region_code"], name="rollup_day_region"),
        ]
        verbose_name = _("日统计")
        verbose_name_plural = _("日统计")

    def __str__(self) -> str:
        return f"{self.day} {self.street_code or self.region_code} {self.category_code}"


class HexRollup(models.Model):
    day = models.DateField()
    cell = models.CharField(max_length=16)  # H3 index, resolution 8
    region_code = models.CharField(max_length=6)
    reported = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "region_code"], name="hexrollup_day_region")]
        constraints = [
            models.UniqueConstraint(fields=["day", "cell", "region_code"], name="hexrollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.cell}: {self.reported}"


class OpenSnapshot(models.Model):
    region_code = models.CharField(max_length=6)
    street_code = models.CharField(max_length=12, blank=True)
    open = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "street_code"], name="opensnapshot_key")
        ]

    def __str__(self) -> str:
        return f"{self.street_code or self.region_code}: {self.open}/{self.overdue}"


class Period(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")


OBJECT_CHOICES = [(kind.value, label) for kind, label in OBJECT_LABELS.items()]


class IndicatorValue(UUIDModel):
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices)
    period_start = models.DateField(_("周期起始"))
    object_kind = models.CharField(_("对象类型"), max_length=14, choices=OBJECT_CHOICES)
    object_key = models.CharField(_("对象"), max_length=40)  # region code, agency or user id
    object_name = models.CharField(_("名称"), max_length=100)
    region_code = models.CharField(max_length=6, blank=True)  # whose territory it is in
    indicator = models.CharField(_("指标"), max_length=40)
    numerator = models.PositiveIntegerField(default=0)
    denominator = models.PositiveIntegerField(default=0)
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "period_start", "object_kind", "object_key", "indicator"],
                name="indicatorvalue_key",
            )
        ]
        indexes = [
            models.Index(fields=["period", "period_start", "object_kind"], name="indicator_period")
        ]
        verbose_name = _("考核指标值")
        verbose_name_plural = _("考核指标值")

    def __str__(self) -> str:
        return f"{self.period_start} {self.object_name} {self.indicator}"


class Evaluation(UUIDModel):
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices)
    period_start = models.DateField(_("周期起始"))
    object_kind = models.CharField(_("对象类型"), max_length=14, choices=OBJECT_CHOICES)
    object_key = models.CharField(_("对象"), max_length=40)
    object_name = models.CharField(_("名称"), max_length=100)
    region_code = models.CharField(max_length=6, blank=True)
    composite = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2, null=True)
    grade = models.CharField(_("等级"), max_length=2, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ["rank", "object_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "period_start", "object_kind", "object_key"],
                name="evaluation_key",
            )
        ]
        verbose_name = _("综合评价")
        verbose_name_plural = _("综合评价")

    def __str__(self) -> str:
        return f"{self.period_start} {self.object_name} {self.grade}"


class IndicatorWeight(models.Model):
    object_kind = models.CharField(_("对象类型"), max_length=14, choices=OBJECT_CHOICES)
    indicator = models.CharField(_("指标"), max_length=40)
    weight = models.DecimalField(_("权重（%）"), max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["object_kind", "indicator"], name="indicatorweight_key")
        ]
        verbose_name = _("指标权重")
        verbose_name_plural = _("指标权重")

    def __str__(self) -> str:
        return f"{self.object_kind}:{self.indicator} {self.weight}"


class SatisfactionInput(UUIDModel):
    class Kind(models.TextChoices):
        SURVEY = "survey", _("满意度调查")
        THIRD_PARTY = "third_party", _("第三方测评")

    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))  # the first day of the month
    kind = models.CharField(_("来源类型"), max_length=12, choices=Kind.choices)
    score = models.DecimalField(_("得分（0–100）"), max_digits=5, decimal_places=2)
    respondents = models.PositiveIntegerField(_("样本量"), default=0)
    source = models.CharField(_("来源说明"), max_length=200)
    imported_at = models.DateTimeField()

    class Meta:
        verbose_name = _("满意度外部数据")
        verbose_name_plural = _("满意度外部数据")

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month} {self.kind} {self.score}"


class SatisfactionScore(UUIDModel):
    period = models.CharField(max_length=8, choices=Period.choices)
    period_start = models.DateField()
    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=6, blank=True)
    ratings_count = models.PositiveIntegerField(default=0)
    ratings = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    survey = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    third_party = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    combined = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "period_start", "agency"], name="satisfaction_key"
            )
        ]
        verbose_name = _("满意度")
        verbose_name_plural = _("满意度")

    def __str__(self) -> str:
        return f"{self.period_start} {self.agency_id} {self.combined}"
