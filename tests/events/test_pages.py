"""Events' pages as members and visitors use them: finding, registering, the waiting list, calendars,
the door, and private events that do not exist for anyone else."""

from __future__ import annotations

import csv
import datetime
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.roles import AMBASSADORS
from community.models import Notification, Space, Visibility
from events.models import Audience, EventFormat, EventKind, Registration
from events.services import aftermath, feeds, planning, registrations
from events.tickets import ticket_token, ticket_url
from tests.events.helpers import published_event
from tests.factories import UserFactory
from tests.mail import send_due
from tests.pages import page_with_overlay

pytestmark = pytest.mark.django_db


def htmx_post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, headers={"HX-Request": "true"})


def send_outbox() -> list:
    send_due()
    return mail.outbox


def test_a_visitor_finds_public_events_filtered_and_not_the_private_ones(client):
    meetup = published_event(title="Meetup à Lyon", audience=Audience.PUBLIC)
    published_event(
        title="Webinaire produit", kind=EventKind.WEBINAR, format=EventFormat.ONLINE, venue_name="",
        audience=Audience.PUBLIC,
    )  # fmt: skip
    published_event(
        title="Soirée des ambassadeurs", audience=Audience.GROUP, group=Group.objects.get(name=AMBASSADORS)
    )
    published_event(title="Réservé aux membres", audience=Audience.MEMBERS)
    page = client.get(reverse("events:list")).content.decode()
    assert "Meetup à Lyon" in page and "Webinaire produit" in page
    assert "Soirée des ambassadeurs" not in page and "Réservé aux membres" not in page
    online = client.get(reverse("events:list"), {"format": "online"}).content.decode()
    assert "Webinaire produit" in online and "Meetup à Lyon" not in online
    assert client.get(meetup.get_absolute_url()).status_code == 200


def test_a_private_event_is_nowhere_for_members_outside_its_group(client, member, ambassador):
    event = published_event(
        title="Soirée des ambassadeurs", audience=Audience.GROUP, group=Group.objects.get(name=AMBASSADORS)
    )
    registrations.registration_register(actor=ambassador, event=event)
    client.force_login(member)
    month = event.starts_at.strftime("%Y-%m")
    for url in (reverse("events:list"), reverse("events:calendar") + f"?month={month}"):
        assert "Soirée des ambassadeurs" not in client.get(url).content.decode()
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:ics", args=[event.pk])).status_code == 404
    assert client.post(reverse("events:register", args=[event.pk])).status_code == 404
    client.force_login(ambassador)
    assert "Soirée des ambassadeurs" in client.get(reverse("events:list")).content.decode()
    assert (
        "Soirée des ambassadeurs"
        in client.get(reverse("events:calendar") + f"?month={month}").content.decode()
    )


def test_a_member_registers_in_one_click_then_the_next_one_is_waitlisted_and_promoted_when_a_seat_frees(
    client, member
):
    event = published_event(capacity=1, audience=Audience.MEMBERS)
    client.force_login(member)
    response = htmx_post(client, reverse("events:register", args=[event.pk]))
    assert response.status_code == 200 and "You are going." in response.content.decode()
    other = UserFactory(display_name="Lou Bernard")
    client.force_login(other)
    response = htmx_post(client, reverse("events:register", args=[event.pk]))
    assert "You are number 1 on the waiting list." in response.content.decode()
    mail.outbox.clear()
    client.force_login(member)
    htmx_post(client, reverse("events:cancel", args=[event.pk]))
    client.force_login(other)
    assert "You are going." in page_with_overlay(client, event.get_absolute_url())
    notification = Notification.objects.get(recipient=other)
    assert notification.kind == "ev_promoted" and notification.link == event.get_absolute_url()
    sent = send_outbox()
    promoted = [email for email in sent if email.to == [other.email] and "seat freed up" in email.subject]
    assert len(promoted) == 1
    ics = next(content for name, content, kind in promoted[0].attachments if name == "event.ics")
    assert Calendar.from_ical(ics).events[0]["SUMMARY"] == event.title
    assert any(name == "ticket.png" for name, _content, _kind in promoted[0].attachments)


def test_without_javascript_a_member_registers_on_the_form_with_the_events_questions(client, member):
    event = published_event(questions=["Régime alimentaire ?"], capacity=10)
    client.force_login(member)
    page = client.get(reverse("events:register", args=[event.pk])).content.decode()
    assert "Régime alimentaire ?" in page
    response = client.post(reverse("events:register", args=[event.pk]), {"answer_0": "  végétarien  "})
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    registration = Registration.objects.get(event=event, member=member)
    assert registration.status == "going" and registration.answers == {"Régime alimentaire ?": "végétarien"}
    assert registration.listed is False  # the box was left unticked


