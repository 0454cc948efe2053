"""Load the Zhengzhou demo: calendar, regions, populations, boundaries, agencies, grids, users
and a month of cases.

Idempotent: each step only fills what is missing, so `make run` can call it every time.
"""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from chengguan.accounts.models import User
from chengguan.accounts.roles import ROLE_LABELS, Role
from chengguan.accounts.services import role_groups_ensure, user_create
from chengguan.cases.demo import cases_ensure, catalogue_ensure, responsibilities_ensure
from chengguan.cases.models import Category
from chengguan.core.reference import read_text
from chengguan.core.services import calendar_seed
from chengguan.kpi.demo import kpi_ensure
from chengguan.org.grid_planning import grids_plan
from chengguan.org.models import Agency, Grid, Region
from chengguan.org.services import agencies_build, boundaries_import, populations_load, regions_load
from chengguan.penalties.demo import (
    enforcement_categories_ensure,
    penalty_cases_ensure,
    reviewer_standing_ensure,
)
from chengguan.powers.demo import powers_ensure
from chengguan.workforce.demo import workforce_ensure

# The demo password meets the password policy; set DEMO_PASSWORD to choose another.
DEFAULT_DEMO_PASSWORD = "Chengguan@2026"
DEMO_OPEN311_CLIENT = "演示 Open311 客户端"
DEMO_OPEN311_KEY = "demo-open311-key"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    region_code: str
    agency_code: str
    full_name: str


DEMO_USERS = [
    DemoUser("inspector", Role.INSPECTOR, "410105", "410105-CGJ", "张监督"),
    DemoUser("operator", Role.OPERATOR, "4101", "4101-CGW", "李受理"),
    DemoUser("shift_leader", Role.SHIFT_LEADER, "4101", "4101-CGW", "王值班"),
    DemoUser("dispatcher", Role.DISPATCHER, "4101", "4101-CGW", "赵派遣"),
    DemoUser("handler", Role.HANDLER, "410105", "410105-DEPT-SAN", "刘处置"),
    DemoUser("officer", Role.OFFICER, "410105", "410105-ZD", "陈执法"),
    DemoUser("legal_reviewer", Role.LEGAL_REVIEWER, "410105", "410105-CGJ", "杨法制"),
    DemoUser("personnel", Role.PERSONNEL, "4101", "4101-CGW", "黄人事"),
    DemoUser("leader", Role.LEADER, "4101", "4101-CGW", "周领导"),
    DemoUser("sysadmin", Role.SYSTEM_ADMIN, "4101", "4101-CGW", "吴系统"),
    DemoUser("secadmin", Role.SECURITY_ADMIN, "4101", "4101-CGW", "郑安全"),
    DemoUser("auditor", Role.AUDIT_ADMIN, "4101", "4101-CGW", "孙审计"),
]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def demo_load(
    *, say: Callable[[str], None] = print, grids: bool = True, cases: bool = True
) -> None:
    year = timezone.localdate().year
    seeded = calendar_seed(years=range(2020, year + 2))
    if seeded:
        say(f"工作日历：{', '.join(f'{y} {s}' for y, s in sorted(seeded.items()))}")
    role_groups_ensure()
    with transaction.atomic():
        if not Region.objects.exists():
            counts = regions_load(
                divisions_csv=read_text("zhengzhou_admin_divisions_4101_to_town.csv"),
                zones_csv=read_text("zones.csv"),
            )
            say(f"区划：新建 {counts['created']} 个")
            populations_load(population_csv=read_text("zhengzhou_population.csv"))
    if not Region.objects.filter(boundary_source="imported").exists():
        collection = json.loads(read_text("zhengzhou_counties.geojson"))
        report = boundaries_import(features=collection["features"], level="county")
        say(
            f"县区边界：导入 {len(report.imported)} 个"
            + (f"，问题 {len(report.problems)} 个" if report.problems else "")
        )
    if not Agency.objects.exists():
        counts = agencies_build(departments_csv=read_text("departments.csv"))
        say(f"机构：新建 {counts['created']} 个")
    if grids and not Grid.objects.exists():
        report = grids_plan(seed=2017)
        say(
            f"网格：规划 {report.grids} 个（{report.streets} 个街道，其中 {report.derived_streets} 个为推算边界），"
            f"{len(report.deviations)} 个超出容差"
        )
    catalogue_ensure()
    matrix = responsibilities_ensure()
    if matrix:
        say(f"案卷类别：{Category.objects.count()} 个；责任划分：{matrix} 条")
    powers_ensure(say=say)
    enforcement_categories_ensure(say=say)
    users_ensure(say=say)
    reviewer_standing_ensure()
    if cases and Grid.objects.exists():  # the demo cases act as the demo accounts: last
        workforce_ensure(say=say)
        cases_ensure(say=say)
        penalty_cases_ensure(say=say)
        ratings_ensure(say=say)
        kpi_ensure(say=say)
    open311_client_ensure(say=say)


# How demo reporters rate closed cases (stars: share); most are content, a few are not.
DEMO_STARS = {5: 0.5, 4: 0.28, 3: 0.12, 2: 0.06, 1: 0.04}


def ratings_ensure(*, say: Callable[[str], None] = print) -> None:
    """Two of three demo reporters rate their closed case, so the case pages and the
    satisfaction figures have something to show. Each reporter's choice is seeded by their
    tracking code, so a rerun adds nothing."""
    import random

    from chengguan.cases.models import Rating, Reporter
    from chengguan.portal.services import rating_save

    rated = 0
    reporters = (
        Reporter.objects.filter(case__status="closed")
        .exclude(pk__in=Rating.objects.values("reporter"))
        .select_related("case")
        .order_by("created_at", "pk")
    )
    for reporter in reporters:
        rng = random.Random(reporter.tracking_code)
        if rng.random() < 2 / 3:
            stars = rng.choices(list(DEMO_STARS), weights=list(DEMO_STARS.values()))[0]
            rating_save(reporter=reporter, stars=stars, at=reporter.case.closed_at)
            rated += 1
    if rated:
        say(f"满意度评价：{rated} 条")


def open311_client_ensure(*, say: Callable[[str], None] = print) -> None:
    from chengguan.open311.services import client_register

    client_register(name=DEMO_OPEN311_CLIENT, api_key=DEMO_OPEN311_KEY, username="open311-demo")
    say(f"Open311 演示客户端：{DEMO_OPEN311_CLIENT}（api_key {DEMO_OPEN311_KEY}）")


def users_ensure(*, say: Callable[[str], None] = print) -> None:
    password = demo_password()
    for demo in DEMO_USERS:
        if User.objects.filter(username=demo.username).exists():
            continue
        user_create(
            username=demo.username,
            password=password,
            roles=[demo.role.value],
            full_name=demo.full_name,
            region=Region.objects.get(code=demo.region_code),
            agency=Agency.objects.get(code=demo.agency_code),
        )
    say(f"演示账号（密码均为 {password}）：")
    for demo in DEMO_USERS:
        say(f"  {demo.username:<15} {ROLE_LABELS[demo.role]}")
