"""The community manager's newsletter in a browser, in French: she writes an issue, picks a thread from
the search, previews it, sends herself a test, schedules it, then sends it now and watches its status
reach 100 %. The engine (the beat's minute and the sender) runs in the test's thread, as the worker
would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import COMMUNITY_MANAGERS
from community.models import Space
from community.services import forum
from mailings.models import Newsletter, NewsletterState
from mailings.services import consent_record
from mailings.services.newsletters import newsletters_start
from tests.community.test_forum import accept_netiquette
from tests.e2e.locators import field
from tests.e2e.test_member_journey import sign_in
from tests.factories import UserFactory, user_with_role
from tests.mail import send_due

pytestmark = pytest.mark.e2e


def test_a_community_manager_composes_tests_schedules_and_sends_an_issue(page: Page, live_server, french):
    lea = UserFactory(display_name="Léa Martin", language="fr")
    accept_netiquette(lea)
    space = Space.objects.create(name="Entraide", slug="entraide")
    forum.thread_create(actor=lea, space=space, title="Purger une pompe à chaleur", body="Voici la méthode.")
    readers = [UserFactory(language="fr") for _ in range(3)]
    for reader in readers:
        consent_record(member_id=reader.pk, list_key="newsletter", given=True, source="signup")
    manager = user_with_role(
        COMMUNITY_MANAGERS, email="sacha@example.com", display_name="Sacha Dubois", language="fr"
    )
    sign_in(page, live_server.url, manager.email)

    # From her tools in the navigation to a new issue.
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Principal").get_by_role("link", name=french("Newsletter")).click()
    page.get_by_role("link", name=french("New issue")).click()
    field(page, french("subject").capitalize()).fill("Les nouvelles de décembre")
    field(page, french("introduction").capitalize()).fill("Bonjour à **toutes et tous** !")
    page.get_by_label(french("Search the public threads and posts")).fill("pompe")
    page.get_by_label("Purger une pompe à chaleur").check()
    page.get_by_role("button", name=french("Save the issue")).click()
    expect(page.get_by_role("heading", name="Les nouvelles de décembre")).to_be_visible()
    issue = Newsletter.objects.get()
    assert issue.picks[0]["title"] == "Purger une pompe à chaleur"

    # The preview: the e-mail as sent, HTML and text, in French then in English.
    page.get_by_role("link", name=french("Preview")).click()
    expect(page.locator("pre.email-text")).to_contain_text("Purger une pompe à chaleur")
    frame = page.frame_locator("iframe.email-preview")
    expect(frame.locator("strong", has_text="toutes et tous")).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(frame.get_by_text("All my e-mail settings")).to_be_visible()
    page.go_back()
    page.go_back()

    # A test to herself, through the same engine.
    page.get_by_role("button", name=french("Send a test to me")).click()
    expect(page.locator(".message-success")).to_be_visible()
    mail.outbox.clear()
    send_due()
    assert [email.to for email in mail.outbox] == [[manager.email]]
    assert mail.outbox[0].subject.endswith("Les nouvelles de décembre")

    # Scheduled for tomorrow, then sent now after all, with a confirmation.
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1))
    field(page, french("Send on")).fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name=french("Schedule")).click()
    expect(page.get_by_role("button", name=french("Cancel the scheduled send"))).to_be_visible()
    issue.refresh_from_db()
    assert issue.state == NewsletterState.SCHEDULED
    page.get_by_role("link", name=french("Send now")).click()
    page.get_by_role("button", name=french("Yes, send it now")).click()

    # The beat's minute writes the rows, the sender sends them: the status page follows by itself.
    newsletters_start()
    expect(page.locator("#newsletter-status progress")).to_be_visible()
    mail.outbox.clear()
    send_due()
    expect(page.locator("#newsletter-status progress")).to_have_attribute("value", "100", timeout=15_000)
    assert sorted(email.to[0] for email in mail.outbox) == sorted(reader.email for reader in readers)
    newsletters_start()
    issue.refresh_from_db()
    assert issue.state == NewsletterState.SENT and issue.recipient_count == 3