def test_who_is_going_shows_the_names_members_chose_to_show_and_counts_the_others(client):
    event = published_event(capacity=10, audience=Audience.PUBLIC)
    shown, hidden = UserFactory(display_name="Nina Roux"), UserFactory(display_name="Paul Secret")
    registrations.registration_register(actor=shown, event=event)
    registrations.registration_register(actor=hidden, event=event, listed=False)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Nina Roux" in page and "Paul Secret" not in page
    assert "2 going" in page and "and 1 other member" in page


def test_the_join_link_shows_only_to_members_going_and_only_shortly_before_the_start(client, member):
    start = timezone.now() + timedelta(minutes=20)
    event = published_event(
        kind=EventKind.WEBINAR, format=EventFormat.ONLINE, venue_name="", join_url="https://visio.example/abc",
        starts_at=start, ends_at=start + timedelta(hours=1), audience=Audience.PUBLIC,
    )  # fmt: skip
    assert "visio.example" not in client.get(event.get_absolute_url()).content.decode()
    client.force_login(member)
    assert "visio.example" not in page_with_overlay(client, event.get_absolute_url())
    registrations.registration_register(actor=member, event=event)
    assert "visio.example" in page_with_overlay(client, event.get_absolute_url())
    later = published_event(
        kind=EventKind.WEBINAR, format=EventFormat.ONLINE, venue_name="", join_url="https://visio.example/later",
        audience=Audience.PUBLIC,
    )  # fmt: skip
    registrations.registration_register(actor=member, event=later)
    assert "visio.example/later" not in page_with_overlay(client, later.get_absolute_url())


@pytest.mark.parametrize(
    ("utc_hour", "day", "montreal", "paris"),
    [
        # 10 March 2027: both on winter time (Montréal UTC−5, Paris UTC+1).
        (18, datetime.date(2027, 3, 10), "1 p.m.", "7 p.m."),
        # 20 March 2027: Montréal moved on the 14th (UTC−4), Paris moves on the 28th (UTC+1).
        (18, datetime.date(2027, 3, 20), "2 p.m.", "7 p.m."),
        # 29 March 2027: both on summer time.
        (18, datetime.date(2027, 3, 29), "2 p.m.", "8 p.m."),
        # 1 November 2027: Paris left summer time on 31 October, Montréal leaves on 7 November.
        (18, datetime.date(2027, 11, 1), "2 p.m.", "7 p.m."),
    ],
)
def test_each_reader_sees_their_own_local_time_across_daylight_saving_changes(
    client, utc_hour, day, montreal, paris
):
    event = published_event(audience=Audience.PUBLIC)
    event.starts_at = datetime.datetime.combine(day, datetime.time(utc_hour), datetime.UTC)
    event.ends_at = event.starts_at + timedelta(hours=2)
    event.save()
    for zone, expected in (("America/Montreal", montreal), ("Europe/Paris", paris)):
        client.force_login(UserFactory(time_zone=zone))
        page = client.get(event.get_absolute_url()).content.decode()
        when = re.search(r'<time datetime="[^"]+">(.*?)</time>', page, re.S).group(1)
        assert expected in when, (zone, when)
        # The event's own zone is named to a reader elsewhere, with its time there.
        assert ("in Europe/Paris" in when) == (zone != "Europe/Paris")


def test_one_events_ics_parses_back_with_a_stable_uid_and_its_sequence(client):
    event = published_event(audience=Audience.PUBLIC)
    first = Calendar.from_ical(client.get(reverse("events:ics", args=[event.pk])).content).events[0]
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    planning.event_save(actor=UserFactory(is_superuser=True), event=event)
    second = Calendar.from_ical(client.get(reverse("events:ics", args=[event.pk])).content).events[0]
    assert first["UID"] == second["UID"]
    assert int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert second.start.tzinfo is not None and str(second.start.tzinfo).endswith("Europe/Paris")


