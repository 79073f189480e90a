from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingsConfig(AppConfig):
    name = "mailings"
    verbose_name = _("E-mail to members")

    def ready(self) -> None:
        from mailings import receivers  # noqa: F401 - anymail's bounce and complaint webhooks
