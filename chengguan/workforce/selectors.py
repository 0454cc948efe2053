"""Reads on the workforce for staffing compliance: counts per county-level unit, and the
people who need action (certificates about to expire, officers who failed assessment).

Where a person counts: the county-level unit of their agency's region (`unit_code`, which
is the unit itself for a bureau or detachment and the street's unit for a brigade).
City-level agencies (the 总队, the commission) have no unit: their people count toward the
city total only, which is why the city total is more than the sum of the units.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from chengguan.accounts.selectors import scope_of
from chengguan.org.models import Agency, Region
from chengguan.workforce.domain.gate import Kind, Result
from chengguan.workforce.domain.postings import RECUSAL, posting_problems
from chengguan.workforce.domain.staffing import (
    Compliance,
    Level,
    Rule,
    Thresholds,
    UnitCounts,
    staffing_check,
)
from chengguan.workforce.models import (
    Assessment,
    Certificate,
    Person,
    Posting,
    StaffingException,
)
from chengguan.workforce.rules import is_personnel

UNIT = "agency__region__unit_code"


def agencies_visible(user) -> QuerySet[Agency]:
    """The agencies whose people `user` may see, by the same scope as `in_scope`."""
    scope = scope_of(user)
    agencies = Agency.objects.select_related("region")
    if scope.agency_ids is not None:
        agencies = agencies.filter(pk__in=scope.agency_ids)
    if scope.city_wide:
        return agencies
    if scope.street_code is not None:
        return agencies.filter(region__code=scope.street_code)
    return agencies.filter(Q(region__code=scope.unit_code) | Q(region__unit_code=scope.unit_code))


def people_visible(user) -> QuerySet[Person]:
    """The register as `user` may read it: nothing without the personnel role."""
    if not is_personnel(user):
        return Person.objects.none()
    return Person.objects.filter(agency__in=agencies_visible(user)).select_related("agency")


def staffing_thresholds() -> Thresholds:
    config = settings.CHENGGUAN
    return Thresholds(
        floor_per_10k=config["STAFFING_FLOOR_PER_10K"],
        ceiling_per_10k=config["STAFFING_CEILING_PER_10K"],
        front_line_share_min=config["FRONT_LINE_SHARE_MIN"],
        warning_days=config["CERTIFICATE_WARNING_DAYS"],
    )


@dataclass(frozen=True)
class StaffingReport:
    on: date
    thresholds: Thresholds
    units: list[Compliance]
    city: Compliance | None  # None for a user who does not see the whole city


def _latest_result(year: int) -> Subquery:
    """The result of a person's latest assessment up to `year` (as the gate reads it)."""
    return Subquery(
        Assessment.objects.filter(person=OuterRef("pk"), year__lte=year)
        .order_by("-year")
        .values("result")[:1]
    )


def _expiring(on: date, days: int) -> QuerySet[Certificate]:
    return Certificate.objects.filter(
        person__active=True,
        person__kind=Kind.OFFICER,
        status=Certificate.Status.VALID,
        expires_on__gte=on,
        expires_on__lte=on + timedelta(days=days),
    )


def _uncertified(on: date) -> QuerySet[Person]:
    """Active officers with no certificate in force on `on`: the gate would refuse them."""
    valid = Certificate.objects.filter(
        person=OuterRef("pk"),
        status=Certificate.Status.VALID,
        issued_on__lte=on,
        expires_on__gte=on,
    )
    return Person.objects.filter(active=True, kind=Kind.OFFICER).exclude(Exists(valid))


def _failing(year: int) -> QuerySet[Person]:
    return (
        Person.objects.filter(active=True, kind=Kind.OFFICER)
        .annotate(latest_result=_latest_result(year))
        .filter(latest_result=Result.FAIL)
    )


