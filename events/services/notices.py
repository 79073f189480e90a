"""What events tell their members, and when: confirmations, promotions from the waiting list,
reschedulings, cancellations and reminders.

Everything is written in the caller's transaction (a notification row, and an e-mail as a mailings
Delivery row, unique per news and member, that mailings sends after commit), so a rolled-back registration
tells nobody and a committed one is told once, whatever happens to Redis or the workers. Reminders
are rows due at a time, claimed by the beat task with SKIP LOCKED and marked sent in the transaction
that writes their notification and e-mail: a restarted beat, a killed worker or a doubled message
sends each once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from community.models import NotificationKind
from community.services.notifications import notify
from events.models import Event, EventReminder, EventState, Registration, RegistrationStatus
from events.permissions import members_who_see
from mailings.models import Delivery
from mailings.services import deliveries_write

EMAIL_KIND = "event_email"
BATCH = 1000
# A reminder found this late (the beat was down) is dropped rather than sent after the start.
REMINDER_BATCH = 500
REMINDERS_BUDGET_SECONDS = 50


class Notice:
    REGISTERED = "registered"
    PROMOTED = "promoted"
    CHANGED = "changed"
    CANCELLED = "cancelled"
    REMINDER = "reminder"
    WON = "won"
    SURVEY = "survey"


NOTIFICATION_KINDS = {
    Notice.PROMOTED: NotificationKind.EVENT_PROMOTED,
    Notice.CHANGED: NotificationKind.EVENT_CHANGED,
    Notice.CANCELLED: NotificationKind.EVENT_CANCELLED,
    Notice.REMINDER: NotificationKind.EVENT_REMINDER,
    Notice.WON: NotificationKind.EVENT_WON,
    Notice.SURVEY: NotificationKind.EVENT_SURVEY,
}


def _tell(event: Event, registrations: Iterable[Registration], notice: str, key: str) -> None:
    """A notification (but for a confirmation, which the member just saw on the page) and an e-mail to
    each registration's member; `key` makes the e-mails unique to this news."""
    _tell_members(event, [(r.member_id, r.pk) for r in registrations], notice, key)


def _tell_members(event: Event, recipients: list[tuple[int, int | None]], notice: str, key: str) -> None:
    """The same for (member, registration or None) pairs: a contest's winners need not be registered."""
    if not recipients:
        return
    if notice in NOTIFICATION_KINDS:
        # A member who lost sight of the event (its audience narrowed) is not told its title.
        seeing = members_who_see(event, [member_id for member_id, _registration in recipients])
        notify(
            recipient_ids=[member_id for member_id, _registration in recipients if member_id in seeing],
            kind=NOTIFICATION_KINDS[notice],
            subject=event.title[:200],
            link=event.get_absolute_url(),
        )
    deliveries_write(
        [
            Delivery(
                kind=EMAIL_KIND,
                ref=f"{notice}:{event.pk}:{key}",
                member_id=member_id,
                payload={
                    "kind": notice,
                    "recipient": member_id,
                    "event": event.pk,
                    "registration": registration,
                },
            )
            for member_id, registration in recipients
        ]
    )


def registered(event: Event, registration: Registration) -> None:
    """The confirmation e-mail (with the .ics, and the ticket of a member going)."""
    _tell(event, [registration], Notice.REGISTERED, f"{registration.updated_at.timestamp()}")
    if registration.status == RegistrationStatus.GOING:
        reminders_schedule(event, [registration])


def promoted(event: Event, registrations: list[Registration]) -> None:
    # A member can be promoted again after leaving and coming back: each promotion is news of its own.
    _tell(event, registrations, Notice.PROMOTED, f"{timezone.now().timestamp()}")
    reminders_schedule(event, registrations)


def won(event: Event, registrations: list[Registration], member_ids: list[int]) -> None:
    """The contest's winners (registered or not) are told."""
    registered = {registration.member_id: registration.pk for registration in registrations}
    _tell_members(event, [(pk, registered.get(pk)) for pk in member_ids], Notice.WON, f"{event.pk}")


def survey(event: Event, registrations: list[Registration]) -> None:
    """Attendees are asked how it was."""
    _tell(event, registrations, Notice.SURVEY, f"{event.pk}")


def _held(event: Event) -> QuerySet[Registration]:
    return Registration.objects.filter(
        event=event, status__in=[RegistrationStatus.GOING, RegistrationStatus.WAITLISTED]
    ).only("pk", "member_id")


