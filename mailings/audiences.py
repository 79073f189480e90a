"""Who may receive bulk mail (digests, newsletters): active members with a confirmed address, and none
that an app above excludes (moderation registers the suspended and banned). Asked when rows are
created and again when each batch is sent, so a member suspended during a send gets nothing more."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, Q

# Each returns, among the given member ids, those that must get no bulk mail.
EXCLUSIONS: list[Callable[[set[int]], set[int]]] = []


def exclusion_register(excluded: Callable[[set[int]], set[int]]) -> None:
    if excluded not in EXCLUSIONS:
        EXCLUSIONS.append(excluded)


def mailable_q() -> Q:
    """Members (a filter on users) that bulk mail may reach: active, with their address confirmed."""
    confirmed = EmailAddress.objects.filter(
        user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
    )
    return Q(is_active=True) & Q(Exists(confirmed))


def members_excluded(member_ids: Iterable[int]) -> set[int]:
    """The ids among these that bulk mail must skip now (two queries and one per registered rule)."""
    from accounts.models import User

    ids = set(member_ids)
    if not ids:
        return set()
    reachable = set(User.objects.filter(mailable_q(), pk__in=ids).values_list("pk", flat=True))
    excluded = ids - reachable
    for rule in EXCLUSIONS:
        excluded |= rule(ids - excluded)
    return excluded
