"""The lists a member can leave: each content app registers its own (the forum's replies and
mentions…), with how to take a member off it. mailings owns the signed one-click unsubscribe (RFC
8058) and the consent history, and never imports the apps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MailingList:
    key: str
    # What the member reads on the confirmation page ("Replies in threads you follow").
    label: object
    unsubscribe: Callable[[int], None]


LISTS: dict[str, MailingList] = {}


def withdrawal_only(member_id: int) -> None:
    """The unsubscribe of a list whose only record is the consent history: the withdrawal that
    list_unsubscribe writes is the member's choice, read when the next e-mail is built or sampled."""


def list_register(mailing_list: MailingList) -> None:
    LISTS[mailing_list.key] = mailing_list


# The words of the newsletter's opt-in, at sign-up and in the settings; a change of meaning bumps
# mailings.services.consent.WORDING_VERSION, which each consent row keeps.
NEWSLETTER = "newsletter"
NEWSLETTER_OPT_IN = _("Send me the community's newsletter (about once a month); I can leave it at any time.")


# The page where a member chooses all their e-mails (community registers its settings page's URL name).
PREFERENCES: dict[str, str] = {}


def preferences_register(url_name: str) -> None:
    PREFERENCES["url_name"] = url_name


def _signer(list_key: str) -> signing.Signer:
    # Salted per list: a token for one list cannot unsubscribe from another.
    return signing.Signer(salt=f"mailings.unsubscribe.{list_key}")


def unsubscribe_token(member_id: int, list_key: str) -> str:
    return _signer(list_key).sign(str(member_id))


def token_member(list_key: str, token: str) -> int | None:
    """The member a token was signed for, or None for a forged one or an unknown list."""
    if list_key not in LISTS:
        return None
    try:
        return int(_signer(list_key).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def unsubscribe_url(member_id: int, list_key: str) -> str:
    path = reverse("mailings:unsubscribe", args=[list_key, unsubscribe_token(member_id, list_key)])
    return f"{settings.SITE_URL}{path}"


def unsubscribe_headers(member_id: int, list_key: str) -> dict[str, str]:
    """RFC 8058 headers: mail clients show "Unsubscribe" and POST to the URL in one click."""
    url = unsubscribe_url(member_id, list_key)
    sender = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return {
        "List-Unsubscribe": f"<{url}>, <mailto:{sender}?subject=unsubscribe%20{list_key}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
