"""Every write of mailings: suppression (bounces, complaints), consent, and delivery."""

from mailings.services.consent import (
    WORDING_VERSION,
    consent_given,
    consent_history,
    consent_record,
    list_unsubscribe,
    members_consenting,
)
from mailings.services.delivery import deliveries_write, delivery_bounced, send_after_commit
from mailings.services.housekeeping import deliveries_kept_since, deliveries_prune
from mailings.services.suppression import (
    SOFT_BOUNCE_LIMIT,
    address_suppressed,
    delivery_event_record,
    suppressed_addresses,
    suppression_lift,
)

__all__ = [
    "SOFT_BOUNCE_LIMIT",
    "WORDING_VERSION",
    "address_suppressed",
    "consent_given",
    "consent_history",
    "consent_record",
    "deliveries_kept_since",
    "deliveries_prune",
    "deliveries_write",
    "delivery_bounced",
    "delivery_event_record",
    "list_unsubscribe",
    "members_consenting",
    "send_after_commit",
    "suppressed_addresses",
    "suppression_lift",
]
