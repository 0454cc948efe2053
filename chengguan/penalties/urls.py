"""The penalty-case console, mounted at /penalties/."""

from django.urls import path

from chengguan.penalties import views

app_name = "penalties"
urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("register/", views.register_page, name="register"),
    path("summary/", views.summary_page, name="summary"),
    path("<str:number>/", views.case_page, name="detail"),
    path("<str:number>/act/<str:action>/", views.case_act_view, name="act"),
    path("<str:number>/documents/<uuid:document_id>.pdf", views.document_view, name="document"),
    path("<str:number>/evidence/<uuid:evidence_id>", views.evidence_view, name="evidence"),
]
