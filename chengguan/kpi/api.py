"""HTTP API of the statistics (mounted at /api/kpi/): the command dashboard's figures, the
same JSON as /dashboard/data.json, for a wall screen or another system."""

from django.core.exceptions import PermissionDenied
from ninja import Router

from chengguan.kpi.dashboard import dashboard_allowed, dashboard_data

router = Router(tags=["统计"])


@router.get("/dashboard", summary="指挥大屏数据")
def dashboard(request):
    """Today's intake by channel and category, open and overdue cases per district, the
    on-time closure trend (30 days), the heatmap (H3 cells of the last 7 days, GeoJSON),
    staffing compliance and the ten most overdue cases, within the caller's territory.
    For leaders, shift leaders, dispatchers and system administrators."""
    if not dashboard_allowed(request.user):
        raise PermissionDenied
    return dashboard_data(request.user)
