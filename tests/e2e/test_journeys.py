"""One journey per persona, in French, in a real browser."""

from __future__ import annotations

import csv
import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import COMMUNITY_MANAGERS, MARKETING
from reporting.services import kpi_rollup
from tests.e2e.locators import field
from tests.factories import PASSWORD, UserFactory, user_with_role

pytestmark = pytest.mark.e2e

BIO = "Cycliste du dimanche, je répare tout ce qui roule."
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_role("banner").get_by_role("link", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    field(page, "Courriel").fill(email)
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()


def test_a_newcomer_joins_verifies_her_address_and_sets_up_her_profile(page: Page, live_server, french):
    mail.outbox.clear()
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.get_by_role("main").get_by_role("link", name="Rejoindre la communauté").click()
    expect(page.get_by_role("heading", name="Création de compte")).to_be_visible()
    field(page, french("Display name")).fill("Nour Haddad")
    field(page, "Courriel").fill("nour@example.com")
    field(page, "Mot de passe").fill("plenty-of-entropy-42")
    field(page, "Mot de passe (confirmation)").fill("plenty-of-entropy-42")
    page.get_by_role("button", name="Création de compte").click()

    expect(page.get_by_role("heading", name="Vérifiez votre adresse e-mail")).to_be_visible()
    assert len(mail.outbox) == 1
    link = CONFIRM_LINK.search(mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Confirmer l'adresse e-mail")).to_be_visible()
    page.get_by_role("button", name="Confirmer").click()

    # A newcomer reads and accepts the netiquette before anything else, then lands where she was going.
    expect(page.get_by_role("heading", name=french("Netiquette"))).to_be_visible()
    page.get_by_role("button", name=french("I accept the netiquette")).click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text(french("Welcome back, %(name)s.") % {"name": "Nour Haddad"})).to_be_visible()

    page.get_by_role("banner").get_by_role("link", name="Nour Haddad").click()
    expect(page.get_by_role("heading", name=french("Profile and preferences"))).to_be_visible()
    field(page, french("About me")).fill(BIO)
    page.get_by_role("button", name=french("Save")).click()
    expect(page.get_by_text(french("Your profile and preferences are saved."))).to_be_visible()
    expect(field(page, french("About me"))).to_have_value(BIO)

    page.get_by_role("banner").get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Profile and preferences")).to_be_visible()
    expect(field(page, "About me")).to_have_value(BIO)
    newcomer = get_user_model().objects.get(email="nour@example.com")
    assert (newcomer.display_name, newcomer.language) == ("Nour Haddad", "en")


def test_a_community_manager_signs_in_and_opens_the_administration(page: Page, live_server, french):
    user_with_role(COMMUNITY_MANAGERS, email="sacha@example.com", display_name="Sacha Dubois", language="fr")

    sign_in(page, live_server.url, "sacha@example.com")
    expect(page.get_by_role("banner").get_by_role("link", name="Sacha Dubois")).to_be_visible()
    page.get_by_role("banner").get_by_role("link", name=french("Administration")).click()

    expect(page).to_have_url(f"{live_server.url}/admin/")
    site_header = french("%(name)s administration") % {"name": "Agora"}
    expect(page.get_by_role("link", name=site_header, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=french("Community management"))).to_be_visible()
    expect(page.get_by_role("link", name=french("members")).first).to_be_visible()


def test_marketing_signs_in_reads_the_dashboards_and_is_kept_out_of_the_admin(
    page: Page, live_server, french
):
    user_with_role(MARKETING, email="alex@example.com", display_name="Alex Moreau", language="fr")
    today = timezone.localdate()
    kpi_rollup(first_day=today - timedelta(days=29), last_day=today)

    sign_in(page, live_server.url, "alex@example.com")
    expect(page.get_by_role("banner").get_by_role("link", name=french("Administration"))).to_have_count(0)
    page.get_by_role("banner").get_by_role("link", name=french("Dashboards")).click()

    expect(page.get_by_role("heading", name=french("Members"), exact=True)).to_be_visible()
    chart = french("Chart of %(title)s per day; the table below holds the same figures") % {
        "title": french("Members")
    }
    expect(page.get_by_role("img", name=chart)).to_be_visible()
    export = page.get_by_role("link", name=french("Export CSV"))
    expect(export).to_be_visible()
    expect(export).to_have_attribute("href", re.compile(r"/reporting/members/export\.csv"))

    response = page.goto(f"{live_server.url}/admin/")

    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name=french("Access denied"))).to_be_visible()


def test_marketing_compares_two_weeks_reads_the_chart_and_downloads_the_csv(page: Page, live_server, french):
    """Alex picks a week, reads it beside the week before (4 new members against 2: +100 %), sees the
    chart drawn under the CSP (Chart.js loaded from the site, data from json_script) and downloads the
    same figures as CSV."""
    today = timezone.localdate()
    start, end = today - timedelta(days=6), today
    noon = timezone.make_aware(datetime.combine(start, time(12)))
    user_with_role(
        MARKETING, email="alex@example.com", display_name="Alex Moreau", language="fr",
        date_joined=noon - timedelta(days=60),
    )  # fmt: skip
    for days_before, count in ((7, 2), (0, 4)):
        for _ in range(count):
            UserFactory(date_joined=noon - timedelta(days=days_before))
    kpi_rollup(first_day=start - timedelta(days=7), last_day=end, themes=["members"])
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.extend([message.text] if "Security Policy" in message.text else [])
    )

    sign_in(page, live_server.url, "alex@example.com")
    page.goto(f"{live_server.url}/reporting/")
    field(page, french("From")).fill(start.isoformat())
    field(page, french("To")).fill(end.isoformat())
    page.get_by_role("button", name=french("Show")).click()

    card = page.locator(".stat-card", has=page.get_by_text(french("New members"), exact=True))
    expect(card.locator(".stat-value")).to_have_text("4")
    expect(card.locator(".stat-change")).to_contain_text("100")
    expect(card.locator(".stat-change")).to_contain_text("2")
    datasets = page.evaluate(
        "() => Chart.getChart(document.getElementById('kpi-chart')).data.datasets.length"
    )
    assert datasets >= 3 and not refused

    with page.expect_download() as download:
        page.get_by_role("link", name=french("Export CSV")).click()
    rows = list(csv.reader(download.value.path().read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 1 + 7 and sum(int(row[2]) for row in rows[1:]) == 4
