"""Fixtures for case tests: people in 上街区 (the unit with grids in the test database)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chengguan.cases.models import Category
from chengguan.org.models import Agency, Grid

UNIT = "410106"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def point():
    grid = Grid.objects.filter(region_code=UNIT).order_by("code").first()
    p = grid.geometry.representative_point()
    return p.x, p.y


@pytest.fixture
def garbage():
    return Category.objects.get(kind="matter", code="06010")  # 暴露垃圾: handle 1 working day


@pytest.fixture
def people(user_factory):
    sanitation = Agency.objects.get(code=f"{UNIT}-DEPT-SAN")
    municipal = Agency.objects.get(code=f"{UNIT}-DEPT-MUN")

    class People:
        inspector = user_factory("inspector", region=UNIT)
        operator = user_factory("operator", region="4101")
        shift_leader = user_factory("shift_leader", region="4101")
        dispatcher = user_factory("dispatcher", region="4101")
        handler = user_factory("handler", region=UNIT, agency=sanitation)
        other_handler = user_factory("handler", region=UNIT, agency=municipal)
        leader = user_factory("leader", region="4101")

    People.sanitation, People.municipal = sanitation, municipal
    return People
