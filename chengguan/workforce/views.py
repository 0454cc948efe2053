"""The personnel officer's pages (队伍管理): the register by agency, a person's record with
forms to add a certificate, an assessment or a posting, the rotation/recusal violations and
the staff-list import.

Edges only: parse the input, call one service, show a DomainError's message in the page
(400). Only the personnel role gets in (403 otherwise); a person outside the officer's
territory answers 404, never saying whether they exist elsewhere. ID numbers are shown
masked only.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chengguan.core.errors import DomainError, gettext_noop
from chengguan.core.tabular import read_table
from chengguan.org.models import Region
from chengguan.org.selectors import regions_visible
from chengguan.web.api import error_message
from chengguan.web.views import forbidden
from chengguan.workforce import services
from chengguan.workforce.domain.gate import RESULT_LABELS, Result
from chengguan.workforce.domain.postings import (
    PROBLEM_LABELS,
    RECUSAL,
    ROTATION,
)
from chengguan.workforce.forms import (
    AssessmentForm,
    CertificateForm,
    ExamForm,
    LeaveForm,
    PostingForm,
    StaffImportForm,
    TrainingForm,
)
from chengguan.workforce.models import Assessment, Certificate, Person
from chengguan.workforce.rules import is_personnel
from chengguan.workforce.selectors import (
    agencies_visible,
    people_visible,
    posting_violations,
)
from chengguan.workforce.staff_import import staff_import

PAGE_SIZE = 50


def _forbidden(request):
    return forbidden(request, gettext("只有队伍管理员可以查看执法队伍登记"))


def personnel_only(view):
    """Sign-in first, then the personnel role; everything else is a 403 page."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_personnel(request.user):
            return _forbidden(request)
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


def _person_or_404(request, person_id) -> Person:
    person = people_visible(request.user).filter(pk=person_id).first()
    if person is None or not request.user.has_perm("workforce.manage_person", person):
        raise Http404
    return person


def _warning_date(today: date) -> date:
    return today + timedelta(days=settings.CHENGGUAN["CERTIFICATE_WARNING_DAYS"])


# ---------------------------------------------------------------- the register


@dataclass(frozen=True)
class PersonRow:
    person: Person
    certificate: Certificate | None  # the valid one that runs longest
    expiring: bool
    assessment: Assessment | None
    assessment_label: str


def _rows(people, today: date) -> list[PersonRow]:
    warn = _warning_date(today)
    rows = []
    for person in people:
        valid = [c for c in person.certificates.all() if c.status == Certificate.Status.VALID]
        certificate = max(valid, key=lambda c: c.expires_on, default=None)
        assessment = next(iter(person.assessments.all()), None)
        rows.append(
            PersonRow(
                person=person,
                certificate=certificate,
                expiring=certificate is not None and certificate.expires_on <= warn,
                assessment=assessment,
                assessment_label=gettext(RESULT_LABELS[Result(assessment.result)])
                if assessment
                else "",
            )
        )
    return rows


@personnel_only
@require_GET
def people_page(request):
    """The register, by agency: who serves where, and whose certificate runs out soon."""
    agencies = agencies_visible(request.user).filter(staff__isnull=False).distinct()
    agency = request.GET.get("agency", "")
    people = people_visible(request.user).prefetch_related(
        "certificates", Prefetch("assessments", queryset=Assessment.objects.order_by("-year"))
    )
    if agency:
        people = people.filter(agency__code=agency)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "workforce/people.html",
        {
            "rows": _rows(page.object_list, today),
            "page": page,
            "agencies": agencies,
            "agency": agency,
            "warning_days": settings.CHENGGUAN["CERTIFICATE_WARNING_DAYS"],
        },
    )


def _person_context(request, person: Person, **forms) -> dict:
    today = timezone.localdate()
    postings = list(person.postings.select_related("agency", "approved_by"))
    codes = {p.street_code for p in postings} | {person.household_street_code}
    names = dict(Region.objects.filter(code__in=codes - {""}).values_list("code", "name"))
    for posting in postings:
        posting.street_name = names.get(posting.street_code, "")
    return {
        "household_street_name": names.get(person.household_street_code, ""),
        "person": person,
        "certificates": person.certificates.all(),
        "trainings": person.trainings.all(),
        "exams": person.exams.all(),
        "assessments": [
            (a, gettext(RESULT_LABELS[Result(a.result)])) for a in person.assessments.all()
        ],
        "postings": postings,
        "warning_date": _warning_date(today),
        "today": today,
        "certificate_form": forms.get("certificate_form") or CertificateForm(),
        "assessment_form": forms.get("assessment_form") or AssessmentForm(),
        "training_form": forms.get("training_form") or TrainingForm(),
        "exam_form": forms.get("exam_form") or ExamForm(),
        "leave_form": forms.get("leave_form") or LeaveForm(initial={"on": today}),
        "posting_form": forms.get("posting_form")
        or PostingForm(agencies=agencies_visible(request.user).order_by("code")),
        "posting_needs_reason": forms.get("posting_needs_reason", False),
        "error": forms.get("error", ""),
        "error_form": forms.get("error_form", ""),
    }


@personnel_only
@require_GET
def person_page(request, person_id):
    person = _person_or_404(request, person_id)
    return render(request, "workforce/person.html", _person_context(request, person))


def _refused(request, person, message: str, form_name: str, **forms):
    context = _person_context(request, person, error=message, error_form=form_name, **forms)
    return render(request, "workforce/person.html", context, status=400)


