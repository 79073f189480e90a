"""Celery tasks of moderation: thin, idempotent wrappers over services."""

from __future__ import annotations

from celery import shared_task

from moderation.services import notices


@shared_task(name="moderation.notice_send", acks_late=True)
def notice_send(notice_id: int) -> bool:
    """E-mail a statement of reasons or an appeal's outcome; nothing if it was sent already."""
    return notices.notice_send(notice_id=notice_id)


@shared_task(name="moderation.notices_sweep", acks_late=True)
def notices_sweep() -> int:
    """Every minute (beat): e-mail the notices the after-commit dispatch missed."""
    return notices.notices_sweep()
