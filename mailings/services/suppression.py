"""Which addresses may be mailed, and what providers tell about them (bounces, complaints).

Every e-mail the platform sends asks `address_suppressed` first: an address with a hard bounce, a
complaint or too many soft bounces gets nothing until the member changes it or the team lifts it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from mailings.models import AddressState, SuppressionReason

# Soft bounces (a full mailbox, a server down) in a row before the address is suppressed.
SOFT_BOUNCE_LIMIT = 5
HARD = {"bounced", "rejected", "failed"}
COMPLAINTS = {"complained"}
SOFT = {"deferred"}
DELIVERED = {"delivered"}


def _normal(address: str) -> str:
    return address.strip().lower()


def address_suppressed(address: str) -> bool:
    return AddressState.objects.filter(address=_normal(address)).exclude(suppressed="").exists()


def suppressed_addresses(addresses: list[str]) -> set[str]:
    """The suppressed ones among these addresses, lower-cased (one query for a batch)."""
    normal = {_normal(address) for address in addresses}
    found = AddressState.objects.filter(address__in=normal).exclude(suppressed="")
    return set(found.values_list("address", flat=True))


@transaction.atomic
def delivery_event_record(*, address: str, event_type: str, detail: str = "") -> AddressState | None:
    """Record what the provider said of a message to `address` (anymail's normalised event types): a
    hard bounce or a complaint suppresses it; soft bounces count up to SOFT_BOUNCE_LIMIT; a delivery
    resets the count. Safe to receive twice (a webhook retried): the state only moves forward."""
    if event_type not in HARD | COMPLAINTS | SOFT | DELIVERED or not address:
        return None
    state, _created = AddressState.objects.select_for_update().get_or_create(address=_normal(address))
    state.last_event, state.last_detail = event_type, detail[:2000]
    if event_type in HARD:
        state.suppressed = state.suppressed or SuppressionReason.HARD_BOUNCE
    elif event_type in COMPLAINTS:
        state.suppressed = SuppressionReason.COMPLAINT
    elif event_type in SOFT:
        state.soft_bounces = F("soft_bounces") + 1
    else:
        state.soft_bounces = 0
    state.save()
    state.refresh_from_db()
    if not state.suppressed and state.soft_bounces >= SOFT_BOUNCE_LIMIT:
        state.suppressed = SuppressionReason.SOFT_BOUNCES
        state.save(update_fields=["suppressed", "updated_at"])
    return state


@transaction.atomic
def suppression_lift(*, address: str) -> None:
    """The team lifts a suppression (the member fixed their mailbox): mail is sent again."""
    AddressState.objects.filter(address=_normal(address)).update(suppressed="", soft_bounces=0)
