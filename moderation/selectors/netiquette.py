from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Subquery

from accounts.models import User
from accounts.permissions import Actor
from moderation.models import NetiquetteAcceptance, NetiquetteRule, NetiquetteVersion

VERSION_KEY = "moderation:netiquette:version"
VERSION_TIMEOUT = 300
# "Accepted" never turns false for a given version, so it is kept a day; "not yet" is kept briefly,
# and netiquette_accept overwrites it when the member accepts.
ACCEPTED_TIMEOUT = 24 * 3600
PENDING_TIMEOUT = 300
# (version, accepted) kept on the user object: a page asks several times.
NETIQUETTE_MEMO = "_agora_netiquette_ok"


def netiquette_current_version() -> int | None:
    """The number of the version members must have accepted (cached; None before any is published)."""
    number = cache.get(VERSION_KEY)
    if number is None:
        number = NetiquetteVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0
        cache.set(VERSION_KEY, number, timeout=VERSION_TIMEOUT)
    return number or None


def accepted_cache_key(user_id: int) -> str:
    """The number of the newest version the member accepted (0: none)."""
    return f"moderation:netiquette:accepted:{user_id}"


def _remember(user: User, version: int, accepted_version: int) -> bool:
    accepted = accepted_version >= version
    cache.set(
        accepted_cache_key(user.pk),
        accepted_version,
        timeout=ACCEPTED_TIMEOUT if accepted else PENDING_TIMEOUT,
    )
    setattr(user, NETIQUETTE_MEMO, (version, accepted))
    return accepted


def netiquette_keys(user: User) -> list[str]:
    """The cache keys netiquette_accepted() reads, for a caller reading them with others in one round trip."""
    return [VERSION_KEY, accepted_cache_key(user.pk)]


def netiquette_accepted(user: Actor, *, cached: dict | None = None) -> bool:
    """Whether a signed-in member has accepted the current version (one Redis read when the cache is warm).

    `cached`: the values of netiquette_keys() when the caller read them along with other keys.
    """
    if not user.is_authenticated:
        return False
    found = cached if cached is not None else cache.get_many(netiquette_keys(user))
    version, accepted_version = found.get(VERSION_KEY), found.get(accepted_cache_key(user.pk))
    if version is None:
        # Cold cache: learn the current version and this member's newest accepted one in one query.
        row = (
            NetiquetteVersion.objects.order_by("-number")
            .annotate(
                accepted=Subquery(
                    NetiquetteAcceptance.objects.filter(user=user)
                    .order_by("-version__number")
                    .values("version__number")[:1]
                )
            )
            .values_list("number", "accepted")
            .first()
        )
        cache.set(VERSION_KEY, row[0] if row else 0, timeout=VERSION_TIMEOUT)
        if row is None:
            return True
        return _remember(user, row[0], row[1] or 0)
    if not version:
        return True
    memo = getattr(user, NETIQUETTE_MEMO, None)
    if memo is not None and memo[0] == version:
        return memo[1]
    if accepted_version is None:
        newest = (
            NetiquetteAcceptance.objects.filter(user=user)
            .order_by("-version__number")
            .values_list("version__number", flat=True)
            .first()
        )
        return _remember(user, version, newest or 0)
    setattr(user, NETIQUETTE_MEMO, (version, accepted_version >= version))
    return accepted_version >= version


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
