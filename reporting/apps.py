from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The theme modules of reporting/themes, in the order of their reports' tabs.
THEME_MODULES: list[str] = [
    "onboarding", "retention", "contributors", "moderation", "events", "recruitment", "satisfaction",
    # Last: the health index reads the other themes' rollups of the same run.
    "health",
]  # fmt: skip


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        for module in THEME_MODULES:
            import_module(f"reporting.themes.{module}")
        register_emails()


def register_emails() -> None:
    """The satisfaction survey's e-mail and the KPI report, sent by mailings, and their lists (a member
    may leave either: the withdrawal recorded by mailings is what the sample and the builder read)."""
    from mailings.blocks import figures_register
    from mailings.lists import MailingList, list_register, withdrawal_only
    from mailings.messages import MessageKind, kind_register
    from reporting.emails import kpi_report_build, survey_build
    from reporting.services import kpi_mail, surveys

    list_register(
        MailingList(key=surveys.LIST_KEY, label=_("Satisfaction surveys"), unsubscribe=withdrawal_only)
    )
    kind_register(MessageKind(key=surveys.EMAIL_KIND, build=survey_build, bulk=True))
    list_register(MailingList(key=kpi_mail.LIST_KEY, label=_("The KPI report"), unsubscribe=withdrawal_only))
    kind_register(MessageKind(key=kpi_mail.EMAIL_KIND, build=kpi_report_build))
    # The newsletter's "figures of the month" block.
    figures_register(kpi_mail.newsletter_figures)
