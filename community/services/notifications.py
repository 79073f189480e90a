"""Notifications, subscriptions, the e-mail outbox and the thread view counter.

Notifications and their e-mails are written in the caller's transaction: an e-mail is an OutboxMessage row
with a unique key, sent by `community.outbox_dispatch` right after commit and, if Redis was down or a worker
died, by the `community.outbox_sweep` beat task. Unique constraints (`community_notify_once`, the outbox key)
make every step safe to repeat.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import timedelta

import redis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from accounts.models import User
from accounts.permissions import Actor
from accounts.roles import COMMUNITY_MANAGERS
from community.models import (
    Notification,
    NotificationKind,
    OutboxMessage,
    Post,
    PostState,
    Subscription,
    Thread,
    Visibility,
)
from community.permissions import can_see_thread
from community.selectors.notifications import EmailPreferences, email_preferences, unread_cache_key
from community.text import mentioned_names
from mailings.services import suppressed_addresses

logger = logging.getLogger(__name__)

MENTION_LIMIT = 20
OUTBOX_EMAIL = "email"
# A message still unsent this long after its write was missed by its after-commit dispatch.
SWEEP_AFTER = timedelta(seconds=30)
SWEEP_BATCH = 100
# The sweep stops taking new batches after this long, so that runs scheduled every minute do not pile up.
SWEEP_BUDGET_SECONDS = 50
# After this many failed attempts a message is left for a person to look at (attempts and last_error).
MAX_ATTEMPTS = 10
# Errors of a broker that cannot be reached: the write stands and the sweep sends later.
DISPATCH_ERRORS = (BrokerUnavailable, redis.RedisError, OSError)


class OutboxDeliveryError(Exception):
    """Sending failed; the attempt is recorded on the message and the task retries later."""


# Posts ---------------------------------------------------------------------------------------------


def post_published(*, post: Post) -> None:
    """A post was just written (reply or first post of a thread), inside the caller's transaction.

    Subscribes its author to the thread; when the post is visible, notifies the members it mentions
    (who can see the thread) and the thread's other subscribers, and writes their e-mails to the outbox.
    A held post notifies nobody until `post_approved`. Safe to run twice: nothing is doubled.
    """
    if post.author_id is not None:
        Subscription.objects.bulk_create(
            [Subscription(thread_id=post.thread_id, user_id=post.author_id)], ignore_conflicts=True
        )
    if post.state == PostState.VISIBLE:
        _notify_post(post)


def post_approved(*, post: Post) -> None:
    """A held post was approved by moderation: notify as if it had just been published."""
    with transaction.atomic():
        post_published(post=post)


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

    The outbox key is the "once": a second confirmation (another address) finds it and does nothing.
    Returns whether the welcome was written now.
    """
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            key=f"{OUTBOX_EMAIL}:{NotificationKind.WELCOME}:{user.pk}",
            defaults={
                "kind": OUTBOX_EMAIL,
                "payload": {"kind": NotificationKind.WELCOME, "recipient": user.pk},
            },
        )
        if not created:
            return False
        Notification.objects.create(recipient=user, kind=NotificationKind.WELCOME)
        _after_commit_forget_unread([user.pk])
        _after_commit_dispatch([message.pk])
    return True


def _readers_q(thread: Thread) -> Q:
    """Members who may read the thread, as a filter on users (mirrors community.permissions)."""
    team = Q(is_superuser=True) | Q(groups__name=COMMUNITY_MANAGERS)
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
    messages = [
        OutboxMessage(
            key=f"{OUTBOX_EMAIL}:{kind}:{post.pk}:{user_id}",
            kind=OUTBOX_EMAIL,
            payload={"kind": str(kind), "recipient": user_id, "post": post.pk, "actor": actor_id},
        )
        for kind, ids in recipients.items()
        for user_id in ids
        if wanted[kind](preferences[user_id])
    ]
    outbox_write(messages)
    _after_commit_forget_unread(everyone)


