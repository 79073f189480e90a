"""Writes of events: registrations, the waiting list and capacity.

Every registration change locks the event's row first (then the registration's), so the seats-taken
counter, the waiting list's order and the capacity are decided one at a time by PostgreSQL, whatever
the concurrency: the last seat is given once, and a freed seat promotes the first of the waiting list
exactly once, in the same transaction that freed it.
"""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community.services.writing import render_body
from events import permissions
from events.models import Audience, Event, EventFormat, EventState, Registration, RegistrationStatus

ANSWER_MAX = 500
HELD = (RegistrationStatus.GOING, RegistrationStatus.WAITLISTED)


def _locked_event(event: Event) -> Event:
    return Event.objects.select_for_update().select_related("space").get(pk=event.pk)


def _clean_answers(event: Event, answers: dict | None) -> dict:
    """Answers to the event's questions only, as plain text of bounded length."""
    cleaned = {}
    for question in event.questions:
        answer = " ".join(str((answers or {}).get(question, "")).split())
        if len(answer) > ANSWER_MAX:
            raise ValidationError(
                _("An answer holds at most %(max)s characters.") % {"max": ANSWER_MAX}, code="answer_long"
            )
        cleaned[question] = answer
    return cleaned


def _refusal(actor: User, event: Event) -> str | None:
    """Why the member may not register now, in words they can act on (None: they may)."""
    if not permissions.can_see_event(actor, event):
        return _("This event does not exist.")
    if not permissions.registration_open(event):
        now = timezone.now()
        if event.registration_opens_at and now < event.registration_opens_at:
            return _("Registration has not opened yet.")
        return _("Registration is closed.")
    if not permissions.can_register(actor, event):
        return _("Your account cannot register for events at the moment.")
    return None


