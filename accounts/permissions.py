"""Who may do what, asked by services, views and templates alike."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.models import User
from accounts.roles import AMBASSADORS, COMMUNITY_MANAGERS, MARKETING

# What request.user is: the project's user model (AUTH_USER_MODEL), or the anonymous visitor.
Actor = User | AnonymousUser


# The user's group names, read once per user object: a page asks several role questions.
GROUPS_MEMO = "_agora_groups"


def remember_groups(user: User, names: Iterable[str]) -> None:
    """Keep the group names read along with the user, so that the role questions cost no query."""
    setattr(user, GROUPS_MEMO, set(names))


def groups_remember_many(users: list[User]) -> None:
    """Read the group names of many users in one query (a batch of e-mails), so that each one's role
    questions cost none; users whose groups are already known are left alone."""
    unknown = [user for user in users if not hasattr(user, GROUPS_MEMO)]
    if not unknown:
        return
    names: dict[int, set[str]] = defaultdict(set)
    through = User.groups.through.objects.filter(user_id__in=[user.pk for user in unknown])
    for user_id, name in through.values_list("user_id", "group__name"):
        names[user_id].add(name)
    for user in unknown:
        remember_groups(user, names[user.pk])


def role_reader(*, team: bool) -> User:
    """A signed-in member with no group, or one of the team, unsaved: for the visibility filters that
    are the same for every member reading as such (shared parts of digests and newsletters)."""
    reader = User(is_superuser=team, is_active=True)
    remember_groups(reader, set())
    return reader


def team_q() -> Q:
    """The community team, as a filter on users (as is_community_manager says of one)."""
    return Q(is_superuser=True) | Q(groups__name=COMMUNITY_MANAGERS)


def _in_group(user: Actor, name: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    names = getattr(user, GROUPS_MEMO, None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        setattr(user, GROUPS_MEMO, names)
    return name in names


def is_community_manager(user: Actor) -> bool:
    if user.is_authenticated and user.is_active and user.is_superuser:
        return True
    return _in_group(user, COMMUNITY_MANAGERS)


def is_marketing(user: Actor) -> bool:
    return _in_group(user, MARKETING)


def is_ambassador(user: Actor) -> bool:
    return _in_group(user, AMBASSADORS)


def can_use_admin(user: Actor) -> bool:
    return is_community_manager(user) and user.is_staff


def can_view_reporting(user: Actor) -> bool:
    """Marketing and the community team read the dashboards (the roles hold reporting.view_dashboard).

    Asked from the roles, already read for the page, rather than has_perm's two permission queries.
    """
    return is_marketing(user) or is_community_manager(user)
