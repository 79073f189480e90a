from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def register_email_lists() -> None:
    from community.services.members import email_list_leave
    from mailings.lists import MailingList, list_register, preferences_register

    labels = {
        "replies": _("Replies in threads you follow"),
        "mentions": _("Mentions of your @handle"),
        "digest": _("The digest of what you missed"),
    }
    for key, label in labels.items():
        leave = partial(lambda member_id, key: email_list_leave(member_id=member_id, list_key=key), key=key)
        list_register(MailingList(key=key, label=label, unsubscribe=leave))
    preferences_register("community:settings")


def register_emails() -> None:
    """The forum's e-mails, sent by mailings and built at send time by community.emails."""
    from community.emails import notification_email
    from community.models import NotificationKind
    from mailings.messages import MessageKind, kind_register, one_by_one

    for kind in (
        NotificationKind.REPLY,
        NotificationKind.MENTION,
        NotificationKind.SOLUTION,
        NotificationKind.WELCOME,
    ):
        # The welcome's row is what makes it once per member (member_welcome): never pruned.
        kept = kind == NotificationKind.WELCOME
        kind_register(MessageKind(key=str(kind), build=one_by_one(notification_email), kept=kept))
    # The digest: mailings builds and sends it with the forum's blocks and the member's frequency.
    from community import digest
    from mailings.digests import KIND, digest_build

    kind_register(MessageKind(key=KIND, build=digest_build, bulk=True))
    digest.register()


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed, user_signed_up

        from accounts.profiles import on_public_profile_changed
        from community import moderation_adapters
        from community.receivers import redeem_invitation_on_signup, welcome_on_email_confirmed
        from community.tasks import member_threads_touch_dispatch

        user_signed_up.connect(redeem_invitation_on_signup, dispatch_uid="community.redeem_invitation")
        email_confirmed.connect(
            welcome_on_email_confirmed, dispatch_uid="community.welcome_on_email_confirmed"
        )
        # Posts, threads and bios are moderated through moderation's registry.
        moderation_adapters.register()
        # A member's new name or avatar shows on the threads they posted in.
        on_public_profile_changed(member_threads_touch_dispatch)
        # Replies and mentions e-mails carry a one-click unsubscribe (mailings).
        register_email_lists()
        register_emails()
        from community import newsletter  # the newsletter's picks and its "followers of a space" audience

        newsletter.register()
