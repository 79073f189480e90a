from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
