"""Celery tasks of the community app: thin, idempotent wrappers over services; retries live here."""

from __future__ import annotations

from celery import shared_task

from community.services import notifications, thread_views

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
