from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom of the project: what every app shares and that belongs to no domain."""

    name = "core"
    verbose_name = _("Site")
