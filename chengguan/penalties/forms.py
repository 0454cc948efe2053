"""Input of the penalty-case pages: registration, the on-the-spot penalty, and one small
form per step of the case file.

Forms only parse and check the shape of what was typed; whether a step is allowed, and
what the law requires of it, is decided by the services (a refusal comes back as a
DomainError with its message).
"""

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from chengguan.penalties.models import Evidence, PenaltyCase
from chengguan.penalties.services import REFERRAL_BODIES, SERVICE_METHODS

DATE = {"type": "date"}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _date(label, **kwargs) -> forms.DateField:
    kwargs.setdefault(
        "error_messages",
        {"required": format_lazy(_("请填写{label}"), label=label), "invalid": _("日期格式不正确")},
    )
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"), **kwargs
    )


def _datetime(label, **kwargs) -> forms.DateTimeField:
    kwargs.setdefault(
        "error_messages",
        {"required": format_lazy(_("请填写{label}"), label=label), "invalid": _("时间格式不正确")},
    )
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        **kwargs,
    )


def _text(label, *, required=True, max_length=200, rows=0, message=None) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
        error_messages={
            "required": message or format_lazy(_("请填写{label}"), label=label),
            "max_length": format_lazy(_("{label}过长"), label=label),
        },
    )


def _money(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages={"invalid": _("金额应为数字（元）"), "min_value": _("金额不能为负数")},
    )


class FirstError:
    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""


class PartyFields(forms.Form):
    """The party (当事人), shared by registration and the on-the-spot penalty."""

    party_kind = forms.ChoiceField(
        label=_("当事人类型"),
        choices=PenaltyCase.PartyKind.choices,
        initial=PenaltyCase.PartyKind.PERSON,
        error_messages={"required": _("请选择当事人类型"), "invalid_choice": _("请选择当事人类型")},
    )
    party_name = _text(_("当事人姓名或名称"), max_length=100)
    party_id_number = forms.CharField(
        label=_("身份证号码或统一社会信用代码"), required=False, max_length=30
    )
    party_address = forms.CharField(label=_("住所或地址"), required=False, max_length=200)
    party_phone = forms.CharField(label=_("联系电话"), required=False, max_length=30)


def _power_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("案由（处罚事项）"),
        error_messages={"required": _("请选择处罚事项"), "invalid_choice": _("请选择处罚事项")},
    )


class RegisterForm(FirstError, PartyFields):
    """立案（普通程序）. Measured facts are read from the POST apart (one input per measure of
    the chosen power's benchmark), see `views.measured_from`."""

    power = _power_field()
    place = _text(_("违法地点"))
    occurred_on = _date(_("违法行为发生（终了）日期"))
    discovered_on = _date(_("发现日期"))
    facts = _text(_("违法事实"), max_length=5000, rows=4)
    source = _text(_("案件来源"), max_length=60)
    co_investigators = forms.MultipleChoiceField(
        label=_("共同办案的执法人员"),
        required=False,  # the service says why two are needed
        error_messages={"invalid_choice": _("所选办案人员不存在")},
    )
    first_offence = forms.BooleanField(label=_("初次违法"), required=False)
    corrected = forms.BooleanField(label=_("及时改正"), required=False)
    harm = forms.ChoiceField(
        label=_("危害后果"),
        choices=PenaltyCase.Harm.choices,
        initial=PenaltyCase.Harm.NONE,
        error_messages={"required": _("请选择危害后果"), "invalid_choice": _("请选择危害后果")},
    )
    complex_case = forms.BooleanField(label=_("疑难复杂"), required=False)
    major_public_interest = forms.BooleanField(label=_("涉及重大公共利益"), required=False)
    source_case = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, powers=(), colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["power"].choices = [("", _("（请选择）"))] + [
            (str(p.pk), f"{p.code} {p.name}") for p in powers
        ]
        self.fields["co_investigators"].choices = [
            (str(p.pk), f"{p.name}（{p.rank}）" if p.rank else p.name) for p in colleagues
        ]
        today = timezone.localdate()
        self.fields["occurred_on"].initial = today
        self.fields["discovered_on"].initial = today


PENALTY_CHOICES = [("warning", _("警告")), ("fine", _("罚款"))]


