"""Events: the events held each day (by the day they started), who registered, came and did not, the
waiting list's demand, the survey's rating, and whether attendees post more in the month after."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Avg, Count, Min, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from community.models import Post, PostState
from events.models import Event, EventState, Registration, RegistrationStatus, SurveyResponse
from events.permissions import members_events_q
from reporting.models import EventDay, MemberDay
from reporting.reports import Column, Report, Table, by_day, ratio, report_register
from reporting.services.rollups import days, in_range, start_of, team_ids, theme_register

HELD = (EventState.PUBLISHED, EventState.ARCHIVED)
# Posts are followed this long after an event; answers and attendance arrive in it too, so the days of
# events that ended this long ago are recomputed with every run.
AFTER = timedelta(days=30)
FIGURES = [
    "events", "going", "attended", "no_shows", "waitlisted", "answers", "rating", "followed_attendees",
    "attendee_posts", "followed_others", "other_posts",
]  # fmt: skip


def _first_day_to_recompute(first_day: date, last_day: date) -> date:
    """The range's first day, or earlier: the start day of any event held that ended in the 30 days
    before it (its survey, attendance and following month may still change)."""
    earliest = Event.objects.filter(
        state__in=HELD, ends_at__gte=start_of(first_day) - AFTER - timedelta(days=1)
    ).aggregate(first=Min("starts_at"))["first"]
    if earliest is None:
        return first_day
    return min(first_day, timezone.localdate(earliest, timezone=timezone.get_default_timezone()))


def _waitlist_demand(event_ids: list[int]) -> dict[int, int]:
    """Members on an event's waiting list now, or promoted from it (Registration.promoted_at, kept with
    the registration: the "promoted" e-mails are pruned with the e-mail log); a member who left the
    list before a seat came is not known, and not counted."""
    demand = (
        Registration.objects.filter(event_id__in=event_ids)
        .filter(Q(status=RegistrationStatus.WAITLISTED) | Q(promoted_at__isnull=False))
        .values("event_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["event_id"]: row["n"] for row in demand}


def _posts_after(event: Event, attendees: set[int], team: set[int]) -> dict[str, int]:
    """Visible posts in the 30 days after the event's end by its attendees, and by the members who came
    to the site in the 30 days before it started but did not attend; the team left out of both."""
    visible = Post.objects.filter(
        state=PostState.VISIBLE,
        thread__state=PostState.VISIBLE,
        created_at__gt=event.ends_at,
        created_at__lte=event.ends_at + AFTER,
    )
    attendees = attendees - team
    start_day = timezone.localdate(event.starts_at, timezone=timezone.get_default_timezone())
    others = set(
        MemberDay.objects.filter(day__gte=start_day - AFTER, day__lt=start_day)
        .exclude(member_id__in=attendees | team)
        .values_list("member_id", flat=True)
    )
    return {
        "followed_attendees": len(attendees),
        "attendee_posts": visible.filter(author_id__in=attendees).count() if attendees else 0,
        "followed_others": len(others),
        "other_posts": visible.filter(author_id__in=others).count() if others else 0,
    }


def events_rollup(first_day: date, last_day: date) -> int:
    """Per event held (published or archived: drafts and cancelled events left out), on the day it
    started, and per day in all: registrations going; attendees (checked in, or who wrote in an online
    event's chat); no-shows (going but not checked in, at events whose attendance was taken: at least one
    attendee); waitlist demand (on the waiting list now, or promoted from it); survey answers and their
    mean rating (1 to 5); and, once 30 days have passed since the event's end, the visible posts in those
    30 days by its attendees and by the members who came to the site in the 30 days before it but did not
    attend (the team left out). Registrations are as they are when rolled up. The days of events that
    ended in the 30 days before the range are recomputed too (answers, attendance and posts come later)."""
    first_day = _first_day_to_recompute(first_day, last_day)
    now = timezone.now()
    held = list(
        Event.objects.filter(in_range("starts_at", first_day, last_day), state__in=HELD).only(
            "title", "starts_at", "ends_at"
        )
    )
    ids = [event.pk for event in held]
    named = set(Event.objects.filter(members_events_q(), pk__in=ids).values_list("pk", flat=True))
    registrations = (
        Registration.objects.filter(event_id__in=ids)
        .values("event_id")
        .annotate(
            going=Count("pk", filter=Q(status=RegistrationStatus.GOING)),
            attended=Count("pk", filter=Q(attended_at__isnull=False)),
            absent=Count("pk", filter=Q(status=RegistrationStatus.GOING, attended_at__isnull=True)),
        )
        .order_by()
    )
    counts = {row["event_id"]: row for row in registrations}
    survey = {
        row["event_id"]: row
        for row in SurveyResponse.objects.filter(event_id__in=ids)
        .values("event_id")
        .annotate(answers=Count("pk"), rating=Avg("rating"))
        .order_by()
    }
    waitlisted = _waitlist_demand(ids)
    attendees: dict[int, set[int]] = defaultdict(set)
    present = Registration.objects.filter(event_id__in=ids, attended_at__isnull=False)
    for event_id, member_id in present.values_list("event_id", "member_id"):
        attendees[event_id].add(member_id)
    team = team_ids()
    tz = timezone.get_default_timezone()

    rows = []
    totals: dict[date, dict] = {
        day: dict.fromkeys(FIGURES, 0) | {"rating": None} for day in days(first_day, last_day)
    }
    for event in held:
        found = counts.get(event.pk, {"going": 0, "attended": 0, "absent": 0})
        answers = survey.get(event.pk, {"answers": 0, "rating": None})
        figures: dict[str, Any] = {
            "events": 1, "going": found["going"], "attended": found["attended"],
            "no_shows": found["absent"] if found["attended"] else 0,
            "waitlisted": waitlisted.get(event.pk, 0),
            "answers": answers["answers"], "rating": answers["rating"],
        }  # fmt: skip
        if event.ends_at + AFTER <= now:
            figures |= _posts_after(event, attendees[event.pk], team)
        day = timezone.localdate(event.starts_at, timezone=tz)
        # A private event (a group's, invited members', the team's) counts but is not named.
        title = event.title if event.pk in named else ""
        rows.append(EventDay(day=day, event=event, title=title, **figures))
        total = totals[day]
        if figures["rating"] is not None:
            rated = (total["rating"] or 0) * total["answers"] + figures["rating"] * figures["answers"]
            total["rating"] = rated / (total["answers"] + figures["answers"])
        for key, value in figures.items():
            if key != "rating":
                total[key] += value
    rows += [EventDay(day=day, **figures) for day, figures in totals.items()]
    EventDay.objects.filter(day__gte=first_day, day__lte=last_day).delete()
    EventDay.objects.bulk_create(rows)
    return len(rows)


theme_register("events", events_rollup)


# The report ---------------------------------------------------------------------------------------


def _rate(attended: int, no_shows: int) -> float | None:
    """Attendees among those expected, in percent: only where attendance was taken."""
    return attended / (attended + no_shows) * 100 if attended else None


def _attendance_rate(figures: dict) -> float | None:
    return _rate(figures.get("attended") or 0, figures.get("no_shows") or 0)


def _tables(start: date, end: date, space: int | None) -> list[Table]:
    """The period's events, from their rollup rows (no attendee is named)."""
    held = (
        EventDay.objects.filter(day__gte=start, day__lte=end, event__isnull=False)
        .order_by("day", "title")
        .values("title", "day", "going", "attended", "no_shows", "rating", "answers")
    )

    def shown(value: float | None, digits: int = 1) -> str:
        return "—" if value is None else number_format(round(value, digits), digits)

    return [
        Table(
            _("Events of the period"),
            [
                _("Event"),
                _("Date"),
                _("Registrations"),
                _("Attended"),
                _("Attendance rate (%)"),
                _("Mean rating (answers)"),
            ],
            [
                (
                    row["title"] or _("A private event"),
                    row["day"],
                    row["going"],
                    row["attended"],
                    shown(_rate(row["attended"], row["no_shows"]), 0),
                    f"{shown(row['rating'])} ({row['answers']})" if row["answers"] else "—",
                )
                for row in held
            ],
        )  # fmt: skip
    ]


