"""Reads for notifications: a member's list (keyset pages), the unread count, e-mail preferences."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404

from accounts.permissions import Actor
from community.models import MemberState, Notification
from community.permissions import can_see_thread

logger = logging.getLogger(__name__)

PAGE_SIZE = 30
UNREAD_CACHE_SECONDS = 60
# The badge shows "99+" past 99; counting stops here so that a neglected inbox costs the same as any other.
UNREAD_COUNT_CAP = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class EmailPreferences:
    mention: bool = True
    reply: bool = True


def email_preferences(user_ids: list[int] | set[int]) -> dict[int, EmailPreferences]:
    """Each member's e-mail choices in one query; members without a MemberState row get the defaults (on)."""
    found = {
        row["user_id"]: EmailPreferences(mention=row["email_on_mention"], reply=row["email_on_reply"])
        for row in MemberState.objects.filter(user_id__in=list(user_ids)).values(
            "user_id", "email_on_mention", "email_on_reply"
        )
    }
    return {user_id: found.get(user_id, EmailPreferences()) for user_id in user_ids}


def unread_cache_key(user_id: int) -> str:
    return f"community:unread-notifications:{user_id}"


def unread_count(user: Actor, *, cached: int | None = None) -> int:
    """Unread notifications of a member, cached for a minute (the services forget it on every change).

    `cached`: the cached value when the caller read it along with other keys (one Redis round trip).
    """
    if not user.is_authenticated:
        return 0
    key = unread_cache_key(user.pk)
    count = cached
    if count is None:
        try:
            count = cache.get(key)
        except redis.RedisError:
            logger.warning("Cache unreachable: counting unread notifications in the database")
    if count is None:
        unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
        count = unread.order_by()[:UNREAD_COUNT_CAP].count()
        with contextlib.suppress(redis.RedisError):
            cache.set(key, count, timeout=UNREAD_CACHE_SECONDS)
    return count


def encode_cursor(notification: Notification) -> str:
    micros = (notification.created_at - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{notification.pk}"


def decode_cursor(value: str) -> tuple[datetime, int] | None:
    """The (created_at, id) a page continues after, or None for a missing or malformed cursor."""
    micros, _, pk = (value or "").partition(".")
    if not (micros.isdigit() and pk.isdigit()) or len(micros) > 18 or len(pk) > 18:
        return None
    return _EPOCH + timedelta(microseconds=int(micros)), int(pk)


@dataclass
class NotificationPage:
    notifications: list[Notification]
    older_cursor: str | None


def notification_page(user: Actor, cursor: str | None = None) -> NotificationPage:
    """One page of a member's notifications, newest first, continuing after `cursor` (keyset, no OFFSET).

    One query whatever the page: actor and thread come joined, and one extra row tells whether an older
    page exists.
    """
    rows = (
        Notification.objects.filter(recipient_id=user.pk)
        .select_related("actor", "thread__space")
        .only(
            "id", "kind", "created_at", "read_at", "post_id", "thread_id", "actor_id", "subject",
            "actor__display_name", "actor__email", "actor__avatar_version", "actor__handle",
            "thread__title", "thread__state", "thread__author_id", "thread__space__visibility",
        )
        .order_by("-created_at", "-id")
    )  # fmt: skip
    after = decode_cursor(cursor) if cursor else None
    if after is not None:
        created_at, pk = after
        rows = rows.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk))
    found = list(rows[: PAGE_SIZE + 1])
    page = found[:PAGE_SIZE]
    for notification in page:
        # A thread since removed, deleted or moved out of reach is not named.
        thread = notification.thread
        title = thread.title if thread and can_see_thread(user, thread) else ""
        setattr(notification, "thread_title", title)  # noqa: B010 - for the template: not a field
    older = encode_cursor(page[-1]) if len(found) > PAGE_SIZE else None
    return NotificationPage(notifications=page, older_cursor=older)


def access_notification(user: Actor, notification_id: int) -> Notification:
    """A member's own notification, with its post's position loaded; 404 for anyone else's."""
    notification = (
        Notification.objects.filter(pk=notification_id, recipient_id=user.pk)
        .select_related("post")
        .only(
            "id",
            "recipient_id",
            "kind",
            "read_at",
            "thread_id",
            "link",
            "post__id",
            "post__thread_id",
            "post__position",
        )
        .first()
    )
    if notification is None:
        raise Http404
    return notification
