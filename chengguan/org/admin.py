"""Back office for regions, agencies and grids; every save is ledgered."""

from django.contrib import admin

from chengguan.core.admin import LedgeredAdmin
from chengguan.core.services import REVISION_GRIDS
from chengguan.org.models import Agency, Grid, Region
from chengguan.org.selectors import grids_visible, regions_visible


@admin.register(Region)
class RegionAdmin(LedgeredAdmin):
    list_display = ("code", "name", "kind", "parent", "population", "households", "boundary_source")
    list_filter = ("kind", "boundary_source", "statistical")
    search_fields = ("code", "name")
    readonly_fields = ("centroid_lon", "centroid_lat", "area_km2", "boundary_source")
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        return regions_visible(request.user)


@admin.register(Agency)
class AgencyAdmin(LedgeredAdmin):
    list_display = ("code", "name", "kind", "specialty", "region", "parent", "managed_by", "active")
    list_filter = ("kind", "specialty", "active")
    search_fields = ("code", "name", "also_named")
    autocomplete_fields = ("region", "parent", "managed_by")


@admin.register(Grid)
class GridAdmin(LedgeredAdmin):
    list_display = ("code", "street", "region_code", "households", "population", "area_km2")
    list_filter = ("region_code",)
    search_fields = ("code",)
    readonly_fields = ("centroid_lon", "centroid_lat", "area_km2")
    autocomplete_fields = ("street",)
    revision = REVISION_GRIDS

    def get_queryset(self, request):
        return grids_visible(request.user).select_related("street")
