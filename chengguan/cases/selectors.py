"""Reads on cases: routing suggestions, what a user may see, the queues of each role."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import AGENCY_BOUND_KINDS, agency_family, roles_of, scope_of
from chengguan.cases.domain.workflow import Status
from chengguan.cases.models import Case, Category, Notice, Responsibility
from chengguan.core.models import Deadline


@dataclass(frozen=True)
class Suggestion:
    agency: object | None
    reason: str


def suggest_agency(
    *, category: Category, grid, street_code: str, unit_code: str, on: date
) -> Suggestion:
    """Responsibility matrix: the most specific valid row wins (grid, then street, then
    county-level unit; a named category before its major class before "all"), then priority."""
    rows = (
        Responsibility.objects.select_related("agency", "grid", "region", "category")
        .filter(
            Q(grid=grid) | Q(region__code__in=[street_code, unit_code]) | Q(region__kind="city")
        )
        .filter(
            Q(category=category)
            | Q(category__isnull=True, major_code=category.major_code)
            | Q(category__isnull=True, major_code="")
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .filter(agency__active=True)
    )

    def rank(r: Responsibility):
        # grid, street, county-level unit, then the city
        place = 0 if r.grid_id else {street_code: 1, unit_code: 2}.get(r.region.code, 3)
        what = 0 if r.category_id else (1 if r.major_code else 2)
        return (place, what, r.priority)

    best = min(rows, key=rank, default=None)
    if best is None:
        return Suggestion(None, "责任划分中无匹配，转市级分拨")
    place = f"网格 {best.grid.code}" if best.grid_id else best.region.name
    what = (
        best.category.name
        if best.category_id
        else (f"大类 {category.major_name}" if best.major_code else "全部类别")
    )
    return Suggestion(best.agency, f"责任划分：{place} × {what}（优先级 {best.priority}）")


def cases_visible(user) -> QuerySet[Case]:
    """Cases inside the user's territory; staff of a department or contractor see only the
    cases dispatched to their agency."""
    scope = scope_of(user)
    cases = Case.objects.all()
    if scope.agency_ids is not None:
        cases = cases.filter(agency_id__in=scope.agency_ids)
    if scope.city_wide:
        return cases
    if scope.street_code is not None:
        return cases.filter(street_code=scope.street_code)
    return cases.filter(region_code=scope.unit_code)


def handler_agencies(user) -> frozenset:
    """The agencies whose tasks a handler may act on: their own and those it leads."""
    if user.agency_id is None:
        return frozenset()
    return agency_family(user.agency_id)


QUEUE_STATUSES = {
    Role.OPERATOR: [Status.REPORTED, Status.VERIFIED],
    Role.SHIFT_LEADER: [Status.VERIFIED, Status.CHECKED],
    Role.DISPATCHER: [Status.REGISTERED, Status.DISPATCHED, Status.DEFERRED],
    Role.HANDLER: [Status.DISPATCHED],
    Role.INSPECTOR: [Status.REPORTED, Status.HANDLED],
}


def queue_for(user, role: Role) -> QuerySet[Case]:
    """A role's work list, oldest first; the dispatcher's dispatched cases are only those
    waiting for an extension decision."""
    if role not in roles_of(user):
        return Case.objects.none()
    cases = cases_visible(user).filter(status__in=QUEUE_STATUSES[role])
    if role is Role.HANDLER:
        cases = cases.filter(agency_id__in=handler_agencies(user))
    if role is Role.DISPATCHER:
        cases = cases.filter(
            Q(status=Status.REGISTERED) | Q(extension_pending=True) | Q(status=Status.DEFERRED)
        )
    return cases.select_related("category", "agency").order_by("reported_at")


def open_deadlines(case: Case) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        subject_type="cases.case", subject_id=str(case.pk), stopped_at__isnull=True
    ).order_by("due_at")


def notices_for(user) -> QuerySet[Notice]:
    scope = scope_of(user)
    notices = Notice.objects.select_related("case")
    mine = Q(agency_id=user.agency_id) if user.agency_id else Q(pk__in=[])
    if user.agency and user.agency.kind in AGENCY_BOUND_KINDS:
        return notices.filter(mine)
    if scope.city_wide:
        area = Q(agency__isnull=True)
    elif scope.unit_code:
        area = Q(agency__isnull=True, region_code=scope.unit_code)
    else:
        area = Q(pk__in=[])
    return notices.filter(mine | area)
