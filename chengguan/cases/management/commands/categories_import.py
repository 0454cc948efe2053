from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengguan.cases.catalogue import category_limits_import
from chengguan.core.errors import DomainError
from chengguan.core.tabular import read_table


class Command(BaseCommand):
    help = (
        "导入本市的案卷类别时限（CSV 或 Excel .xlsx）。列：类型（部件/事件）、小类代码，以及任意"
        "核实时限、立案时限、派遣时限、处置时限、核查时限（如 4工作时、2工作日、3小时）、紧急程度、"
        "立案条件、结案条件。有错误行时不导入任何一行，除非加 --import-good-rows。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--import-good-rows", action="store_true", help="导入正确的行，跳过错误行"
        )

    def handle(self, *args, file: Path, import_good_rows: bool, **options):
        try:
            rows = read_table(file.name, file.read_bytes())
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror}") from None
        except DomainError as error:
            raise CommandError(str(error)) from None
        report = category_limits_import(
            rows=rows, source_name=file.name, import_good_rows=import_good_rows
        )
        for line in report.errors:
            self.stderr.write(self.style.WARNING(line))
        if not report.applied:
            raise CommandError(
                f"{len(report.errors)} 行有错误，未导入任何一行（改正后重试，或加 --import-good-rows）"
            )
        self.stdout.write(self.style.SUCCESS(f"已更新 {len(report.updated)} 个类别的时限"))
