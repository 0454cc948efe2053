from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chengguan.core"
    verbose_name = "平台核心"
