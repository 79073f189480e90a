"""Writes of the event itself: create, change (and so reschedule), publish, cancel, duplicate and repeat.

Every change locks the event's row, validates the whole event (event_errors names each refusal by
field), and tells the members registered when what they planned around changes: a new time or place
(rescheduled) or a cancellation. The iCalendar SEQUENCE moves with what a calendar shows; the page's
version moves with every change.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from dateutil.rrule import rrulestr
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import Visibility
from community.services import forum
from community.services.writing import render_body
from events import permissions
from events.models import LONGEST, Audience, Event, EventFormat, EventState
from events.services import notices
from events.services.registrations import locked_event, promote

QUESTIONS_MAX = 10
QUESTION_LENGTH_MAX = 200
REMINDERS_MAX = 5
REMINDER_MINUTES_MAX = 30 * 24 * 60
OCCURRENCES_MAX = 52
# What a calendar shows: a change of these bumps the event's iCalendar SEQUENCE.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "time_zone", "venue_name", "venue_address", "state")
# Written by other services (recap, moderation, publishing, cancelling), never by the event's form.
KEPT_FIELDS = (
    "thread_id", "recap_md", "recap_html", "recording_url", "slides_url", "description_state", "cancelled_at",
)  # fmt: skip
# What members planned around: a change of these tells everyone registered.
PLAN_FIELDS = ("starts_at", "ends_at", "venue_name", "venue_address")


def _must_manage(actor: User) -> None:
    if not permissions.can_manage_events(actor):
        raise PermissionDenied(_("Only the community team can create or change events."))


def _questions_valid(questions: object) -> bool:
    if not isinstance(questions, list) or len(questions) > QUESTIONS_MAX:
        return False
    return all(isinstance(text, str) and 0 < len(text.strip()) <= QUESTION_LENGTH_MAX for text in questions)


def event_errors(event: Event) -> dict[str, str]:
    """What is wrong with an event, by field, in words a community manager can act on."""
    errors = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = _("The end must come after the start.")
    elif event.starts_at and event.ends_at and event.ends_at - event.starts_at > LONGEST:
        errors["ends_at"] = _("An event lasts at most 92 days: make a longer one a series of events.")
    try:
        zoneinfo.ZoneInfo(event.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = _("Choose a time zone such as Europe/Paris or America/Montreal.")
    if event.join_url and not event.join_url.startswith("https://"):
        errors["join_url"] = _("The join link must start with https://.")
    if event.capacity is not None and event.capacity < event.seats_taken:
        errors["capacity"] = _("%(taken)s members are registered: there cannot be fewer seats than that.") % {
            "taken": event.seats_taken
        }
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        errors["registration_closes_at"] = _("Registration must close after it opens.")
    if event.audience == Audience.GROUP and event.group_id is None:
        errors["group"] = _("Choose the group this event is for.")
    if event.format == EventFormat.OFFLINE and not event.venue_name.strip():
        errors["venue_name"] = _("Give the venue of an event in person.")
    if not _questions_valid(event.questions):
        errors["questions"] = _("Up to %(n)s questions, each a sentence of at most %(max)s characters.") % {
            "n": QUESTIONS_MAX,
            "max": QUESTION_LENGTH_MAX,
        }
    reminders = event.reminder_minutes
    if (
        not isinstance(reminders, list)
        or len(reminders) > REMINDERS_MAX
        or not all(type(minutes) is int and 0 < minutes <= REMINDER_MINUTES_MAX for minutes in reminders)
    ):
        errors["reminder_minutes"] = _("Up to %(n)s reminders, each a number of minutes up to 30 days.") % {
            "n": REMINDERS_MAX
        }
    return errors


@transaction.atomic
def event_save(*, actor: User, event: Event, invitees: list | None = None) -> Event:
    """Create or change an event (the admin's form and the site's). Validates it whole, renders its
    description once as posts are, bumps its calendar sequence when what a calendar shows changed,
    and tells everyone registered when its time or place changed (their reminders move with it).
    Raising its seats promotes from the waiting list. Locks the event's row when it exists."""
    _must_manage(actor)
    before = locked_event(event) if event.pk else None
    if before is not None:
        event.seats_taken, event.state, event.sequence = before.seats_taken, before.state, before.sequence
        # What other services write, as the locked row has it (the form's copy may be older).
        for name in KEPT_FIELDS:
            setattr(event, name, getattr(before, name))
        if any(getattr(before, name) != getattr(event, name) for name in CALENDAR_FIELDS):
            event.sequence += 1
        event.version = before.version + 1
    if (
        before is not None
        and before.thread_id
        and (before.space_id != event.space_id or (_may_discuss(before) and not _may_discuss(event)))
    ):
        # Its discussion thread shows the event to the space's readers: it cannot go private or move.
        raise ValidationError(
            {"audience": _("This event's discussion is open in its space: it cannot move or become private.")}
        )
    event.title = " ".join(event.title.split())
    if not event.title:
        raise ValidationError({"title": _("Give the event a title.")})
    errors = event_errors(event)
    if errors:
        raise ValidationError(errors)
    event.description_html = render_body(event.description_md) if event.description_md.strip() else ""
    event.created_by = event.created_by or actor
    event.save()
    if invitees is not None:  # with the event, in its transaction: both are saved, or neither
        event.invitees.set(invitees)
    if before is not None and event.state == EventState.PUBLISHED:
        if any(getattr(before, name) != getattr(event, name) for name in PLAN_FIELDS):
            notices.changed(event)
        elif before.reminder_minutes != event.reminder_minutes:
            notices.reminders_rebuild(event)
    promote(event)
    return event


