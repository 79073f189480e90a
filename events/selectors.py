"""Reads of events, shaped for their pages: the lists, the month calendar, an event and who is going."""

from __future__ import annotations

import calendar
import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Actor
from events.models import (
    LONGEST,
    ContestDraw,
    Contribution,
    ContributionKind,
    ContributionState,
    Event,
    EventFormat,
    EventKind,
    EventState,
    Registration,
    RegistrationStatus,
    SurveyResponse,
    Upvote,
)
from events.permissions import can_see_event, visible_events_q

PAGE_SIZE = 20
ATTENDEES_SHOWN = 48
CHECK_IN_SHOWN = 50
# What a row of a list shows (and the versions the shared copy's key is made of).
ROW_FIELDS = (
    "id", "title", "kind", "format", "state", "starts_at", "ends_at", "time_zone", "venue_name",
    "capacity", "seats_taken", "audience", "version", "space__id", "space__name", "space__slug",
)  # fmt: skip


def event_list_queryset(user: Actor) -> QuerySet[Event]:
    """Every event the person may know of, with what a row shows (the filters narrow it)."""
    return Event.objects.filter(visible_events_q(user)).select_related("space").only(*ROW_FIELDS)


@dataclass
class EventPage:
    events: list[Event]
    next_cursor: str | None


def _cursor(event: Event) -> str:
    return f"{event.starts_at.isoformat()}|{event.pk}"


def _parse_cursor(cursor: str | None) -> tuple[datetime.datetime, int] | None:
    when, _, pk = (cursor or "").partition("|")
    try:
        moment = datetime.datetime.fromisoformat(when)
    except ValueError:
        return None
    if not pk.isdigit() or timezone.is_naive(moment):
        return None
    return moment, int(pk)


def _keyset_page(queryset: QuerySet[Event], cursor: str | None, *, latest_first: bool) -> EventPage:
    """A page of events by start (then id), continuing after the cursor's event: no OFFSET."""
    order = ("-starts_at", "-pk") if latest_first else ("starts_at", "pk")
    queryset = queryset.order_by(*order)
    after = _parse_cursor(cursor)
    if after:
        moment, pk = after
        if latest_first:
            queryset = queryset.filter(starts_at__lte=moment).exclude(starts_at=moment, pk__gte=pk)
        else:
            queryset = queryset.filter(starts_at__gte=moment).exclude(starts_at=moment, pk__lte=pk)
    events = list(queryset[: PAGE_SIZE + 1])
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    return EventPage(events, _cursor(events[-1]) if more else None)


def upcoming_events(queryset: QuerySet[Event], cursor: str | None = None) -> EventPage:
    """Events not over yet, soonest first: index events_by_start from the longest event's start ago."""
    now = timezone.now()
    return _keyset_page(
        queryset.filter(starts_at__gt=now - LONGEST, ends_at__gt=now), cursor, latest_first=False
    )


def past_events(queryset: QuerySet[Event], cursor: str | None = None) -> EventPage:
    """Events over, the latest first."""
    return _keyset_page(queryset.filter(ends_at__lte=timezone.now()), cursor, latest_first=True)


def next_events(user: Actor, *, space_id: int | None = None, limit: int = 3) -> list[Event]:
    """The next few events for the home page and a space's page."""
    queryset = event_list_queryset(user).filter(state=EventState.PUBLISHED)
    if space_id is not None:
        queryset = queryset.filter(space_id=space_id)
    return upcoming_events(queryset).events[:limit]


