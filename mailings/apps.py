from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingsConfig(AppConfig):
    name = "mailings"
    verbose_name = _("E-mail to members")

    def ready(self) -> None:
        from mailings import receivers  # noqa: F401 - anymail's bounce and complaint webhooks
        from mailings.lists import MailingList, list_register, withdrawal_only
        from mailings.messages import MessageKind, kind_register
        from mailings.newsletter_emails import build_newsletter, build_newsletter_test
        from mailings.services.newsletters import KIND, LIST_KEY, TEST_KIND

        # The newsletter needs the member's opt-in, checked by the engine when each e-mail is sent.
        list_register(
            MailingList(key=LIST_KEY, label=_("The community's newsletter"), unsubscribe=withdrawal_only)
        )
        kind_register(MessageKind(key=KIND, build=build_newsletter, bulk=True, consent_list=LIST_KEY))
        # A test goes to the community manager who asked for it, whatever their own choice.
        kind_register(MessageKind(key=TEST_KIND, build=build_newsletter_test))
