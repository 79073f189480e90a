"""Reminders before an event: rows due at a time, sent once each whatever the workers and beat do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.models import Notification
from events.models import EventReminder, Registration
from events.services import notices, planning, registrations
from events.tasks import reminders_send
from mailings.models import Delivery
from tests.concurrency import at_once
from tests.events.helpers import published_event
from tests.factories import UserFactory


def make_due(event) -> None:
    """As if time had passed: every unsent reminder of the event is due now."""
    EventReminder.objects.filter(event=event, sent_at__isnull=True).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.mark.django_db
def test_members_going_get_one_reminder_per_offset_and_those_who_left_get_none():
    event = published_event(capacity=2, reminder_minutes=[1440, 60])
    stay, leave, waiting = UserFactory(), UserFactory(), UserFactory()
    for person in (stay, leave, waiting):
        registrations.registration_register(actor=person, event=event)
    assert EventReminder.objects.filter(event=event).count() == 4  # two going, two offsets
    registrations.registration_cancel(actor=leave, registration=Registration.objects.get(member=leave))
    # The member waiting was promoted to the freed seat, and gets reminders of their own.
    make_due(event)
    assert notices.reminders_send() == 4
    reminded = Notification.objects.filter(kind="ev_reminder")
    assert sorted(reminded.values_list("recipient", flat=True)) == sorted(
        [stay.pk, stay.pk, waiting.pk, waiting.pk]
    )
    assert notices.reminders_send() == 0


@pytest.mark.django_db
def test_rescheduling_moves_the_reminders_and_cancelling_drops_them():
    event = published_event(reminder_minutes=[60])
    member = UserFactory()
    registrations.registration_register(actor=member, event=event)
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    planning.event_save(actor=UserFactory(is_superuser=True), event=event)
    reminder = EventReminder.objects.get(event=event)
    assert reminder.due_at == event.starts_at - timedelta(minutes=60)
    assert Notification.objects.filter(kind="ev_changed", recipient=member).exists()
    planning.event_cancel(actor=UserFactory(is_superuser=True), event=event)
    assert not EventReminder.objects.filter(event=event, sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_send_each_reminder_once():
    event = published_event(capacity=None, reminder_minutes=[60])
    members = [UserFactory() for _ in range(40)]
    for person in members:
        registrations.registration_register(actor=person, event=event)
    make_due(event)
    sent = at_once(lambda _n: notices.reminders_send(batch_size=7), range(4))
    assert sum(sent) == 40
    assert Notification.objects.filter(kind="ev_reminder").count() == 40
    assert Delivery.objects.filter(ref__startswith="reminder:").count() == 40


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_each_reminder_once_even_when_the_message_is_doubled(celery_worker):
    event = published_event(capacity=None, reminder_minutes=[60], title="Atelier")
    members = [UserFactory() for _ in range(5)]
    for person in members:
        registrations.registration_register(actor=person, event=event)
    Delivery.objects.update(state="sent")  # the confirmations are not this test's
    make_due(event)
    reminders_send.apply_async(queue=celery_worker.queue)
    reminders_send.apply_async(queue=celery_worker.queue)  # a duplicated beat message
    celery_worker.wait_for(
        lambda: (
            not EventReminder.objects.filter(sent_at__isnull=True).exists()
            and not Delivery.objects.filter(state__in=["pending", "sending"]).exists()
        ),
        what="send the reminders",
    )
    assert Notification.objects.filter(kind="ev_reminder").count() == 5
    reminders = Delivery.objects.filter(ref__startswith="reminder:")
    assert reminders.count() == 5 and set(reminders.values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_reminder_already_sent_is_sent_again_for_the_new_date_after_a_rescheduling():
    event = published_event(reminder_minutes=[60])
    member = UserFactory()
    registrations.registration_register(actor=member, event=event)
    make_due(event)
    assert notices.reminders_send() == 1
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    planning.event_save(actor=UserFactory(is_superuser=True), event=event)
    make_due(event)
    assert notices.reminders_send() == 1
    assert Delivery.objects.filter(ref__startswith="reminder:").count() == 2
