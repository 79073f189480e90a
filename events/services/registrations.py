"""Writes of events: registrations, the waiting list and capacity.

Every registration change locks the event's row first (then the registration's), so the seats-taken
counter, the waiting list's order and the capacity are decided one at a time by PostgreSQL, whatever
the concurrency: the last seat is given once, and a freed seat promotes the first of the waiting list
exactly once, in the same transaction that freed it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events import permissions
from events.models import Event, EventState, Registration, RegistrationStatus
from events.services import notices

ANSWER_MAX = 500
HELD = (RegistrationStatus.GOING, RegistrationStatus.WAITLISTED)


def locked_event(event: Event) -> Event:
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


def refusal(actor: User, event: Event) -> str | None:
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


def event_touch(event: Event) -> None:
    """What the event's page shows changed: its shared copy is rendered afresh (core.shared_pages)."""
    Event.objects.filter(pk=event.pk).update(version=F("version") + 1)


def _locked_for(actor: User, event: Event) -> tuple[Event, Registration | None]:
    """The event's row locked, then the member's registration if any; refuses who may not register."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Sign in to register."))
    event = locked_event(event)
    reason = refusal(actor, event)
    if reason:
        raise ValidationError(reason)
    return event, Registration.objects.select_for_update().filter(event=event, member=actor).first()


@transaction.atomic
def registration_register(
    *, actor: User, event: Event, answers: dict | None = None, listed: bool = True
) -> Registration:
    """Take a seat, or the next place on the waiting list when the event is full, and send the
    confirmation. Registering again while going or waitlisted only updates the answers and the
    choice to be listed. Locks the event's row."""
    event, registration = _locked_for(actor, event)
    answers = _clean_answers(event, answers)
    if registration is not None and registration.status in HELD:
        registration.answers, registration.listed = answers, listed
        registration.save(update_fields=["answers", "listed", "updated_at"])
        event_touch(event)
        return registration
    if event.capacity is None or event.seats_taken < event.capacity:
        status, position = RegistrationStatus.GOING, None
        Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") + 1)
    else:
        status, position = RegistrationStatus.WAITLISTED, _next_waitlist_position(event)
    if registration is None:
        registration = Registration(event=event, member=actor)
    registration.status, registration.waitlist_position = status, position
    registration.answers, registration.listed = answers, listed
    registration.save()
    event_touch(event)
    notices.registered(event, registration)
    return registration


def _next_waitlist_position(event: Event) -> int:
    """After the last place (under the event's row lock, so two members never get the same)."""
    last = Registration.objects.filter(event=event).aggregate(last=Max("waitlist_position"))["last"]
    return (last or 0) + 1


@transaction.atomic
def registration_interest(*, actor: User, event: Event) -> Registration:
    """Mark the event as interesting: no seat, no waiting list. A seat or a place held is given up."""
    event, registration = _locked_for(actor, event)
    if registration is None:
        registration = Registration(event=event, member=actor)
    was_going = registration.status == RegistrationStatus.GOING
    registration.status, registration.waitlist_position = RegistrationStatus.INTERESTED, None
    registration.save()
    event_touch(event)
    if was_going:
        notices.reminders_forget(registration)
        _free_seat(event)
    return registration


@transaction.atomic
def registration_cancel(*, actor: User, registration: Registration) -> list[Registration]:
    """Give up a seat or a place; a freed seat goes to the first of the waiting list at once. Returns
    the registrations promoted (to be told). Locks the event's row, then the registration's."""
    event = locked_event(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.member_id != actor.pk and not permissions.can_manage_events(actor):
        raise PermissionDenied(_("You cannot cancel this registration."))
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    was_going = registration.status == RegistrationStatus.GOING
    registration.status, registration.waitlist_position = RegistrationStatus.CANCELLED, None
    registration.save(update_fields=["status", "waitlist_position", "updated_at"])
    event_touch(event)
    if not was_going:
        return []
    notices.reminders_forget(registration)
    return _free_seat(event)


def _free_seat(event: Event) -> list[Registration]:
    Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") - 1)
    event.seats_taken -= 1
    return promote(event)


def promote(event: Event) -> list[Registration]:
    """Give the free seats to the waiting list, in its order, and tell the members promoted (the
    caller holds the event's row lock). Not for an event cancelled or over: nobody goes any more."""
    if event.state != EventState.PUBLISHED or event.ends_at <= timezone.now():
        return []
    waiting = (
        Registration.objects.select_for_update()
        .filter(event=event, status=RegistrationStatus.WAITLISTED)
        .order_by("waitlist_position")
    )
    if event.capacity is not None:
        waiting = waiting[: max(0, event.capacity - event.seats_taken)]
    promoted = list(waiting)
    if not promoted:
        return []
    # The whole batch in two statements, however many seats were freed.
    now = timezone.now()
    Registration.objects.filter(pk__in=[r.pk for r in promoted]).update(
        status=RegistrationStatus.GOING, waitlist_position=None, promoted_at=now, updated_at=now
    )
    for registration in promoted:
        registration.status, registration.waitlist_position = RegistrationStatus.GOING, None
    Event.objects.filter(pk=event.pk).update(
        seats_taken=F("seats_taken") + len(promoted), version=F("version") + 1
    )
    event.seats_taken += len(promoted)
    notices.promoted(event, promoted)
    return promoted


@transaction.atomic
def event_capacity_set(*, actor: User, event: Event, capacity: int | None) -> list[Registration]:
    """Change the number of seats: raising it promotes from the waiting list at once; it cannot fall
    below the seats already taken. Returns the registrations promoted. Locks the event's row."""
    if not permissions.can_manage_events(actor):
        raise PermissionDenied(_("Only the community team can change an event's seats."))
    event = locked_event(event)
    if capacity is not None and capacity < event.seats_taken:
        raise ValidationError(
            {
                "capacity": _("%(taken)s members are registered: there cannot be fewer seats than that.")
                % {"taken": event.seats_taken}
            }
        )
    Event.objects.filter(pk=event.pk).update(capacity=capacity, version=F("version") + 1)
    event.capacity = capacity
    return promote(event)


@transaction.atomic
def attendance_mark(*, actor: User, registration: Registration, present: bool) -> Registration:
    """Check a member in at the door (or undo it): a record of who came, which the KPIs count. Only
    members going can be present. Locks the registration."""
    if not permissions.can_manage_events(actor):
        raise PermissionDenied(_("Only the community team can check members in."))
    registration = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    if present and registration.status != RegistrationStatus.GOING:
        raise ValidationError(_("Only a member with a seat can be checked in."))
    if present and registration.attended_at is None:
        registration.attended_at = timezone.now()
    elif not present:
        registration.attended_at = None
    registration.save(update_fields=["attended_at", "updated_at"])
    return registration
