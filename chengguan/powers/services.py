"""Writes to the power list: load the seed table, and assign who holds a power where.

Both run in one transaction with their ledger entry; the load is idempotent by code, so the
demo can run it on every start.
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction

from chengguan.core.errors import DomainError, gettext_noop
from chengguan.core.services import ledger_append
from chengguan.core.tabular import csv_text_rows
from chengguan.org.models import Agency, Region
from chengguan.powers import discretion, domain
from chengguan.powers.models import DiscretionBenchmark, Power, PowerHolder

# Bodies that may not hold a transferred power: the former departments lose it (seed clause
# 七), and contractors never had one.
NOT_HOLDERS = (Agency.Kind.DEPARTMENT, Agency.Kind.CONTRACTOR, Agency.Kind.STREET_OFFICE)


def _power_fields(row: domain.PowerRow, order: int) -> dict[str, Any]:
    return {
        "name": row.name,
        "domain": row.domain,
        "functions": row.functions,
        "legal_basis_prohibition": row.legal_basis_prohibition,
        "legal_basis_penalty": row.legal_basis_penalty,
        "statutory_range": row.statutory_range,
        "transferred_from": row.transferred_from,
        "status": row.status,
        "deferred_until": row.deferred_until,
        "deferred_condition": row.deferred_condition,
        "process": domain.process_text(summary_procedure=row.summary_procedure),
        "supervision": getattr(settings, "POWERS_SUPERVISION", domain.SUPERVISION),
        "accountability": getattr(settings, "POWERS_ACCOUNTABILITY", domain.ACCOUNTABILITY),
        "basis_source": row.basis_source,
        "order": order,
    }


@transaction.atomic
def powers_load(*, csv_text: str, actor: Any = None) -> dict[str, int]:
    """Create or update the powers of a table like data/powers.csv, keyed by code.

    Every row is checked before anything is written, so a bad table changes nothing. Rows
    that did not change are not saved again (no history noise on each demo start).
    """
    rows = [
        domain.power_row_parse(row, line=line)
        for line, row in enumerate(csv_text_rows(csv_text), start=2)
    ]
    codes = [row.code for row in rows]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise DomainError(gettext_noop("事项编码重复：%(codes)s"), codes="、".join(duplicates))
    existing = {power.code: power for power in Power.objects.filter(code__in=codes)}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    changed_codes = []
    for position, row in enumerate(rows, start=1):
        fields = _power_fields(row, order=position * 10)
        power = existing.get(row.code)
        if power is None:
            power = Power(code=row.code, **fields)
            counts["created"] += 1
        elif any(getattr(power, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(power, name, value)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
            continue
        power._history_user = actor
        power.save()
        changed_codes.append(row.code)
    if changed_codes:
        ledger_append(
            kind="powers.loaded",
            subject_type="powers.power",
            actor=actor,
            data={**counts, "codes": changed_codes},
        )
    return counts


@transaction.atomic
def benchmarks_load(*, csv_text: str, actor: Any = None) -> dict[str, int]:
    """Create or update the benchmark tiers of a table like data/discretion_benchmarks.csv,
    keyed by (power code, tier).

    Like `powers_load`: every row is checked first (a row naming an unknown power or a tier
    twice changes nothing), unchanged rows are not saved again, and tiers missing from the
    table are left alone (withdrawing one is a decision for the back office, not a reload).
    """
    rows = [
        discretion.benchmark_row_parse(row, line=line)
        for line, row in enumerate(csv_text_rows(csv_text), start=2)
    ]
    keys = [(row.power_code, row.benchmark.tier) for row in rows]
    duplicates = sorted({f"{code} {tier}" for code, tier in keys if keys.count((code, tier)) > 1})
    if duplicates:
        raise DomainError(gettext_noop("裁量等次重复：%(rows)s"), rows="、".join(duplicates))
    powers = {p.code: p for p in Power.objects.filter(code__in={code for code, _tier in keys})}
    unknown = sorted({code for code, _tier in keys if code not in powers})
    if unknown:
        raise DomainError(
            gettext_noop("权责清单中没有这些事项：%(codes)s"), codes="、".join(unknown)
        )
    existing = {
        (b.power.code, b.tier): b
        for b in DiscretionBenchmark.objects.filter(power__in=powers.values()).select_related(
            "power"
        )
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    changed = []
    for position, row in enumerate(rows, start=1):
        rule = row.benchmark
        fields = {
            "condition": rule.condition,
            "quantities": [q.as_json() for q in rule.quantities],
            "fine_min": rule.fine_min,
            "fine_max": rule.fine_max,
            "other_sanction": rule.other_sanction,
            "source": row.source,
            "order": position * 10,
        }
        benchmark = existing.get((row.power_code, rule.tier))
        if benchmark is None:
            benchmark = DiscretionBenchmark(power=powers[row.power_code], tier=rule.tier, **fields)
            counts["created"] += 1
        elif any(getattr(benchmark, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(benchmark, name, value)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
            continue
        benchmark._history_user = actor
        benchmark.save()
        changed.append(f"{row.power_code} {rule.tier}")
    if changed:
        ledger_append(
            kind="powers.benchmarks_loaded",
            subject_type="powers.discretionbenchmark",
            actor=actor,
            data={**counts, "tiers": changed},
        )
    return counts


def agency_territory(agency: Agency) -> str:
    """The territory a body exercises its powers in: its county-level unit (a 大队 posted in
    a street acts for its unit), or the city for city-level bodies."""
    region = agency.region
    if region.kind == Region.Kind.CITY:
        return region.code
    return region.unit_code or region.code


@transaction.atomic
def power_holder_assign(
    *, power: Power, agency: Agency, mode: str, valid_from: date, actor: Any = None
) -> PowerHolder:
    """Make `agency` the one holder of `power` in its territory from `valid_from`.

    The current holder there is closed on that day, so exactly one body exercises the power
    at any time (seed clause 七: the former holder no longer may). Assigning the holder that
    is already current, in the same mode, returns it unchanged (a retry does nothing).
    """
    if mode not in PowerHolder.Mode.values:
        raise DomainError(gettext_noop("行使方式无效：%(mode)s"), mode=mode)
    if agency.kind in NOT_HOLDERS:
        raise DomainError(gettext_noop("%(agency)s 不能行使已划转的行政处罚权"), agency=agency.name)
    power = Power.objects.select_for_update().get(pk=power.pk)
    if power.status != Power.Status.IN_FORCE:
        raise DomainError(
            gettext_noop("“%(power)s”暂缓划转，尚不能由城市管理部门行使"), power=power.name
        )
    territory = agency_territory(agency)
    periods = list(PowerHolder.objects.filter(power=power, territory_code=territory))
    current = next((p for p in periods if p.valid_to is None), None)
    if current and current.agency_id == agency.pk and current.mode == mode:
        return current
    domain.check_new_period(
        start=valid_from, existing=[domain.Period(p.valid_from, p.valid_to) for p in periods]
    )
    if current:
        current.valid_to = valid_from
        current._history_user = actor
        current.save(update_fields=["valid_to", "updated_at"])
    holder = PowerHolder(
        power=power, agency=agency, territory_code=territory, mode=mode, valid_from=valid_from
    )
    holder._history_user = actor
    holder.save()
    ledger_append(
        kind="powers.holder_assigned",
        subject=holder,
        actor=actor,
        data={
            "power": power.code,
            "agency": agency.code,
            "territory": territory,
            "mode": mode,
            "valid_from": valid_from.isoformat(),
            "closed": str(current.pk) if current else "",
        },
    )
    return holder
