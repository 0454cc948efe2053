from django.urls import path

from chengguan.workforce import compliance_views, views

app_name = "workforce"
# The forms that add to a person's file: URL segment → (record kind, URL name).
RECORD_ROUTES = {
    "certificates": ("certificate", "certificate_add"),
    "assessments": ("assessment", "assessment_add"),
    "trainings": ("training", "training_add"),
    "exams": ("exam", "exam_add"),
    "leave": ("leave", "leave"),
}
urlpatterns = [
    path("", views.people_page, name="people"),
    path("import/", views.import_page, name="import"),
    path("violations/", views.violations_page, name="violations"),
    path("people/<uuid:person_id>/", views.person_page, name="person"),
    *(
        path(
            f"people/<uuid:person_id>/{segment}/",
            views.record_add_view,
            {"record": kind},
            name=name,
        )
        for segment, (kind, name) in RECORD_ROUTES.items()
    ),
    path("people/<uuid:person_id>/postings/", views.posting_add_view, name="posting_add"),
    path("compliance/", compliance_views.compliance_page, name="compliance"),
    path("compliance.xlsx", compliance_views.compliance_xlsx, name="compliance_xlsx"),
    path(
        "compliance/exceptions/",
        compliance_views.staffing_exception_view,
        name="staffing_exception",
    ),
]
