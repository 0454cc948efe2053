from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengguan.cases.matrix import responsibilities_import
from chengguan.core.errors import DomainError
from chengguan.core.tabular import read_table


class Command(BaseCommand):
    help = (
        "导入责任划分（CSV 或 Excel .xlsx）。列：网格编码 或 区划代码、大类代码 或 类型+小类代码（都空表示全部）、"
        "处置单位代码、优先级、生效日期、失效日期。有错误行时不导入任何一行，除非加 --import-good-rows；"
        "--replace 先删除文件中涉及的网格和区划原有的责任划分。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--import-good-rows", action="store_true")
        parser.add_argument("--replace", action="store_true")

    def handle(self, *args, file: Path, import_good_rows: bool, replace: bool, **options):
        try:
            rows = read_table(file.name, file.read_bytes())
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror}") from None
        except DomainError as error:
            raise CommandError(str(error)) from None
        report = responsibilities_import(
            rows=rows, source_name=file.name, import_good_rows=import_good_rows, replace=replace
        )
        for line in report.errors:
            self.stderr.write(self.style.WARNING(line))
        if not report.applied:
            raise CommandError(
                f"{len(report.errors)} 行有错误，未导入任何一行（改正后重试，或加 --import-good-rows）"
            )
        self.stdout.write(self.style.SUCCESS(f"已导入 {report.created} 条责任划分"))
