"""The log of e-mails sent is kept OUTBOX_RETENTION_DAYS, then pruned in batches (beat, every night).

A delivery row goes once it is done — sent, skipped or failed for good — and every moment it records
(written, sent, bounced) is older than the retention. A row still to send (pending, including one
waiting to be retried after a temporary failure) or being sent is never touched, nor a row of a kind
registered as `kept` (the welcome, whose row makes it once per member).

What still reads old rows is settled here or by the reader:
- an issue of the newsletter keeps its figures: each batch adds its rows' outcomes to the issue
  (Newsletter.pruned_*) in the transaction that deletes them (mailings.selectors.newsletter_status);
- the e-mail report's days are rolled up from these rows: a day older than the retention that was
  rolled up already keeps its figures (reporting.services.rollups.email_rollup, via deliveries_kept_since).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone

from core.housekeeping import delete_in_batches
from mailings.messages import KINDS
from mailings.models import Delivery, DeliveryState, Newsletter
from mailings.services.newsletters import KIND as NEWSLETTER_KIND

DONE = [DeliveryState.SENT, DeliveryState.SKIPPED, DeliveryState.FAILED]


def deliveries_kept_since(now: datetime | None = None) -> datetime:
    """The moment from which every delivery row is still there (older ones may have been pruned)."""
    return (now or timezone.now()) - timedelta(days=settings.OUTBOX_RETENTION_DAYS)


def _prunable(cutoff: datetime):
    kept = [key for key, kind in KINDS.items() if kind.kept]
    return (
        Delivery.objects.filter(state__in=DONE, created_at__lt=cutoff)
        .filter(Q(sent_at__isnull=True) | Q(sent_at__lt=cutoff))
        .filter(Q(bounced_at__isnull=True) | Q(bounced_at__lt=cutoff))
        .exclude(kind__in=kept)
    )


def _newsletter_tally(pks: list) -> None:
    """Add what the batch's newsletter rows say to their issues, before the rows go."""
    outcomes = (
        Delivery.objects.filter(pk__in=pks, kind=NEWSLETTER_KIND)
        .values("ref")
        .annotate(
            sent=Count("pk", filter=Q(state=DeliveryState.SENT)),
            failed=Count("pk", filter=Q(state=DeliveryState.FAILED)),
            skipped=Count("pk", filter=Q(state=DeliveryState.SKIPPED)),
            bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        )
        .order_by("ref")
    )
    for row in outcomes:
        if not row["ref"].isdigit():
            continue
        Newsletter.objects.filter(pk=int(row["ref"])).update(
            pruned_sent=F("pruned_sent") + row["sent"],
            pruned_failed=F("pruned_failed") + row["failed"],
            pruned_skipped=F("pruned_skipped") + row["skipped"],
            pruned_bounced=F("pruned_bounced") + row["bounced"],
        )


def deliveries_prune(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Delete the delivery rows done and older than OUTBOX_RETENTION_DAYS, in batches; returns how
    many went. A rerun, or two runs at once, delete each row once (core.housekeeping)."""
    rows = _prunable(deliveries_kept_since(now))
    return delete_in_batches(rows, batch_size=batch_size, before_delete=_newsletter_tally)
