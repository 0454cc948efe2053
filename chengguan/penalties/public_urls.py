"""Mounted at public/penalties/: the publicity of penalty decisions (执法公示), no login."""

from django.urls import path

from chengguan.penalties import public_views

app_name = "penalty_publicity"
urlpatterns = [
    path("", public_views.publication_list, name="list"),
    path("data.json", public_views.publications_json, name="json"),
    path("data.csv", public_views.publications_csv, name="csv"),
    path("<str:key>/", public_views.publication_detail, name="detail"),
]
