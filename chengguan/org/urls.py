from django.urls import path

from chengguan.org import views

app_name = "org"
urlpatterns = [
    path("regions/", views.regions_page, name="regions"),
    path("map/", views.map_page, name="map"),
    path("agencies/", views.agencies_page, name="agencies"),
]