@transaction.atomic
def event_publish(*, actor: User, event: Event) -> Event:
    """Make a draft visible to its audience. Locks the event's row."""
    _must_manage(actor)
    event = locked_event(event)
    if event.state != EventState.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    event.state, event.sequence, event.version = EventState.PUBLISHED, event.sequence + 1, event.version + 1
    if event.thread_id is None and _may_discuss(event):
        event.thread = _discussion(actor, event)
    event.save(update_fields=["state", "sequence", "version", "thread"])
    notices.reminders_rebuild(event)
    return event


def _may_discuss(event: Event) -> bool:
    """A thread shows to the space's readers: only for events they may all see (not a private event,
    nor a members' event in a space visitors read)."""
    if event.audience == Audience.PUBLIC:
        return True
    return event.audience == Audience.MEMBERS and event.space.visibility != Visibility.PUBLIC


def _discussion(actor: User, event: Event):
    """The event's discussion thread in its space, started by the team when it is published (not for
    a private event, whose existence a thread in a space would tell)."""
    page = f"{settings.SITE_URL}{event.get_absolute_url()}"
    body = f"{event.description_md.strip()}\n\n[{event.title}]({page})".strip()
    return forum.thread_create(actor=actor, space=event.space, title=event.title, body=body)


@transaction.atomic
def event_cancel(*, actor: User, event: Event) -> Event:
    """Cancel a published event: it stays on its page and in calendars, marked cancelled (STATUS:
    CANCELLED with the next SEQUENCE), and everyone registered or waiting is told. Locks the row."""
    _must_manage(actor)
    event = locked_event(event)
    if event.state != EventState.PUBLISHED:
        raise ValidationError(_("Only a published event can be cancelled."))
    event.state, event.cancelled_at = EventState.CANCELLED, timezone.now()
    event.sequence, event.version = event.sequence + 1, event.version + 1
    event.save(update_fields=["state", "sequence", "version", "cancelled_at"])
    notices.cancelled(event)
    return event


COPIED_FIELDS = (
    "title", "kind", "format", "description_md", "description_html", "time_zone", "venue_name",
    "venue_address", "join_url", "capacity", "audience", "group_id", "space_id", "questions",
    "reminder_minutes", "winners_count",
)  # fmt: skip


def _copy(event: Event, actor: User, starts_at: datetime) -> Event:
    """A new draft like the event, starting at another time (no registrations, no thread)."""
    copy = Event(**{name: getattr(event, name) for name in COPIED_FIELDS})
    copy.starts_at, copy.ends_at = starts_at, starts_at + (event.ends_at - event.starts_at)
    copy.created_by = actor
    for name in ("registration_opens_at", "registration_closes_at", "entries_close_at"):
        moment = getattr(event, name)
        setattr(copy, name, moment and starts_at + (moment - event.starts_at))
    return copy


@transaction.atomic
def event_duplicate(*, actor: User, event: Event, starts_at: datetime | None = None) -> Event:
    """A draft copy of the event, a week later unless told when, with the same invitees."""
    _must_manage(actor)
    if starts_at is None:  # a week later at the same local time, across a change of the clocks
        zone = zoneinfo.ZoneInfo(event.time_zone)
        local = event.starts_at.astimezone(zone).replace(tzinfo=None) + timedelta(days=7)
        starts_at = local.replace(tzinfo=zone)
    copy = _copy(event, actor, starts_at)
    copy.full_clean(exclude=["space", "group", "thread", "created_by"])
    copy.save()
    copy.invitees.set(event.invitees.all())
    return copy


@transaction.atomic
def event_repeat(*, actor: User, event: Event, rule: str) -> list[Event]:
    """Draft occurrences of the event from an iCalendar RRULE (e.g. "FREQ=WEEKLY;COUNT=6"), each its
    own row with its own registrations. The rule is read in the event's zone, so a weekly meetup stays
    at 19:00 local time across a daylight-saving change. At most 52 occurrences."""
    _must_manage(actor)
    zone = zoneinfo.ZoneInfo(event.time_zone)
    local_start = event.starts_at.astimezone(zone).replace(tzinfo=None)
    try:
        starts = list(
            rrulestr(rule.strip().removeprefix("RRULE:"), dtstart=local_start, cache=False).xafter(
                local_start, count=OCCURRENCES_MAX + 1
            )
        )
    except (ValueError, TypeError) as exc:
        raise ValidationError({"rule": _("This repetition rule cannot be read.")}) from exc
    if not starts:
        raise ValidationError({"rule": _("This repetition rule gives no later date.")})
    if len(starts) > OCCURRENCES_MAX:
        raise ValidationError(
            {
                "rule": _("At most %(n)s occurrences at once: give the rule a COUNT or an UNTIL.")
                % {"n": OCCURRENCES_MAX}
            }
        )
    copies = [_copy(event, actor, start.replace(tzinfo=zone)) for start in starts]
    created = Event.objects.bulk_create(copies)
    invitees = list(event.invitees.values_list("pk", flat=True))
    if invitees:
        Event.invitees.through.objects.bulk_create(
            [Event.invitees.through(event_id=copy.pk, user_id=pk) for copy in created for pk in invitees]
        )
    return created
