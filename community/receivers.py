"""Framework hooks of the community app (connected in CommunityConfig.ready)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.http import HttpRequest

from accounts.models import User
from community.services.members import invitation_redeem
from community.services.notifications import member_welcome
from community.views.members import INVITATION_SESSION_KEY


def redeem_invitation_on_signup(sender: object, request: HttpRequest | None, user: User, **kwargs) -> None:
    """allauth's user_signed_up: attribute the newcomer to the invitation link they arrived by, if any."""
    session = getattr(request, "session", None)
    code = session.pop(INVITATION_SESSION_KEY, "") if session is not None else ""
    if code:
        invitation_redeem(user=user, code=code)


def welcome_on_email_confirmed(sender: object, email_address: EmailAddress, **kwargs) -> None:
    """allauth's email_confirmed: a member who confirms an address is welcomed (once, however many)."""
    member_welcome(user=email_address.user)
