"""The command dashboard, mounted at /dashboard/."""

from django.urls import path

from chengguan.kpi import dashboard_views as views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard_page, name="page"),
    path("data.json", views.dashboard_json, name="data"),
    path("export.xlsx", views.dashboard_xlsx, name="xlsx"),
]
