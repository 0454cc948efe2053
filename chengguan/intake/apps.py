from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Work-order exchange with other platforms: the 12345 hotline and 110 linkage."""

    name = "chengguan.intake"
    label = "intake"
    verbose_name = "工单交换"