class SummaryForm(FirstError, PartyFields):
    """当场处罚（简易程序）: a warning, or a fine within the Art. 51 caps."""

    power = _power_field()
    place = _text(_("违法地点"))
    facts = _text(_("违法事实"), max_length=5000, rows=3)
    penalty = forms.ChoiceField(
        label=_("处罚"),
        choices=PENALTY_CHOICES,
        initial="warning",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择处罚种类"), "invalid_choice": _("请选择处罚种类")},
    )
    amount = _money(_("罚款金额（元）"))
    certificate_shown = forms.BooleanField(label=_("已向当事人出示执法证件"), required=False)
    handed_over = forms.BooleanField(label=_("决定书已当场交付当事人"), required=False)
    collect_cash = forms.BooleanField(label=_("当场收缴罚款"), required=False)
    hard_to_execute_later = forms.BooleanField(label=_("不当场收缴事后难以执行"), required=False)

    def __init__(self, *args, powers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["power"].choices = [("", _("（请选择）"))] + [
            (str(p.pk), f"{p.code} {p.name}") for p in powers
        ]

    def clean(self):
        data = super().clean()
        if data.get("penalty") == "fine" and data.get("amount") in (None, ""):
            raise forms.ValidationError(_("请填写罚款金额"))
        return data

    def penalty_items(self) -> list[dict]:
        data = self.cleaned_data
        if data["penalty"] == "fine":
            return [{"kind": "fine", "amount": str(data["amount"])}]
        return [{"kind": "warning"}]


# ---------------------------------------------------------------- the case file's steps


class StepForm(FirstError, forms.Form):
    """Every step's form carries the version of the case the user saw."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EvidenceForm(StepForm):
    kind = forms.ChoiceField(
        label=_("证据种类"),
        choices=[("", _("（请选择）")), *Evidence.Kind.choices],
        error_messages={"required": _("请选择证据种类"), "invalid_choice": _("请选择证据种类")},
    )
    title = _text(_("证据名称"))
    file = forms.FileField(
        label=_("证据文件（照片、PDF、音频或视频）"),
        error_messages={"required": _("请选择证据文件"), "empty": _("证据文件为空")},
    )
    preserved = forms.BooleanField(label=_("先行登记保存"), required=False)


class PreservationForm(StepForm):
    evidence = forms.UUIDField(widget=forms.HiddenInput)
    decision = _text(_("处理决定"))


class NotifyForm(StepForm):
    warning = forms.BooleanField(label=_("警告"), required=False)
    fine = _money(_("罚款（元）"))
    confiscate_gains = _money(_("没收违法所得（元）"))
    confiscate_property = _money(_("没收非法财物（价值，元）"))
    departure_reason = forms.CharField(
        label=_("偏离裁量基准的理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @staticmethod
    def penalty_items(data) -> list[dict]:
        """The penalties as `services.penalties_parse` reads them ([{kind, amount}])."""
        items = [{"kind": "warning"}] if data.get("warning") else []
        for kind in ("fine", "confiscate_gains", "confiscate_property"):
            if data.get(kind) is not None:
                items.append({"kind": kind, "amount": str(data[kind])})
        return items


class NoPenaltyForm(StepForm):
    education_record = _text(
        _("教育记录"),
        max_length=2000,
        rows=3,
        message=_("不予处罚的，应当对当事人进行教育并记录"),
    )
    no_fault_proven = forms.BooleanField(label=_("有证据足以证明没有主观过错"), required=False)


class StatementForm(StepForm):
    statement = forms.CharField(
        label=_("陈述、申辩"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    waived = forms.BooleanField(label=_("当事人明确放弃陈述、申辩"), required=False)


class HearingRequestForm(StepForm):
    requested_at = _datetime(_("申请时间"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class HearingScheduleForm(StepForm):
    hearing_on = _date(_("听证日期"))
    place = _text(_("听证地点"))
    chair = forms.ChoiceField(
        label=_("听证主持人"),
        error_messages={"required": _("请选择听证主持人"), "invalid_choice": _("请选择听证主持人")},
    )
    public = forms.BooleanField(label=_("公开举行"), required=False, initial=True)

    def __init__(self, *args, chairs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].choices = [("", _("（请选择）"))] + [
            (str(u.pk), str(u)) for u in chairs
        ]


class HearingConcludeForm(StepForm):
    held = forms.ChoiceField(
        label=_("听证是否举行"),
        choices=[("yes", _("已举行")), ("no", _("当事人无正当理由未出席或中途退出"))],
        initial="yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择听证是否举行")},
    )
    outcome = forms.CharField(
        label=_("听证情况"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    party_signed = forms.BooleanField(label=_("听证笔录经当事人签字"), required=False)
    refusal_noted = forms.BooleanField(label=_("当事人拒绝签字，已在笔录中注明"), required=False)
    good_reason_for_absence = forms.BooleanField(label=_("当事人未出席有正当理由"), required=False)


class ReviewForm(StepForm):
    passed = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("approve", _("同意")), ("return", _("退回补充调查"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择审核结论"), "invalid_choice": _("请选择审核结论")},
    )
    opinion = _text(_("审核意见"), max_length=5000, rows=3)


class DeliberateForm(StepForm):
    minutes = _text(_("集体讨论的决定"), max_length=5000, rows=3)


class ExtendForm(StepForm):
    until = _date(_("延长至"))
    basis = _text(_("延期依据及批准情况"), max_length=300, rows=2)


class DecideForm(StepForm):
    party_present = forms.BooleanField(label=_("宣告时当事人在场（当场交付）"), required=False)


class ServeForm(StepForm):
    method = forms.ChoiceField(
        label=_("送达方式"),
        error_messages={"required": _("请选择送达方式"), "invalid_choice": _("请选择送达方式")},
    )
    recipient = _text(_("受送达人"), max_length=60)
    served_at = _datetime(_("送达时间"), required=False)
    consent_signed = forms.BooleanField(label=_("当事人已签署电子送达确认书"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(k, _(v)) for k, v in SERVICE_METHODS.items()]
        self.fields["served_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class DeferForm(StepForm):
    until = _date(_("暂缓或分期缴纳至"))
    hardship = forms.BooleanField(label=_("当事人确有经济困难"), required=False)
    applied = forms.BooleanField(label=_("当事人已提出申请"), required=False)
    approved = forms.BooleanField(label=_("已经行政机关批准"), required=False)


class CourtForm(StepForm):
    outcome = _text(_("法院执行结果"), max_length=2000, rows=2)


class ReferForm(StepForm):
    to = forms.ChoiceField(
        label=_("移送机关"),
        error_messages={"required": _("请选择移送机关"), "invalid_choice": _("请选择移送机关")},
    )
    reason = _text(_("移送理由"), max_length=2000, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(k, _(v)) for k, v in REFERRAL_BODIES.items()]


class RevokeForm(StepForm):
    reason = _text(_("撤销理由"), max_length=2000, rows=2)
