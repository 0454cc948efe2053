"""Administrative-penalty cases (行政处罚案件, C6): the case file, its investigators,
evidence, documents, payments, publication and timeline.

The rules live in `domain`; these rows only keep what happened, so that every step can
be shown to a court later (the ledger holds the proof of each row's content).
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chengguan.core.models import UUIDModel
from chengguan.penalties.domain import procedure as law
from chengguan.penalties.domain.workflow import (
    PROCEDURE_LABELS,
    STATUS_LABELS,
    Procedure,
    Status,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class PenaltyCase(UUIDModel):
    """One administrative-penalty case, summary or ordinary, from registration to archive."""

    class PartyKind(models.TextChoices):
        PERSON = law.PartyKind.PERSON.value, _("公民")
        ORGANISATION = law.PartyKind.ORGANISATION.value, _("法人或者其他组织")

    class Harm(models.TextChoices):
        NONE = law.Harm.NONE.value, _("没有危害后果")
        MINOR = law.Harm.MINOR.value, _("危害后果轻微")
        SIGNIFICANT = law.Harm.SIGNIFICANT.value, _("有危害后果")

    number = models.CharField(_("案件编号"), max_length=24, unique=True)
    region_code = models.CharField(_("县级区划代码"), max_length=6, db_index=True)
    agency = models.ForeignKey(
        "org.Agency", verbose_name=_("办案机关"), on_delete=models.PROTECT, related_name="+"
    )
    power = models.ForeignKey(
        "powers.Power",
        verbose_name=_("案由（处罚事项）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    procedure = models.CharField(
        _("程序"), max_length=10, choices=[(p.value, p.value) for p in Procedure]
    )
    status = models.CharField(
        _("状态"), max_length=14, choices=[(s.value, s.value) for s in Status]
    )
    version = models.PositiveIntegerField(default=1)
    source_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("来源案卷"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="penalty_cases",
    )
    source = models.CharField(_("案件来源"), max_length=60)

    # The party (当事人). ID numbers and phones are sealed like reporters' phones.
    party_kind = models.CharField(_("当事人类型"), max_length=12, choices=PartyKind.choices)
    party_name = models.CharField(_("当事人"), max_length=100)
    party_id_cipher = models.TextField(blank=True)
    party_id_masked = models.CharField(_("证件号码"), max_length=24, blank=True)
    party_address = models.CharField(_("住所或地址"), max_length=200, blank=True)
    party_phone_cipher = models.TextField(blank=True)
    party_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True)

    place = models.CharField(_("违法地点"), max_length=200)
    occurred_on = models.DateField(_("违法行为发生（终了）日期"))
    discovered_on = models.DateField(_("发现日期"))
    facts = models.TextField(_("违法事实"))
    # Discretion: the measured facts ({"单体面积㎡": "6"}) and the Art. 33 circumstances.
    measured = models.JSONField(_("量化事实"), default=dict, blank=True)
    first_offence = models.BooleanField(_("初次违法"), default=False)
    corrected = models.BooleanField(_("及时改正"), default=False)
    harm = models.CharField(_("危害后果"), max_length=12, choices=Harm.choices, default="none")
    complex_case = models.BooleanField(_("疑难复杂"), default=False)
    major_public_interest = models.BooleanField(_("涉及重大公共利益"), default=False)

    registered_at = models.DateTimeField(_("立案时间"))
    registered_by = models.ForeignKey(
        "accounts.User", verbose_name=_("承办人"), on_delete=models.PROTECT, related_name="+"
    )
    extension_until = models.DateField(_("延长办案期限至"), null=True, blank=True)
    extension_basis = models.CharField(_("延期依据及批准"), max_length=300, blank=True)

    # Notice of intended penalty (告知) and the party's answer.
    proposed_tier = models.CharField(_("裁量等次"), max_length=12, blank=True)
    penalties = models.JSONField(_("处罚内容"), default=list, blank=True, encoder=DjangoJSONEncoder)
    fine = models.DecimalField(_("罚款（元）"), null=True, blank=True, **MONEY)
    departure_reason = models.TextField(_("偏离裁量基准的理由"), blank=True)
    notified_at = models.DateTimeField(_("告知时间"), null=True, blank=True)
    hearing_right = models.BooleanField(_("有听证权"), default=False)
    statement = models.TextField(_("陈述申辩"), blank=True)
    statement_recorded_at = models.DateTimeField(null=True, blank=True)
    statement_waived = models.BooleanField(_("放弃陈述申辩"), default=False)

    hearing_requested_at = models.DateTimeField(_("听证申请时间"), null=True, blank=True)
    hearing_notified_at = models.DateTimeField(_("听证通知时间"), null=True, blank=True)
    hearing_on = models.DateField(_("听证日期"), null=True, blank=True)
    hearing_place = models.CharField(_("听证地点"), max_length=200, blank=True)
    hearing_chair = models.ForeignKey(
        "accounts.User",
        verbose_name=_("听证主持人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hearing_public = models.BooleanField(_("公开听证"), default=True)
    hearing_concluded_at = models.DateTimeField(_("听证结束时间"), null=True, blank=True)
    hearing_outcome = models.CharField(_("听证结果"), max_length=200, blank=True)

    review_grounds = models.JSONField(_("法制审核情形"), default=list, blank=True)
    review_submitted_at = models.DateTimeField(null=True, blank=True)
    review_passed = models.BooleanField(_("法制审核通过"), default=False)
    reviewer = models.ForeignKey(
        "accounts.User",
        verbose_name=_("法制审核人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_opinion = models.TextField(_("审核意见"), blank=True)
    deliberated_at = models.DateTimeField(_("集体讨论时间"), null=True, blank=True)
    deliberation = models.TextField(_("集体讨论决定"), blank=True)

    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    no_penalty_ground = models.CharField(_("不予处罚情形"), max_length=20, blank=True)
    education_record = models.TextField(_("教育记录"), blank=True)
    party_present = models.BooleanField(_("宣告时当事人在场"), default=False)
    served_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    service_method = models.CharField(_("送达方式"), max_length=20, blank=True)

    payment_reference = models.CharField(_("缴款识别码"), max_length=20, blank=True)
    payment_due = models.DateField(_("缴款期限"), null=True, blank=True)
    deferred_until = models.DateField(_("暂缓或分期至"), null=True, blank=True)
    court_applied_at = models.DateTimeField(_("申请强制执行时间"), null=True, blank=True)
    court_outcome = models.TextField(_("法院执行结果"), blank=True)

    referred_to = models.CharField(_("移送机关"), max_length=100, blank=True)
    referred_at = models.DateTimeField(null=True, blank=True)
    filed_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-registered_at"]
        indexes = [models.Index(fields=["agency", "status"], name="penalty_agency_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["payment_reference"],
                condition=~Q(payment_reference=""),
                name="penalty_payment_reference_once",
            )
        ]
        verbose_name = _("行政处罚案件")
        verbose_name_plural = _("行政处罚案件")

    def __str__(self) -> str:
        return self.number

    @property
    def status_label(self) -> str:
        return gettext(STATUS_LABELS[Status(self.status)])

    @property
    def procedure_label(self) -> str:
        return gettext(PROCEDURE_LABELS[Procedure(self.procedure)])


class Investigator(UUIDModel):
    """An officer investigating the case, with the certificate checked when added."""

    case = models.ForeignKey(PenaltyCase, on_delete=models.CASCADE, related_name="investigators")
    person = models.ForeignKey(
        "workforce.Person", verbose_name=_("执法人员"), on_delete=models.PROTECT, related_name="+"
    )
    certificate_number = models.CharField(_("执法证号"), max_length=40)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="penalty_investigator_once")
        ]
        verbose_name = _("办案人员")
        verbose_name_plural = _("办案人员")

    def __str__(self) -> str:
        return f"{self.case_id} {self.person_id}"


class Evidence(UUIDModel):
    """One piece of evidence, kept byte-exact under the SHA-256 taken on arrival."""

    class Kind(models.TextChoices):
        DOCUMENTARY = "documentary", _("书证")
        PHYSICAL = "physical", _("物证")
        AUDIO_VISUAL = "audio_visual", _("视听资料")
        ELECTRONIC = "electronic", _("电子数据")
        TESTIMONY = "testimony", _("证人证言")
        STATEMENT = "statement", _("当事人的陈述")
        EXPERT = "expert", _("鉴定意见")
        RECORD = "record", _("勘验笔录、现场笔录")

    case = models.ForeignKey(PenaltyCase, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("证据种类"), max_length=14, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    file = models.CharField(max_length=200)
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=40)
    collected_at = models.DateTimeField(_("取证时间"))
    collected_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    preserved = models.BooleanField(_("先行登记保存"), default=False)
    preservation_decided_at = models.DateTimeField(_("保存处理时间"), null=True, blank=True)
    preservation_decision = models.CharField(_("处理决定"), max_length=200, blank=True)

    class Meta:
        ordering = ["collected_at"]
        verbose_name = _("证据")
        verbose_name_plural = _("证据")

    def __str__(self) -> str:
        return f"{self.title} {self.sha256[:12]}"


class Document(UUIDModel):
    """A document (文书) issued in the case: numbered per agency, kind and year, the PDF
    kept as issued and its SHA-256 in the ledger."""

    case = models.ForeignKey(PenaltyCase, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("文书"), max_length=20)
    title = models.CharField(_("名称"), max_length=40)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    number = models.CharField(_("文号"), max_length=60)
    file = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField(_("制作时间"))
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "year", "serial"], name="penalty_document_serial"
            )
        ]
        verbose_name = _("文书")
        verbose_name_plural = _("文书")

    def __str__(self) -> str:
        return self.number


class DocumentCounter(models.Model):
    """The last serial per agency, document kind and year (郑金城综罚决字〔2026〕第123号)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "year"], name="penalty_doc_counter")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.kind} {self.year}: {self.last}"


