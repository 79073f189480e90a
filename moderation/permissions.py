"""What other apps ask moderation about a member; they never copy its state."""

from __future__ import annotations

from django.core.cache import cache

from accounts.permissions import Actor, is_community_manager
from moderation.selectors import member_restriction, netiquette_accepted
from moderation.selectors.netiquette import netiquette_keys
from moderation.selectors.standing import restriction_cache_key


def member_is_restricted(user: Actor) -> bool:
    """Suspended (until the end date) or banned."""
    return member_restriction(user) is not None


def member_can_post(user: Actor) -> bool:
    """Signed in, active, has accepted the current netiquette, and is neither suspended nor banned.

    Both answers are read from the cache in one round trip (asked on every signed-in page).
    """
    if not (user.is_authenticated and user.is_active):
        return False
    found = cache.get_many([*netiquette_keys(user), restriction_cache_key(user.pk)])
    return netiquette_accepted(user, cached=found) and member_restriction(user, found=found) is None


def member_can_flag(user: Actor) -> bool:
    """Flagging is posting-like: a suspended or banned member cannot flag."""
    return bool(user.is_authenticated and user.is_active and not member_is_restricted(user))


def can_moderate(user: Actor) -> bool:
    return is_community_manager(user)
