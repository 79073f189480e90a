"""A member's standing (active suspension or ban, strike points) and the moderation settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from moderation.models import LadderStep, ModerationPolicy, Sanction, SanctionKind, Strike

POLICY_KEY = "moderation:policy"
POLICY_TIMEOUT = 60
RESTRICTION_TIMEOUT = 3600


def policy_get() -> ModerationPolicy:
    """The one row of moderation settings (made with the defaults on first use; cached a minute)."""
    policy = cache.get(POLICY_KEY)
    if policy is None:
        policy, _created = ModerationPolicy.objects.get_or_create(pk=1)
        cache.set(POLICY_KEY, policy, timeout=POLICY_TIMEOUT)
    return policy


def restriction_cache_key(user_id: int) -> str:
    return f"moderation:restriction:{user_id}"


@dataclass(frozen=True)
class Restriction:
    kind: str
    ends_at: datetime | None

    @property
    def is_ban(self) -> bool:
        return self.kind == SanctionKind.BAN


def _active_restrictions_q(now: datetime) -> Q:
    return Q(kind__in=[SanctionKind.SUSPENSION, SanctionKind.BAN], lifted_at__isnull=True) & (
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def member_restriction(user, *, found: dict | None = None) -> Restriction | None:
    """The member's active suspension or ban, if any (cached; no query when the cache is warm).

    `found`: the cache's values when the caller read this member's key along with others.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if hasattr(user, "_agora_restriction"):
        return user._agora_restriction
    now = timezone.now()
    key = restriction_cache_key(user.pk)
    cached = found.get(key) if found is not None else cache.get(key)
    if cached is None:
        sanction = (
            Sanction.objects.filter(_active_restrictions_q(now), user_id=user.pk)
            .order_by("-kind", "-ends_at")
            .values_list("kind", "ends_at")
            .first()
        )
        cached = [sanction[0], sanction[1].isoformat() if sanction[1] else None] if sanction else []
        cache.set(key, cached, timeout=RESTRICTION_TIMEOUT)
    restriction = None
    if cached:
        ends_at = parse_datetime(cached[1]) if cached[1] else None
        if ends_at is None or ends_at > now:
            restriction = Restriction(kind=cached[0], ends_at=ends_at)
    user._agora_restriction = restriction
    return restriction


def members_restricted(member_ids: set[int]) -> set[int]:
    """The suspended or banned among these members, now (one query; mailings skips them for bulk mail)."""
    found = Sanction.objects.filter(_active_restrictions_q(timezone.now()), user_id__in=member_ids)
    return set(found.values_list("user_id", flat=True))


def active_points(user_id: int, now: datetime | None = None) -> int:
    """Strike points not yet expired nor lifted."""
    now = now or timezone.now()
    total = Strike.objects.filter(user_id=user_id, lifted_at__isnull=True, expires_at__gt=now).aggregate(
        total=Sum("points")
    )["total"]
    return total or 0


def ladder_proposal(points: int, steps: list[LadderStep] | None = None) -> tuple[str, int | None]:
    """The sanction the ladder proposes for a total of points: the highest step reached."""
    if not points:
        return SanctionKind.NONE, None
    if steps is None:
        step = LadderStep.objects.filter(points__lte=points).order_by("-points").first()
    else:
        step = next((s for s in sorted(steps, key=lambda s: -s.points) if s.points <= points), None)
    if step is None:
        return SanctionKind.NONE, None
    return step.sanction, step.days