def _in_batches(queryset: QuerySet[Registration]) -> Iterable[list[Registration]]:
    batch: list[Registration] = []
    for registration in queryset.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(registration)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def changed(event: Event) -> None:
    """The event was rescheduled or moved: everyone going or waiting is told, reminders move."""
    for batch in _in_batches(_held(event)):
        _tell(event, batch, Notice.CHANGED, f"{event.sequence}")
    reminders_rebuild(event)


def cancelled(event: Event) -> None:
    for batch in _in_batches(_held(event)):
        _tell(event, batch, Notice.CANCELLED, f"{event.sequence}")
    EventReminder.objects.filter(event=event, sent_at__isnull=True).delete()


# Reminders -------------------------------------------------------------------------------------------


def _reminder_rows(event: Event, registrations: Iterable[Registration], now) -> list[EventReminder]:
    return [
        EventReminder(
            event=event,
            registration_id=registration.pk,
            minutes_before=minutes,
            due_at=event.starts_at - timedelta(minutes=minutes),
        )
        for registration in registrations
        for minutes in sorted(set(event.reminder_minutes))
        if event.starts_at - timedelta(minutes=minutes) > now
    ]


def reminders_schedule(event: Event, registrations: Iterable[Registration]) -> None:
    """Reminders due to these members going (a row already there is kept: never sent twice)."""
    rows = _reminder_rows(event, registrations, timezone.now())
    EventReminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)


def reminders_forget(registration: Registration) -> None:
    EventReminder.objects.filter(registration=registration, sent_at__isnull=True).delete()


def reminders_rebuild(event: Event) -> None:
    """After a change of the start or of the reminders' offsets: the rows are written again for everyone
    going, in batches (bounded memory for thousands of registrants). Sent ones go too: a reminder sent
    for the old date is due again for the new one (only offsets still ahead are written)."""
    EventReminder.objects.filter(event=event).delete()
    if event.state != EventState.PUBLISHED:
        return
    going = Registration.objects.filter(event=event, status=RegistrationStatus.GOING).only("pk")
    now = timezone.now()
    for batch in _in_batches(going):
        EventReminder.objects.bulk_create(_reminder_rows(event, batch, now), ignore_conflicts=True)


def reminders_send(*, batch_size: int = REMINDER_BATCH, now=None) -> int:
    """Send the reminders due, a batch per transaction: rows are claimed with SKIP LOCKED (a second
    worker takes other rows), told and marked sent together. A reminder whose member no longer goes,
    or whose event was cancelled or has started, is marked sent without telling. Returns how many
    members were reminded."""
    started, sent = time.monotonic(), 0
    while time.monotonic() - started < REMINDERS_BUDGET_SECONDS:
        moment = now or timezone.now()
        with transaction.atomic():
            due = list(
                EventReminder.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, due_at__lte=moment)
                .order_by("due_at", "pk")[:batch_size]
            )
            if not due:
                break
            sent += _remind(due, moment)
            EventReminder.objects.filter(pk__in=[reminder.pk for reminder in due]).update(sent_at=moment)
        if len(due) < batch_size:
            break
    return sent


def _remind(due: list[EventReminder], now) -> int:
    """Tell the members of these reminders still going, one batch per event and offset (the e-mails'
    keys name the registration and the offset: one per reminder row)."""
    events = Event.objects.in_bulk({reminder.event_id for reminder in due})
    members = dict(
        Registration.objects.filter(
            pk__in=[reminder.registration_id for reminder in due], status=RegistrationStatus.GOING
        ).values_list("pk", "member_id")
    )
    groups: dict[tuple[int, int], list[Registration]] = {}
    for reminder in due:
        event = events[reminder.event_id]
        if event.state != EventState.PUBLISHED or event.starts_at <= now:
            continue
        if reminder.registration_id in members:
            registration = Registration(
                pk=reminder.registration_id, member_id=members[reminder.registration_id]
            )
            groups.setdefault((event.pk, reminder.minutes_before), []).append(registration)
    for (event_id, minutes), registrations in groups.items():
        # After a rescheduling (a new sequence) the same offset reminds again.
        _tell(events[event_id], registrations, Notice.REMINDER, f"{minutes}:{events[event_id].sequence}")
    return sum(len(registrations) for registrations in groups.values())
