"""Input of the public pages: the report form, the tracking-code form, rating, reopening.

Forms check the shape of what was typed (and the photos' number and size, before anything
reads them); whether the place is in the city and the photos are photos is decided by the
services. Every form that creates something carries `key`, an idempotency key made when
the page was rendered, so a double tap or a resubmission after a timeout is one request.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chengguan.cases.models import Category
from chengguan.cases.services import MAX_PHOTOS
from chengguan.core.errors import DomainError
from chengguan.core.personal import phone_normalise
from chengguan.portal.domain import (
    COMMENT_MAX,
    REOPEN_REASON_MAX,
    STAR_LABELS,
    tracking_code_normalise,
)
from chengguan.web.api import error_message

STALE = _("页面已过期，请刷新页面后重新提交")


def _key_field():
    return forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": STALE, "invalid": STALE}
    )


def megabytes(size: int) -> str:
    """10000000 → "10", 2500000 → "2.5": the size limit as people read it."""
    value = size / 1_000_000
    return f"{value:.1f}".removesuffix(".0") if value >= 0.1 else f"{value:.2g}"


class PublicForm(forms.Form):
    def messages(self) -> list[str]:
        """Every error, in field order, for the list above the form."""
        found = [str(e) for field in self for e in field.errors]
        return found + [str(e) for e in self.non_field_errors()]


class ReportForm(PublicForm):
    """A citizen's report. `website` is a honeypot: hidden from people, filled by bots."""

    key = _key_field()
    website = forms.CharField(required=False)
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(active=True),
        error_messages={"required": _("请选择问题类别"), "invalid_choice": _("请选择问题类别")},
    )
    lon = forms.FloatField(
        min_value=-180,
        max_value=180,
        error_messages={
            "required": _("请在地图上点选问题位置，或使用当前位置"),
            "invalid": _("位置坐标有误，请在地图上重新点选"),
        },
    )
    lat = forms.FloatField(
        min_value=-90,
        max_value=90,
        error_messages={
            "required": _("请在地图上点选问题位置，或使用当前位置"),
            "invalid": _("位置坐标有误，请在地图上重新点选"),
        },
    )
    address = forms.CharField(
        required=False,
        max_length=200,
        error_messages={"max_length": _("地址不能超过 %(limit_value)d 个字")},
    )
    description = forms.CharField(
        max_length=2000,
        error_messages={
            "required": _("请填写问题描述"),
            "max_length": _("问题描述不能超过 %(limit_value)d 个字"),
        },
    )
    name = forms.CharField(
        required=False,
        max_length=40,
        error_messages={"max_length": _("姓名不能超过 %(limit_value)d 个字")},
    )
    phone = forms.CharField(required=False, max_length=30)

    def clean_phone(self) -> str:
        text = self.cleaned_data["phone"].strip()
        if not text:
            return ""
        try:
            return phone_normalise(text)
        except DomainError as error:
            raise forms.ValidationError(error_message(error)) from None

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(STALE)
        uploads = self.files.getlist("photos") if self.files else []
        if len(uploads) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("最多上传 %(n)s 张照片，您选择了 %(m)s 张") % {"n": MAX_PHOTOS, "m": len(uploads)}
            )
        limit = settings.CHENGGUAN["UPLOAD_MAX_BYTES"]
        for number, upload in enumerate(uploads, start=1):
            if upload.size > limit:  # refused before it is read into memory
                raise forms.ValidationError(
                    _("第 %(n)s 张照片超过 %(mb)s MB，请换一张或压缩后再传")
                    % {"n": number, "mb": megabytes(limit)}
                )
        data["photos"] = [upload.read() for upload in uploads]
        return data


class TrackForm(PublicForm):
    code = forms.CharField(
        max_length=40,
        error_messages={"required": _("请输入跟踪码"), "max_length": _("跟踪码格式不正确")},
    )

    def clean_code(self) -> str:
        code = tracking_code_normalise(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(
                _("跟踪码为 10 位字母和数字（不含 0、1、I、L、O），请检查后重新输入")
            )
        return code


class RatingForm(PublicForm):
    key = _key_field()
    stars = forms.TypedChoiceField(
        choices=[(n, n) for n in STAR_LABELS],
        coerce=int,
        error_messages={
            "required": _("请选择满意程度"),
            "invalid_choice": _("请选择满意程度"),
        },
    )
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX,
        error_messages={"max_length": _("意见不能超过 %(limit_value)d 个字")},
    )


class ReopenForm(PublicForm):
    key = _key_field()
    version = forms.IntegerField(
        min_value=1, error_messages={"required": STALE, "invalid": STALE, "min_value": STALE}
    )
    reason = forms.CharField(
        max_length=REOPEN_REASON_MAX,
        error_messages={
            "required": _("请说明问题仍未解决的情况"),
            "max_length": _("说明不能超过 %(limit_value)d 个字"),
        },
    )
