"""Events' e-mails: the confirmation (with the .ics and the ticket), promotions, changes, cancellations
and reminders, each built at send time from what the database says then, in the member's language
and time zone. mailings sends them (registered under events.services.notices.EMAIL_KIND)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from community.emails import member_email
from core.links import absolute_url
from events.calendar import calendar_bytes
from events.models import Event, EventState, Registration, RegistrationStatus
from events.permissions import can_see_event
from events.services.notices import Notice
from events.tickets import ticket_png

# Still true when the e-mail is sent, or the news is stale and nothing is sent.
ALL = set(RegistrationStatus)
STILL = {
    Notice.REGISTERED: {RegistrationStatus.GOING, RegistrationStatus.WAITLISTED},
    Notice.PROMOTED: {RegistrationStatus.GOING},
    Notice.CHANGED: {RegistrationStatus.GOING, RegistrationStatus.WAITLISTED},
    Notice.CANCELLED: {RegistrationStatus.GOING, RegistrationStatus.WAITLISTED},
    Notice.REMINDER: {RegistrationStatus.GOING},
    Notice.WON: ALL,
    Notice.SURVEY: ALL,
}
# News that carry the event's calendar entry.
WITH_CALENDAR = {Notice.REGISTERED, Notice.PROMOTED, Notice.CHANGED, Notice.CANCELLED}


def event_email(payload: dict) -> EmailMultiAlternatives | None:
    """The e-mail a delivery's payload describes, or None when it no longer holds (the member cancelled,
    the event became invisible to them, a reminder for an event that was cancelled)."""
    notice = payload["kind"]
    recipient = get_user_model().objects.filter(pk=payload["recipient"], is_active=True).first()
    event = Event.objects.select_related("space").filter(pk=payload["event"]).first()
    if recipient is None or event is None or not can_see_event(recipient, event):
        return None
    registration = None
    if payload.get("registration"):
        registration = Registration.objects.filter(pk=payload["registration"], member=recipient).first()
        if registration is None or registration.status not in STILL[notice]:
            return None
    elif notice != Notice.WON:
        return None
    if notice != Notice.CANCELLED and event.state != EventState.PUBLISHED:
        return None
    going = registration is not None and registration.status == RegistrationStatus.GOING
    context = {
        "notice": notice,
        "event": event,
        "registration": registration,
        "link": absolute_url(event.get_absolute_url()),
        "ticket": going and notice in (Notice.REGISTERED, Notice.PROMOTED) and not event.is_online,
    }
    if notice == Notice.SURVEY:
        context["link"] = absolute_url(reverse("events:survey", args=[event.pk]))
    email = member_email(recipient, "events/email/notice", context)
    if notice in WITH_CALENDAR:
        email.attach("event.ics", calendar_bytes([event]), "text/calendar; charset=utf-8; method=PUBLISH")
    if context["ticket"] and registration is not None:
        email.attach("ticket.png", ticket_png(registration), "image/png")
    return email
