"""Framework hooks of the community app (connected in CommunityConfig.ready)."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from community.services.notifications import member_welcome


def welcome_on_email_confirmed(sender, email_address: EmailAddress, **kwargs) -> None:
    """allauth's `email_confirmed`: a member who confirms an address is welcomed (once, however many)."""
    member_welcome(user=email_address.user)
