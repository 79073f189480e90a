"""A member's e-mail, in French: the digest's frequency and the newsletter's opt-in in the settings, then
leaving the digest from the link of a digest they received."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from community.models import MemberState, Space
from community.services import forum
from mailings import digests
from mailings.models import Delivery
from mailings.services import consent_given
from tests.e2e.locators import field
from tests.e2e.test_member_journey import sign_in
from tests.factories import UserFactory
from tests.mail import send_due

pytestmark = pytest.mark.e2e


def test_a_member_chooses_a_monthly_digest_opts_in_and_leaves_the_digest_from_its_link(
    page: Page, live_server, french
):
    base = live_server.url
    camille = UserFactory(email="camille@example.com", display_name="Camille Martin", language="fr")
    space = Space.objects.create(name="Entraide", slug="entraide")
    forum.thread_create(actor=UserFactory(), space=space, title="Quel sac de randonnée ?", body="Conseils ?")

    sign_in(page, base, camille.email)
    page.goto(f"{base}/me/settings/")
    page.get_by_label(french("Monthly"), exact=True).check()
    newsletter = field(
        page, french("Send me the community's newsletter (about once a month); I can leave it at any time.")
    )
    expect(newsletter).not_to_be_checked()  # never ticked in advance
    newsletter.check()
    page.get_by_role("button", name=french("Save"), exact=True).click()
    expect(page.get_by_text(french("Your profile and preferences are saved."))).to_be_visible()
    assert MemberState.objects.get(user=camille).digest == "monthly"
    assert consent_given(camille.pk, "newsletter")

    # A month later, Camille has not come back: the monthly digest is sent.
    camille.refresh_from_db()
    camille.last_seen_at = timezone.now() - timedelta(days=40)
    camille.save(update_fields=["last_seen_at"])
    paris = ZoneInfo("Europe/Paris")
    first = (timezone.now().astimezone(paris).date().replace(day=28) + timedelta(days=4)).replace(day=1)
    assert digests.digests_queue(now=datetime(first.year, first.month, first.day, 9, tzinfo=paris)) == 1
    Delivery.objects.exclude(kind="digest").update(state="skipped")
    mail.outbox.clear()
    send_due()
    [digest] = mail.outbox
    assert "Quel sac de randonnée ?" in digest.body
    path = re.search(r"https?://[^/\s]+(/mailings/unsubscribe/digest/\S+/)", digest.body).group(1)

    page.goto(base + path)
    expect(page.get_by_role("heading", name=french("Unsubscribe"))).to_be_visible()
    assert MemberState.objects.get(user=camille).digest == "monthly"  # opening the link changes nothing
    page.get_by_role("button", name=french("Unsubscribe")).click()
    expect(page.get_by_role("heading", name=french("You are unsubscribed"))).to_be_visible()
    assert MemberState.objects.get(user=camille).digest == "never"
    assert consent_given(camille.pk, "newsletter")  # the newsletter is another list
