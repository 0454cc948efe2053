from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "chengguan.cases"
    verbose_name = "数字城管案卷"
