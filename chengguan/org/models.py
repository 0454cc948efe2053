"""Territory and organisation (C1): regions, agencies and unit grids."""

import shapely
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chengguan.core.models import UUIDModel


class BoundarySource(models.TextChoices):
    NONE = "", _("无边界")
    IMPORTED = "imported", _("导入")
    DERIVED = "derived", _("由网格规划推算（演示用，应导入正式边界替换）")


class GeometryMixin(models.Model):
    """Geometry kept as WKB (SQLite and PostgreSQL alike; indexed in memory, not in the DB)."""

    geometry_wkb = models.BinaryField(null=True, blank=True, editable=False)
    centroid_lon = models.FloatField(null=True, blank=True, editable=False)
    centroid_lat = models.FloatField(null=True, blank=True, editable=False)
    area_km2 = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def geometry(self):
        return shapely.from_wkb(bytes(self.geometry_wkb)) if self.geometry_wkb else None


class Region(UUIDModel, GeometryMixin):
    """行政区划: the city, its county-level units (incl. functional zones), streets/towns.

    `parent` is the management tree (郑东新区's streets hang under 郑东新区); `stat_parent_code`
    keeps the statistical county of GB/T 2260 / 统计用区划代码 where they differ.
    """

    class Kind(models.TextChoices):
        CITY = "city", _("市")
        COUNTY = "county", _("县（市、区）")
        ZONE = "zone", _("管委会（功能区）")
        STREET = "street", _("街道（乡镇）")
        COMMUNITY = "community", _("社区")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    statistical = models.BooleanField(_("统计用区划代码"), default=True)
    stat_parent_code = models.CharField(_("统计上级代码"), max_length=12, blank=True)
    unit_code = models.CharField(
        _("所属县级单位代码"),
        max_length=12,
        blank=True,
        db_index=True,
        help_text=_("管理树中所属的县（市、区）或管委会；县级单位为其自身，市为空"),
    )
    host_county_code = models.CharField(
        _("规划所在县区代码"),
        max_length=12,
        blank=True,
        help_text=_("无边界的功能区在演示网格规划中暂借的县区（导入正式边界后不再使用）"),
    )
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    population_source = models.CharField(_("人口数据来源"), max_length=200, blank=True)
    boundary_source = models.CharField(
        _("边界来源"), max_length=10, choices=BoundarySource.choices, blank=True
    )
    history = HistoricalRecords(excluded_fields=["geometry_wkb"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def county_level(self) -> bool:
        return self.kind in (self.Kind.COUNTY, self.Kind.ZONE)


class Agency(UUIDModel):
    """机构 / 部门: any body that manages, enforces or handles cases.

    `parent` is the line of leadership (a 大队 is led by its 城市管理局); `managed_by` records
    the day-to-day manager where it differs (the street office where the 大队 is posted,
    seed clause 八).
    """

    class Kind(models.TextChoices):
        COMMISSION = "commission", _("城市管理委员会")
        BUREAU = "bureau", _("城市管理局")
        CORPS = "corps", _("综合执法总队")
        DETACHMENT = "detachment", _("综合执法支队")
        BRIGADE = "brigade", _("综合执法大队")
        STREET_OFFICE = "street_office", _("街道办事处（乡镇政府）")
        DEPARTMENT = "department", _("专业部门")
        CONTRACTOR = "contractor", _("承包单位")

    class Specialty(models.TextChoices):
        NONE = "", _("—")
        SANITATION = "sanitation", _("环卫")
        MUNICIPAL = "municipal", _("市政")
        LANDSCAPING = "landscaping", _("园林")
        WATER = "water", _("水务")
        POWER = "power", _("供电")
        GAS = "gas", _("燃气")
        TELECOM = "telecom", _("通信")
        TRAFFIC_POLICE = "traffic_police", _("交警")
        HEATING = "heating", _("供热")

    code = models.CharField(_("机构代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    also_named = models.CharField(_("加挂牌子"), max_length=100, blank=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    specialty = models.CharField(_("专业"), max_length=16, choices=Specialty.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="agencies"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("领导机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    managed_by = models.ForeignKey(
        "self",
        verbose_name=_("日常管理单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_units",
    )
    active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")

    def __str__(self) -> str:
        return self.name

    @property
    def region_code(self) -> str:
        return self.region.code


class Grid(UUIDModel, GeometryMixin):
    """单元网格: about 1,000 households / 3,000 people (seed clause 二十七).

    Code = the street's 9-digit code + a 4-digit serial; `region_code` is the 6-digit
    county-level unit that manages it (the partitioning key shared by case rows).
    """

    code = models.CharField(_("网格编码"), max_length=16, unique=True)
    street = models.ForeignKey(
        Region, verbose_name=_("街道（乡镇）"), on_delete=models.PROTECT, related_name="grids"
    )
    region_code = models.CharField(_("县级区划代码"), max_length=6, db_index=True)
    households = models.PositiveIntegerField(_("户数"), default=0)
    population = models.PositiveIntegerField(_("人口"), default=0)
    history = HistoricalRecords(excluded_fields=["geometry_wkb"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("单元网格")
        verbose_name_plural = _("单元网格")

    def __str__(self) -> str:
        return self.code
