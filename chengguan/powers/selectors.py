"""Reads of the power list for the public pages and the open data; nothing here writes."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet

from chengguan.org.models import Agency, Region
from chengguan.powers.models import DiscretionBenchmark, Power, PowerHolder

QUERY_MAX = 50


def territories() -> dict[str, str]:
    """Code → name of the city and its county-level units, the territories powers are held in."""
    kinds = [Region.Kind.CITY, Region.Kind.COUNTY, Region.Kind.ZONE]
    return dict(Region.objects.filter(kind__in=kinds).order_by("code").values_list("code", "name"))


def domains() -> list[str]:
    """The domains in list order (住房城乡建设 first, as in seed clause 四)."""
    first = Power.objects.values("domain").annotate(first=Min("order")).order_by("first")
    return [row["domain"] for row in first]


def powers_search(*, q: str = "", domain: str = "") -> QuerySet[Power]:
    """Powers whose name, functions, legal basis, domain or code contain `q` (a plain
    substring: the legal bases are short, exact article references people copy)."""
    powers = Power.objects.all()
    q = q.strip()[:QUERY_MAX]
    if q:
        powers = powers.filter(
            Q(name__icontains=q)
            | Q(functions__icontains=q)
            | Q(legal_basis_prohibition__icontains=q)
            | Q(legal_basis_penalty__icontains=q)
            | Q(domain__icontains=q)
            | Q(code__icontains=q)
        )
    if domain:
        powers = powers.filter(domain=domain)
    return powers


@dataclass
class AgencyGroup:
    agency: Agency
    territory_name: str
    holders: list[PowerHolder] = field(default_factory=list)


def powers_by_agency(
    *, powers: QuerySet[Power], unit_code: str = ""
) -> tuple[list[AgencyGroup], list[Power]]:
    """The current holders of `powers` grouped by agency (city first, then by unit code),
    and the powers nobody holds yet (the deferred ones), shown apart."""
    holders = (
        PowerHolder.objects.filter(valid_to__isnull=True, power__in=powers)
        .select_related("agency", "power")
        .order_by("territory_code", "agency__code", "power__order", "power__code")
    )
    if unit_code:
        holders = holders.filter(territory_code=unit_code)
    names = territories()
    groups: dict[str, AgencyGroup] = {}
    for holder in holders:
        group = groups.setdefault(
            holder.agency_id,
            AgencyGroup(holder.agency, names.get(holder.territory_code, holder.territory_code)),
        )
        group.holders.append(holder)
    held = PowerHolder.objects.filter(valid_to__isnull=True).values("power")
    unheld = list(powers.exclude(pk__in=held))
    return list(groups.values()), unheld


def power_detail(*, code: str) -> Power | None:
    return Power.objects.filter(code=code).first()


@dataclass
class TerritoryHolders:
    code: str
    name: str
    periods: list[PowerHolder]


def holders_by_territory(*, power: Power) -> list[TerritoryHolders]:
    """Every holder of `power`, past and present, per territory (newest period first)."""
    names = territories()
    per_territory: dict[str, list[PowerHolder]] = defaultdict(list)
    for holder in power.holders.select_related("agency").order_by("territory_code", "-valid_from"):
        per_territory[holder.territory_code].append(holder)
    return [
        TerritoryHolders(code, names.get(code, code), periods)
        for code, periods in per_territory.items()
    ]


def powers_for_open_data() -> QuerySet[Power]:
    """All powers with all their holder periods and benchmark tiers, in list order, in
    three queries."""
    return Power.objects.prefetch_related(
        Prefetch(
            "holders",
            queryset=PowerHolder.objects.select_related("agency").order_by(
                "territory_code", "valid_from"
            ),
        ),
        "benchmarks",
    )


def open_data_version() -> tuple[datetime | None, str]:
    """When the list last changed, and a tag that changes whenever a row is added or edited
    (counts catch additions that keep the newest timestamp)."""
    counted = [
        model.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
        for model in (Power, PowerHolder, DiscretionBenchmark)  # the files publish all three
    ]
    stamps = [c["last"] for c in counted if c["last"]]
    last = max(stamps) if stamps else None
    tag = "-".join(str(c["n"]) for c in counted) + f"-{last.timestamp() if last else 0}"
    return last, tag
