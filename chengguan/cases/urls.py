from django.urls import path

from chengguan.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.work_page, name="work"),
    path("report/", views.report_page, name="report"),
    path("report/similar/", views.report_similar, name="report_similar"),
    path("notices/", views.notices_page, name="notices"),
    path("<str:number>/", views.case_page, name="detail"),
    path("<str:number>/act/<str:action>/", views.case_act_view, name="act"),
    path("<str:number>/photos/<str:photo_id>/", views.photo_view, name="photo"),
    path(
        "<str:number>/reporters/<str:reporter_id>/phone/",
        views.reporter_phone_view,
        name="reporter_phone",
    ),
]
