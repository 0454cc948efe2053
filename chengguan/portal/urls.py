from django.urls import path

from chengguan.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report_page, name="report"),
    path("locate/", views.locate_point, name="locate"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track_page, name="track"),
    path("track/<str:code>/rate/", views.rate, name="rate"),
    path("track/<str:code>/reopen/", views.reopen, name="reopen"),
    path("track/<str:code>/photos/<str:photo_id>/", views.photo, name="photo"),
]
