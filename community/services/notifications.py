"""Notifications for new posts (replaced by the full implementation on the notifications branch)."""

from __future__ import annotations

from community.models import Post


def post_published(*, post: Post) -> None:
    return None


def solution_marked(*, post: Post) -> None:
    return None


def thread_viewed(thread_id: int) -> None:
    return None
