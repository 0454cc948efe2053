"""Back office: the category catalogue and its time limits, the responsibility matrix."""

from django.contrib import admin

from chengguan.cases.models import Case, Category, Notice, Responsibility
from chengguan.core.admin import LedgeredAdmin, ReadOnlyAdmin


@admin.register(Category)
class CategoryAdmin(LedgeredAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "major_name",
        "urgency",
        "verify_limit",
        "register_limit",
        "dispatch_limit",
        "handle_limit",
        "check_limit",
        "city_override",
    )
    list_filter = ("kind", "major_name", "urgency", "city_override", "active")
    search_fields = ("code", "name")
    readonly_fields = ("limits_source",)

    def save_model(self, request, obj, form, change):
        if change and set(form.changed_data) - {"active"}:
            obj.city_override = True  # a city's own values survive reloading the catalogue
        super().save_model(request, obj, form, change)


@admin.register(Responsibility)
class ResponsibilityAdmin(LedgeredAdmin):
    list_display = (
        "__str__",
        "grid",
        "region",
        "major_code",
        "category",
        "agency",
        "priority",
        "valid_from",
        "valid_to",
    )
    list_filter = ("major_code",)
    search_fields = ("region__name", "grid__code", "agency__name", "category__name")
    autocomplete_fields = ("grid", "region", "category", "agency")


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read only: cases change only through the workflow (console or API)."""

    list_display = (
        "number",
        "category",
        "status",
        "region_code",
        "agency",
        "level",
        "overdue",
        "reported_at",
    )
    list_filter = ("status", "overdue", "level", "channel")
    search_fields = ("number", "description", "address")


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "text", "agency", "region_code", "read_at")
    list_filter = ("kind",)
