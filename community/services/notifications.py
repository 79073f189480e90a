"""Notifications and subscriptions, and their e-mails.

Notifications and their e-mails are written in the caller's transaction: an e-mail is a mailings Delivery
row, unique per (kind, post, member), that mailings sends after commit, or within a minute when Redis was
down or a worker died. Unique constraints (`community_notify_once`, the delivery's) make every step safe
to repeat. The e-mails are built at send time by community.emails (registered in community.apps).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Actor, team_q
from community.models import (
    Notification,
    NotificationKind,
    Post,
    PostState,
    Subscription,
    Thread,
    Visibility,
)
from community.permissions import can_see_thread
from community.selectors.notifications import EmailPreferences, email_preferences, unread_cache_key
from community.text import mentioned_names
from core.housekeeping import delete_in_batches
from mailings.models import Delivery
from mailings.services import deliveries_write, send_after_commit

logger = logging.getLogger(__name__)

MENTION_LIMIT = 20


# Posts ---------------------------------------------------------------------------------------------


def post_published(*, post: Post) -> None:
    """A post was just written (reply or first post of a thread), inside the caller's transaction.

    Subscribes its author to the thread; when the post is visible, notifies the members it mentions
    (who can see the thread) and the thread's other subscribers, and writes their e-mails.
    A held post notifies nobody until `post_approved`. Safe to run twice: nothing is doubled.
    """
    _subscribe_author(post)
    if post.state == PostState.VISIBLE:
        _notify_post(post)


def _subscribe_author(post: Post) -> None:
    if post.author_id is not None:
        Subscription.objects.bulk_create(
            [Subscription(thread_id=post.thread_id, user_id=post.author_id)], ignore_conflicts=True
        )


def post_approved(*, post: Post) -> None:
    """A held post was approved by moderation: notify as if it had just been published.

    Unless it was written before the oldest notification and e-mail rows still kept (housekeeping
    prunes them): those rows are what keeps a post restored on appeal from notifying twice, and news
    that old is no news. Its author is still subscribed.
    """
    kept_days = min(settings.OUTBOX_RETENTION_DAYS, settings.NOTIFICATIONS_READ_RETENTION_DAYS)
    with transaction.atomic():
        if post.created_at >= timezone.now() - timedelta(days=kept_days):
            post_published(post=post)
        else:
            _subscribe_author(post)


def solution_marked(*, post: Post, actor: User | None = None) -> None:
    """A reply was chosen as a thread's best answer: tell its author (in-app, and by e-mail if they get
    e-mails about replies). Called by the forum core inside its transaction."""
    if post.author_id is None or (actor is not None and actor.pk == post.author_id):
        return
    with transaction.atomic():
        author = get_user_model().objects.filter(pk=post.author_id, is_active=True).first()
        if author is None:
            return
        _notify(
            post=post,
            thread_id=post.thread_id,
            actor_id=actor.pk if actor is not None else None,
            recipients={NotificationKind.SOLUTION: [author.pk]},
        )


def member_welcome(*, user: User) -> bool:
    """Welcome a member whose e-mail address is confirmed: a notification and an e-mail, once per member.

    The delivery row is the "once": a second confirmation (another address) finds it and does nothing.
    Returns whether the welcome was written now.
    """
    with transaction.atomic():
        _message, created = Delivery.objects.get_or_create(
            kind=NotificationKind.WELCOME,
            ref=NotificationKind.WELCOME,
            member=user,
            defaults={"payload": {"kind": NotificationKind.WELCOME, "recipient": user.pk}},
        )
        if not created:
            return False
        Notification.objects.create(recipient=user, kind=NotificationKind.WELCOME)
        _after_commit_forget_unread([user.pk])
        send_after_commit()
    return True


def _readers_q(thread: Thread) -> Q:
    """Members who may read the thread, as a filter on users (mirrors community.permissions)."""
    team = team_q()
    if thread.space.visibility == Visibility.STAFF:
        return team
    if thread.state == PostState.VISIBLE:
        return Q()
    if thread.state == PostState.PENDING and thread.author_id is not None:
        return team | Q(pk=thread.author_id)
    return team


def _mentioned_members(post: Post, thread: Thread) -> list[User]:
    """Active members named with @handle in the post (case-insensitive, one query), who can see it."""
    names = [name.lower() for name in mentioned_names(post.body_md)[:MENTION_LIMIT]]
    if not names:
        return []
    members = (
        get_user_model()
        .objects.alias(handle_lower=Lower("handle"))
        .filter(handle_lower__in=names, is_active=True)
    )
    if post.author_id is not None:
        members = members.exclude(pk=post.author_id)
    found = members.only("id", "is_active", "is_superuser")[:MENTION_LIMIT]
    return [member for member in found if can_see_thread(member, thread)]


def _notify_post(post: Post) -> None:
    thread = post.thread
    mentioned = _mentioned_members(post, thread)
    already = {member.pk for member in mentioned}
    if post.author_id is not None:
        already.add(post.author_id)
    subscriber_ids = set(
        get_user_model()
        .objects.filter(_readers_q(thread), subscriptions__thread_id=thread.pk, is_active=True)
        .exclude(pk__in=already)
        .values_list("pk", flat=True)
    )
    _notify(
        post=post,
        thread_id=thread.pk,
        actor_id=post.author_id,
        recipients={
            NotificationKind.MENTION: [member.pk for member in mentioned],
            NotificationKind.REPLY: sorted(subscriber_ids),
        },
    )


def _notify(*, post: Post, thread_id: int, actor_id: int | None, recipients: dict[str, list[int]]) -> None:
    """Write the notifications and, for members who want them, their e-mails; dispatch after commit."""
    everyone = [user_id for ids in recipients.values() for user_id in ids]
    if not everyone:
        return
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id, kind=kind, actor_id=actor_id, thread_id=thread_id, post_id=post.pk
            )
            for kind, ids in recipients.items()
            for user_id in ids
        ],
        ignore_conflicts=True,
    )
    preferences = email_preferences(set(everyone))
    wanted: dict[str, Callable[[EmailPreferences], bool]] = {
        NotificationKind.MENTION: lambda p: p.mention,
        NotificationKind.REPLY: lambda p: p.reply,
        # No preference of its own: a best answer is news about the member's reply in a thread.
        NotificationKind.SOLUTION: lambda p: p.reply,
    }
    deliveries_write(
        [
            Delivery(
                kind=str(kind),
                ref=f"post:{post.pk}",
                member_id=user_id,
                payload={"kind": str(kind), "recipient": user_id, "post": post.pk, "actor": actor_id},
            )
            for kind, ids in recipients.items()
            for user_id in ids
            if wanted[kind](preferences[user_id])
        ]
    )
    _after_commit_forget_unread(everyone)


def notify(*, recipient_ids: list[int], kind: str, subject: str, link: str) -> None:
    """In-app notifications about something else than a post (an event), in the caller's transaction."""
    if not recipient_ids:
        return
    Notification.objects.bulk_create(
        [Notification(recipient_id=pk, kind=kind, subject=subject, link=link) for pk in recipient_ids],
        batch_size=1000,
    )
    _after_commit_forget_unread(recipient_ids)