def month_past_events(user: Actor, year: int, month: int, *, space_id: int | None = None) -> list[Event]:
    """A month's events that are over (cancelled ones aside), for the archive: its months are the
    community's (TIME_ZONE), as the threads' are."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime(year, month, 1, tzinfo=zone)
    end = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    queryset = (
        Event.objects.filter(visible_events_q(user), starts_at__gte=start, starts_at__lt=end)
        .filter(ends_at__lte=timezone.now())
        .exclude(state__in=[EventState.CANCELLED, EventState.DRAFT])
        .select_related("space")
        .only(*ROW_FIELDS, "recap_html")
        .order_by("starts_at")
    )
    if space_id is not None:
        queryset = queryset.filter(space_id=space_id)
    return list(queryset[:100])


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    events: list[Event] = field(default_factory=list)


def month_grid(queryset: QuerySet[Event], year: int, month: int) -> list[list[Day]]:
    """The weeks of a month (Monday first), each day with the events starting on it in the viewer's
    time zone: one query for the month."""
    zone = timezone.get_current_timezone()
    weeks = calendar.Calendar().monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1] + datetime.timedelta(days=1)
    start = datetime.datetime.combine(first, datetime.time(), zone)
    end = datetime.datetime.combine(last, datetime.time(), zone)
    days = {day: Day(day, day.month == month) for week in weeks for day in week}
    for event in queryset.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at"):
        days[timezone.localtime(event.starts_at, zone).date()].events.append(event)
    return [[days[day] for day in week] for week in weeks]


# What deciding access and the shared copy's key take: an event page's every request reads this much.
HEAD_FIELDS = (
    "id", "state", "audience", "group_id", "version", "space__id", "space__visibility", "space__name",
    "space__slug",
)  # fmt: skip


def event_head(user: Actor, pk: int) -> Event:
    """The few columns that decide access and key the event's shared copy (the copy holds the rest),
    or 404 for a missing and a private event alike."""
    found = list(Event.objects.select_related("space").only(*HEAD_FIELDS).filter(pk=pk)[:1])
    if not found or not can_see_event(user, found[0]):
        raise Http404
    return found[0]


def access_event(user: Actor, pk: int) -> Event:
    """The event, or 404 for a missing and a private one alike."""
    event = Event.objects.select_related("space", "thread", "group").filter(pk=pk).first()
    if event is None or not can_see_event(user, event):
        raise Http404
    return event


@dataclass
class Attendees:
    shown: list[User]
    others: int


def attendees(event: Event) -> Attendees:
    """Who is going, as far as each member chose to show their name; the others are counted."""
    going = Registration.objects.filter(event=event, status=RegistrationStatus.GOING)
    listed = list(
        going.filter(listed=True, member__is_active=True)
        .select_related("member")
        .only("member__id", "member__handle", "member__display_name", "member__avatar_version")
        .order_by("created_at")[:ATTENDEES_SHOWN]
    )
    shown = [registration.member for registration in listed]
    return Attendees(shown, max(0, event.seats_taken - len(shown)))


def member_registration(user: Actor, event: Event) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(event=event, member_id=user.pk).first()


def waitlist_place(registration: Registration) -> int | None:
    """The member's place in the waiting list (1 for the next promoted)."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id,
        status=RegistrationStatus.WAITLISTED,
        waitlist_position__lt=registration.waitlist_position,
    ).count()
    return ahead + 1


def _member_feed(member: User) -> QuerySet[Event]:
    """Everything a member is going to or waitlisted for (cancelled events stay, marked cancelled), that
    they may still see, from a month ago on."""
    since = timezone.now() - datetime.timedelta(days=31)
    registered = Registration.objects.filter(
        member=member, status__in=[RegistrationStatus.GOING, RegistrationStatus.WAITLISTED]
    ).values("event_id")
    return Event.objects.filter(visible_events_q(member), pk__in=registered, ends_at__gte=since).order_by(
        "starts_at"
    )


def member_feed_versions(member: User) -> list[tuple[int, int]]:
    """The (id, version) of the feed's events: the key of its copy, without reading the events."""
    return list(_member_feed(member).values_list("pk", "version"))


def member_feed_events(member: User) -> list[Event]:
    return list(_member_feed(member).select_related("space"))


