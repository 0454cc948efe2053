from time import perf_counter

from django.core.management.base import BaseCommand, CommandError

from chengguan.core.errors import DomainError
from chengguan.kpi.evaluation import evaluation_compute
from chengguan.kpi.evaluation_selectors import MONTH, QUARTER, period_label, period_parse


class Command(BaseCommand):
    help = (
        "计算一个考核周期的全部指标、综合得分、等级、排名和满意度（重算时先删除该周期原有结果）。"
        "例：--month 2026-11 或 --quarter 2026-Q4。"
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--month", help="月度，YYYY-MM")
        which.add_argument("--quarter", help="季度，YYYY-Qn")

    def handle(self, *args, month=None, quarter=None, **options):
        try:
            period, start = period_parse(month or quarter)
        except DomainError as error:
            raise CommandError(str(error)) from None
        if period != (MONTH if month else QUARTER):
            raise CommandError("--month 应写作 YYYY-MM，--quarter 应写作 YYYY-Qn")
        began = perf_counter()
        count = evaluation_compute(period=period, period_start=start)
        self.stdout.write(
            self.style.SUCCESS(
                f"{period_label(period, start)}：评价对象 {count} 个，"
                f"用时 {perf_counter() - began:.1f} 秒"
            )
        )
