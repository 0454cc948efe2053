from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = (
        "定时清扫（幂等，可每分钟由 cron 或任务进程运行）：事件发件箱投递、时限预警、超时标记与升级督办。"
        "两次清扫同时运行时每条通知也只发一次。"
    )

    def handle(self, *args, **options):
        for path in settings.CHENGGUAN["TICK_SWEEPS"]:
            result = import_string(path)()
            summary = "，".join(f"{k} {v}" for k, v in result.items())
            self.stdout.write(f"{path.rsplit('.', 2)[-2]}: {summary}")
