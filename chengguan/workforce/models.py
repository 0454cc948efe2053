"""The enforcement workforce (C3): people, their certificates, training, exams, annual
assessments and postings. ID numbers are personal data: stored encrypted with a blind
index (core.personal), shown masked."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from chengguan.core.models import UUIDModel
from chengguan.workforce.domain.gate import RESULT_LABELS, Result
from chengguan.workforce.domain.gate import Kind as PersonKind


class Person(UUIDModel):
    """执法人员（在编） or 协管员: one person of the enforcement workforce."""

    class Kind(models.TextChoices):
        OFFICER = PersonKind.OFFICER.value, _("执法人员（在编）")
        AUXILIARY = PersonKind.AUXILIARY.value, _("协管员")

    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("姓名"), max_length=40)
    id_cipher = models.TextField()
    id_index = models.CharField(max_length=64, unique=True)
    id_masked = models.CharField(_("身份证号码"), max_length=18)
    household_street_code = models.CharField(
        _("户籍所在街道代码"), max_length=12, blank=True, help_text=_("用于任职回避")
    )
    agency = models.ForeignKey(
        "org.Agency", verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="staff"
    )
    front_line = models.BooleanField(_("一线执法岗位"), default=True)
    rank = models.CharField(_("职级"), max_length=40, blank=True)
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    active = models.BooleanField(_("在岗"), default=True)
    history = HistoricalRecords(excluded_fields=["id_cipher"])

    class Meta:
        ordering = ["agency__code", "name"]
        indexes = [models.Index(fields=["kind", "active"], name="person_kind_active")]
        verbose_name = _("执法队伍人员")
        verbose_name_plural = _("执法队伍人员")

    def __str__(self) -> str:
        return self.name


class Certificate(UUIDModel):
    """行政执法证件: an officer may enforce only while one is in force."""

    class Status(models.TextChoices):
        VALID = "valid", pgettext_lazy("certificate", "有效")
        SUSPENDED = "suspended", _("暂扣")
        REVOKED = "revoked", _("吊销")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="certificates")
    number = models.CharField(_("证件编号"), max_length=40, unique=True)
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="valid")

    class Meta:
        ordering = ["-expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("issued_on")),
                name="certificate_expires_after_issue",
            )
        ]
        verbose_name = _("执法证件")
        verbose_name_plural = _("执法证件")

    def __str__(self) -> str:
        return self.number


class Training(UUIDModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="trainings")
    title = models.CharField(_("培训名称"), max_length=100)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    finished_on = models.DateField(_("结业日期"))

    class Meta:
        ordering = ["-finished_on"]
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")

    def __str__(self) -> str:
        return self.title


class Exam(UUIDModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="exams")
    subject = models.CharField(_("考试科目"), max_length=100)
    taken_on = models.DateField(_("考试日期"))
    score = models.DecimalField(_("成绩"), max_digits=5, decimal_places=1)
    passed = models.BooleanField(_("合格"))

    class Meta:
        ordering = ["-taken_on"]
        verbose_name = _("考试记录")
        verbose_name_plural = _("考试记录")

    def __str__(self) -> str:
        return self.subject


class Assessment(UUIDModel):
    """评议考核: one result per person and year."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("年度"))
    result = models.CharField(
        _("结果"), max_length=10, choices=[(r.value, _(RESULT_LABELS[r])) for r in Result]
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="assessment_once_a_year")
        ]
        verbose_name = _("评议考核")
        verbose_name_plural = _("评议考核")

    def __str__(self) -> str:
        return f"{self.person_id} {self.year} {self.result}"


class Posting(UUIDModel):
    """岗位任职: where a person serves, from when to when. A posting that breaks the
    rotation or recusal rule is saved only with an approval and its written reason."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="postings")
    agency = models.ForeignKey(
        "org.Agency", verbose_name=_("任职单位"), on_delete=models.PROTECT, related_name="+"
    )
    street_code = models.CharField(
        _("任职街道代码"), max_length=12, blank=True, help_text=_("街道（乡镇）一级岗位填写")
    )
    start_on = models.DateField(_("起始日期"))
    end_on = models.DateField(_("结束日期"), null=True, blank=True)
    exception_reason = models.TextField(_("例外审批理由"), blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_on"]
        verbose_name = _("岗位任职")
        verbose_name_plural = _("岗位任职")

    def __str__(self) -> str:
        return f"{self.person_id} {self.agency_id} {self.start_on}"


class StaffingException(UUIDModel):
    """A recorded reason to staff a county-level unit above the ceiling of 7 officers per
    10,000 residents (clause 十: 区域面积大，流动人口多，管理执法任务重的地方)."""

    region = models.ForeignKey(
        "org.Region", verbose_name=_("县级单位"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("理由"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("超编配备理由")
        verbose_name_plural = _("超编配备理由")

    def __str__(self) -> str:
        return f"{self.region_id}: {self.reason[:20]}"
