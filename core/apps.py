from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom of the project: what every app shares and that belongs to no domain."""

    name = "core"
    verbose_name = "Core"