def _after_commit_forget_unread(user_ids: Iterable[int]) -> None:
    keys = [unread_cache_key(user_id) for user_id in set(user_ids)]

    def forget() -> None:
        try:
            cache.delete_many(keys)
        except redis.RedisError:
            logger.warning("Cache unreachable: unread counts refresh within a minute")

    transaction.on_commit(forget, robust=True)


# Reading ------------------------------------------------------------------------------------------


def notification_open(*, actor: Actor, notification: Notification) -> str:
    """Mark one of the actor's notifications read; returns where it leads (the post, else home)."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        with transaction.atomic():
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
                read_at=timezone.now()
            )
            _after_commit_forget_unread([actor.pk])
    if notification.link:
        return notification.link
    if notification.post is not None:
        return notification.post.get_absolute_url()
    if notification.thread_id is not None:
        return Thread(pk=notification.thread_id).get_absolute_url()
    return "/"


def notifications_mark_all_read(*, actor: Actor) -> int:
    """Mark every unread notification of the actor read; returns how many were unread."""
    if not actor.is_authenticated:
        return 0
    with transaction.atomic():
        count = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        _after_commit_forget_unread([actor.pk])
    return count


def notifications_prune(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Delete the notifications read more than NOTIFICATIONS_READ_RETENTION_DAYS ago, in batches
    (core.housekeeping); unread ones stay however old. Returns how many went. Nothing counted unread
    changes, so no member's badge needs forgetting."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NOTIFICATIONS_READ_RETENTION_DAYS)
    return delete_in_batches(Notification.objects.filter(read_at__lt=cutoff), batch_size=batch_size)
