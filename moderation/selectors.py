from __future__ import annotations

from django.core.cache import cache

from accounts.permissions import Actor
from moderation.models import NetiquetteAcceptance, NetiquetteRule, NetiquetteVersion

VERSION_KEY = "moderation:netiquette:version"


def netiquette_current_version() -> int | None:
    """The number of the version members must have accepted (cached; None before any is published)."""
    number = cache.get(VERSION_KEY)
    if number is None:
        number = NetiquetteVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0
        cache.set(VERSION_KEY, number, timeout=300)
    return number or None


def _accepted_key(user_id: int, version: int) -> str:
    return f"moderation:netiquette:accepted:{user_id}:{version}"


def netiquette_accepted(user: Actor) -> bool:
    if not user.is_authenticated:
        return False
    version = netiquette_current_version()
    if version is None:
        return True
    cached = getattr(user, "_agora_netiquette_ok", None)
    if cached is not None:
        return cached
    key = _accepted_key(user.pk, version)
    accepted = cache.get(key)
    if accepted is None:
        accepted = NetiquetteAcceptance.objects.filter(user=user, version__number=version).exists()
        if accepted:
            cache.set(key, True, timeout=24 * 3600)
    user._agora_netiquette_ok = accepted
    return accepted


def netiquette_rules() -> list[NetiquetteRule]:
    return list(NetiquetteRule.objects.filter(active=True).order_by("number"))
