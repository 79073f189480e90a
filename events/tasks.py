"""Celery tasks of events: thin, idempotent wrappers over services, which derive their work from the
database (a doubled or lost message sends nothing twice and loses nothing)."""

from __future__ import annotations

from celery import shared_task

from events.services import aftermath, notices


@shared_task(name="events.reminders_send", acks_late=True)
def reminders_send() -> int:
    """Every minute (beat): tell the members going to the events whose reminders are due."""
    return notices.reminders_send()


@shared_task(name="events.surveys_offer", acks_late=True)
def surveys_offer() -> int:
    """Hourly (beat): ask the attendees of events just over how it was, once each."""
    return aftermath.surveys_offer()
