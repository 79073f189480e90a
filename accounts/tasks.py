"""Celery tasks of accounts: thin, idempotent wrappers over services."""

from __future__ import annotations

from celery import shared_task

from accounts import services


@shared_task(name="accounts.sessions_clear_expired", acks_late=True, ignore_result=True)
def sessions_clear_expired() -> int:
    """Every night (beat): the expired sessions go, in batches (a rerun finds nothing left)."""
    return services.sessions_clear_expired()
