"""The evaluation pages, mounted at /kpi/."""

from django.urls import path

from chengguan.kpi import evaluation_views as views

app_name = "evaluation"
urlpatterns = [
    path("", views.rankings_page, name="rankings"),
    path("drill/", views.drill_page, name="drill"),
    path("export.xlsx", views.rankings_xlsx, name="export"),
    path("satisfaction/", views.satisfaction_page, name="satisfaction"),
    path("satisfaction/import/", views.satisfaction_import_view, name="satisfaction_import"),
    path("satisfaction/export.xlsx", views.satisfaction_xlsx, name="satisfaction_export"),
]
