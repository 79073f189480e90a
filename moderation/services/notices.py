"""What moderation tells authors: a notice row in the decision's transaction, its e-mail sent after commit.

The e-mail goes out through the `moderation.notice_send` task right after commit and, when Redis was down
or a worker died, through the `moderation.notices_sweep` beat task. The row is taken with SKIP LOCKED and
marked sent in the same transaction, so a repeated dispatch never sends twice.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import cast

import redis
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from mailings.services import suppressed_addresses
from moderation.models import Appeal, Decision, Notice, NoticeKind
from moderation.selectors.notices import unread_notices_key

logger = logging.getLogger(__name__)

SWEEP_AFTER = timedelta(seconds=30)
SWEEP_BATCH = 50
SWEEP_BUDGET_SECONDS = 50
MAX_ATTEMPTS = 10
DISPATCH_ERRORS = (BrokerUnavailable, redis.RedisError, OSError)


def _recount_unread(user_id: int) -> None:
    """Store the member's unread count now and again after commit (the header reads it, never counts)."""

    def store() -> None:
        count = Notice.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
        cache.set(unread_notices_key(user_id), count, timeout=None)

    store()
    transaction.on_commit(store, robust=True)


def notice_create(
    *, decision: Decision, kind: str = NoticeKind.STATEMENT, appeal: Appeal | None = None
) -> Notice:
    """Write the author's notice (once per decision and kind) and send its e-mail after commit."""
    # Callers notify only decisions that have an author (case_decide checks; an appeal is the author's).
    recipient_id = cast(int, decision.author_id)
    notice, created = Notice.objects.get_or_create(
        decision=decision, kind=kind, defaults={"recipient_id": recipient_id, "appeal": appeal}
    )
    if created:
        _recount_unread(notice.recipient_id)

        def dispatch() -> None:
            from moderation.tasks import notice_send as task

            try:
                task.delay(notice.pk)
            except DISPATCH_ERRORS:
                logger.warning("Broker unreachable: notice %s left to the sweep", notice.pk, exc_info=True)

        transaction.on_commit(dispatch, robust=True)
    return notice


def _deliver(notice: Notice) -> bool:
    from moderation.emails import notice_email

    notice.email_attempts += 1
    try:
        email = notice_email(notice)
        # A bounced or complaining address gets nothing; the notice stays in the member's notices.
        if email is not None and not suppressed_addresses(email.to):
            email.send()
    except Exception:  # noqa: BLE001 - whatever the mail server says is retried by the sweep
        logger.warning(
            "Moderation notice %s failed (attempt %d)", notice.pk, notice.email_attempts, exc_info=True
        )
        notice.save(update_fields=["email_attempts"])
        return False
    notice.emailed_at = timezone.now()
    notice.save(update_fields=["email_attempts", "emailed_at"])
    return True


def notice_send(*, notice_id: int) -> bool:
    """E-mail one notice if it is still unsent; returns whether this call sent it."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(skip_locked=True)
            .filter(pk=notice_id, emailed_at__isnull=True)
            .first()
        )
        if notice is None:
            return False
        return _deliver(notice)


def notices_sweep(*, older_than: timedelta = SWEEP_AFTER, batch_size: int = SWEEP_BATCH) -> int:
    """E-mail the notices the after-commit dispatch missed, in batches; returns how many were sent."""
    started, sent, failed = time.monotonic(), 0, set[int]()
    while time.monotonic() - started < SWEEP_BUDGET_SECONDS:
        with transaction.atomic():
            batch = list(
                Notice.objects.select_for_update(skip_locked=True)
                .filter(
                    emailed_at__isnull=True,
                    email_attempts__lt=MAX_ATTEMPTS,
                    created_at__lt=timezone.now() - older_than,
                )
                .exclude(pk__in=failed)
                .order_by("created_at")[:batch_size]
            )
            for notice in batch:
                if _deliver(notice):
                    sent += 1
                else:
                    failed.add(notice.pk)
        if len(batch) < batch_size:
            break
    return sent


def notice_mark_read(*, actor, notice: Notice) -> None:
    if notice.recipient_id != getattr(actor, "pk", None):
        raise PermissionDenied
    if notice.read_at is None:
        with transaction.atomic():
            Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
            _recount_unread(notice.recipient_id)
