"""Events beside the forum's pages: the next events on the home page and a space's page
(community.sidebar), and a month's past events, with their recaps, in the archive (community.archive)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts.permissions import Actor
from community.models import Space
from community.sidebar import Section
from events.selectors import month_past_events, next_events


def next_events_section(user: Actor, space: Space | None) -> Section | None:
    events = next_events(user, space_id=space.pk if space else None)
    if not events:
        return None

    def render(request: HttpRequest) -> str:
        return render_to_string(
            "events/_next_events.html", {"events": events, "space": space}, request=request
        )

    return Section(versions=("events", *((event.pk, event.version) for event in events)), render=render)


def archive_events_section(user: Actor, space: Space | None, year: int, month: int) -> Section | None:
    events = month_past_events(user, year, month, space_id=space.pk if space else None)
    if not events:
        return None

    def render(request: HttpRequest) -> str:
        return render_to_string("events/_archive_events.html", {"events": events}, request=request)

    return Section(versions=("events", *((event.pk, event.version) for event in events)), render=render)
