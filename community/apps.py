from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed

        from community.receivers import welcome_on_email_confirmed

        email_confirmed.connect(
            welcome_on_email_confirmed, dispatch_uid="community.welcome_on_email_confirmed"
        )
