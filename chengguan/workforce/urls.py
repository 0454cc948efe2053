from django.urls import path

from chengguan.workforce import compliance_views, views

app_name = "workforce"
urlpatterns = [
    path("", views.people_page, name="people"),
    path("import/", views.import_page, name="import"),
    path("violations/", views.violations_page, name="violations"),
    path("people/<uuid:person_id>/", views.person_page, name="person"),
    path(
        "people/<uuid:person_id>/certificates/",
        views.certificate_add_view,
        name="certificate_add",
    ),
    path("people/<uuid:person_id>/assessments/", views.assessment_add_view, name="assessment_add"),
    path("people/<uuid:person_id>/trainings/", views.training_add_view, name="training_add"),
    path("people/<uuid:person_id>/exams/", views.exam_add_view, name="exam_add"),
    path("people/<uuid:person_id>/leave/", views.leave_view, name="leave"),
    path("people/<uuid:person_id>/postings/", views.posting_add_view, name="posting_add"),
    path("compliance/", compliance_views.compliance_page, name="compliance"),
    path("compliance.xlsx", compliance_views.compliance_xlsx, name="compliance_xlsx"),
]
