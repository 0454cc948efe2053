from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    """The enforcement workforce (C3): officers, auxiliaries, certificates, training, exams,
    assessments, postings; the enforcement gate and staffing compliance."""

    name = "chengguan.workforce"
    label = "workforce"
    verbose_name = "执法队伍"
