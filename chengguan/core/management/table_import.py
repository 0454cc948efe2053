"""The shared shape of the commands that import a table a city keeps in Excel or CSV."""

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengguan.core.errors import DomainError
from chengguan.core.tabular import read_table


class TableImportCommand(BaseCommand):
    """Read FILE (.csv or .xlsx), hand its rows to `import_rows`, report every bad row.

    `import_rows(rows=…, source_name=…, import_good_rows=…, **options)` returns a report with
    `errors` (one line per bad row) and `applied`; a file with errors imports nothing unless
    --import-good-rows.
    """

    import_rows: Callable
    done_message: str = "已导入"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--import-good-rows", action="store_true", help="导入正确的行，跳过错误行"
        )

    def import_options(self, options: dict) -> dict:
        return {}

    def summary(self, report) -> str:
        raise NotImplementedError

    def handle(self, *args, file: Path, import_good_rows: bool, **options):
        try:
            rows = read_table(file.name, file.read_bytes())
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror}") from None
        except DomainError as error:
            raise CommandError(str(error)) from None
        report = type(self).import_rows(
            rows=rows,
            source_name=file.name,
            import_good_rows=import_good_rows,
            **self.import_options(options),
        )
        for line in report.errors:
            self.stderr.write(self.style.WARNING(line))
        if not report.applied:
            raise CommandError(
                f"{len(report.errors)} 行有错误，未导入任何一行（改正后重试，或加 --import-good-rows）"
            )
        self.stdout.write(self.style.SUCCESS(self.summary(report)))
