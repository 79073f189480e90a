"""Consent as a history: each choice to receive a list or to leave it is a row (member, list, given or
withdrawn, the wording's version, where, when); a member's current choice is their latest row."""

from __future__ import annotations

from django.db import transaction
from django.db.models import OuterRef, Subquery

from mailings.lists import LISTS, token_member
from mailings.models import Consent

WORDING_VERSION = "1"


@transaction.atomic
def consent_record(*, member_id: int, list_key: str, given: bool, source: str) -> None:
    Consent.objects.create(
        member_id=member_id, list_key=list_key, given=given, wording_version=WORDING_VERSION, source=source
    )


@transaction.atomic
def list_unsubscribe(*, list_key: str, token: str, source: str = "one-click") -> bool:
    """Take the token's member off the list at once, and record the withdrawal; False for a forged
    token. Needs no session: the signed token is the proof."""
    from accounts.models import User

    member_id = token_member(list_key, token)
    if member_id is None or not User.objects.filter(pk=member_id).exists():
        return False  # forged, or the account was deleted since
    LISTS[list_key].unsubscribe(member_id)
    consent_record(member_id=member_id, list_key=list_key, given=False, source=source)
    return True


def consent_history(member_id: int) -> list[dict]:
    """The member's consents, oldest first, for their data export."""
    rows = Consent.objects.filter(member_id=member_id).order_by("created_at", "pk")
    fields = ("list_key", "given", "wording_version", "source", "created_at")
    return list(rows.values(*fields))


def latest_choice(list_key: str) -> Subquery:
    """The member's latest choice for the list (True, False, or None when never asked), to annotate
    users with: one subquery on the consent history's index."""
    latest = Consent.objects.filter(member_id=OuterRef("pk"), list_key=list_key).order_by(
        "-created_at", "-pk"
    )
    return Subquery(latest.order_by("-created_at", "-pk").values("given")[:1])


def members_consenting(list_key: str, member_ids: set[int]) -> set[int]:
    """Among these members, those whose latest choice for the list is "given" (one query)."""
    from accounts.models import User

    members = User.objects.filter(pk__in=member_ids).annotate(choice=latest_choice(list_key))
    return set(members.filter(choice=True).values_list("pk", flat=True))


def consent_given(member_id: int, list_key: str) -> bool:
    return member_id in members_consenting(list_key, {member_id})
