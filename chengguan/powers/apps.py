from django.apps import AppConfig


class PowersConfig(AppConfig):
    """The power list (C2): administrative-penalty powers in the comprehensive-enforcement
    scope, who holds each in which territory, and their public, open-data publication."""

    name = "chengguan.powers"
    label = "powers"
    verbose_name = "权责清单"