def check_in_list(event: Event, query: str = "") -> list[Registration]:
    """Members going, by name, narrowed by what the door typed (name or handle)."""
    going = Registration.objects.filter(event=event, status=RegistrationStatus.GOING).select_related("member")
    words = query.split()
    for word in words[:4]:
        going = going.filter(Q(member__display_name__icontains=word) | Q(member__handle__icontains=word))
    return list(going.order_by(Lower("member__display_name"), "member__handle")[:CHECK_IN_SHOWN])


def registrations_for_export(event: Event) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(event=event)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("member")
        .order_by("status", "waitlist_position", "created_at")
    )


CHAT_SHOWN = 100


def live_pages(event: Event) -> set[str]:
    """Which of an event's live pages exist: an interview's questions, an online event's chat, a
    contest's page."""
    pages = set()
    if event.kind == EventKind.INTERVIEW:
        pages.add("questions")
    if event.kind == EventKind.CONTEST:
        pages.add("contest")
    elif event.format == EventFormat.ONLINE:
        pages.add("chat")
    return pages


def _shown(event: Event, kind: str, user: Actor) -> QuerySet[Contribution]:
    """Visible contributions, and the reader's own awaiting review."""
    seen = Q(state=ContributionState.VISIBLE)
    if user.is_authenticated:
        seen |= Q(state=ContributionState.PENDING, author_id=user.pk)
    return (
        Contribution.objects.filter(seen, event=event, kind=kind)
        .select_related("author")
        .only(
            "id", "event_id", "kind", "author_id", "body_html", "state", "upvotes", "answered_at",
            "answer_html", "created_at", "author__handle", "author__display_name", "author__avatar_version",
        )
    )  # fmt: skip


def event_questions(event: Event, user: Actor) -> list[Contribution]:
    """Questions, the most upvoted first, each marked with whether the reader upvoted it."""
    questions = _shown(event, ContributionKind.QUESTION, user).order_by("-upvotes", "id")
    if user.is_authenticated:
        mine = Upvote.objects.filter(question=OuterRef("pk"), member_id=user.pk)
        questions = questions.annotate(mine=Exists(mine))
    return list(questions[:500])


def chat_messages(event: Event, *, after: int = 0, user: Actor | None = None) -> list[Contribution]:
    """The latest messages (or those after an id, for the polling), oldest first."""
    found = _shown(event, ContributionKind.CHAT, user or AnonymousUser()).filter(pk__gt=after)
    return list(found.order_by("-id")[:CHAT_SHOWN])[::-1]


def contest_entries(event: Event, user: Actor | None = None) -> list[Contribution]:
    return list(_shown(event, ContributionKind.ENTRY, user or AnonymousUser()).order_by("id")[:1000])


def contest_draw(event: Event) -> ContestDraw | None:
    return ContestDraw.objects.filter(event=event).first()


def survey_response(event: Event, user: Actor) -> SurveyResponse | None:
    if not user.is_authenticated:
        return None
    return SurveyResponse.objects.filter(event=event, member_id=user.pk).first()


@dataclass
class SurveyResults:
    count: int
    average: float | None
    by_rating: list[tuple[int, int]]
    comments: list[SurveyResponse]
    attendees: int


def survey_results(event: Event) -> SurveyResults:
    """Per event: how many answered, the average, the spread 5 to 1, and the comments."""
    rows = dict(
        SurveyResponse.objects.filter(event=event).values_list("rating").annotate(n=Count("id")).order_by()
    )
    count = sum(rows.values())
    average = sum(rating * n for rating, n in rows.items()) / count if count else None
    comments = list(
        SurveyResponse.objects.filter(event=event)
        .exclude(comment="")
        .select_related("member")
        .order_by("-created_at")[:200]
    )
    attendees = Registration.objects.filter(event=event, attended_at__isnull=False).count()
    return SurveyResults(count, average, [(r, rows.get(r, 0)) for r in range(5, 0, -1)], comments, attendees)
