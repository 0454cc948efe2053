"""Back office for the power list: the system admin edits a power's published text with a
ledger entry; holders are read only, because only `power_holder_assign` keeps the
one-holder-per-territory rule and the history of who held what. Discretion benchmarks are
read only too: they come from a bureau's publication through `benchmarks_load`, which
checks every row and keeps the quantities in step with the published condition."""

from django.contrib import admin

from chengguan.core.admin import LedgeredAdmin, ReadOnlyAdmin
from chengguan.powers.models import DiscretionBenchmark, Power, PowerHolder


@admin.register(Power)
class PowerAdmin(LedgeredAdmin):
    list_display = ("code", "name", "domain", "status", "transferred_from", "basis_source")
    list_filter = ("status", "domain")
    search_fields = ("code", "name", "legal_basis_prohibition", "legal_basis_penalty")


@admin.register(PowerHolder)
class PowerHolderAdmin(ReadOnlyAdmin):
    list_display = ("power", "territory_code", "agency", "mode", "valid_from", "valid_to")
    list_filter = ("mode", "territory_code")
    search_fields = ("power__code", "power__name", "agency__name")
    list_select_related = ("power", "agency")


@admin.register(DiscretionBenchmark)
class DiscretionBenchmarkAdmin(ReadOnlyAdmin):
    list_display = ("power", "tier", "condition", "fine_min", "fine_max", "source")
    list_filter = ("tier",)
    search_fields = ("power__code", "power__name", "condition")
    list_select_related = ("power",)
