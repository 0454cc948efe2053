"""Digital city-management cases (C4): the category catalogue, cases, their timeline,
the responsibility matrix for routing, and notices."""

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chengguan.cases.domain.channels import CHANNEL_LABELS
from chengguan.cases.domain.limits import parse_limit
from chengguan.cases.domain.workflow import STATUS_LABELS, Level, Status
from chengguan.core.errors import DomainError
from chengguan.core.models import UUIDModel


def validate_limit(value: str) -> None:
    try:
        parse_limit(value)
    except DomainError as error:
        raise ValidationError(gettext(error.message) % error.params) from None


class Category(UUIDModel):
    """A GB/T 47678.5 category: a component (部件) or a matter (事件), with the conditions
    for filing and closing and the time limit of every stage."""

    class Kind(models.TextChoices):
        COMPONENT = "component", _("部件")
        MATTER = "matter", _("事件")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("一般")
        URGENT = "urgent", _("紧急")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    major_code = models.CharField(_("大类代码"), max_length=2)
    major_name = models.CharField(_("大类"), max_length=40)
    code = models.CharField(_("小类代码"), max_length=5)
    name = models.CharField(_("小类"), max_length=60)
    urgency = models.CharField(
        _("紧急程度"), max_length=8, choices=Urgency.choices, default="normal"
    )
    filing_condition = models.TextField(_("立案条件"), blank=True)
    closing_condition = models.TextField(_("结案条件"), blank=True)
    verify_limit = models.CharField(_("核实时限"), max_length=20, validators=[validate_limit])
    register_limit = models.CharField(_("立案时限"), max_length=20, validators=[validate_limit])
    dispatch_limit = models.CharField(_("派遣时限"), max_length=20, validators=[validate_limit])
    handle_limit = models.CharField(_("处置时限"), max_length=20, validators=[validate_limit])
    check_limit = models.CharField(_("核查时限"), max_length=20, validators=[validate_limit])
    limits_source = models.CharField(_("时限来源"), max_length=200, blank=True)
    city_override = models.BooleanField(
        _("本市已调整"), default=False, help_text=_("重新导入国标目录时不覆盖本市调整过的时限")
    )
    active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="category_kind_code")]
        verbose_name = _("案卷类别")
        verbose_name_plural = _("案卷类别")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def limit(self, clock: str):
        return parse_limit(getattr(self, f"{clock}_limit"))


# Cases waiting for a dispatcher: to dispatch, deferred, or with an extension to decide.
DISPATCH_WAITING = models.Q(status__in=[Status.REGISTERED.value, Status.DEFERRED.value]) | models.Q(
    status=Status.DISPATCHED.value, extension_pending=True
)