def outbox_write(messages: list[OutboxMessage]) -> None:
    """Store e-mails to send in the caller's transaction (a key already stored is not written again)
    and send them right after commit."""
    if not messages:
        return
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=1000)
    # ON CONFLICT DO NOTHING returns no ids: read back the ones still to send.
    keys = [message.key for message in messages]
    ids = list(OutboxMessage.objects.filter(key__in=keys, sent_at__isnull=True).values_list("pk", flat=True))
    _after_commit_dispatch(ids)


def notify(*, recipient_ids: list[int], kind: str, subject: str, link: str) -> None:
    """In-app notifications about something else than a post (an event), in the caller's transaction."""
    if not recipient_ids:
        return
    Notification.objects.bulk_create(
        [Notification(recipient_id=pk, kind=kind, subject=subject, link=link) for pk in recipient_ids],
        batch_size=1000,
    )
    _after_commit_forget_unread(recipient_ids)


def _after_commit_dispatch(message_ids: list[int]) -> None:
    """After commit, queue one send per message; a broker outage is logged, never raised (the sweep sends)."""
    if not message_ids:
        return

    def dispatch() -> None:
        from community.tasks import outbox_dispatch  # The tasks module imports this one.

        for message_id in message_ids:
            try:
                outbox_dispatch.delay(message_id)
            except DISPATCH_ERRORS:
                logger.warning(
                    "Broker unreachable: %d e-mail(s) left to the outbox sweep",
                    len(message_ids),
                    exc_info=True,
                )
                return

    transaction.on_commit(dispatch, robust=True)


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


# Outbox -------------------------------------------------------------------------------------------


def _deliver(message: OutboxMessage, send: Callable[[OutboxMessage], bool]) -> str:
    """Send one locked message and record the outcome on its row; returns the error, "" when done."""
    message.attempts += 1
    try:
        with transaction.atomic():  # A failed read must not spoil the transaction that records it.
            sent = send(message)
    except Exception as exc:  # noqa: BLE001 - whatever the mail server says is recorded and retried
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        message.save(update_fields=["attempts", "last_error"])
        logger.warning("Outbox message %s failed (attempt %d)", message.key, message.attempts, exc_info=True)
        return message.last_error
    message.sent_at = timezone.now()
    message.last_error = "" if sent else "skipped: nothing left to tell the recipient"
    message.save(update_fields=["attempts", "sent_at", "last_error"])
    return ""


# How each kind of outbox message becomes an e-mail: the forum's notifications here, and what apps
# above the forum register at start-up (events' confirmations and reminders).
EMAIL_BUILDERS: dict[str, Callable[[dict], EmailMessage | None]] = {}


def email_builder_register(kind: str, build: Callable[[dict], EmailMessage | None]) -> None:
    EMAIL_BUILDERS[kind] = build


def _send_email(message: OutboxMessage) -> bool:
    from community.emails import notification_email

    build = EMAIL_BUILDERS.get(message.kind, notification_email)
    email = build(message.payload)
    if email is None or suppressed_addresses(email.to):  # a bounced or complaining address: nothing
        return False
    email.send()
    return True


def outbox_send(*, message_id: int) -> bool:
    """Send one outbox message if it is still unsent; returns whether this call sent it.

    The row is locked with SKIP LOCKED and held while sending, so two workers never send it twice: the
    second skips it, and once committed it is marked sent. Raises OutboxDeliveryError when sending failed.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        error = _deliver(message, _send_email)
    if error:
        raise OutboxDeliveryError(error)
    return True


def outbox_sweep(*, older_than: timedelta = SWEEP_AFTER, batch_size: int = SWEEP_BATCH) -> int:
    """Send every message still unsent `older_than` after its write, in batches; returns how many were sent.

    Rows are taken with SKIP LOCKED, so a concurrent dispatch or another sweep never sends one twice.
    """
    started = time.monotonic()
    sent = 0
    failed: set[int] = set()
    while time.monotonic() - started < SWEEP_BUDGET_SECONDS:
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(
                    sent_at__isnull=True,
                    attempts__lt=MAX_ATTEMPTS,
                    created_at__lt=timezone.now() - older_than,
                )
                .exclude(pk__in=failed)
                .order_by("created_at")[:batch_size]
            )
            for message in batch:
                if _deliver(message, _send_email):
                    failed.add(message.pk)
                else:
                    sent += 1
        if len(batch) < batch_size:
            break
    return sent