class CaseCounter(models.Model):
    """The last case serial per county and year (P410105-2026-00012)."""

    region_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="penalty_case_counter")
        ]

    def __str__(self) -> str:
        return f"{self.region_code}-{self.year}: {self.last}"


class Payment(UUIDModel):
    """Money received for a decision: through the bank or e-payment (罚缴分离), or cash an
    officer collected on the spot and must hand in within 2 working days."""

    class Channel(models.TextChoices):
        BANK = "bank", _("指定银行")
        E_PAYMENT = "e_payment", _("电子支付")
        OFFICER = "officer", _("当场收缴")

    case = models.ForeignKey(PenaltyCase, on_delete=models.CASCADE, related_name="payments")
    channel = models.CharField(_("缴款渠道"), max_length=10, choices=Channel.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    fine_part = models.DecimalField(_("其中罚款"), **MONEY)
    late_fee_part = models.DecimalField(_("其中加处罚款"), **MONEY)
    paid_at = models.DateTimeField(_("缴款时间"))
    transaction_id = models.CharField(_("交易流水号"), max_length=64, blank=True)
    receipt_number = models.CharField(_("票据号"), max_length=40, blank=True)
    collected_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_in_at = models.DateTimeField(_("上交时间"), null=True, blank=True)

    class Meta:
        ordering = ["paid_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "transaction_id"],
                condition=~Q(transaction_id=""),
                name="penalty_payment_transaction_once",
            )
        ]
        verbose_name = _("缴款")
        verbose_name_plural = _("缴款")

    def __str__(self) -> str:
        return f"{self.case_id} {self.amount}"


