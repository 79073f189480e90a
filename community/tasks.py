"""Celery tasks of the community app: thin, idempotent wrappers over services; retries live here."""

from __future__ import annotations

import logging

from celery import shared_task

from community.services import archiving, forum, notifications, thread_views
from community.services.notifications import DISPATCH_ERRORS

logger = logging.getLogger(__name__)

DISPATCH_MAX_RETRIES = 6


@shared_task(name="community.outbox_dispatch", acks_late=True, bind=True, max_retries=DISPATCH_MAX_RETRIES)
def outbox_dispatch(self, message_id: int) -> bool:
    """Send one outbox message right after the write that created it; nothing if it is already sent."""
    try:
        return notifications.outbox_send(message_id=message_id)
    except notifications.OutboxDeliveryError as exc:
        # 30 s, 1 min, 2 min … up to an hour; past the last retry the sweep keeps trying.
        raise self.retry(exc=exc, countdown=min(3600, 30 * 2**self.request.retries)) from exc


@shared_task(name="community.outbox_sweep", acks_late=True)
def outbox_sweep() -> int:
    """Every minute (beat): send what the after-commit dispatch missed (Redis down, worker lost)."""
    return notifications.outbox_sweep()


@shared_task(name="community.flush_thread_views", acks_late=True)
def flush_thread_views() -> int:
    """Every minute (beat): move the thread views counted in Redis into the database."""
    return thread_views.thread_views_flush()


@shared_task(name="community.archive_inactive_threads", acks_late=True)
def archive_inactive_threads() -> int:
    """Every night (beat): archive the threads quiet for longer than their space allows. Idempotent:
    a retried or doubled run finds nothing left to archive."""
    return archiving.threads_archive_inactive()


@shared_task(name="community.member_threads_touch", acks_late=True)
def member_threads_touch(user_id: int) -> int:
    """A member's public face changed: the threads they posted in are rendered afresh (idempotent: a
    version bumped twice only costs one more render)."""
    return forum.member_threads_touch(user_id=user_id)


def member_threads_touch_dispatch(user_id: int) -> None:
    """Queue member_threads_touch; with the broker down, names stay stale until the copies expire
    (SHARED_PAGE_SECONDS), which is logged rather than raised into the member's request."""
    try:
        member_threads_touch.delay(user_id)
    except DISPATCH_ERRORS:
        logger.warning("Broker unreachable: threads of member %s not touched", user_id, exc_info=True)