def staffing_by_unit(*, on: date) -> StaffingReport:
    """Every county-level unit and the city, judged on `on`, in seven queries whatever the
    size of the register."""
    thresholds = staffing_thresholds()
    people = {
        row[UNIT]: row
        for row in Person.objects.filter(active=True)
        .values(UNIT)
        .annotate(
            officers=Count("pk", filter=Q(kind=Kind.OFFICER)),
            front_line=Count("pk", filter=Q(kind=Kind.OFFICER, front_line=True)),
            auxiliaries=Count("pk", filter=Q(kind=Kind.AUXILIARY)),
        )
        .order_by()
    }
    expiring = dict(
        _expiring(on, thresholds.warning_days)
        .values_list("person__" + UNIT)
        .annotate(n=Count("pk"))
        .order_by()
    )
    failing = dict(_failing(on.year).values_list(UNIT).annotate(n=Count("pk")).order_by())
    uncertified = dict(_uncertified(on).values_list(UNIT).annotate(n=Count("pk")).order_by())
    reasons: dict[str, str] = {}
    for code, reason in (
        StaffingException.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("recorded_at")
        .values_list("region__code", "reason")
    ):
        reasons[code] = reason  # the latest recorded reason in force wins

    def counts(region: Region, keys: list[str]) -> UnitCounts:
        def total(field: str) -> int:
            return sum(people.get(k, {}).get(field, 0) for k in keys)

        return UnitCounts(
            code=region.code,
            name=region.short_name or region.name,
            population=region.population,
            officers=total("officers"),
            front_line=total("front_line"),
            auxiliaries=total("auxiliaries"),
            expiring_certificates=sum(expiring.get(k, 0) for k in keys),
            failing_officers=sum(failing.get(k, 0) for k in keys),
            uncertified_officers=sum(uncertified.get(k, 0) for k in keys),
            exception_reason=reasons.get(region.code, ""),
        )

    units = list(
        Region.objects.filter(kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE]).order_by("code")
    )
    city = Region.objects.filter(kind=Region.Kind.CITY).first()
    every_key = sorted(set(people) | set(expiring) | set(failing) | set(uncertified))
    return StaffingReport(
        on=on,
        thresholds=thresholds,
        units=[staffing_check(counts(u, [u.code]), thresholds) for u in units],
        city=staffing_check(counts(city, every_key), thresholds) if city else None,
    )


def staffing_for(*, user, on: date) -> StaffingReport:
    """The report as `user` may see it: a district user their own unit, no city total."""
    report = staffing_by_unit(on=on)
    scope = scope_of(user)
    if scope.city_wide:
        return report
    return StaffingReport(
        on=report.on,
        thresholds=report.thresholds,
        units=[c for c in report.units if scope.contains(unit_code=c.counts.code)],
        city=None,
    )


def expiring_certificates(*, user, on: date, days: int) -> QuerySet[Certificate]:
    """Valid certificates of active officers in `user`'s territory that expire within
    `days` of `on`, soonest first."""
    return (
        _expiring(on, days)
        .filter(person__agency__in=agencies_visible(user))
        .select_related("person__agency__region")
        .order_by("expires_on", "person__name")
    )


def failing_officers(*, user, year: int) -> QuerySet[Person]:
    """Active officers in `user`'s territory whose latest assessment up to `year` failed:
    they may not enforce until a later assessment passes."""
    return (
        _failing(year)
        .filter(agency__in=agencies_visible(user))
        .select_related("agency__region")
        .order_by("agency__code", "name")
    )


@dataclass(frozen=True)
class PostingViolation:
    posting: Posting
    kind: str  # postings.ROTATION or postings.RECUSAL


def posting_violations(user, *, on: date, unit: str = "") -> list[PostingViolation]:
    """Open street postings in `user`'s territory that break rotation (served longer than
    ROTATION_YEARS) or recusal (the household street without an approved reason), longest
    served first; `unit` narrows them to one county-level unit."""
    postings = (
        Posting.objects.filter(
            person__in=people_visible(user), end_on__isnull=True, person__active=True
        )
        .exclude(street_code="")
        .select_related("person", "agency")
        .order_by("start_on")
    )
    if unit:
        postings = postings.filter(street_code__startswith=unit)
    found = []
    for posting in postings:
        for problem in posting_problems(
            street_code=posting.street_code,
            household_street_code=posting.person.household_street_code,
            start=posting.start_on,
            on=on,
            rotation_years=settings.CHENGGUAN["ROTATION_YEARS"],
        ):
            if problem.kind == RECUSAL and posting.exception_reason:
                continue  # approved with a written reason
            found.append(PostingViolation(posting, problem.kind))
    return found


def units_over_ceiling(report: StaffingReport) -> list[Region]:
    """The units of a report above the ceiling with no reason recorded: where a personnel
    officer may record one."""
    over = {
        c.counts.code
        for c in report.units
        if any(f.rule is Rule.CEILING and f.level is Level.VIOLATION for f in c.findings)
    }
    return list(Region.objects.filter(code__in=over).order_by("code"))
