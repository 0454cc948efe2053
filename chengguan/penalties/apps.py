from django.apps import AppConfig


class PenaltiesConfig(AppConfig):
    """Administrative-penalty cases (C6): the legal procedure from registration to archive,
    evidence, documents, separate collection and publicity."""

    name = "chengguan.penalties"
    label = "penalties"
    verbose_name = "行政处罚"
