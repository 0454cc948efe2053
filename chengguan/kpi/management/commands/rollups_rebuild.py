from datetime import date, timedelta
from time import perf_counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chengguan.kpi.rollups import rollups_rebuild


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期应为 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = (
        "重建统计汇总（日统计、热力格网统计）并刷新未结案卷快照：默认最近 30 天（含今天），"
        "或 --from/--to 指定的日期范围（含两端）。幂等，可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="最近多少天（含今天），默认 30")
        parser.add_argument("--from", dest="start", help="起始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="截止日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, days: int, start: str | None, end: str | None, **options):
        last = _day(end) if end else timezone.localdate()
        if start:
            first = _day(start)
        elif days >= 1:
            first = last - timedelta(days=days - 1)
        else:
            raise CommandError("--days 应至少为 1")
        if first > last:
            raise CommandError(f"起始日期 {first} 晚于截止日期 {last}")
        started = perf_counter()
        rows = rollups_rebuild(start=first, end=last)
        self.stdout.write(
            f"统计汇总：{first} 至 {last}，共 {(last - first).days + 1} 天，"
            f"日统计 {rows} 行，用时 {perf_counter() - started:.1f} 秒"
        )
