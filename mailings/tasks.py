"""Celery tasks of mailings: thin wrappers over services; each derives its work from the database."""

from __future__ import annotations

import logging

from celery import shared_task

from core.tasks import DISPATCH_ERRORS
from mailings.services import delivery, housekeeping, newsletters

logger = logging.getLogger(__name__)


@shared_task(name="mailings.deliveries_send", acks_late=True, reject_on_worker_lost=True)
def deliveries_send() -> int:
    """Send the e-mails due: queued after each write, and by beat every minute (what a lost message,
    a broker outage or a killed worker left). When its time is up with work left, it queues its
    successor, so a large send carries on at once; runs side by side never send a row twice."""
    sent, more = delivery.deliveries_send()
    if more:
        try:
            deliveries_send.delay()
        except DISPATCH_ERRORS:
            logger.warning("Broker unreachable: the rest of the send waits for the next minute's run")
    return sent


@shared_task(name="mailings.newsletters_start", acks_late=True, reject_on_worker_lost=True)
def newsletters_start() -> int:
    """Every minute (beat), and after "send now": start the newsletter issues due, write their
    delivery rows, and mark sent the ones with nothing left to send. Runs side by side double nothing."""
    return newsletters.newsletters_start()


@shared_task(name="mailings.digests_queue", acks_late=True, reject_on_worker_lost=True)
def digests_queue() -> int:
    """Every quarter of an hour (beat): write the digests due where members live (once per member and
    period, whatever reruns or doubled messages), then hand them to the send."""
    from mailings.digests import digests_queue as queue

    return queue()


@shared_task(name="mailings.deliveries_prune", acks_late=True, ignore_result=True)
def deliveries_prune() -> int:
    """Every night (beat): the delivery rows done and past OUTBOX_RETENTION_DAYS go, in batches (a
    rerun finds nothing left; two runs at once take disjoint rows)."""
    return housekeeping.deliveries_prune()
