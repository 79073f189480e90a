"""The site's branding, read on every page: cached in Redis, refreshed when it changes."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

from core.models import SiteBranding

CACHE_KEY = "platform:branding:v1"


# Every page shows the branding: each process keeps it a few seconds, saving a Redis round trip per page.
# A change shows at once in the process that saved it and within these seconds in the others.
LOCAL_SECONDS = 10
_local: dict[str, tuple[float, SiteBranding]] = {}


def branding_get() -> SiteBranding:
    # Per full cache key, so that a change of KEY_PREFIX (tests) is a different branding.
    full_key, now = cache.make_key(CACHE_KEY), time.monotonic()
    kept = _local.get(full_key)
    if kept is not None and now - kept[0] < LOCAL_SECONDS:
        return kept[1]
    branding = cache.get(CACHE_KEY)
    if branding is None:
        branding = SiteBranding.objects.filter(pk=1).first() or SiteBranding(pk=1)
        cache.set(CACHE_KEY, branding, timeout=3600)
    _local[full_key] = (now, branding)
    return branding


@transaction.atomic
def branding_update(*, name: str, tagline: str, welcome: str, brand_colour: str) -> SiteBranding:
    """Save the one row; this process and Redis forget the old one after commit (other processes
    within LOCAL_SECONDS)."""
    branding = SiteBranding(pk=1, name=name, tagline=tagline, welcome=welcome, brand_colour=brand_colour)
    branding.full_clean()
    branding.save()
    _local.clear()

    def forget() -> None:
        _local.clear()
        cache.delete(CACHE_KEY)

    transaction.on_commit(forget, robust=True)
    return branding
