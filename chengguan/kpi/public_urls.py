"""Mounted at public/stats/: the public statistics (城市管理数据公开) and their open data,
no login. docs/open-data.md describes every file."""

from django.urls import path

from chengguan.kpi import public_views as views

app_name = "public_stats"
urlpatterns = [
    path("", views.stats_page, name="stats"),
    path("map/", views.map_page, name="map"),
    path("satisfaction/", views.satisfaction_page, name="satisfaction"),
    path("districts.json", views.districts_json, name="districts_json"),
    path("districts.csv", views.districts_csv, name="districts_csv"),
    path("categories.json", views.categories_json, name="categories_json"),
    path("categories.csv", views.categories_csv, name="categories_csv"),
    path("monthly.json", views.monthly_json, name="monthly_json"),
    path("monthly.csv", views.monthly_csv, name="monthly_csv"),
    path("grids.geojson", views.grids_geojson, name="grids_geojson"),
    path("hexagons.geojson", views.hexagons_geojson, name="hexagons_geojson"),
    path("boundaries.geojson", views.boundaries_geojson, name="boundaries_geojson"),
    path("satisfaction.json", views.satisfaction_json, name="satisfaction_json"),
    path("satisfaction.csv", views.satisfaction_csv, name="satisfaction_csv"),
]
