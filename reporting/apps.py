from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The theme modules of reporting/themes, in the order of their reports' tabs.
THEME_MODULES: list[str] = ["onboarding", "retention", "contributors"]


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        for module in THEME_MODULES:
            import_module(f"reporting.themes.{module}")
