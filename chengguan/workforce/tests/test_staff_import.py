"""The staff-list import: every bad row is reported with its number and problem, a file with
bad rows imports nothing unless asked, and the ledger records the file's SHA-256."""

import csv
import hashlib
import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from chengguan.core.models import LedgerEntry
from chengguan.org.models import Agency
from chengguan.workforce.models import Certificate, Person
from chengguan.workforce.services import certificate_add, person_create
from chengguan.workforce.staff_import import staff_import
from chengguan.workforce.tests.test_id_number import valid_id

pytestmark = pytest.mark.django_db

REGISTERED_ID = valid_id("41010619800101555")


def row(n: int, **changes) -> dict[str, str]:
    base = {
        "姓名": f"队员{n}",
        "身份证号码": valid_id(f"41010619900101{n:03d}"),
        "类别": "执法人员",
        "单位代码": "410106-ZD",
        "一线": "是",
        "职级": "四级主任科员",
        "户籍街道代码": "410106002",
        "执法证号": f"豫郑-{n:05d}",
        "发证日期": "2024-01-01",
        "有效期至": "2029-12-31",
        "任职街道代码": "410106001",
        "任职起始日期": "2024-03-01",
    }
    return {**base, **changes}


@pytest.fixture
def registered():
    person = person_create(
        kind="officer",
        name="老队员",
        id_number=REGISTERED_ID,
        agency=Agency.objects.get(code="410106-ZD"),
    )
    certificate_add(
        person=person,
        number="豫郑-REG",
        issued_on=date(2023, 1, 1),
        expires_on=date(2028, 1, 1),
    )
    return person


BAD_ROWS = [
    ({"身份证号码": valid_id("41010619900101201")[:-1] + "0"}, "校验位"),
    ({"身份证号码": "41010619900101"}, "18 位"),
    ({"身份证号码": valid_id("41010619900231202")}, "出生日期"),
    ({"身份证号码": REGISTERED_ID}, "已登记"),
    ({"执法证号": "豫郑-REG"}, "执法证号“豫郑-REG”已登记"),
    ({"单位代码": "NOPE"}, "没有单位代码“NOPE”"),
    ({"发证日期": "2024-13-01"}, "发证日期“2024-13-01”不是有效日期"),
    ({"任职起始日期": "昨天"}, "任职起始日期“昨天”不是有效日期"),
    ({"有效期至": "2023-12-31"}, "有效期至应晚于发证日期"),
    ({"类别": "协管员"}, "协管员不发放行政执法证件"),
    ({"类别": "临时工"}, "应为 执法人员 或 协管员"),
    ({"户籍街道代码": "410106001"}, "应回避"),
    ({"姓名": ""}, "须填写姓名"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_ROWS)
def test_each_bad_row_is_reported_with_its_number_and_nothing_is_imported(
    registered, changes, message
):
    people = Person.objects.count()
    report = staff_import([row(1), row(2, **changes)])
    assert not report.applied
    assert [r.number for r in report.rejected] == [3]
    assert message in "；".join(report.rejected[0].problems)
    assert report.errors[0].startswith("第 3 行")
    assert Person.objects.count() == people


def test_bad_id_numbers_are_masked_in_the_report():
    wrong = valid_id("41010619900101201")[:-1] + "0"
    report = staff_import([row(1, 身份证号码=wrong)])
    assert wrong not in " ".join(report.errors)


def test_duplicates_inside_the_file_name_the_first_row():
    report = staff_import(
        [row(1), row(2, 身份证号码=row(1)["身份证号码"]), row(3, 执法证号="豫郑-00001")]
    )
    assert [r.number for r in report.rejected] == [3, 4]
    assert "与第 2 行重复" in report.rejected[0].problems[0]
    assert "执法证号“豫郑-00001”与第 2 行重复" in report.rejected[1].problems


def test_a_recusal_with_a_written_reason_is_an_approved_exception():
    report = staff_import([row(1, 户籍街道代码="410106001", 例外审批理由="经局党组研究同意")])
    assert report.applied
    assert Person.objects.get(name="队员1").postings.get().exception_reason


def test_good_rows_only_with_the_flag_in_one_ledgered_import(user_factory):
    actor = user_factory("personnel", region="410106")
    rows = [
        row(1),
        row(2, 单位代码="NOPE"),
        row(3, 类别="协管员", 执法证号="", 发证日期="", 有效期至=""),
    ]
    assert not staff_import(rows, actor=actor).applied
    report = staff_import(
        rows, import_good_rows=True, actor=actor, source_name="名册.csv", sha256="ab" * 32
    )
    assert report.applied and (report.people, report.certificates, report.postings) == (2, 1, 2)
    assert set(Person.objects.filter(name__startswith="队员").values_list("name", "kind")) == {
        ("队员1", "officer"),
        ("队员3", "auxiliary"),
    }
    assert Certificate.objects.filter(number="豫郑-00001").exists()
    entry = LedgerEntry.objects.filter(kind="workforce.staff_imported").latest("seq")
    data = json.loads(entry.payload)["data"]
    assert data["sha256"] == "ab" * 32 and data["people"] == 2 and data["rejected_rows"] == 1


def test_english_field_names_are_accepted():
    english = {
        "name": "王五",
        "id_number": valid_id("41010619880808008"),
        "kind": "auxiliary",
        "agency": "410106-ZD",
        "front_line": "否",
    }
    report = staff_import([english])
    assert report.applied
    assert Person.objects.get(name="王五").front_line is False


def test_a_file_without_the_required_columns_is_refused():
    report = staff_import([{"名字": "x"}])
    assert not report.applied and "缺少列" in report.errors[0]


def csv_file(tmp_path, rows) -> tuple:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "staff.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_command_exits_with_an_error_on_rejected_rows_then_imports_good_rows(tmp_path, capsys):
    path, digest = csv_file(tmp_path, [row(1), row(2, 单位代码="NOPE")])
    with pytest.raises(CommandError, match="未导入任何一行"):
        call_command("staff_import", str(path))
    assert "第 3 行" in capsys.readouterr().err
    assert not Person.objects.filter(name="队员1").exists()
    call_command("staff_import", str(path), "--import-good-rows")
    assert "已导入 1 人" in capsys.readouterr().out
    entry = LedgerEntry.objects.filter(kind="workforce.staff_imported").latest("seq")
    assert json.loads(entry.payload)["data"]["sha256"] == digest


def test_an_excel_roster_with_real_dates_imports_like_the_csv(tmp_path):
    """Personnel offices keep rosters in Excel: dates arrive as date cells, not text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    first = row(1)
    sheet.append(list(first))
    values = {**first, "发证日期": date(2024, 1, 1), "有效期至": date(2029, 12, 31)}
    values["任职起始日期"] = date(2024, 3, 1)
    sheet.append(list(values.values()))
    path = tmp_path / "花名册.xlsx"
    book.save(path)
    call_command("staff_import", str(path))
    certificate = Certificate.objects.get(number=first["执法证号"])
    assert certificate.expires_on == date(2029, 12, 31)
    assert Person.objects.get(name="队员1").postings.get().start_on == date(2024, 3, 1)