class Publication(UUIDModel):
    """A decision as the public sees it (执法公示): a redacted copy, never the case row.
    Withdrawn within 3 working days when the decision is changed or revoked."""

    case = models.OneToOneField(PenaltyCase, on_delete=models.CASCADE, related_name="publication")
    region_code = models.CharField(max_length=6, db_index=True)
    decision_number = models.CharField(_("决定书文号"), max_length=60)
    content = models.JSONField(_("公开内容"), encoder=DjangoJSONEncoder)
    decided_on = models.DateField(_("决定日期"))
    due_at = models.DateTimeField(_("应公开时间"))
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_due_at = models.DateTimeField(_("应撤回时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回理由"), max_length=200, blank=True)

    class Meta:
        ordering = ["-decided_on"]
        verbose_name = _("处罚决定公开")
        verbose_name_plural = _("处罚决定公开")

    def __str__(self) -> str:
        return self.decision_number


class PenaltyEvent(UUIDModel):
    """The case's timeline as people read it (the ledger is the proof behind it)."""

    case = models.ForeignKey(PenaltyCase, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=24)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["at"]
        verbose_name = _("办案记录")
        verbose_name_plural = _("办案记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class Reviewer(models.Model):
    """A legal reviewer's standing for Art. 58 para. 2: since when they review penalty
    decisions and whether they hold the legal professional qualification."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="legal_reviewer", primary_key=True
    )
    reviewing_since = models.DateField(_("从事法制审核起始日期"))
    legal_qualification = models.BooleanField(_("取得法律职业资格"), default=False)
    qualification_number = models.CharField(_("法律职业资格证书编号"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("法制审核人员")
        verbose_name_plural = _("法制审核人员")

    def __str__(self) -> str:
        return str(self.user)


class EnforcementCategory(models.Model):
    """A city-management category whose cases can open a penalty case, and the power that
    usually applies (the officer may choose another)."""

    category = models.OneToOneField(
        "cases.Category", on_delete=models.CASCADE, related_name="enforcement", primary_key=True
    )
    power = models.ForeignKey("powers.Power", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("执法类案卷类别")
        verbose_name_plural = _("执法类案卷类别")

    def __str__(self) -> str:
        return f"{self.category_id} → {self.power_id}"