class Case(UUIDModel):
    """案卷: one problem in the street, from report to close."""

    class Channel(models.TextChoices):
        # Labels live in the domain beside the rule of who may use which channel.
        INSPECTOR = "inspector", _(CHANNEL_LABELS["inspector"])
        HOTLINE = "hotline", _(CHANNEL_LABELS["hotline"])
        WEB = "web", _(CHANNEL_LABELS["web"])
        HOTLINE_12345 = "12345", _(CHANNEL_LABELS["12345"])
        POLICE_110 = "110", _(CHANNEL_LABELS["110"])
        SENSOR = "sensor", _(CHANNEL_LABELS["sensor"])
        OTHER = "other", _(CHANNEL_LABELS["other"])

    number = models.CharField(_("案卷号"), max_length=24, unique=True)
    region_code = models.CharField(_("县级区划代码"), max_length=6, db_index=True)
    street_code = models.CharField(_("街道代码"), max_length=12, blank=True)
    grid = models.ForeignKey(
        "org.Grid",
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=[(s.value, s.value) for s in Status],
        default=Status.REPORTED,
    )
    level = models.PositiveSmallIntegerField(_("层级"), default=Level.STREET)
    version = models.PositiveIntegerField(default=1)
    channel = models.CharField(_("来源"), max_length=10, choices=Channel.choices)
    description = models.TextField(_("问题描述"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    reporter = models.ForeignKey(
        "accounts.User",
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    agency = models.ForeignKey(
        "org.Agency",
        verbose_name=_("处置单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    suggested_agency = models.ForeignKey(
        "org.Agency",
        verbose_name=_("建议处置单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggestion = models.CharField(_("建议依据"), max_length=200, blank=True)
    extension_pending = models.BooleanField(_("延期待批"), default=False)
    extension_hours = models.DecimalField(
        _("申请延期（工作时）"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    complex = models.BooleanField(_("疑难复杂"), default=False)
    overdue = models.BooleanField(_("已超时"), default=False, db_index=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并到"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    reported_at = models.DateTimeField(_("上报时间"))
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["status", "region_code", "reported_at"], name="case_queue"),
            models.Index(fields=["agency", "status"], name="case_agency_queue"),
            # The dispatcher's work is a small, changing slice of millions of cases: partial
            # indexes keep its queue fast whatever the planner guesses (bench/case_flow.py).
            models.Index(
                fields=["reported_at"], condition=DISPATCH_WAITING, name="case_dispatch_wait"
            ),
            models.Index(
                fields=["region_code", "reported_at"],
                condition=DISPATCH_WAITING,
                name="case_dispatch_wait_unit",
            ),
            # Roll-ups and statistics read a day or a month of reports and closures.
            models.Index(fields=["reported_at"], name="case_reported_at"),
            models.Index(
                fields=["closed_at"], condition=models.Q(closed_at__isnull=False), name="case_closed_at"
            ),
        ]
        verbose_name = _("案卷")
        verbose_name_plural = _("案卷")

    def __str__(self) -> str:
        return self.number

    @property
    def status_label(self) -> str:
        return gettext(STATUS_LABELS[Status(self.status)])


class CasePart(UUIDModel):
    """One agency's share of a joint enforcement (联合执法): the lead, or a helper."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parts")
    agency = models.ForeignKey(
        "org.Agency", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="case_parts"
    )
    lead = models.BooleanField(_("牵头"), default=False)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    feedback = models.TextField(_("完成情况"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="case_part_agency")]
        verbose_name = _("联合执法分工")
        verbose_name_plural = _("联合执法分工")

    def __str__(self) -> str:
        return f"{self.case_id} {self.agency_id}"


class CasePhoto(UUIDModel):
    """A photo taken at a stage of the case: at report, verification, after handling, at
    the check. `original` is the byte-exact upload (its SHA-256 is in the ledger); `public` is
    the copy without EXIF that pages show."""

    class Kind(models.TextChoices):
        REPORT = "report", _("上报照片")
        VERIFY = "verify", _("核实照片")
        AFTER = "after", _("处置后照片")
        CHECK = "check", _("核查照片")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    original = models.CharField(max_length=200)
    public = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("案卷照片")
        verbose_name_plural = _("案卷照片")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.sha256[:12]}"


class CaseCounter(models.Model):
    """The last serial used per county and local day (案卷号 410105-20261127-000123)."""

    region_code = models.CharField(max_length=6)
    day = models.CharField(max_length=8)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "day"], name="case_counter_key")
        ]

    def __str__(self) -> str:
        return f"{self.region_code}-{self.day}: {self.last}"


class CaseEvent(UUIDModel):
    """The case's timeline as people read it (the ledger is the proof behind it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=24)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["at"]
        # Open311's servicerequestupdates reads events by time across all cases.
        indexes = [models.Index(fields=["at"], name="case_event_at")]
        verbose_name = _("案卷记录")
        verbose_name_plural = _("案卷记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class Responsibility(UUIDModel):
    """责任划分: who handles a category in a grid, a street or a county-level unit."""

    grid = models.ForeignKey(
        "org.Grid",
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    region = models.ForeignKey(
        "org.Region",
        verbose_name=_("区划（街道或县区）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    major_code = models.CharField(
        _("大类代码"), max_length=2, blank=True, help_text=_("留空表示所有大类")
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("小类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空表示大类下所有小类"),
    )
    agency = models.ForeignKey(
        "org.Agency",
        verbose_name=_("处置单位"),
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    priority = models.PositiveSmallIntegerField(
        _("优先级"), default=100, help_text=_("数字小者优先")
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("责任划分")
        verbose_name_plural = _("责任划分")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grid__isnull=False) | models.Q(region__isnull=False),
                name="responsibility_has_place",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.grid or self.region} {self.category or self.major_code or '*'} → {self.agency}"
        )


class Notice(UUIDModel):
    """A message in someone's console inbox (warnings, overdue, 督办). `key` makes each notice
    unique, so two sweeps running at once still send it once."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("即将超时")
        OVERDUE = "overdue", _("已超时")
        SUPERVISE = "supervise", _("督办")
        EXTENSION = "extension", _("延期申请")

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    agency = models.ForeignKey(
        "org.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    region_code = models.CharField(max_length=6, blank=True)
    text = models.CharField(_("内容"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return self.text


class Reporter(UUIDModel):
    """Someone outside who reported the case (a citizen on the portal, a caller on the
    hotline, a 12345 or 110 work order) and how to reach them.

    The phone number is stored encrypted with a blind index (core.personal); pages show
    `phone_masked`, and only an explicit, ledgered unmask reveals the number. The tracking
    code lets the reporter follow the case without an account. A reporter stays attached to
    the case they reported; when it is merged into another, they follow `merged_into`.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reporters")
    channel = models.CharField(_("来源"), max_length=10, choices=Case.Channel.choices)
    name = models.CharField(_("姓名"), max_length=40, blank=True)
    phone_cipher = models.TextField(blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("电话"), max_length=20, blank=True)
    tracking_code = models.CharField(_("跟踪码"), max_length=12, unique=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["created_at"]
        permissions = [("unmask_phone", "查看完整电话号码")]
        verbose_name = _("反映人")
        verbose_name_plural = _("反映人")

    def __str__(self) -> str:
        return self.tracking_code


class Rating(UUIDModel):
    """A reporter's satisfaction (1–5) with the handling of a closed case; one per reporter
    per closure (`round` is the case's rework count when it was closed, so a reopened and
    closed-again case can be rated again)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings")
    reporter = models.ForeignKey(Reporter, on_delete=models.CASCADE, related_name="ratings")
    round = models.PositiveSmallIntegerField(default=0)
    stars = models.PositiveSmallIntegerField(_("满意度"))
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["reporter", "round"], name="rating_once_per_round"),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5"
            ),
        ]
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")

    def __str__(self) -> str:
        return f"{self.case_id} {self.stars}"
