from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "chengguan.org"
    verbose_name = "区划、机构与网格"
