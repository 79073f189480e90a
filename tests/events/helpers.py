"""Events for tests: a week ahead, two hours long, in a space of their own."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from community.models import Space
from events.models import Event, EventFormat, EventKind, EventState


def event_fields(**fields) -> dict:
    start = timezone.now() + timedelta(days=7)
    values = {
        "title": "Meetup à Lyon",
        "kind": EventKind.MEETUP,
        "format": EventFormat.OFFLINE,
        "venue_name": "La Halle",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "time_zone": "Europe/Paris",
        "space": Space.objects.get_or_create(slug="rencontres", defaults={"name": "Rencontres"})[0],
    }
    return values | fields


def published_event(**fields) -> Event:
    return Event.objects.create(**(event_fields(state=EventState.PUBLISHED, capacity=3) | fields))
