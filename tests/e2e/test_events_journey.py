"""Events in a browser, in French: a member finds an event, registers, waits, is promoted and takes it
into their calendar; a community manager checks members in at the door."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from accounts.roles import COMMUNITY_MANAGERS
from community.models import Space
from events.models import (
    Audience,
    ContestDraw,
    Contribution,
    Event,
    EventFormat,
    EventKind,
    EventState,
    Registration,
)
from events.services import contributions, registrations
from events.tickets import ticket_token
from tests.e2e.test_member_journey import sign_in
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.e2e


@pytest.fixture
def meetup(db) -> Event:
    space = Space.objects.create(name="Rencontres", slug="rencontres")
    start = timezone.now() + timedelta(days=5)
    return Event.objects.create(
        title="Apéro des membres à Lyon", kind=EventKind.MEETUP, format=EventFormat.OFFLINE,
        venue_name="La Halle", venue_address="1 place des Terreaux, Lyon", starts_at=start,
        ends_at=start + timedelta(hours=2), time_zone="Europe/Paris", space=space, capacity=1,
        audience=Audience.MEMBERS, state=EventState.PUBLISHED,
    )  # fmt: skip


def test_a_member_registers_waits_is_promoted_and_adds_the_event_to_her_calendar(
    page: Page, live_server, french, meetup
):
    first = UserFactory(display_name="Hugo Petit", language="fr")
    registrations.registration_register(actor=first, event=meetup)
    nour = UserFactory(display_name="Nour Haddad", email="nour@example.com", language="fr")
    sign_in(page, live_server.url, nour.email)

    # From the home page's next events to the event.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=meetup.title).click()
    expect(page.get_by_role("heading", name=meetup.title)).to_be_visible()
    expect(page.get_by_text(french("Full: registering puts you on the waiting list."))).to_be_visible()

    # Full: one click puts her on the waiting list, in place.
    page.get_by_role("button", name=french("Join the waiting list")).click()
    expect(page.get_by_text("Vous êtes numéro 1 sur la liste d'attente.")).to_be_visible()

    # Hugo gives up his seat: Nour is promoted and told.
    registrations.registration_cancel(actor=first, registration=Registration.objects.get(member=first))
    page.reload()
    expect(page.get_by_text(french("You are going."))).to_be_visible()
    expect(page.locator(".nav-badge")).to_have_text("1")

    # Her calendar: the event's .ics, which a calendar application reads back.
    with page.expect_download() as download:
        page.get_by_role("link", name=french("Add to my calendar (.ics)")).click()
    calendar = Calendar.from_ical(Path(download.value.path()).read_bytes())
    assert str(calendar.events[0]["SUMMARY"]) == meetup.title

    # And her ticket for the door.
    page.get_by_role("link", name=french("My ticket (QR code for the door)")).click()
    expect(page.locator(".ticket-qr svg")).to_be_visible()


def test_a_community_manager_checks_two_members_in_by_name_and_by_their_tickets_qr_code(
    page: Page, live_server, french, meetup
):
    meetup.capacity = 10
    meetup.save(update_fields=["capacity"])
    camille = UserFactory(display_name="Camille Martin")
    lou = UserFactory(display_name="Lou Bernard")
    for member in (camille, lou):
        registrations.registration_register(actor=member, event=meetup)
    manager = user_with_role(COMMUNITY_MANAGERS, email="sacha@example.com", display_name="Sacha Dubois")
    manager.language = "fr"
    manager.save(update_fields=["language"])
    sign_in(page, live_server.url, manager.email)

    page.goto(f"{live_server.url}{meetup.get_absolute_url()}")
    page.get_by_role("link", name=french("Check-in at the door")).click()
    search = page.get_by_label(french("Name or handle"))
    search.fill("camille")
    search.press("Enter")
    expect(page.get_by_text("Arrivée de Camille Martin enregistrée.")).to_be_visible()

    # Lou shows the QR code of her ticket; the team's phone opens it and taps once.
    ticket = Registration.objects.get(member=lou)
    page.goto(f"{live_server.url}{reverse('events:ticket-check-in', args=[ticket.pk, ticket_token(ticket)])}")
    expect(page.get_by_role("heading", name="Lou Bernard")).to_be_visible()
    page.get_by_role("button", name=french("Check in")).click()
    expect(page.get_by_text("Arrivée de Lou Bernard enregistrée.")).to_be_visible()
    assert Registration.objects.filter(event=meetup, attended_at__isnull=False).count() == 2

    # After the meetup, the recap on its page.
    page.goto(f"{live_server.url}{meetup.get_absolute_url()}")
    page.get_by_role("link", name=french("Write the recap")).click()
    page.get_by_label(french("Recap")).fill("Merci aux **vingt** participants !")
    page.get_by_label(french("Recording")).fill("https://video.example/apero")
    page.get_by_role("button", name=french("Publish the recap")).click()
    expect(page.locator(".recap strong")).to_have_text("vingt")
    expect(page.get_by_role("link", name=french("Watch the recording"))).to_have_attribute(
        "href", "https://video.example/apero"
    )


def test_an_ama_where_members_ask_and_upvote_and_the_guest_answers(page: Page, live_server, french, meetup):
    meetup.kind, meetup.format, meetup.venue_name, meetup.audience = (
        EventKind.INTERVIEW, EventFormat.ONLINE, "", Audience.PUBLIC,
    )  # fmt: skip
    meetup.save()
    lea = UserFactory(display_name="Léa Martin", language="fr")
    contributions.contribution_write(
        actor=lea, event=meetup, kind="question", body="Quelle est la prochaine collection ?"
    )
    nour = UserFactory(display_name="Nour Haddad", email="nour@example.com", language="fr")
    sign_in(page, live_server.url, nour.email)
    page.goto(f"{live_server.url}{meetup.get_absolute_url()}")
    page.get_by_role("link", name=french("Questions for the guest")).click()
    page.get_by_label(french("Your text")).fill("Fabriquez-vous en France ?")
    page.get_by_role("button", name=french("Ask")).click()
    expect(page.get_by_text("Fabriquez-vous en France ?")).to_be_visible()
    leas = page.locator(".question", has_text="Quelle est la prochaine collection ?")
    leas.get_by_role("button").click()  # htmx: the count moves in place
    expect(leas.get_by_role("button")).to_have_attribute("aria-pressed", "true")
    expect(leas.get_by_role("button")).to_contain_text("1")

    manager = user_with_role(
        COMMUNITY_MANAGERS, email="sacha@example.com", display_name="Sacha Dubois", language="fr"
    )
    page.context.clear_cookies()
    sign_in(page, live_server.url, manager.email)
    page.goto(f"{live_server.url}{reverse('events:questions', args=[meetup.pk])}")
    first = page.locator(".question", has_text="Quelle est la prochaine collection ?")
    first.locator("summary").click()
    first.get_by_label(french("Answer (or a link into the discussion)")).fill("Au printemps !")
    first.get_by_role("button", name=french("Mark answered")).click()
    answered = page.locator(".question.is-answered")
    expect(answered).to_contain_text("Au printemps !")


def test_a_community_manager_draws_a_contests_winner_that_anyone_can_check(
    page: Page, live_server, french, meetup
):
    meetup.kind, meetup.format, meetup.venue_name, meetup.audience = (
        EventKind.CONTEST, EventFormat.ONLINE, "", Audience.PUBLIC,
    )  # fmt: skip
    meetup.entries_close_at = timezone.now() + timedelta(hours=1)
    meetup.save()
    for name in ("Léa Martin", "Hugo Petit", "Inès Laurent"):
        contributions.contribution_write(
            actor=UserFactory(display_name=name), event=meetup, kind="entry", body=f"Photo de {name}"
        )
    Event.objects.filter(pk=meetup.pk).update(entries_close_at=timezone.now() - timedelta(minutes=1))
    manager = user_with_role(
        COMMUNITY_MANAGERS, email="sacha@example.com", display_name="Sacha Dubois", language="fr"
    )
    sign_in(page, live_server.url, manager.email)
    page.goto(f"{live_server.url}{reverse('events:contest', args=[meetup.pk])}")
    page.get_by_role("button", name=french("Draw at random")).click()
    expect(page.get_by_role("heading", name=french("The winner"))).to_be_visible()
    page.get_by_text(french("Check the draw")).click()
    draw = ContestDraw.objects.get(event=meetup)
    expect(page.locator(".contest-result pre")).to_contain_text(draw.seed)
    winner = Contribution.objects.get(pk=draw.winners[0]).author.public_name
    expect(page.locator(".contest-result ul")).to_have_text(winner)


def test_a_community_manager_creates_a_meetup_on_the_site_and_publishes_it(
    page: Page, live_server, french, db
):
    space = Space.objects.create(name="Rencontres", slug="rencontres")
    manager = user_with_role(
        COMMUNITY_MANAGERS, email="sacha@example.com", display_name="Sacha Dubois", language="fr"
    )
    sign_in(page, live_server.url, manager.email)
    page.goto(f"{live_server.url}/events/")
    page.get_by_role("link", name=french("New event")).click()
    label = lambda msgid: page.get_by_label(re.compile(rf"^{french(msgid)}\W*$", re.IGNORECASE))  # noqa: E731
    label("title").fill("Apéro de juin à Lyon")
    label("kind").select_option("meetup")
    label("format").select_option("offline")
    label("starts").fill("2027-06-10T19:00")
    label("ends").fill("2027-06-10T22:00")
    label("venue").fill("La Halle")
    label("seats").fill("30")
    label("space").select_option(str(space.pk))
    page.locator("#id_audience").select_option("public")
    page.get_by_role("button", name=french("Save as a draft")).click()
    expect(page.get_by_role("heading", name="Apéro de juin à Lyon")).to_be_visible()
    expect(page.get_by_text("19:00").first).to_be_visible()
    page.get_by_role("link", name=french("Edit, reschedule, publish, cancel or repeat")).click()
    page.get_by_role("button", name=french("Publish")).click()
    expect(page.get_by_text(french("The event is published."))).to_be_visible()
    event = Event.objects.get(title="Apéro de juin à Lyon")
    assert event.state == EventState.PUBLISHED and event.thread is not None