report_register(
    Report(
        key="events",
        title=_("Events"),
        definition=_(
            "Events held: published or archived events (drafts and cancelled ones left out), on the day "
            "they started. Registrations: members going. Attended: checked in at the door, or who wrote in "
            "the live chat of an online event. No-shows: members going but not checked in, at events whose "
            "attendance was taken (at least one attendee); the attendance rate is the attendees among "
            "attendees and no-shows. Waitlist demand: members on the waiting list, or promoted from it "
            "(who left the list before a seat came is not known). Rating: the survey's mean rating, from 1 "
            "to 5, over its answers. Posts after: visible posts in the 30 days after an event's end, per "
            "attendee, and per member who came to the site in the 30 days before it but did not attend "
            "(the team left out of both), counted once the 30 days have passed. Registrations and answers "
            "are as they are when rolled up."
        ),
        columns=[
            Column("events", _("Events held")),
            Column("going", _("Registrations")),
            Column("attended", _("Attended")),
            Column("no_shows", _("No-shows")),
            Column("waitlisted", _("Waitlist demand")),
            Column("answers", _("Survey answers"), chart=False),
            Column("rating", _("Mean rating (1 to 5)"), total="weighted", weight="answers", chart=False),
            Column("followed_attendees", _("Attendees followed 30 days"), chart=False),
            Column("attendee_posts", _("Attendees' posts, 30 days after"), chart=False),
            Column("followed_others", _("Active members who did not attend"), chart=False),
            Column("other_posts", _("Non-attendees' posts, 30 days after"), chart=False),
        ],
        read=by_day(EventDay, FIGURES, event__isnull=True),
        tables=_tables,
        derived=[
            ("attendance_rate", _("Attendance rate (%)"), _attendance_rate),
            (
                "posts_per_attendee",
                _("Posts per attendee, 30 days after"),
                ratio("attendee_posts", "followed_attendees"),
            ),
            (
                "posts_per_other",
                _("Posts per active member who did not attend, 30 days after"),
                ratio("other_posts", "followed_others"),
            ),
        ],
    )
)
