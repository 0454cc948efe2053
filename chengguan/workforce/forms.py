"""Forms of the personnel pages: they parse and validate input; the rules are the services'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chengguan.workforce.domain.gate import RESULT_LABELS, Result

UPLOAD_MAX_BYTES = 5 * 1024 * 1024  # a roster of a few thousand rows is far smaller


class StaffImportForm(forms.Form):
    file = forms.FileField(label=_("人员花名册（.xlsx 或 .csv）"))
    import_good_rows = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("文件过大（不超过 5 MB）"))
        return upload


class CertificateForm(forms.Form):
    number = forms.CharField(label=_("执法证号"), max_length=40)
    issued_on = forms.DateField(label=_("发证日期"), widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(
        label=_("有效期至"), widget=forms.DateInput(attrs={"type": "date"})
    )


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("培训名称"), max_length=100)
    hours = forms.DecimalField(label=_("学时"), max_digits=5, decimal_places=1, min_value=0.5)
    finished_on = forms.DateField(
        label=_("结业日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ExamForm(forms.Form):
    subject = forms.CharField(label=_("考试科目"), max_length=100)
    taken_on = forms.DateField(label=_("考试日期"), widget=forms.DateInput(attrs={"type": "date"}))
    score = forms.DecimalField(
        label=_("成绩"), max_digits=5, decimal_places=1, min_value=0, max_value=1000
    )
    passed = forms.BooleanField(label=_("合格"), required=False)


class LeaveForm(forms.Form):
    on = forms.DateField(label=_("离岗日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("离岗原因"), max_length=200)


class AssessmentForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    result = forms.ChoiceField(
        label=_("结果"), choices=[(r.value, _(RESULT_LABELS[r])) for r in Result]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1


class PostingForm(forms.Form):
    agency = forms.ChoiceField(label=_("任职单位"))
    street_code = forms.RegexField(
        label=_("任职街道代码"),
        regex=r"^\d{9}$",
        required=False,
        error_messages={"invalid": _("街道（乡镇）代码为 9 位数字")},
        help_text=_("街道（乡镇）一级岗位填写"),
    )
    start_on = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    exception_reason = forms.CharField(
        label=_("例外审批理由"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("违反轮岗或回避规定时必填，保存即视为经您审批"),
    )

    def __init__(self, *args, agencies, **kwargs):
        """`agencies`: where the officer may post people (their own scope)."""
        super().__init__(*args, **kwargs)
        self.agencies = {a.code: a for a in agencies}
        self.fields["agency"].choices = [(a.code, f"{a.name}（{a.code}）") for a in agencies]

    def clean_agency(self):
        return self.agencies[self.cleaned_data["agency"]]

    def first_error(self) -> str:
        return next(iter(e for errors in self.errors.values() for e in errors), "")


class StaffingExceptionForm(forms.Form):
    region = forms.ChoiceField(label=_("县级单位"))
    reason = forms.CharField(
        label=_("超过上限配备的理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    valid_until = forms.DateField(
        label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, units, **kwargs):
        """`units`: the county-level units the officer may record a reason for."""
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        self.fields["region"].choices = [(u.code, u.name) for u in units]

    def clean_region(self):
        return self.units[self.cleaned_data["region"]]
