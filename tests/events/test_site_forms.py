"""The community team's event pages on the site: create, edit, reschedule, publish, cancel, repeat."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from community.models import Notification, Space, Thread, Visibility
from events.models import Audience, Event, EventState
from events.services import planning, registrations
from tests.events.helpers import published_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def fields(space: Space, **values) -> dict:
    data = {
        "title": "Apéro des membres", "kind": "meetup", "format": "offline", "venue_name": "La Halle",
        "venue_address": "1 place des Terreaux, Lyon", "description_md": "Venez **nombreux**.",
        "starts_at": "2027-06-10T19:00", "ends_at": "2027-06-10T22:00", "time_zone": "Europe/Paris",
        "audience": "members", "space": space.pk, "questions": "Régime alimentaire ?\n\n",
        "reminder_minutes": "1440, 60", "capacity": "30", "winners_count": "1", "invitees": "",
    }  # fmt: skip
    return data | values


@pytest.fixture
def space(db) -> Space:
    return Space.objects.create(name="Rencontres", slug="rencontres", visibility=Visibility.MEMBERS)


def test_the_team_creates_a_draft_on_the_site_with_times_as_the_clock_reads_at_the_venue(
    client, community_manager, space
):
    client.force_login(UserFactory(time_zone="America/Montreal"))
    assert client.get(reverse("events:new")).status_code == 403
    community_manager.time_zone = "America/Montreal"
    community_manager.save(update_fields=["time_zone"])
    client.force_login(community_manager)
    response = client.post(reverse("events:new"), fields(space))
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert event.state == EventState.DRAFT
    assert event.starts_at == datetime.datetime(2027, 6, 10, 19, 0, tzinfo=PARIS)
    assert event.questions == ["Régime alimentaire ?"] and event.reminder_minutes == [1440, 60]


def test_the_form_names_what_is_wrong_and_saves_nothing(client, community_manager, space):
    client.force_login(community_manager)
    response = client.post(
        reverse("events:new"),
        fields(space, ends_at="2027-06-10T18:00", reminder_minutes="demain", invitees="@personne"),
    )
    page = response.content.decode()
    assert response.status_code == 400 and not Event.objects.exists()
    assert "Give whole numbers of minutes" in page and "No member has these handles: @personne." in page


def test_rescheduling_on_the_site_tells_the_registered_and_publishing_opens_its_discussion(
    client, community_manager, space, member
):
    client.force_login(community_manager)
    client.post(reverse("events:new"), fields(space))
    event = Event.objects.get()
    client.post(reverse("events:state", args=[event.pk]), {"action": "publish"})
    event.refresh_from_db()
    assert event.state == EventState.PUBLISHED and event.thread is not None
    assert Thread.objects.get(pk=event.thread_id).space == space
    registrations.registration_register(actor=member, event=event)
    client.post(
        reverse("events:edit", args=[event.pk]),
        fields(space, starts_at="2027-06-11T19:00", ends_at="2027-06-11T22:00"),
    )
    assert Notification.objects.filter(recipient=member, kind="ev_changed").exists()
    client.post(reverse("events:state", args=[event.pk]), {"action": "cancel"})
    assert Notification.objects.filter(recipient=member, kind="ev_cancelled").exists()


def test_a_private_event_gets_no_discussion_thread(community_manager):
    invited = published_event(audience=Audience.INVITED, state=EventState.DRAFT)
    planning.event_publish(actor=community_manager, event=invited)
    invited.refresh_from_db()
    assert invited.thread is None and not Thread.objects.exists()


def test_a_weekly_meetup_repeats_at_the_same_local_time_across_the_october_change(client, community_manager):
    start = datetime.datetime(2026, 10, 15, 19, 0, tzinfo=PARIS)
    event = published_event(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    client.force_login(community_manager)
    client.post(reverse("events:repeat", args=[event.pk]), {"frequency": "WEEKLY;INTERVAL=1", "count": "3"})
    copies = list(Event.objects.exclude(pk=event.pk).order_by("starts_at"))
    assert [copy.starts_at.astimezone(PARIS).hour for copy in copies] == [19, 19, 19]
    assert [copy.starts_at.astimezone(PARIS).day for copy in copies] == [22, 29, 5]
    # 19:00 in Paris is 17:00 UTC in summer and 18:00 UTC after 25 October.
    assert [copy.starts_at.astimezone(datetime.UTC).hour for copy in copies] == [17, 18, 18]
    assert all(copy.state == EventState.DRAFT and copy.seats_taken == 0 for copy in copies)


def test_an_event_lasts_at_most_92_days(client, community_manager, space):
    client.force_login(community_manager)
    response = client.post(reverse("events:new"), fields(space, ends_at="2027-09-20T22:00"))
    assert response.status_code == 400 and "at most 92 days" in response.content.decode()
    assert not Event.objects.exists()
