"""Who may write and send the newsletter; services ask these, templates receive their answers as
booleans."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.permissions import Actor, is_community_manager


def can_manage_newsletter(user: Actor) -> bool:
    return is_community_manager(user)


def require_newsletter_manager(user: Actor) -> None:
    """The newsletter's pages and every write of an issue: a 403 for anyone but the community team."""
    if not can_manage_newsletter(user):
        raise PermissionDenied
