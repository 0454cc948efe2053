"""The category catalogue: GB/T 47678.5 with limits, and a city's own limits from a file."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from chengguan.cases.catalogue import catalogue_load
from chengguan.cases.models import Category
from chengguan.core.reference import read_text

pytestmark = pytest.mark.django_db


def reload():
    return catalogue_load(
        catalogue_csv=read_text("gbt47678.5-2026_components_and_matters.csv"),
        defaults_csv=read_text("case_time_limit_defaults.csv"),
        limits_csv=read_text("case_time_limits.csv"),
    )


def test_catalogue_has_153_components_and_250_matters():
    assert Category.objects.filter(kind="component").count() == 153
    assert Category.objects.filter(kind="matter").count() == 250


def test_local_standards_set_limits_where_they_give_one():
    exposed = Category.objects.get(kind="matter", code="06010")  # 暴露垃圾, 济源: 1工作日
    assert exposed.handle_limit == "1工作日" and "TL1" in exposed.limits_source
    cover = Category.objects.get(kind="matter", code="01003")  # 雨水井盖异常: urgent, 3 clock hours
    assert cover.urgency == "urgent" and cover.handle_limit == "3小时"
    trading = Category.objects.get(kind="matter", code="09006")  # default for 街面秩序类
    assert trading.handle_limit == "4工作时" and "默认" in trading.limits_source
    assert all(c.filing_condition and c.closing_condition for c in Category.objects.all())


def csv_file(tmp_path, text, name="limits.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_city_limits_from_csv_survive_a_catalogue_reload(tmp_path):
    call_command(
        "categories_import",
        csv_file(tmp_path, "类型,小类代码,处置时限,紧急程度\n事件,09006,2工作时,紧急\n"),
    )
    trading = Category.objects.get(kind="matter", code="09006")
    assert (trading.handle_limit, trading.urgency, trading.city_override) == (
        "2工作时",
        "urgent",
        True,
    )
    reload()
    assert Category.objects.get(kind="matter", code="09006").handle_limit == "2工作时"


def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_row(tmp_path, capsys):
    text = (
        "类型,小类代码,处置时限,核查时限\n"
        "事件,09006,2工作时,\n"
        "事件,99999,2工作时,\n"
        "事件,06010,两天,\n"
        "部门,06010,1工作日,\n"
        "事件,06012,1.5工作日,\n"
    )
    with pytest.raises(CommandError, match="4 行有错误"):
        call_command("categories_import", csv_file(tmp_path, text))
    err = capsys.readouterr().err
    assert "第 3 行" in err and "99999" in err
    assert "第 4 行" in err and "两天" in err
    assert "第 5 行" in err and "部门" in err
    assert "第 6 行" in err and "工作日时限须为整数" in err
    assert Category.objects.get(kind="matter", code="09006").handle_limit == "4工作时"


def test_good_rows_only_when_asked(tmp_path):
    text = "类型,小类代码,处置时限\n事件,09006,2工作时\n事件,99999,2工作时\n"
    call_command("categories_import", csv_file(tmp_path, text), "--import-good-rows")
    assert Category.objects.get(kind="matter", code="09006").handle_limit == "2工作时"


def test_excel_files_are_read(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["类型", "小类代码", "派遣时限"])
    sheet.append(["部件", "01001", "0.5工作时"])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "limits.xlsx"
    path.write_bytes(buffer.getvalue())
    call_command("categories_import", str(path))
    assert Category.objects.get(kind="component", code="01001").dispatch_limit == "0.5工作时"


def test_other_file_types_are_refused(tmp_path):
    with pytest.raises(CommandError, match=r"\.csv 或 \.xlsx"):
        call_command("categories_import", csv_file(tmp_path, "x", name="limits.txt"))
