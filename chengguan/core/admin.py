"""Back office for the ledger (read only) and the working calendar."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from rules.contrib.admin import ObjectPermissionsModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from chengguan.core import calendar_sources
from chengguan.core.models import CalendarDay, CalendarYear, LedgerEntry, OfficePeriod
from chengguan.core.services import (
    REVISION_CALENDAR,
    calendar_year_publish,
    registry_delete,
    registry_save,
)


class LedgeredAdmin(ObjectPermissionsModelAdminMixin, SimpleHistoryAdmin):
    """Every save and delete in the back office goes through the ledgered registry service,
    and every permission check passes the object, so territorial `rules` apply."""

    revision: str | None = None

    def save_model(self, request, obj, form, change):
        registry_save(
            obj=obj,
            actor=request.user,
            changed=form.changed_data,
            created=not change,
            revision=self.revision,
        )

    def delete_model(self, request, obj):
        registry_delete(obj=obj, actor=request.user, revision=self.revision)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            registry_delete(obj=obj, actor=request.user, revision=self.revision)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through their own process (the ledger, cases, roles)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "created_at", "kind", "subject_type", "subject_id", "actor_name")
    list_filter = ("kind",)
    search_fields = ("subject_id", "actor_name", "kind")
    readonly_fields = [f.name for f in LedgerEntry._meta.fields]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "status", "source", "updated_at")
    readonly_fields = ("status", "updated_at")
    actions = ["publish_from_package"]

    @admin.action(description=_("按 chinesecalendar 软件包中的国务院通知发布所选年度并重算时限"))
    def publish_from_package(self, request, queryset):
        for year in queryset:
            days = calendar_sources.official_year(year.year)
            if days is None:
                self.message_user(
                    request,
                    _(
                        "%(year)s 年：软件包中尚无正式安排。请在“节假日与调休”中逐日录入后，用 manage.py calendar_publish 发布。"
                    )
                    % {"year": year.year},
                    messages.WARNING,
                )
                continue
            recomputed = calendar_year_publish(
                year=year.year,
                days=days,
                source="chinesecalendar（国务院办公厅通知）",
                actor=request.user,
            )
            self.message_user(
                request,
                _("%(year)s 年已发布，重算 %(n)s 个未到期时限。")
                % {"year": year.year, "n": recomputed},
            )


@admin.register(CalendarDay)
class CalendarDayAdmin(LedgeredAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    revision = REVISION_CALENDAR


@admin.register(OfficePeriod)
class OfficePeriodAdmin(LedgeredAdmin):
    list_display = ("start", "end")
    revision = REVISION_CALENDAR
