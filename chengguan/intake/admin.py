"""Back office: exchanged work orders and their callbacks, read only (they change only
through the webhooks, the outbox and the sender)."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chengguan.core.admin import ReadOnlyAdmin
from chengguan.intake.domain import FAILING_AFTER_ATTEMPTS
from chengguan.intake.models import Callback, WorkOrder


class CallbackInline(admin.TabularInline):
    model = Callback
    fields = ("event", "attempts", "next_attempt_at", "acknowledged_at", "last_status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "partner", "direction", "case", "located", "received_at")
    list_filter = ("partner", "direction", "located")
    search_fields = ("external_id", "case__number")
    readonly_fields = [f.name for f in WorkOrder._meta.fields]
    list_select_related = ("case",)
    inlines = [CallbackInline]


class DeliveryFilter(admin.SimpleListFilter):
    title = _("投递")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("待确认")),
            ("failing", _("多次失败（%(n)s 次以上）") % {"n": FAILING_AFTER_ATTEMPTS}),
            ("acknowledged", _("已确认")),
        ]

    def queryset(self, request, queryset):
        waiting = Q(acknowledged_at__isnull=True)
        if self.value() == "waiting":
            return queryset.filter(waiting)
        if self.value() == "failing":
            return queryset.filter(waiting, attempts__gte=FAILING_AFTER_ATTEMPTS)
        if self.value() == "acknowledged":
            return queryset.filter(acknowledged_at__isnull=False)
        return queryset


@admin.register(Callback)
class CallbackAdmin(ReadOnlyAdmin):
    list_display = (
        "work_order",
        "event",
        "attempts",
        "is_failing",
        "next_attempt_at",
        "acknowledged_at",
        "last_status",
        "created_at",
    )
    list_filter = (DeliveryFilter, "event", "work_order__partner")
    search_fields = ("work_order__external_id", "work_order__case__number")
    readonly_fields = [f.name for f in Callback._meta.fields]
    list_select_related = ("work_order",)

    @admin.display(boolean=True, description=_("多次失败"))
    def is_failing(self, obj: Callback) -> bool:
        return obj.failing
