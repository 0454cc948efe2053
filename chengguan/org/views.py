"""Console pages for territory and organisation (server-rendered; the map reads the API)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from chengguan.accounts.selectors import scope_of
from chengguan.org import selectors
from chengguan.org.models import Agency


@login_required
def regions_page(request):
    return render(request, "org/regions.html", {"tree": selectors.region_tree(request.user)})


@login_required
def map_page(request):
    scope = scope_of(request.user)
    return render(
        request,
        "org/map.html",
        {
            "tile_url": settings.CHENGGUAN["MAP_TILE_URL"],
            "tile_attribution": settings.CHENGGUAN["MAP_TILE_ATTRIBUTION"],
            "scope_unit": scope.unit_code or "",
            "scope_street": scope.street_code or "",
        },
    )


@login_required
def agencies_page(request):
    kind = request.GET.get("kind") or None
    if kind not in Agency.Kind.values:
        kind = None
    region = request.GET.get("region") or None
    agencies = selectors.agencies_list(region_code=region, kind=kind)
    return render(
        request,
        "org/agencies.html",
        {
            "agencies": agencies[:500],
            "total": agencies.count(),
            "kinds": Agency.Kind.choices,
            "kind": kind or "",
            "region": region or "",
        },
    )
