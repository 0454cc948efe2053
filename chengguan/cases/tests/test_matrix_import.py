"""Importing the responsibility matrix: good rows route cases, bad rows are all named."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chengguan.cases.models import Responsibility
from chengguan.cases.selectors import suggest_agency
from chengguan.cases.tests.conftest import UNIT, local
from chengguan.org.models import Grid

pytestmark = pytest.mark.django_db


def write(tmp_path, text):
    path = tmp_path / "matrix.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_imported_grid_row_takes_over_routing(tmp_path, garbage):
    grid = Grid.objects.filter(region_code=UNIT).first()
    text = (
        f"网格编码,类型,小类代码,处置单位代码,优先级\n{grid.code},事件,06010,{UNIT}-DEPT-MUN,10\n"
    )
    call_command("responsibilities_import", write(tmp_path, text))
    found = suggest_agency(
        category=garbage,
        grid=grid,
        street_code=grid.code[:9],
        unit_code=UNIT,
        on=local(2026, 11, 27).date(),
    )
    assert found.agency.code == f"{UNIT}-DEPT-MUN" and grid.code in found.reason


def test_bad_rows_are_all_named_and_nothing_is_imported(tmp_path, capsys):
    before = Responsibility.objects.count()
    text = (
        "区划代码,大类代码,处置单位代码,优先级,生效日期,失效日期\n"
        f"{UNIT},06,{UNIT}-DEPT-SAN,5,,\n"
        "999999,06,4101-DEPT-GAS,5,,\n"
        f"{UNIT},77,NO-SUCH,abc,2026-13-01,\n"
        f"{UNIT},06,{UNIT}-DEPT-SAN,5,2026-12-01,2026-11-01\n"
    )
    with pytest.raises(CommandError, match="3 行有错误"):
        call_command("responsibilities_import", write(tmp_path, text))
    err = capsys.readouterr().err
    assert "第 3 行" in err and "999999" in err
    assert (
        "第 4 行" in err
        and "NO-SUCH" in err
        and "77" in err
        and "优先级" in err
        and "生效日期" in err
    )
    assert "第 5 行" in err and "失效日期早于生效日期" in err
    assert Responsibility.objects.count() == before
