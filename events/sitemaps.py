"""The events' section of the sitemap (config/urls.py puts it in the index): the events a signed-out
visitor may know of, as visible_events_q decides for the lists (published or over, in a public space,
for everyone), paged by ranges of keys (core/sitemaps.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from core.jinja import url
from core.sitemaps import KeyRangeSitemap
from events.models import Event
from events.permissions import visible_events_q


class EventSitemap(KeyRangeSitemap):
    def items(self) -> Any:
        return Event.objects.filter(visible_events_q(AnonymousUser())).values("pk")

    def location(self, row: dict) -> str:
        return url("events:event", row["pk"])
