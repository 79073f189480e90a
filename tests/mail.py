"""E-mail in tests: what mailings' worker does, run in the test's process."""

from __future__ import annotations

from django.utils import timezone

from mailings.models import Delivery, DeliveryState
from mailings.services.delivery import deliveries_send


def send_due() -> int:
    """Send every delivery due now, as the worker would; returns how many were sent."""
    sent, _more = deliveries_send(budget_seconds=60)
    return sent


def make_due() -> None:
    """As if the backoff after a failure had passed."""
    Delivery.objects.filter(state=DeliveryState.PENDING).update(not_before=timezone.now())
