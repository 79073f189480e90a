"""The site's branding, read on every page: cached in Redis, refreshed when it changes."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from config.models import SiteBranding

CACHE_KEY = "platform:branding:v1"


def branding_get() -> SiteBranding:
    branding = cache.get(CACHE_KEY)
    if branding is None:
        branding = SiteBranding.objects.filter(pk=1).first() or SiteBranding(pk=1)
        cache.set(CACHE_KEY, branding, timeout=3600)
    return branding


def branding_update(*, name: str, tagline: str, welcome: str, brand_colour: str) -> SiteBranding:
    branding = SiteBranding(pk=1, name=name, tagline=tagline, welcome=welcome, brand_colour=brand_colour)
    branding.full_clean()
    branding.save()
    return branding


@receiver(post_save, sender=SiteBranding, dispatch_uid="platform.branding_cache")
def _forget_branding(**kwargs) -> None:
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
