"""Upcoming events in a member's digest, and in the newsletter (mailings.blocks), for a batch of members.

The events every member may see (public and members' events of spaces they read) are read once per
send and reading profile; private events (a group's, invited members') are read once per batch with
who may see them, so a member sees exactly the events the site shows them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from functools import lru_cache

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.permissions import GROUPS_MEMO, groups_remember_many, is_community_manager, role_reader
from community.digest import reads_space
from community.permissions import visible_spaces_q
from core.links import absolute_url
from events.models import Audience, Event, EventState
from mailings.blocks import DigestBlock, Period, digest_block_register

SHOWN = 5
FIELDS = ("title", "starts_at", "ends_at", "format", "venue_name", "audience", "group__name", "space__name")


def _horizon(period: Period) -> timedelta:
    return timedelta(days=31 if period.frequency in ("monthly", "newsletter") else 14)


def _row(event: Event) -> dict:
    return {
        "pk": event.pk,
        "title": event.title,
        "starts_at": event.starts_at,
        "online": event.format == "online",
        "venue": event.venue_name,
        "url": absolute_url(event.get_absolute_url()),
    }


@lru_cache(maxsize=16)
def _open_events(team: bool, hour) -> tuple[tuple[object, dict], ...]:
    """Published events of the coming month open to every member (or to the team), read once an hour."""
    events = (
        Event.objects.filter(
            _open_q(team),
            starts_at__gte=hour,
            starts_at__lt=hour + timedelta(days=31),
        )
        .select_related("space", "group")
        .only(*FIELDS)
        .order_by("starts_at", "pk")[:50]
    )
    return tuple((event.starts_at, _row(event)) for event in events)


def _open_q(team: bool) -> Q:
    return visible_spaces_q(role_reader(team=team), prefix="space__") & Q(
        state=EventState.PUBLISHED, audience__in=[Audience.PUBLIC, Audience.MEMBERS]
    )


def _still_open(team: bool, rows: tuple[tuple[object, dict], ...]) -> set[int]:
    if not rows:
        return set()
    ids = [row["pk"] for _starts, row in rows]
    return set(Event.objects.filter(_open_q(team), pk__in=ids).values_list("pk", flat=True))


def events_block(members: list[User], period: Period) -> dict[int, dict]:
    groups_remember_many(members)
    now = timezone.now()
    until = now + _horizon(period)
    hour = now.replace(minute=0, second=0, microsecond=0)
    private = list(
        Event.objects.filter(
            state=EventState.PUBLISHED,
            audience__in=[Audience.GROUP, Audience.INVITED],
            starts_at__gte=now,
            starts_at__lt=until,
        )
        .select_related("space", "group")
        .only(*FIELDS, "space__visibility", "group_id")
        .order_by("starts_at", "pk")[:200]
    )
    invited: dict[int, set[int]] = defaultdict(set)
    if private:
        through = Event.invitees.through.objects.filter(
            event_id__in=[event.pk for event in private], user_id__in=[member.pk for member in members]
        )
        for event_id, user_id in through.values_list("event_id", "user_id"):
            invited[user_id].add(event_id)
    # Read an hour ago at most: checked again with the same filter, so an event cancelled, narrowed
    # to a group or moved to a staff space since is left out (a query per reading profile).
    shared = {team: _open_events(team, hour) for team in (False, True)}
    still = {team: _still_open(team, rows) for team, rows in shared.items()}
    found = {}
    for member in members:
        team = is_community_manager(member)
        rows = [
            (starts, row)
            for starts, row in shared[team]
            if now <= starts < until and row["pk"] in still[team]
        ]
        groups = getattr(member, GROUPS_MEMO, set())
        for event in private:
            if event.space is not None and not reads_space(member, event.space.visibility):
                continue
            mine = event.audience == Audience.GROUP and event.group is not None and event.group.name in groups
            if team or mine or event.pk in invited[member.pk]:
                rows.append((event.starts_at, _row(event)))
        if rows:
            found[member.pk] = {
                "events": [row for _starts, row in sorted(rows, key=lambda pair: pair[0])][:SHOWN]
            }
    return found


def register() -> None:
    digest_block_register(DigestBlock("events", 30, "events/email/digest_events", events_block))
