"""What a review found, pinned: news of two events never collide, shared lists and notifications
never tell what their reader may not know, and times are the venue's."""

from __future__ import annotations

import datetime
import zoneinfo
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import Notification, Space, Visibility
from events.models import Audience, EventReminder, EventState, Registration
from events.services import notices, planning, registrations
from mailings.models import Delivery
from tests.events.helpers import published_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_member_going_to_two_events_gets_each_ones_reminder(member):
    first, second = published_event(reminder_minutes=[60]), published_event(reminder_minutes=[60])
    for event in (first, second):
        registrations.registration_register(actor=member, event=event)
    EventReminder.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    assert notices.reminders_send() == 2
    assert Delivery.objects.filter(ref__startswith="reminder:", member=member).count() == 2


def test_the_visitors_copy_of_the_events_page_never_lists_members_spaces(client, member):
    Space.objects.create(slug="coulisses", name="Coulisses réservées", visibility=Visibility.MEMBERS)
    published_event(audience=Audience.PUBLIC)
    client.force_login(member)
    assert "Coulisses réservées" in client.get(reverse("events:list")).content.decode()
    client.logout()
    assert "Coulisses réservées" not in client.get(reverse("events:list")).content.decode()


def test_an_event_with_a_discussion_cannot_become_private(community_manager):
    event = published_event(audience=Audience.PUBLIC, state=EventState.DRAFT)
    planning.event_publish(actor=community_manager, event=event)
    event.refresh_from_db()
    event.audience = Audience.INVITED
    with pytest.raises(ValidationError, match="cannot move or become private"):
        planning.event_save(actor=community_manager, event=event)


def test_members_who_lost_sight_of_an_event_are_not_told_its_title(community_manager):
    outsider, guest = UserFactory(), UserFactory()
    event = published_event(audience=Audience.INVITED)
    event.invitees.set([outsider, guest])
    for person in (outsider, guest):
        registrations.registration_register(actor=person, event=event)
    event.invitees.set([guest])
    planning.event_cancel(actor=community_manager, event=event)
    assert list(Notification.objects.filter(kind="ev_cancelled").values_list("recipient", flat=True)) == [
        guest.pk
    ]


def test_nobody_is_promoted_to_a_cancelled_event(community_manager):
    event = published_event(capacity=1)
    going, waiting = UserFactory(), UserFactory()
    for person in (going, waiting):
        registrations.registration_register(actor=person, event=event)
    planning.event_cancel(actor=community_manager, event=event)
    assert (
        registrations.registration_cancel(actor=going, registration=Registration.objects.get(member=going))
        == []
    )
    assert Registration.objects.get(member=waiting).status == "waitlisted"


def test_times_are_read_in_the_events_zone_whatever_the_managers(client, community_manager):
    community_manager.time_zone = "Europe/Paris"
    community_manager.save(update_fields=["time_zone"])
    space = Space.objects.create(slug="new-york", name="New York")
    client.force_login(community_manager)
    data = {
        "title": "Meetup NYC", "kind": "meetup", "format": "offline", "venue_name": "Brooklyn",
        "time_zone": "America/New_York", "audience": "members", "space": space.pk, "winners_count": "1",
        "reminder_minutes": "60", "questions": "", "invitees": "",
        # 02:30 on 28 March 2027 does not exist in Paris (clocks go forward) but does in New York.
        "starts_at": "2027-03-28T02:30", "ends_at": "2027-03-28T04:00",
    }  # fmt: skip
    assert client.post(reverse("events:new"), data).status_code == 302
    # 02:30 on 14 March 2027 does not exist in New York.
    response = client.post(
        reverse("events:new"), data | {"starts_at": "2027-03-14T02:30", "ends_at": "2027-03-14T04:00"}
    )
    assert response.status_code == 400 and "This time does not exist there" in response.content.decode()


def test_a_duplicate_a_week_later_keeps_the_local_time_across_the_march_change(community_manager):
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    start = datetime.datetime(2027, 3, 25, 19, 0, tzinfo=paris)
    event = published_event(starts_at=start, ends_at=start + timedelta(hours=2), winners_count=3)
    copy = planning.event_duplicate(actor=community_manager, event=event)
    assert copy.starts_at.astimezone(paris) == datetime.datetime(2027, 4, 1, 19, 0, tzinfo=paris)
    assert copy.winners_count == 3


def test_a_refused_one_click_shows_why_in_place(client, member):
    event = published_event(registration_closes_at=timezone.now() - timedelta(minutes=1))
    client.force_login(member)
    response = client.post(reverse("events:interest", args=[event.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 422 and "Registration is closed." in response.content.decode()
