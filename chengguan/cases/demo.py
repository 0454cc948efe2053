"""Demo data for the case flow: the catalogue, a responsibility matrix, a few thousand cases.

The matrix follows how Zhengzhou's districts divide the work (环卫 for cleanliness, 市政 for
facilities, 园林 for greenery, the street's enforcement brigade for street order and
construction, utilities for their own manholes); 其他管理部件 (05) is left unassigned on
purpose, so the city triage queue has cases too.
"""

from django.db import transaction

from chengguan.cases.catalogue import catalogue_load
from chengguan.cases.models import Category, Responsibility
from chengguan.core.reference import read_text
from chengguan.core.services import ledger_append
from chengguan.org.models import Agency, Region

UNIT_DEPARTMENT = {
    "01": "DEPT-MUN",
    "02": "DEPT-MUN",
    "03": "DEPT-SAN",
    "04": "DEPT-LAND",
    "06": "DEPT-SAN",
    "10": "DEPT-SAN",
}
STREET_BRIGADE_MAJORS = ["07", "08", "09"]
CITY_UTILITIES = {
    "DEPT-POWER": ["01005", "01028", "01029", "01030"],
    "DEPT-GAS": ["01011", "01021"],
    "DEPT-TEL": ["01007", "01008", "01009", "01027", "01031"],
    "DEPT-WATER": ["01001", "01002", "01003", "01004", "01019"],
    "DEPT-HEAT": ["01010"],
    "DEPT-TP": ["01015", "09009"],
}


def catalogue_ensure() -> None:
    if not Category.objects.exists():
        catalogue_load(
            catalogue_csv=read_text("gbt47678.5-2026_components_and_matters.csv"),
            defaults_csv=read_text("case_time_limit_defaults.csv"),
            limits_csv=read_text("case_time_limits.csv"),
        )


@transaction.atomic
def responsibilities_ensure() -> int:
    if Responsibility.objects.exists():
        return 0
    rows = []
    city = Region.objects.get(kind=Region.Kind.CITY)
    agencies = {a.code: a for a in Agency.objects.all()}
    for suffix, codes in CITY_UTILITIES.items():
        for category in Category.objects.filter(kind=Category.Kind.MATTER, code__in=codes):
            rows.append(
                Responsibility(
                    region=city,
                    category=category,
                    agency=agencies[f"{city.code}-{suffix}"],
                    priority=10,
                )
            )
    for unit in Region.objects.filter(kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE]):
        for major, suffix in UNIT_DEPARTMENT.items():
            rows.append(
                Responsibility(
                    region=unit, major_code=major, agency=agencies[f"{unit.code}-{suffix}"]
                )
            )
    for street in Region.objects.filter(kind=Region.Kind.STREET):
        brigade = agencies[f"{street.code}-DD"]
        for major in STREET_BRIGADE_MAJORS:
            rows.append(Responsibility(region=street, major_code=major, agency=brigade))
        for code in ("06001", "06029", "06027", "06028"):  # 私搭乱建, 露天烧烤, 油烟, 噪声
            category = Category.objects.get(kind=Category.Kind.MATTER, code=code)
            rows.append(Responsibility(region=street, category=category, agency=brigade))
    Responsibility.objects.bulk_create(rows, batch_size=1000)
    ledger_append(kind="responsibility.loaded", subject=city, data={"rows": len(rows)})
    return len(rows)
