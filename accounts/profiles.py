"""What other members see of a member (name, handle, avatar) changed: the apps showing it are told.

Accounts sits below the apps that show members beside their content, so those apps register a listener
at start-up (as content apps register moderation adapters) instead of accounts importing them. The
listeners run after the transaction commits; community's bumps the versions of the threads the member
posted in (a Celery task), so their shared pages are rendered afresh.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

# The fields shown beside a member's posts.
PUBLIC_FIELDS = frozenset({"display_name", "handle", "avatar_version", "is_active"})

_listeners: list[Callable[[int], None]] = []


def on_public_profile_changed(listener: Callable[[int], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def public_profile_changed(user_id: int) -> None:
    """Tell the listeners once the caller's transaction commits."""
    for listener in _listeners:
        transaction.on_commit(lambda listener=listener: listener(user_id), robust=True)
