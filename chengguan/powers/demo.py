"""Demo power list: the seed table and its discretion benchmarks, held by the city and every
county-level unit.

Each district's 城市管理局 holds every in-force power in its unit on its own ("own"); the
city's 城市管理委员会 holds them for city-level cases (seed clause 六). The four zones'
bureaus hold them by entrustment: clause (六) allows "立法直接授权或执法委托", and no
regulation granting the zones direct authority is among our sources, so the demo uses 委托
(行政处罚法 第二十条); a city with such a regulation re-assigns them as "authorised" through
`power_holder_assign`.

Territories that already have a holder are left alone, so a rerun adds nothing. A territory
without any holder cannot break the one-holder rule, so the missing rows are written in
bulk with one ledger entry (about 500 rows; going through the service one by one would
cost a ledger link each on every test session start).
"""

from collections.abc import Callable
from datetime import date

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from chengguan.core.reference import read_text
from chengguan.core.services import ledger_append
from chengguan.org.models import Agency, Region
from chengguan.powers.models import Power, PowerHolder
from chengguan.powers.services import agency_territory, benchmarks_load, powers_load

# The seed asks the lists to be published by the end of 2017 (clause 十四).
DEMO_HOLDERS_FROM = date(2018, 1, 1)


def demo_holders() -> list[tuple[Agency, str]]:
    """(agency, mode) of the demo: the city commission and each county-level bureau."""
    agencies = Agency.objects.filter(
        kind__in=[Agency.Kind.COMMISSION, Agency.Kind.BUREAU]
    ).select_related("region")
    return [
        (
            agency,
            PowerHolder.Mode.ENTRUSTED
            if agency.region.kind == Region.Kind.ZONE
            else PowerHolder.Mode.OWN,
        )
        for agency in agencies.order_by("code")
    ]


def powers_ensure(*, say: Callable[[str], None] = print) -> None:
    counts = powers_load(csv_text=read_text("powers.csv"))
    if counts["created"] or counts["updated"]:
        say(f"权责清单：新建 {counts['created']} 项，更新 {counts['updated']} 项")
    counts = benchmarks_load(csv_text=read_text("discretion_benchmarks.csv"))
    if counts["created"] or counts["updated"]:
        say(f"裁量基准：新建 {counts['created']} 条，更新 {counts['updated']} 条")
    with transaction.atomic():
        held = set(
            PowerHolder.objects.filter(valid_to__isnull=True).values_list(
                "power_id", "territory_code"
            )
        )
        holders = [(agency, mode, agency_territory(agency)) for agency, mode in demo_holders()]
        missing = [
            PowerHolder(
                power=power,
                agency=agency,
                territory_code=territory,
                mode=mode,
                valid_from=DEMO_HOLDERS_FROM,
            )
            for power in Power.objects.filter(status=Power.Status.IN_FORCE)
            for agency, mode, territory in holders
            if (power.pk, territory) not in held
        ]
        if not missing:
            return
        bulk_create_with_history(missing, PowerHolder)
        ledger_append(
            kind="powers.holders_seeded",
            subject_type="powers.powerholder",
            data={"rows": len(missing), "valid_from": DEMO_HOLDERS_FROM.isoformat()},
        )
    say(f"权责清单行使主体：{len(missing)} 条")
