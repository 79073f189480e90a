"""Time zones by name, as members and events store them."""

from __future__ import annotations

import zoneinfo

from django.conf import settings


def time_zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone of that name, or the community's when the name is empty or unknown."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)
