from django.apps import AppConfig


class MobileConfig(AppConfig):
    """The inspectors' installable mobile web app (PWA)."""

    name = "chengguan.mobile"
    label = "mobile"
    verbose_name = "监督员移动端"
