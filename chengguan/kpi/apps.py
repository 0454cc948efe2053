from django.apps import AppConfig


class KpiConfig(AppConfig):
    """Evaluation and statistics (C8, C13): roll-ups of the case flow, indicators for areas,
    departments and posts, satisfaction, the command dashboard and the public statistics."""

    name = "chengguan.kpi"
    label = "kpi"
    verbose_name = "考核评价与统计"
