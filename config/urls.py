from django.contrib import admin
from django.urls import include, path

from chengguan.web.api import api

admin.site.site_header = "城管平台 · 后台管理"
admin.site.site_title = "城管平台"
admin.site.index_title = "登记数据"

urlpatterns = [
    path("", include("chengguan.web.urls")),
    path("org/", include("chengguan.org.urls")),
    path("cases/", include("chengguan.cases.urls")),
    path("workforce/", include("chengguan.workforce.urls")),
    path("penalties/", include("chengguan.penalties.urls")),
    path("dashboard/", include("chengguan.kpi.dashboard_urls")),
    path("kpi/", include("chengguan.kpi.evaluation_urls")),
    path("api/", api.urls),
    path("open311/v2/", include("chengguan.open311.urls")),
    path("m/", include("chengguan.mobile.urls")),
    path("public/", include("chengguan.powers.urls")),
    path("public/", include("chengguan.portal.urls")),
    path("public/penalties/", include("chengguan.penalties.public_urls")),
    path("public/stats/", include("chengguan.kpi.public_urls")),
    path("exchange/payments/", include("chengguan.penalties.exchange_urls")),
    path("exchange/", include("chengguan.intake.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