def test_the_members_feed_lists_their_events_cancelled_included_and_stops_when_revoked(client, member):
    going = published_event(title="Atelier photo", audience=Audience.PUBLIC, capacity=5)
    dropped = published_event(title="Apéro annulé", audience=Audience.PUBLIC)
    published_event(title="Pas inscrit", audience=Audience.PUBLIC)
    registrations.registration_register(actor=member, event=going)
    registrations.registration_register(actor=member, event=dropped)
    planning.event_cancel(actor=UserFactory(is_superuser=True), event=dropped)
    path = feeds.feed_renew(member=member)
    calendar = Calendar.from_ical(client.get(path).content)
    statuses = {str(event["SUMMARY"]): str(event["STATUS"]) for event in calendar.events}
    assert statuses == {"Atelier photo": "CONFIRMED", "Apéro annulé": "CANCELLED"}
    assert client.get(path.replace(path.rsplit("/", 1)[1], "x" * 43 + ".ics")).status_code == 404
    renewed = feeds.feed_renew(member=member)
    assert client.get(path).status_code == 404 and client.get(renewed).status_code == 200
    feeds.feed_revoke(member=member)
    assert client.get(renewed).status_code == 404


def test_a_cancelled_event_tells_everyone_registered_or_waiting(client, member):
    event = published_event(capacity=1)
    waiting = UserFactory()
    registrations.registration_register(actor=member, event=event)
    registrations.registration_register(actor=waiting, event=event)
    planning.event_cancel(actor=UserFactory(is_superuser=True), event=event)
    assert set(Notification.objects.filter(kind="ev_cancelled").values_list("recipient", flat=True)) == {
        member.pk,
        waiting.pk,
    }
    mail.outbox.clear()
    cancelled = [email for email in send_outbox() if "was cancelled" in email.subject]
    assert sorted(email.to[0] for email in cancelled) == sorted([member.email, waiting.email])
    ics = next(content for name, content, kind in cancelled[0].attachments if name == "event.ics")
    assert str(Calendar.from_ical(ics).events[0]["STATUS"]) == "CANCELLED"


def test_the_door_checks_a_member_in_by_name_with_one_key_and_by_the_tickets_qr_code(
    client, community_manager
):
    event = published_event(capacity=10)
    camille, lou = UserFactory(display_name="Camille Martin"), UserFactory(display_name="Lou Bernard")
    for person in (camille, lou):
        registrations.registration_register(actor=person, event=event)
    client.force_login(community_manager)
    url = reverse("events:check-in", args=[event.pk])
    client.post(url, {"q": "camille"})
    assert Registration.objects.get(member=camille).attended_at is not None
    assert Registration.objects.get(member=lou).attended_at is None
    lou_registration = Registration.objects.get(member=lou)
    lou_ticket = reverse("events:ticket-check-in", args=[lou_registration.pk, ticket_token(lou_registration)])
    assert ticket_url(lou_registration).endswith(lou_ticket)
    assert "Lou Bernard" in client.get(lou_ticket).content.decode()
    client.post(lou_ticket)
    assert Registration.objects.get(member=lou).attended_at is not None
    assert "2 present of 2" in client.get(url).content.decode()
    forged = re.sub(r"/[^/]+/$", "/forged/", lou_ticket)
    assert client.get(forged).status_code == 404
    client.force_login(lou)
    assert client.get(url).status_code == 403


