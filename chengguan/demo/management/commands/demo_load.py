from django.core.management.base import BaseCommand

from chengguan.demo.services import demo_load


class Command(BaseCommand):
    help = (
        "载入郑州演示数据（幂等）：工作日历、区划、人口、边界、机构、网格、各角色演示账号与演示案卷"
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-grids", action="store_true", help="不规划网格（测试用，较快）")

    def handle(self, *args, no_grids=False, **options):
        demo_load(say=self.stdout.write, grids=not no_grids)
