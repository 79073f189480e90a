"""Who may receive bulk mail (digests, newsletters): active members with a confirmed address, and none
that an app above excludes (moderation registers the suspended and banned). Asked when rows are
created and again when each batch is sent, so a member suspended during a send gets nothing more."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

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


# Whom a newsletter issue is for ------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Whom the community manager can address an issue to: every member, a group, the members who
    read in one language… Apps above register their own (community: the followers of a space)."""

    key: str
    label: object
    # The values to choose from, as (value, label) pairs; none for an audience without a value.
    choices: Callable[[], list[tuple[str, str]]]
    # The members (a filter on users) of the audience for one value.
    members_q: Callable[[str], Q]
    # Whether an issue for it is public: signed-out visitors and every member read it in the archive.
    public: bool = False


AUDIENCES: dict[str, Audience] = {}


def audience_register(audience: Audience) -> None:
    AUDIENCES[audience.key] = audience


def _groups() -> list[tuple[str, str]]:
    from django.contrib.auth.models import Group

    return [(str(pk), name) for pk, name in Group.objects.order_by("name").values_list("pk", "name")]


def _languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def _language_q(value: str) -> Q:
    # A member without a language of their own reads the community's.
    if value == settings.LANGUAGE_CODE:
        return Q(language__in=[value, ""])
    return Q(language=value)


def _group_q(value: str) -> Q:
    return Q(groups__pk=int(value)) if value.isdigit() else Q(pk__in=[])


audience_register(
    Audience("everyone", _("Every member who accepts the newsletter"), list, lambda _v: Q(), True)
)
audience_register(Audience("group", _("A group (Ambassadors, VIP…)"), _groups, _group_q))
audience_register(
    Audience("language", _("The members reading in one language"), _languages, _language_q, True)
)
