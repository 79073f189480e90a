"""The community managers' workplace for events: the service's rules on the form, actions through
the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Space
from events.models import Event, EventState
from tests.events.helpers import event_fields

pytestmark = pytest.mark.django_db


def form_data(space: Space, **fields) -> dict:
    start = (timezone.localtime() + timedelta(days=5)).replace(hour=10, minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=3)
    data = {
        "title": "Barcamp d'automne", "kind": "barcamp", "format": "offline", "venue_name": "La Halle",
        "venue_address": "1 rue de la Paix, Lyon", "description_md": "Venez **nombreux**.",
        "starts_at_0": start.strftime("%Y-%m-%d"), "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%Y-%m-%d"), "ends_at_1": end.strftime("%H:%M:%S"),
        "time_zone": "Europe/Paris", "audience": "members", "space": space.pk, "questions": "[]",
        "reminder_minutes": "[1440, 60]", "capacity": "40", "winners_count": "1",
        "registrations-TOTAL_FORMS": "0", "registrations-INITIAL_FORMS": "0",
    }  # fmt: skip
    return data | fields


def test_a_community_manager_creates_an_event_in_the_admin(client, community_manager):
    space = Space.objects.create(name="Rencontres", slug="rencontres")
    client.force_login(community_manager)
    response = client.post(reverse("admin:events_event_add"), form_data(space))
    assert response.status_code == 302, response.content.decode()[-2000:]
    event = Event.objects.get()
    assert event.state == EventState.DRAFT and "<strong>nombreux</strong>" in event.description_html
    assert event.created_by == community_manager


def test_the_admin_form_names_what_is_wrong_and_saves_nothing(client, community_manager):
    space = Space.objects.create(name="Rencontres", slug="rencontres")
    client.force_login(community_manager)
    response = client.post(
        reverse("admin:events_event_add"), form_data(space, venue_name="", time_zone="Nowhere")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Give the venue of an event in person." in page and "Choose a time zone such as" in page
    assert not Event.objects.exists()


def test_publishing_and_cancelling_from_the_list_go_through_the_services(client, community_manager):
    event = Event.objects.create(**event_fields())
    client.force_login(community_manager)
    changelist = reverse("admin:events_event_changelist")
    client.post(changelist, {"action": "publish", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert event.state == EventState.PUBLISHED and event.sequence == 1
    client.post(changelist, {"action": "cancel", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert event.state == EventState.CANCELLED and event.cancelled_at is not None


def test_members_cannot_open_the_events_admin(client, member):
    client.force_login(member)
    assert client.get(reverse("admin:events_event_changelist")).status_code in (302, 403)
