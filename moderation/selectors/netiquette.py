from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Subquery

from accounts.permissions import Actor
from moderation.models import NetiquetteAcceptance, NetiquetteRule, NetiquetteVersion

VERSION_KEY = "moderation:netiquette:version"
VERSION_TIMEOUT = 300
# "Accepted" never turns false for a given version, so it is kept a day; "not yet" is kept briefly,
# and netiquette_accept overwrites it when the member accepts.
ACCEPTED_TIMEOUT = 24 * 3600
PENDING_TIMEOUT = 300


def netiquette_current_version() -> int | None:
    """The number of the version members must have accepted (cached; None before any is published)."""
    number = cache.get(VERSION_KEY)
    if number is None:
        number = NetiquetteVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0
        cache.set(VERSION_KEY, number, timeout=VERSION_TIMEOUT)
    return number or None


def accepted_cache_key(user_id: int, version: int) -> str:
    return f"moderation:netiquette:accepted:{user_id}:{version}"


def _remember(user: Actor, version: int, accepted: bool) -> bool:
    cache.set(
        accepted_cache_key(user.pk, version),
        accepted,
        timeout=ACCEPTED_TIMEOUT if accepted else PENDING_TIMEOUT,
    )
    user._agora_netiquette_ok = (version, accepted)
    return accepted


def netiquette_accepted(user: Actor) -> bool:
    """Whether a signed-in member has accepted the current version (no query when the cache is warm)."""
    if not user.is_authenticated:
        return False
    version = cache.get(VERSION_KEY)
    if version is None:
        # Cold cache: learn the current version and this member's answer in one query.
        row = (
            NetiquetteVersion.objects.order_by("-number")
            .annotate(accepted=Exists(NetiquetteAcceptance.objects.filter(user=user, version=OuterRef("pk"))))
            .values_list("number", "accepted")
            .first()
        )
        cache.set(VERSION_KEY, row[0] if row else 0, timeout=VERSION_TIMEOUT)
        if row is None:
            return True
        return _remember(user, row[0], row[1])
    if not version:
        return True
    memo = getattr(user, "_agora_netiquette_ok", None)
    if memo is not None and memo[0] == version:
        return memo[1]
    accepted = cache.get(accepted_cache_key(user.pk, version))
    if accepted is None:
        accepted = NetiquetteAcceptance.objects.filter(user=user, version__number=version).exists()
        return _remember(user, version, accepted)
    user._agora_netiquette_ok = (version, accepted)
    return accepted


def netiquette_accepted_before(user: Actor) -> bool:
    """Whether the member accepted some version, so a request to accept again says it changed."""
    return bool(user.is_authenticated and NetiquetteAcceptance.objects.filter(user=user).exists())


def netiquette_rules() -> list[NetiquetteRule]:
    return list(NetiquetteRule.objects.filter(active=True).order_by("number"))


@dataclass(frozen=True)
class NetiquettePage:
    rules: list[NetiquetteRule]
    version: NetiquetteVersion | None
    # The member's most recent acceptance, of the current version or an older one.
    accepted_version: int | None
    accepted_at: datetime | None

    @property
    def accepted_current(self) -> bool:
        return self.version is None or self.accepted_version == self.version.number


def netiquette_page(user: Actor) -> NetiquettePage:
    """The rules, then the current version with the viewer's latest acceptance: two queries."""
    versions = NetiquetteVersion.objects.order_by("-number")
    if user.is_authenticated:
        latest = NetiquetteAcceptance.objects.filter(user=user).order_by("-version__number")
        versions = versions.annotate(
            my_version=Subquery(latest.values("version__number")[:1]),
            my_accepted_at=Subquery(latest.values("accepted_at")[:1]),
        )
    version = versions.first()
    return NetiquettePage(
        rules=netiquette_rules(),
        version=version,
        accepted_version=getattr(version, "my_version", None),
        accepted_at=getattr(version, "my_accepted_at", None),
    )
