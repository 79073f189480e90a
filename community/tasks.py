"""Celery tasks of the community app: thin, idempotent wrappers over services; retries live here."""

from __future__ import annotations

import logging

from celery import shared_task

from community.services import archiving, forum, members, notifications, thread_views
from core.tasks import DISPATCH_ERRORS

logger = logging.getLogger(__name__)


@shared_task(name="community.flush_thread_views", acks_late=True)
def flush_thread_views() -> int:
    """Every minute (beat): move the thread views counted in Redis into the database."""
    return thread_views.thread_views_flush()


@shared_task(name="community.archive_inactive_threads", acks_late=True)
def archive_inactive_threads() -> int:
    """Every night (beat): archive the threads quiet for longer than their space allows. Idempotent:
    a retried or doubled run finds nothing left to archive."""
    return archiving.threads_archive_inactive()


@shared_task(name="community.notifications_prune", acks_late=True, ignore_result=True)
def notifications_prune() -> int:
    """Every night (beat): notifications read more than NOTIFICATIONS_READ_RETENTION_DAYS ago go, in
    batches (a rerun finds nothing left)."""
    return notifications.notifications_prune()


@shared_task(name="community.unverified_signups_purge", acks_late=True, ignore_result=True)
def unverified_signups_purge() -> int:
    """Every night (beat): accounts whose address stayed unconfirmed UNVERIFIED_SIGNUP_DAYS are deleted
    as a member's own deletion does, in batches (a rerun finds nothing left)."""
    return members.unverified_signups_purge()


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
