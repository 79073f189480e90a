"""anymail's tracking webhooks (each provider's signature checked by anymail): bounces and complaints
become the address's state (mailings.services)."""

from __future__ import annotations

from anymail.signals import tracking
from django.dispatch import receiver

from mailings.services import delivery_event_record


@receiver(tracking, dispatch_uid="mailings.tracking")
def provider_event(sender, event, esp_name: str, **kwargs) -> None:
    detail = " ".join(part for part in (esp_name, event.reject_reason or "", event.description or "") if part)
    delivery_event_record(address=event.recipient or "", event_type=event.event_type, detail=detail)
