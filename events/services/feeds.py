"""A member's calendar feed: a secret address, renewed or revoked at will, checked in constant time."""

from __future__ import annotations

import hmac
import secrets

from django.db import transaction
from django.urls import reverse

from accounts.models import User
from events.models import CalendarFeed


def feed_url(member: User) -> str:
    """The member's feed path, or "" when they have none (never made, or revoked)."""
    feed = CalendarFeed.objects.filter(member=member).first()
    return reverse("events:feed-ics", args=[member.pk, feed.token]) if feed else ""


@transaction.atomic
def feed_renew(*, member: User) -> str:
    """A new secret address (the previous one stops working at once); returns its path."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(member=member, defaults={"token": token})
    return reverse("events:feed-ics", args=[member.pk, token])


@transaction.atomic
def feed_revoke(*, member: User) -> None:
    CalendarFeed.objects.filter(member=member).delete()


def feed_member(member_id: int, token: str) -> User | None:
    """The active member whose feed this is, or None; the token is compared in constant time."""
    feed = CalendarFeed.objects.select_related("member").filter(member_id=member_id).first()
    if feed is None or not feed.member.is_active:
        return None
    return feed.member if hmac.compare_digest(feed.token.encode(), token.encode()) else None
