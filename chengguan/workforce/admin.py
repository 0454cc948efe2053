"""Back office for the workforce register: read only, because people enter it through the
console and the import (sealed ID numbers, rule checks, ledger entries); the full ID number
is never shown here. Staffing exceptions are back-office data, edited with a ledger entry."""

from django.contrib import admin

from chengguan.accounts.predicates import is_audit_admin
from chengguan.accounts.selectors import scope_of
from chengguan.core.admin import LedgeredAdmin, ReadOnlyAdmin
from chengguan.workforce.models import (
    Assessment,
    Certificate,
    Person,
    Posting,
    StaffingException,
)
from chengguan.workforce.selectors import people_visible


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CertificateInline(ReadOnlyInline):
    model = Certificate
    fields = ("number", "issued_on", "expires_on", "status")


class AssessmentInline(ReadOnlyInline):
    model = Assessment
    fields = ("year", "result")


class PostingInline(ReadOnlyInline):
    model = Posting
    fields = ("agency", "street_code", "start_on", "end_on", "exception_reason")


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "agency", "id_masked", "front_line", "active")
    list_filter = ("kind", "front_line", "active")
    search_fields = ("name", "agency__code", "agency__name")
    fields = ("name", "kind", "id_masked", "agency", "front_line", "rank", "user", "active")
    inlines = [CertificateInline, AssessmentInline, PostingInline]

    def get_queryset(self, request):
        if is_audit_admin(request.user):
            return Person.objects.select_related("agency")
        return people_visible(request.user)


@admin.register(StaffingException)
class StaffingExceptionAdmin(LedgeredAdmin):
    list_display = ("region", "reason", "valid_until", "recorded_at")
    autocomplete_fields = ("region",)
    readonly_fields = ("recorded_by", "recorded_at")

    def get_queryset(self, request):
        scope = scope_of(request.user)
        rows = super().get_queryset(request).select_related("region")
        if scope.city_wide or is_audit_admin(request.user):
            return rows
        return (
            rows.filter(region__code=scope.unit_code) if scope.street_code is None else rows.none()
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
