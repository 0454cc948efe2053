"""Input of the case console: queue filters, the report form, a workflow action.

Forms only parse and check the shape of what was typed; whether an action is allowed and
which fields it needs is decided by the domain (`check_transition`) through the services.
"""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from chengguan.cases.domain.workflow import STATUS_LABELS, Status
from chengguan.cases.models import Case, Category


class QueueFilterForm(forms.Form):
    """GET parameters of /cases/: tab, filters, position for "near me", page."""

    tab = forms.CharField(required=False)
    region = forms.RegexField(regex=r"^(\d{6}|\d{9})$", required=False)
    category = forms.RegexField(regex=r"^((component|matter):)?\d{5}$", required=False)
    status = forms.ChoiceField(required=False)
    overdue = forms.BooleanField(required=False)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态"))] + [
            (s.value, _(STATUS_LABELS[s])) for s in Status
        ]

    def value(self, name: str, default=None):
        """The cleaned value of one field, or the default when it is missing or malformed
        (a bad filter is ignored, not an error page)."""
        if not self.is_bound:
            return default
        self.is_valid()
        if name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    @property
    def near(self) -> tuple[float, float] | None:
        lon, lat = self.value("lon"), self.value("lat")
        return (lon, lat) if lon is not None and lat is not None else None


class ReportForm(forms.Form):
    """A hotline operator's or a patrol inspector's report."""

    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(active=True),
        label=_("问题类别"),
        error_messages={
            "required": _("请选择问题类别"),
            "invalid_choice": _("请选择问题类别"),
        },
    )
    lon = forms.FloatField(
        label=_("经度"),
        min_value=-180,
        max_value=180,
        error_messages={"required": _("请在地图上点选位置，或填写经纬度")},
    )
    lat = forms.FloatField(
        label=_("纬度"),
        min_value=-90,
        max_value=90,
        error_messages={"required": _("请在地图上点选位置，或填写经纬度")},
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    description = forms.CharField(
        label=_("问题描述"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("请填写问题描述")},
    )
    channel = forms.ChoiceField(label=_("来源"))
    caller_name = forms.CharField(label=_("来电人姓名"), max_length=40, required=False)
    caller_phone = forms.CharField(label=_("来电号码"), max_length=30, required=False)
    # A case number: the caller is added to that (duplicate) case instead of a new one.
    join = forms.RegexField(
        regex=r"^\d{6}-\d{8}-\d{6}$",
        required=False,
        error_messages={"invalid": _("要并入的案卷号格式不正确")},
    )
    idempotency_key = forms.CharField(max_length=64, required=False)

    def __init__(self, *args, channels: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Case.Channel.choices)
        self.fields["channel"].choices = [(c, labels[c]) for c in channels]
        if len(channels) == 1:
            self.fields["channel"].initial = channels[0]
        for name in ("lon", "lat"):
            self.fields[name].error_messages["invalid"] = _("经纬度应为数字，如 113.301234")

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise forms.ValidationError(_("请填写问题描述"))
        return text


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class ActionForm(forms.Form):
    """One workflow action posted from the case page. Which fields the action needs is the
    domain's decision (its message names the missing field); here only their shape."""

    version = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": _("页面已过期，请刷新后重试"),
            "invalid": _("页面已过期，请刷新后重试"),
        },
    )
    reason = forms.CharField(required=False, max_length=1000)
    feedback = forms.CharField(required=False, max_length=2000)
    agency = forms.UUIDField(required=False, error_messages={"invalid": _("请选择有效的处置单位")})
    hours = forms.DecimalField(
        required=False,
        max_digits=6,
        decimal_places=1,
        error_messages={"invalid": _("延期时长应为数字（工作时）")},
    )

    target = forms.CharField(required=False, max_length=24)
    helpers = forms.TypedMultipleChoiceField(
        required=False,
        coerce=str,
        choices=(),
        error_messages={"invalid_choice": _("请选择有效的协办单位")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any UUID-shaped value may be posted; the service decides whether the agency fits.
        posted = self.data.getlist("helpers") if hasattr(self.data, "getlist") else []
        self.fields["helpers"].choices = [(v, v) for v in posted if is_uuid(v)]

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""
