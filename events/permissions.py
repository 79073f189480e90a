"""Who may see and join an event; services ask these, templates receive their answers as booleans."""

from __future__ import annotations

from django.utils import timezone

from accounts.permissions import Actor, is_community_manager
from community.permissions import can_see_space
from events.models import Audience, Event, EventState
from moderation.permissions import member_can_post


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
