"""Who may see and join an event; services ask these, templates receive their answers as booleans."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.permissions import Actor, is_community_manager, role_reader, team_q
from community.permissions import can_see_space, visible_spaces_q
from events.models import Audience, Event, EventState, Registration, RegistrationStatus
from moderation.permissions import member_can_post

# An online event's join link shows to its registered members from this long before the start.
JOIN_LINK_BEFORE = timedelta(minutes=30)


def members_events_q() -> Q:
    """The events every signed-in member may know of (not a group's, not invited members', not in a
    team-only space): what lists read by people outside the team may name."""
    return (
        ~Q(state=EventState.DRAFT)
        & Q(audience__in=[Audience.PUBLIC, Audience.MEMBERS])
        & visible_spaces_q(role_reader(team=False), prefix="space__")
    )


def visible_events_q(user: Actor) -> Q:
    """The events a person may know of, as a filter (the list, the calendar, the feed, search): drafts
    and private events are not there for anyone else, mirroring can_see_event."""
    if is_community_manager(user):
        return Q()
    seen = ~Q(state=EventState.DRAFT) & visible_spaces_q(user, prefix="space__")
    if not user.is_authenticated:
        return seen & Q(audience=Audience.PUBLIC)
    invited = Event.invitees.through.objects.filter(event_id=OuterRef("pk"), user_id=user.pk)
    return seen & (
        Q(audience__in=[Audience.PUBLIC, Audience.MEMBERS])
        | Q(audience=Audience.GROUP, group__in=user.groups.values("pk"))
        | Q(Exists(invited), audience=Audience.INVITED)
    )


def can_see_event(user: Actor, event: Event) -> bool:
    """A private event (a group's, or invited members') does not exist for anyone else."""
    if is_community_manager(user):
        return True
    if event.state == EventState.DRAFT or not can_see_space(user, event.space):
        return False
    if event.audience == Audience.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if event.audience == Audience.MEMBERS:
        return True
    if event.audience == Audience.GROUP:
        return event.group_id is not None and user.groups.filter(pk=event.group_id).exists()
    return event.invitees.filter(pk=user.pk).exists()


def members_who_see(event: Event, member_ids: list[int]) -> set[int]:
    """Which of these members may see the event now (one query; mirrors can_see_event)."""
    from django.contrib.auth import get_user_model

    from community.models import Visibility

    team = team_q()
    if event.state == EventState.DRAFT or event.space.visibility == Visibility.STAFF:
        rule = team
    elif event.audience == Audience.GROUP:
        rule = team | Q(groups__pk=event.group_id)
    elif event.audience == Audience.INVITED:
        rule = team | Q(event_invitations=event)
    else:
        rule = Q()
    users = get_user_model().objects.filter(rule, pk__in=member_ids, is_active=True)
    return set(users.values_list("pk", flat=True))


def registration_open(event: Event, *, now=None) -> bool:
    """The event's part of registering: published, not over, within its registration window."""
    now = now or timezone.now()
    if event.state != EventState.PUBLISHED or event.ends_at <= now:
        return False
    if event.registration_opens_at and now < event.registration_opens_at:
        return False
    return not (event.registration_closes_at and now >= event.registration_closes_at)


def can_register(user: Actor, event: Event) -> bool:
    """Suspended and banned members cannot register (moderation decides who may post)."""
    return member_can_post(user) and can_see_event(user, event) and registration_open(event)


def can_manage_events(user: Actor) -> bool:
    return is_community_manager(user)


def require_event_manager(user: Actor) -> None:
    """The team's pages (check-in, exports, the event's form): a 403 for anyone else."""
    if not can_manage_events(user):
        raise PermissionDenied


def join_link_visible(registration: Registration | None, event: Event, *, now=None) -> bool:
    """Only a member going sees the join link, and only from shortly before the start to the end."""
    now = now or timezone.now()
    return (
        bool(event.join_url)
        and registration is not None
        and registration.status == RegistrationStatus.GOING
        and event.state == EventState.PUBLISHED
        and event.starts_at - JOIN_LINK_BEFORE <= now < event.ends_at
    )
