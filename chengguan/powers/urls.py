"""Mounted under public/ next to the portal's pages (whose paths do not start with powers)."""

from django.urls import path

from chengguan.powers import views

app_name = "powers"
urlpatterns = [
    path("powers/", views.power_list, name="list"),
    path("powers/<str:code>/", views.power_detail, name="detail"),
    path("powers.json", views.powers_json, name="json"),
    path("powers.csv", views.powers_csv, name="csv"),
]