@transaction.atomic
def registration_register(*, actor: User, event: Event, answers: dict | None = None) -> Registration:
    """Take a seat, or the next place on the waiting list when the event is full. Registering again
    while going or waitlisted changes nothing. Locks the event's row."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Sign in to register."))
    event = _locked_event(event)
    refusal = _refusal(actor, event)
    if refusal:
        raise ValidationError(refusal)
    answers = _clean_answers(event, answers)
    registration = Registration.objects.select_for_update().filter(event=event, member=actor).first()
    if registration is not None and registration.status in HELD:
        return registration
    if event.capacity is None or event.seats_taken < event.capacity:
        status, position = RegistrationStatus.GOING, None
        Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") + 1)
    else:
        status, position = RegistrationStatus.WAITLISTED, _next_waitlist_position(event)
    if registration is None:
        registration = Registration(event=event, member=actor)
    registration.status, registration.waitlist_position, registration.answers = status, position, answers
    registration.save()
    return registration


def _next_waitlist_position(event: Event) -> int:
    """After the last place (under the event's row lock, so two members never get the same)."""
    last = Registration.objects.filter(event=event).aggregate(last=Max("waitlist_position"))["last"]
    return (last or 0) + 1


@transaction.atomic
def registration_interest(*, actor: User, event: Event) -> Registration:
    """Mark the event as interesting: no seat, no waiting list. A seat or a place held is given up."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Sign in to register."))
    event = _locked_event(event)
    if not permissions.can_see_event(actor, event):
        raise ValidationError(_("This event does not exist."))
    registration = Registration.objects.select_for_update().filter(event=event, member=actor).first()
    if registration is None:
        registration = Registration(event=event, member=actor)
    was_going = registration.status == RegistrationStatus.GOING
    registration.status, registration.waitlist_position = RegistrationStatus.INTERESTED, None
    registration.save()
    if was_going:
        _free_seat(event)
    return registration


@transaction.atomic
def registration_cancel(*, actor: User, registration: Registration) -> list[Registration]:
    """Give up a seat or a place; a freed seat goes to the first of the waiting list at once. Returns
    the registrations promoted (to be told). Locks the event's row, then the registration's."""
    event = _locked_event(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.member_id != actor.pk and not permissions.can_manage_events(actor):
        raise PermissionDenied(_("You cannot cancel this registration."))
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    was_going = registration.status == RegistrationStatus.GOING
    registration.status, registration.waitlist_position = RegistrationStatus.CANCELLED, None
    registration.save(update_fields=["status", "waitlist_position", "updated_at"])
    return _free_seat(event) if was_going else []


def _free_seat(event: Event) -> list[Registration]:
    Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") - 1)
    event.seats_taken -= 1
    return _promote(event)


def _promote(event: Event) -> list[Registration]:
    """Give the free seats to the waiting list, in its order (the caller holds the event's row lock)."""
    promoted = []
    while event.capacity is None or event.seats_taken < event.capacity:
        first = (
            Registration.objects.select_for_update()
            .filter(event=event, status=RegistrationStatus.WAITLISTED)
            .order_by("waitlist_position")
            .first()
        )
        if first is None:
            break
        first.status, first.waitlist_position = RegistrationStatus.GOING, None
        first.save(update_fields=["status", "waitlist_position", "updated_at"])
        Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") + 1)
        event.seats_taken += 1
        promoted.append(first)
    return promoted


@transaction.atomic
def event_capacity_set(*, actor: User, event: Event, capacity: int | None) -> list[Registration]:
    """Change the number of seats: raising it promotes from the waiting list at once; it cannot fall
    below the seats already taken. Returns the registrations promoted. Locks the event's row."""
    if not permissions.can_manage_events(actor):
        raise PermissionDenied(_("Only the community team can change an event's seats."))
    event = _locked_event(event)
    if capacity is not None and capacity < event.seats_taken:
        raise ValidationError(
            {
                "capacity": _("%(taken)s members are registered: there cannot be fewer seats than that.")
                % {"taken": event.seats_taken}
            }
        )
    Event.objects.filter(pk=event.pk).update(capacity=capacity)
    event.capacity = capacity
    return _promote(event)


# The event itself -----------------------------------------------------------------------------------

QUESTIONS_MAX = 10
QUESTION_LENGTH_MAX = 200
REMINDERS_MAX = 5
REMINDER_MINUTES_MAX = 30 * 24 * 60
# What a calendar shows: a change of these bumps the event's iCalendar SEQUENCE.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "time_zone", "venue_name", "venue_address", "state")


def _questions_valid(questions: object) -> bool:
    if not isinstance(questions, list) or len(questions) > QUESTIONS_MAX:
        return False
    return all(isinstance(text, str) and 0 < len(text.strip()) <= QUESTION_LENGTH_MAX for text in questions)


def event_errors(event: Event) -> dict[str, str]:
    """What is wrong with an event, by field, in words a community manager can act on."""
    errors = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = _("The end must come after the start.")
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
    questions = event.questions
    if (
        not isinstance(questions, list)
        or len(questions) > QUESTIONS_MAX
        or not all(
            isinstance(question, str) and 0 < len(question.strip()) <= QUESTION_LENGTH_MAX
            for question in questions
        )
    ):
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
def event_save(*, actor: User, event: Event) -> Event:
    """Create or change an event (the admin's form and the site's). Validates it whole, renders its
    description once as posts are, and bumps its calendar sequence when what a calendar shows
    changed. Raising its seats promotes from the waiting list. Locks the event's row when it exists."""
    if not permissions.can_manage_events(actor):
        raise PermissionDenied(_("Only the community team can create or change events."))
    before = _locked_event(event) if event.pk else None
    if before is not None:
        event.seats_taken = before.seats_taken
        if any(getattr(before, name) != getattr(event, name) for name in CALENDAR_FIELDS):
            event.sequence = before.sequence + 1
    event.title = " ".join(event.title.split())
    if not event.title:
        raise ValidationError({"title": _("Give the event a title.")})
    errors = event_errors(event)
    if errors:
        raise ValidationError(errors)
    event.description_html = render_body(event.description_md) if event.description_md.strip() else ""
    event.created_by = event.created_by or actor
    event.save()
    _promote(event)
    return event


@transaction.atomic
def event_publish(*, actor: User, event: Event) -> Event:
    """Make a draft visible to its audience. Locks the event's row."""
    if not permissions.can_manage_events(actor):
        raise PermissionDenied(_("Only the community team can create or change events."))
    event = _locked_event(event)
    if event.state != EventState.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    event.state, event.sequence = EventState.PUBLISHED, event.sequence + 1
    event.save(update_fields=["state", "sequence"])
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: Event) -> Event:
    """Cancel a published event: it stays on its page and in calendars, marked cancelled (STATUS:
    CANCELLED with the next SEQUENCE). Locks the event's row."""
    if not permissions.can_manage_events(actor):
        raise PermissionDenied(_("Only the community team can create or change events."))
    event = _locked_event(event)
    if event.state != EventState.PUBLISHED:
        raise ValidationError(_("Only a published event can be cancelled."))
    event.state, event.sequence, event.cancelled_at = EventState.CANCELLED, event.sequence + 1, timezone.now()
    event.save(update_fields=["state", "sequence", "cancelled_at"])
    return event
