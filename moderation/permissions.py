"""What other apps ask moderation about a member; they never copy its state."""

from __future__ import annotations

from accounts.permissions import Actor
from moderation.selectors import netiquette_accepted


def member_can_post(user: Actor) -> bool:
    """Signed in, active, and has accepted the current netiquette."""
    return bool(user.is_authenticated and user.is_active and netiquette_accepted(user))
