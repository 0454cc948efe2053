from django.apps import AppConfig


class Open311Config(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chengguan.open311"
    verbose_name = "Open311 GeoReport v2"
