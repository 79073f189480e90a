"""The member's journey through the forum, in French: from sign-up to finding one's own reply by search."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from accounts.roles import COMMUNITY_MANAGERS
from community.models import Space
from community.services import forum
from tests.e2e.locators import field
from tests.factories import PASSWORD, UserFactory, user_with_role

pytestmark = pytest.mark.e2e

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")
REPLY = "Pour débuter, un vélo de randonnée d'occasion suffit largement. Merci @lea.martin pour la question !"


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    field(page, "Courriel").fill(email)
    field(page, "Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()


@pytest.fixture
def community(db):
    introductions = Space.objects.create(name="Présentations", slug="presentations", is_introductions=True)
    help_space = Space.objects.create(name="Entraide", slug="entraide", objective="Questions et réponses.")
    lea = UserFactory(display_name="Léa Martin", handle="lea.martin", language="fr")
    question = forum.thread_create(
        actor=lea, space=help_space, title="Quel vélo pour débuter ?", body="Je voudrais me mettre au vélo."
    )
    manager = user_with_role(COMMUNITY_MANAGERS, email="sacha@example.com", display_name="Sacha Dubois")
    manager.language = "fr"
    manager.save(update_fields=["language"])
    return {"introductions": introductions, "question": question, "lea": lea}


def test_a_newcomer_introduces_herself_is_welcomed_replies_and_finds_her_reply(
    page: Page, browser: Browser, live_server, french, community
):
    mail.outbox.clear()
    base = live_server.url

    # Sign up and verify the address.
    page.goto(f"{base}/")
    page.get_by_role("main").get_by_role("link", name=french("Join the community")).click()
    field(page, french("Display name")).fill("Nour Haddad")
    field(page, "Courriel").fill("nour@example.com")
    field(page, "Mot de passe").fill("plenty-of-entropy-42")
    field(page, "Mot de passe (confirmation)").fill("plenty-of-entropy-42")
    page.get_by_role("button", name="Création de compte").click()
    link = CONFIRM_LINK.search(mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirmer").click()

    # Accept the netiquette, then follow the checklist to introduce herself.
    expect(page.get_by_role("heading", name=french("Netiquette"))).to_be_visible()
    page.get_by_role("button", name=french("I accept the netiquette")).click()
    expect(page.get_by_role("heading", name=re.compile(french("Get started")))).to_be_visible()
    page.get_by_role("link", name=french("Introduce yourself to the community")).click()
    expect(field(page, french("Message"))).to_have_value(re.compile("Bonjour"))
    field(page, french("Title")).fill("Bonjour, je suis Nour")
    field(page, french("Message")).fill("Bonjour ! Cycliste débutante à Lyon, ravie d'être parmi vous.")
    page.get_by_role("button", name=french("Publish")).click()
    expect(page.get_by_role("heading", name="Bonjour, je suis Nour")).to_be_visible()
    expect(page.get_by_text(french("First post: welcome!"))).to_be_visible()

    # A community manager welcomes her from the list of newcomers, in one click.
    manager_context = browser.new_context(locale="fr-FR")
    manager_page = manager_context.new_page()
    sign_in(manager_page, base, "sacha@example.com")
    manager_page.get_by_role("banner").get_by_role("link", name=french("Welcome newcomers")).click()
    row = manager_page.get_by_role("listitem").filter(has_text="Bonjour, je suis Nour")
    row.get_by_role("button", name=french("Welcome")).click()
    expect(manager_page.get_by_text(french("Everyone has been welcomed. Well done!"))).to_be_visible()
    manager_context.close()

    # She is told, and reads the welcome in her thread.
    page.goto(f"{base}/")
    page.get_by_role("banner").get_by_role("link", name=re.compile(r"\d+ notifications? non lues?")).click()
    notice = french("%(actor)s mentioned you in “%(title)s”") % {
        "actor": "Sacha Dubois",
        "title": "Bonjour, je suis Nour",
    }
    page.get_by_role("link", name=re.compile(re.escape(notice))).click()
    expect(page.get_by_text(re.compile(r"Bienvenue dans la communauté, @nour"))).to_be_visible()

    # She replies in another member's thread, mentioning her.
    page.goto(f"{base}{community['question'].get_absolute_url()}")
    field(page, french("Your reply")).fill(REPLY)
    page.get_by_role("button", name=french("Post my reply")).click()
    reply = page.locator("#post-2")
    expect(reply).to_contain_text("un vélo de randonnée d'occasion")
    expect(reply.get_by_role("link", name="@lea.martin")).to_be_visible()

    # She searches without accents and finds her reply.
    search = page.get_by_role("search").get_by_role("searchbox")
    search.fill("velo randonnee occasion")
    search.press("Enter")
    result = page.get_by_role("main").get_by_role("link", name="Quel vélo pour débuter ?")
    expect(result).to_be_visible()
    expect(page.locator("mark").first).to_be_visible()
    result.click()
    expect(page.locator("#post-2")).to_contain_text("vélo de randonnée")