def test_the_registrations_export_defuses_formulas(client, community_manager):
    event = published_event(capacity=10, questions=["Allergies ?"])
    trickster = UserFactory(display_name='=HYPERLINK("http://evil")')
    registrations.registration_register(actor=trickster, event=event, answers={"Allergies ?": "+33 6 00"})
    client.force_login(community_manager)
    response = client.get(reverse("events:attendees-csv", args=[event.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[0][-1] == "Allergies ?"
    assert rows[1][0].startswith("'=") and rows[1][-1] == "'+33 6 00" and rows[1][2] == trickster.email
    client.force_login(trickster)
    assert client.get(reverse("events:attendees-csv", args=[event.pk])).status_code == 403


def test_a_staff_only_space_hides_its_events_from_members(client, member):
    staff = Space.objects.create(slug="equipe", name="Équipe", visibility=Visibility.STAFF)
    event = published_event(title="Réunion interne", space=staff, audience=Audience.MEMBERS)
    client.force_login(member)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert "Réunion interne" not in client.get(reverse("events:list")).content.decode()


@pytest.mark.parametrize("reader", ["visitor", "member"])
def test_the_events_pages_cost_a_fixed_number_of_queries(
    client, member, reader, django_assert_max_num_queries
):
    events = [
        published_event(title=f"Rencontre {n}", audience=Audience.PUBLIC, capacity=50) for n in range(12)
    ]
    for person in [UserFactory() for _ in range(15)]:
        registrations.registration_register(actor=person, event=events[0])
    if reader == "member":
        client.force_login(member)
    path = feeds.feed_renew(member=member)
    for n in range(12):
        registrations.registration_register(actor=member, event=events[n])
    for url in (
        reverse("events:list"),
        reverse("events:calendar"),
        events[0].get_absolute_url(),
        reverse("events:event-overlay", args=[events[0].pk]),
        path,
    ):
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code in (200, 204)


def test_the_next_events_show_on_the_home_page_and_in_their_space_as_soon_as_published(client):
    first = published_event(title="Atelier réparation", audience=Audience.PUBLIC)
    home = reverse("home")
    assert "Atelier réparation" in client.get(home).content.decode()
    assert "Atelier réparation" in client.get(first.space.get_absolute_url()).content.decode()
    published_event(
        title="Conférence annuelle", audience=Audience.PUBLIC, starts_at=first.starts_at - timedelta(days=1),
        ends_at=first.starts_at - timedelta(days=1) + timedelta(hours=3),
    )  # fmt: skip
    assert "Conférence annuelle" in client.get(home).content.decode()  # not the shared copy of before
    other_space = Space.objects.create(slug="autre", name="Autre", visibility=Visibility.PUBLIC)
    assert "Atelier réparation" not in client.get(other_space.get_absolute_url()).content.decode()


def test_past_events_with_their_recaps_are_in_the_archive_of_their_month(client, community_manager):
    from community.services import forum

    now = timezone.localtime()
    event = published_event(
        title="Atelier de décembre", audience=Audience.PUBLIC,
        starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1),
    )  # fmt: skip
    published_event(
        title="Réservé aux invités",
        audience=Audience.INVITED,
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
    )
    aftermath.recap_save(
        actor=community_manager, event=event, recap="Un **beau** moment.", recording_url="", slides_url=""
    )
    forum.thread_create(
        actor=UserFactory(), space=event.space, title="Retour sur l'atelier", body="Merci à tous."
    )
    page = client.get(reverse("community:archive-month", args=[now.year, now.month])).content.decode()
    assert "Atelier de décembre" in page
    assert "Retour sur l" in page
    assert "Réservé aux invités" not in page
    space_page = client.get(
        reverse("community:space-archive-month", args=[event.space.slug, now.year, now.month])
    )
    assert "Atelier de décembre" in space_page.content.decode()


def test_visitors_are_offered_to_register_only_while_registration_is_open(client):
    open_event = published_event(audience=Audience.PUBLIC)
    closed = published_event(
        audience=Audience.PUBLIC, registration_closes_at=timezone.now() - timedelta(hours=1)
    )
    register = "Members register in one click."
    assert register in client.get(open_event.get_absolute_url()).content.decode()
    page = client.get(closed.get_absolute_url()).content.decode()
    assert register not in page and "Registration is closed." in page


def test_the_feeds_copy_follows_a_rescheduling(client, member):
    event = published_event(audience=Audience.PUBLIC)
    registrations.registration_register(actor=member, event=event)
    path = feeds.feed_renew(member=member)
    first = Calendar.from_ical(client.get(path).content).events[0]
    assert client.get(path).content == client.get(path).content  # the copy
    event.starts_at += timedelta(hours=2)
    event.ends_at += timedelta(hours=2)
    planning.event_save(actor=UserFactory(is_superuser=True), event=event)
    again = Calendar.from_ical(client.get(path).content).events[0]
    assert int(again["SEQUENCE"]) == int(first["SEQUENCE"]) + 1 and again.start == first.start + timedelta(
        hours=2
    )


def test_made_up_filters_and_cursors_make_no_copies_of_their_own(client, settings):
    from django.core.cache import cache

    published_event(audience=Audience.PUBLIC)
    client.get(reverse("events:list"))
    keys = set(cache.keys("*shared:events:*"))
    client.get(reverse("events:list"), {"after": "nonsense"})
    response = client.get(reverse("events:list"), {"kind": "made-up"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert set(cache.keys("*shared:events:*")) == keys


def test_a_member_dropped_from_a_private_event_loses_it_from_their_feed_and_e_mails(client, member):
    from events.emails import event_email

    event = published_event(title="Dîner des ambassadeurs", audience=Audience.INVITED)
    event.invitees.set([member])
    registration = registrations.registration_register(actor=member, event=event)
    path = feeds.feed_renew(member=member)
    assert "Dîner des ambassadeurs" in client.get(path).content.decode()
    event.invitees.clear()
    assert "Dîner des ambassadeurs" not in client.get(path).content.decode()
    payload = {"kind": "reminder", "recipient": member.pk, "event": event.pk, "registration": registration.pk}
    assert event_email(payload) is None
