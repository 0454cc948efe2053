import csv
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengguan.core.errors import DomainError
from chengguan.core.services import calendar_year_publish
from chengguan.core.workcal import DayKind


class Command(BaseCommand):
    help = (
        "录入某年国务院办公厅节假日安排并重算所有未到期时限。"
        "FILE 为 CSV，列 date,kind,name（kind 为 holiday 或 workday）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--source", default="国务院办公厅通知", help="依据，例如通知文号")

    def handle(self, *args, file: Path, year: int, source: str, **options):
        try:
            rows = list(csv.DictReader(file.read_text(encoding="utf-8-sig").splitlines()))
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror}") from None
        days = {}
        for line, row in enumerate(rows, start=2):
            try:
                day = date.fromisoformat((row.get("date") or "").strip())
                kind = DayKind((row.get("kind") or "").strip())
            except ValueError:
                raise CommandError(
                    f"第 {line} 行：日期应为 YYYY-MM-DD，类型应为 holiday 或 workday"
                ) from None
            if day.year == year:
                days[day] = (kind, (row.get("name") or "").strip())
        if not days:
            raise CommandError(f"文件中没有 {year} 年的日期")
        try:
            recomputed = calendar_year_publish(year=year, days=days, source=source)
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{year} 年已发布：{len(days)} 个特殊日期，重算 {recomputed} 个未到期时限"
            )
        )
