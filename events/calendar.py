"""Events as iCalendar (RFC 5545), through the icalendar library: one event's .ics, and a member's feed.

Each event keeps one UID for life; its SEQUENCE is the event's `sequence`, bumped by the services
whenever what a calendar shows changes, so calendar applications replace their copy; a cancelled
event stays in the file with STATUS:CANCELLED, so it disappears from calendars rather than lingering.
Times carry the event's own zone (TZID, with its VTIMEZONE), so a daylight-saving change falls where
it should.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar
from icalendar import Event as VEvent
from icalendar.enums import STATUS

from core.branding import branding_get
from events.models import Event, EventState

PRODID = "-//Agora//Events//EN"
# The zones' rules written into the file: from a year before the first event to two after the last.
TZ_YEARS_BEFORE, TZ_YEARS_AFTER = 1, 2


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{urlsplit(settings.SITE_URL).hostname or 'agora'}"


def _vevent(event: Event, *, join_url: str = "") -> VEvent:
    zone = zoneinfo.ZoneInfo(event.time_zone)
    location = ", ".join(part for part in (event.venue_name, event.venue_address) if part) or join_url
    page = f"{settings.SITE_URL}{event.get_absolute_url()}"
    description = "\n\n".join(part for part in (join_url, page) if part)
    return VEvent.new(
        uid=event_uid(event),
        summary=event.title,
        start=event.starts_at.astimezone(zone),
        end=event.ends_at.astimezone(zone),
        stamp=datetime.datetime.now(datetime.UTC),
        sequence=event.sequence,
        status=STATUS.CANCELLED if event.state == EventState.CANCELLED else STATUS.CONFIRMED,
        location=location or None,
        description=description,
        url=page,
    )


def calendar_bytes(
    events: Iterable[Event], *, name: str = "", join_urls: dict[int, str] | None = None
) -> bytes:
    """A calendar of these events (join links only for the events given in `join_urls`)."""
    events = list(events)
    calendar = Calendar.new(prodid=PRODID, name=name or branding_get().name, method="PUBLISH")
    for event in events:
        calendar.add_component(_vevent(event, join_url=(join_urls or {}).get(event.pk, "")))
    if events:
        first = min(event.starts_at for event in events).date()
        last = max(event.ends_at for event in events).date()
        calendar.add_missing_timezones(
            first_date=first.replace(year=first.year - TZ_YEARS_BEFORE, month=1, day=1),
            last_date=last.replace(year=last.year + TZ_YEARS_AFTER, month=1, day=1),
        )
    return calendar.to_ical()
