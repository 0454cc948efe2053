"""Back office for the evaluation: the city's own indicator weights (system administrator;
every save ledgered), and the imported satisfaction data, read only (it comes in through
the import, whose ledger entry names the file)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rules.contrib.admin import ObjectPermissionsModelAdminMixin

from chengguan.core.admin import ReadOnlyAdmin
from chengguan.core.services import registry_delete, registry_save
from chengguan.kpi.domain.indicators import BY_KIND, ObjectKind
from chengguan.kpi.models import IndicatorWeight, SatisfactionInput

INDICATOR_CHOICES = [
    (item.code, f"{item.code} · {item.name}")
    for item in dict((i.code, i) for kind in ObjectKind for i in BY_KIND[kind]).values()
]


class IndicatorWeightForm(forms.ModelForm):
    indicator = forms.ChoiceField(label=_("指标"), choices=INDICATOR_CHOICES)

    class Meta:
        model = IndicatorWeight
        fields = ("object_kind", "indicator", "weight")

    def clean(self):
        data = super().clean()
        kind, code, weight = data.get("object_kind"), data.get("indicator"), data.get("weight")
        if kind and code:
            items = {i.code: i for i in BY_KIND[ObjectKind(kind)]}
            if code not in items:
                self.add_error("indicator", gettext("该对象类型没有这个指标"))
            elif not items[code].applicable:
                self.add_error("indicator", gettext("本平台不计算该指标，设置权重无效"))
        if weight is not None and not 0 <= weight <= 100:
            self.add_error("weight", gettext("权重应在 0 至 100 之间"))
        return data


@admin.register(IndicatorWeight)
class IndicatorWeightAdmin(ObjectPermissionsModelAdminMixin, admin.ModelAdmin):
    """Weights replace the defaults indicator by indicator; the composite renormalises, so
    they need not sum to 100 (the next computation uses them)."""

    form = IndicatorWeightForm
    list_display = ("object_kind", "indicator", "indicator_name", "weight", "default_weight")
    list_filter = ("object_kind",)
    ordering = ("object_kind", "indicator")

    @admin.display(description=_("指标名称"))
    def indicator_name(self, obj):
        item = next(
            (i for i in BY_KIND[ObjectKind(obj.object_kind)] if i.code == obj.indicator), None
        )
        return item.name if item else "—"

    @admin.display(description=_("默认权重（%）"))
    def default_weight(self, obj):
        item = next(
            (i for i in BY_KIND[ObjectKind(obj.object_kind)] if i.code == obj.indicator), None
        )
        return item.weight if item else "—"

    def save_model(self, request, obj, form, change):
        registry_save(obj=obj, actor=request.user, changed=form.changed_data, created=not change)

    def delete_model(self, request, obj):
        registry_delete(obj=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            registry_delete(obj=obj, actor=request.user)


@admin.register(SatisfactionInput)
class SatisfactionInputAdmin(ReadOnlyAdmin):
    list_display = ("agency", "month", "kind", "score", "respondents", "source", "imported_at")
    list_filter = ("kind", "month")
    search_fields = ("agency__code", "agency__name", "source")
