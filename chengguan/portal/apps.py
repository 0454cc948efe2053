from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Public pages without login: citizens report a problem and follow it."""

    name = "chengguan.portal"
    label = "portal"
    verbose_name = "公众门户"
