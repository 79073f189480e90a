"""anymail's tracking webhooks (each provider's signature checked by anymail): bounces and complaints
become the address's state, and the message's (mailings.services)."""

from __future__ import annotations

from anymail.signals import tracking
from django.dispatch import receiver

from mailings.services import delivery_bounced, delivery_event_record
from mailings.services.suppression import COMPLAINTS, HARD


@receiver(tracking, dispatch_uid="mailings.tracking")
def provider_event(sender, event, esp_name: str, **kwargs) -> None:
    detail = " ".join(part for part in (esp_name, event.reject_reason or "", event.description or "") if part)
    delivery_event_record(address=event.recipient or "", event_type=event.event_type, detail=detail)
    if event.event_type in HARD | COMPLAINTS:
        # Counted on the message's newsletter issue (its status page) when the provider names it.
        delivery_bounced(message_id=event.message_id or "")
