"""axe-core in the browser on the main pages of each persona, in French: no serious or critical violation.

The demo community of `make run` (seed_demo) with one upcoming meetup; each persona signs in through the
form and reads its pages as they render, scripts and styles included.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from accounts.models import User
from community.models import Space, Thread, Visibility
from config.management.commands.seed_demo import DEMO_PASSWORD
from events.models import Audience, Event, EventFormat, EventKind, EventState
from moderation.models import NetiquetteRule
from moderation.services.flags import flag_create
from tests.e2e.test_member_journey import sign_in

pytestmark = pytest.mark.e2e

SERIOUS = {"serious", "critical"}


@pytest.fixture
def demo(db) -> dict[str, str]:
    call_command("seed_demo")
    space = Space.objects.filter(visibility=Visibility.PUBLIC).first()
    thread = Thread.objects.filter(space=space).first()
    start = timezone.now() + timedelta(days=5)
    event = Event.objects.create(
        title="Apéro des membres à Lyon", kind=EventKind.MEETUP, format=EventFormat.OFFLINE,
        venue_name="La Halle", venue_address="1 place des Terreaux, Lyon", starts_at=start,
        ends_at=start + timedelta(hours=2), time_zone="Europe/Paris", space=space, capacity=20,
        audience=Audience.PUBLIC, state=EventState.PUBLISHED,
    )  # fmt: skip
    # Something in the moderation queue, so that its list is read with content.
    member = User.objects.get(email="member@example.com")
    post = thread.posts.exclude(author=member).first()
    flag_create(actor=member, item_type="post", item_id=post.pk, rule=NetiquetteRule.objects.first())
    return {
        "space": space.get_absolute_url(),
        "thread": thread.get_absolute_url(),
        "event": event.get_absolute_url(),
        "profile": reverse("community:profile", args=[member.handle]),
    }


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): {violation['help']} — "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


def read_all(page: Page, base_url: str, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        response = page.goto(f"{base_url}{path}")
        assert response is not None and response.ok, (path, response and response.status)
        found += serious_violations(page)
    return found


def test_a_visitors_pages_have_no_serious_accessibility_violation(page: Page, live_server, french, demo):
    paths = [
        "/", demo["space"], demo["thread"], demo["profile"], demo["event"], "/events/", "/search/?q=vélo",
        "/archive/", "/netiquette/", "/privacy/", "/accounts/signup/", "/accounts/login/",
    ]  # fmt: skip
    assert read_all(page, live_server.url, paths) == []


def test_a_members_pages_have_no_serious_accessibility_violation(page: Page, live_server, french, demo):
    sign_in(page, live_server.url, "member@example.com", DEMO_PASSWORD)
    paths = [
        "/", demo["thread"], f"{demo['space']}new/", demo["event"], "/me/settings/", "/notifications/",
        "/me/invitations/", "/events/calendar/", "/moderation/notices/",
    ]  # fmt: skip
    assert read_all(page, live_server.url, paths) == []


def test_a_community_managers_pages_have_no_serious_accessibility_violation(
    page: Page, live_server, french, demo
):
    sign_in(page, live_server.url, "cm@example.com", DEMO_PASSWORD)
    paths = [
        "/", "/welcome/", "/events/new/", "/mailings/newsletters/", "/mailings/newsletters/new/",
        "/reporting/waiting/", "/admin/", "/admin/moderation/case/",
    ]  # fmt: skip
    assert read_all(page, live_server.url, paths) == []


def test_marketings_dashboards_have_no_serious_accessibility_violation(page: Page, live_server, french, demo):
    sign_in(page, live_server.url, "marketing@example.com", DEMO_PASSWORD)
    paths = ["/reporting/", "/reporting/health/", "/reporting/onboarding/", "/reporting/retention/"]
    assert read_all(page, live_server.url, paths) == []
