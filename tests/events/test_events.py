"""Creating, changing, publishing and cancelling events: clear refusals, a calendar sequence that
follows what calendars show, and a description rendered and sanitised once, as posts are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.roles import COMMUNITY_MANAGERS
from events.models import Event, EventFormat, EventKind, EventState
from events.services import planning, registrations
from tests.events.helpers import event_fields
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return user_with_role(COMMUNITY_MANAGERS)


def draft(**fields) -> Event:
    online = {"kind": EventKind.WEBINAR, "format": EventFormat.ONLINE, "venue_name": ""}
    values = online | {"time_zone": "America/Montreal", "join_url": "https://visio.example.com/agora"}
    return Event(**event_fields(**(values | {"reminder_minutes": [1440, 60]} | fields)))


def test_a_community_manager_creates_an_event_with_a_sanitised_description(manager):
    event = planning.event_save(
        actor=manager, event=draft(description_md="**Ordre du jour**\n\n<script>alert(1)</script>")
    )
    assert event.pk and event.state == EventState.DRAFT and event.created_by == manager
    assert "<strong>Ordre du jour</strong>" in event.description_html
    assert "<script>" not in event.description_html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"ends_at": timezone.now()}, "ends_at", "The end must come after the start."),
        ({"join_url": "http://visio.example.com"}, "join_url", "The join link must start with https://."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Choose a time zone such as Europe/Paris"),
        ({"format": EventFormat.OFFLINE}, "venue_name", "Give the venue of an event in person."),
        ({"questions": ["x" * 201]}, "questions", "Up to 10 questions"),
        ({"reminder_minutes": [0]}, "reminder_minutes", "Up to 5 reminders"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(manager, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        planning.event_save(actor=manager, event=draft(**fields))
    assert message in refused.value.message_dict[field][0]
    assert not Event.objects.exists()


def test_members_cannot_create_events(db):
    with pytest.raises(PermissionDenied):
        planning.event_save(actor=UserFactory(), event=draft())


def test_a_reschedule_bumps_the_calendar_sequence_and_a_description_edit_does_not(manager):
    event = planning.event_save(actor=manager, event=draft())
    event = planning.event_publish(actor=manager, event=event)
    published = event.sequence
    event.description_md = "Nouveau programme."
    event = planning.event_save(actor=manager, event=event)
    assert event.sequence == published
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    assert planning.event_save(actor=manager, event=event).sequence == published + 1


def test_cancelling_keeps_the_event_marked_cancelled_with_the_next_sequence(manager):
    event = planning.event_publish(actor=manager, event=planning.event_save(actor=manager, event=draft()))
    cancelled = planning.event_cancel(actor=manager, event=event)
    assert cancelled.state == EventState.CANCELLED and cancelled.cancelled_at is not None
    assert cancelled.sequence == event.sequence + 1
    with pytest.raises(ValidationError, match="Only a published event can be cancelled."):
        planning.event_cancel(actor=manager, event=cancelled)


def test_seats_cannot_fall_below_the_registered_through_the_event_form(manager):
    event = planning.event_publish(
        actor=manager, event=planning.event_save(actor=manager, event=draft(capacity=2))
    )
    for member in (UserFactory(), UserFactory()):
        registrations.registration_register(actor=member, event=event)
    event = Event.objects.get(pk=event.pk)
    event.capacity = 1
    with pytest.raises(ValidationError) as refused:
        planning.event_save(actor=manager, event=event)
    assert "2 members are registered" in refused.value.message_dict["capacity"][0]