@dataclass(frozen=True)
class RecordForm:
    """One of the forms on a person's page that adds to their file through a service."""

    form_class: type
    service: Callable
    invalid: str  # gettext_noop: the form did not parse
    done: str  # gettext_noop: saved


RECORD_FORMS = {
    "certificate": RecordForm(
        CertificateForm,
        services.certificate_add,
        gettext_noop("请检查证件信息"),
        gettext_noop("执法证件已登记"),
    ),
    "assessment": RecordForm(
        AssessmentForm,
        services.assessment_add,
        gettext_noop("请检查考核信息"),
        gettext_noop("评议考核已登记"),
    ),
    "training": RecordForm(
        TrainingForm,
        services.training_add,
        gettext_noop("请检查培训信息"),
        gettext_noop("培训记录已登记"),
    ),
    "exam": RecordForm(
        ExamForm, services.exam_add, gettext_noop("请检查考试信息"), gettext_noop("考试记录已登记")
    ),
    "leave": RecordForm(
        LeaveForm,
        services.person_leave,
        gettext_noop("请填写离岗日期和原因"),
        gettext_noop("已登记离岗"),
    ),
}


@personnel_only
@require_POST
def record_add_view(request, person_id, record: str):
    """Add one record to a person's file (certificate, assessment, training, exam, leaving)
    through its service; a refusal re-renders the page with the form as typed."""
    person = _person_or_404(request, person_id)
    spec = RECORD_FORMS[record]
    form = spec.form_class(request.POST)
    if not form.is_valid():
        return _refused(request, person, gettext(spec.invalid), record, **{f"{record}_form": form})
    try:
        spec.service(person=person, **form.cleaned_data, actor=request.user)
    except DomainError as error:
        return _refused(request, person, error_message(error), record, **{f"{record}_form": form})
    messages.success(request, gettext(spec.done))
    return redirect("workforce:person", person_id=person.pk)


@personnel_only
@require_POST
def posting_add_view(request, person_id):
    """Post a person; a recusal/rotation problem comes back with its message and the reason
    field, and with a reason it is saved as an approved exception."""
    person = _person_or_404(request, person_id)
    form = PostingForm(request.POST, agencies=agencies_visible(request.user).order_by("code"))
    if not form.is_valid():
        return _refused(request, person, form.first_error(), "posting", posting_form=form)
    try:
        services.posting_create(person=person, **form.cleaned_data, actor=request.user)
    except DomainError as error:
        return _refused(
            request,
            person,
            error_message(error),
            "posting",
            posting_form=form,
            posting_needs_reason=True,
        )
    messages.success(request, gettext("任职已登记"))
    return redirect("workforce:person", person_id=person.pk)


# ---------------------------------------------------------------- violations


@personnel_only
@require_GET
def violations_page(request):
    """Street postings that break rotation or recusal, each linked to its person."""
    today = timezone.localdate()
    years = settings.CHENGGUAN["ROTATION_YEARS"]
    unit = request.GET.get("unit", "")
    violations = [
        (v, gettext(PROBLEM_LABELS[v.kind]) % {"years": f"{years:g}"})
        for v in posting_violations(request.user, on=today, unit=unit)
    ]
    return render(
        request,
        "workforce/violations.html",
        {
            # Rotation falls due for many at once in a big city: longest served first, paged.
            "rotations": Paginator(
                [(v, label) for v, label in violations if v.kind == ROTATION], PAGE_SIZE
            ).get_page(request.GET.get("page")),
            "recusals": [(v, label) for v, label in violations if v.kind == RECUSAL],
            "years": years,
            "today": today,
            "units": regions_visible(request.user)
            .filter(kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE])
            .order_by("code"),
            "unit": unit,
        },
    )


# ---------------------------------------------------------------- import


@personnel_only
@require_http_methods(["GET", "POST"])
def import_page(request):
    """Upload the staff list; with rejected rows, show them and offer to import the good rows
    of the same file (re-chosen, and checked to be the very file the report was about)."""
    if request.method == "GET":
        return render(request, "workforce/import.html", {"form": StaffImportForm()})
    form = StaffImportForm(request.POST, request.FILES)
    context = {"form": StaffImportForm()}
    if not form.is_valid():
        context.update(form=form, error=gettext("请选择要导入的文件"))
        return render(request, "workforce/import.html", context, status=400)
    upload = form.cleaned_data["file"]
    content = upload.read()
    digest = hashlib.sha256(content).hexdigest()
    good_rows = form.cleaned_data["import_good_rows"]
    if good_rows and request.POST.get("sha256") != digest:
        good_rows = False
        messages.warning(request, gettext("所选文件与刚才检查的文件不同，已重新检查，未导入"))
    try:
        rows = read_table(upload.name, content)
        report = staff_import(
            rows,
            import_good_rows=good_rows,
            actor=request.user,
            source_name=upload.name,
            sha256=digest,
        )
    except DomainError as error:
        context["error"] = error_message(error)
        return render(request, "workforce/import.html", context, status=400)
    if report.applied:
        messages.success(
            request,
            gettext("已导入 %(people)s 人、执法证件 %(certs)s 个、任职 %(postings)s 条")
            % {"people": report.people, "certs": report.certificates, "postings": report.postings}
            + (
                gettext("；跳过 %(n)s 个错误行") % {"n": len(report.rejected)}
                if report.rejected
                else ""
            ),
        )
        return redirect(reverse("workforce:people"))
    context.update(
        report=report,
        good=report.rows - len(report.rejected),
        sha256=digest,
        filename=upload.name,
    )
    return render(request, "workforce/import.html", context, status=400)
