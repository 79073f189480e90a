"""The moderation journey, in French: a flag, a decision citing a rule, a statement of reasons, an appeal."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from playwright.sync_api import Browser, Page, expect

from accounts.roles import COMMUNITY_MANAGERS
from community.models import Space
from community.services import forum
from tests.e2e.locators import field
from tests.factories import PASSWORD, UserFactory, user_with_role

pytestmark = pytest.mark.e2e

INSULT = "Tu ne comprends rien, espèce d'abruti."
RULE_ONE = "1. Respect et courtoisie"


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    field(page, "Courriel").fill(email)
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("banner").get_by_role("button", name="Se déconnecter")).to_be_visible()


def signed_in_page(browser: Browser, base_url: str, email: str) -> Page:
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base_url, email)
    return page


@pytest.fixture
def scene(db):
    import_module("moderation.migrations.0004_moderation_defaults").seed(apps, None)
    space = Space.objects.create(name="Entraide", slug="entraide", objective="Questions et réponses.")
    lea = UserFactory(email="lea@example.com", display_name="Léa Martin", handle="lea.martin", language="fr")
    marc = UserFactory(email="marc@example.com", display_name="Marc Petit", handle="marc", language="fr")
    thread = forum.thread_create(
        actor=lea, space=space, title="Quel vélo pour débuter ?", body="Je voudrais me mettre au vélo."
    )
    forum.post_create(actor=marc, thread=thread, body=INSULT)
    for email, name in (("sacha@example.com", "Sacha Dubois"), ("camille@example.com", "Camille Roux")):
        user_with_role(COMMUNITY_MANAGERS, email=email, display_name=name, language="fr")
    return {"thread": thread}


def test_a_flag_leads_to_a_removal_a_statement_of_reasons_and_an_upheld_appeal(
    page: Page, browser: Browser, live_server, french, scene
):
    base = live_server.url
    thread_url = f"{base}{scene['thread'].get_absolute_url()}"

    # A member flags the reply, citing a rule of the netiquette.
    sign_in(page, base, "lea@example.com")
    page.goto(thread_url)
    page.locator("#post-2").get_by_role("link", name=french("Flag")).click()
    expect(page.get_by_role("heading", name=french("Flag to the community team"))).to_be_visible()
    field(page, french("Which rule of the netiquette does it break?")).select_option(label=RULE_ONE)
    field(page, french("Comment (optional)")).fill("Insulte envers Léa.")
    page.get_by_role("button", name=french("Send the flag")).click()
    expect(
        page.get_by_text(french("Thank you: the community team will review what you flagged."))
    ).to_be_visible()
    expect(page.locator("#post-2")).to_contain_text(french("You flagged this"))

    # A community manager takes the next case, sees its context, removes the post citing rule 1 and warns.
    sacha = signed_in_page(browser, base, "sacha@example.com")
    sacha.goto(f"{base}/admin/moderation/case/")
    sacha.get_by_role("button", name=french("Next case")).click()
    expect(sacha.get_by_role("heading", name=french("The content, as members see it"))).to_be_visible()
    expect(sacha.get_by_text("Je voudrais me mettre au vélo.")).to_be_visible()  # the post before it
    expect(sacha.get_by_text("Insulte envers Léa.")).to_be_visible()
    sacha.wait_for_load_state("load")  # the shortcuts' deferred script has run
    sacha.locator("body").press("r")  # keyboard shortcut: remove
    expect(sacha.get_by_label(french("Remove"), exact=True)).to_be_checked()
    sacha.get_by_label(french("Rule of the netiquette")).select_option(label=RULE_ONE)
    expect(sacha.get_by_text(f"{french('The ladder proposes:')} {french('Warning')}")).to_be_visible()
    expect(sacha.get_by_label(french("Warning"), exact=True)).to_be_checked()
    sacha.get_by_label(french("Explanation for the author")).fill(
        "Insulter un membre est contraire à la règle 1."
    )
    sacha.get_by_role("button", name=french("Decide"), exact=True).click()
    expect(sacha.get_by_text(french("Decided. The author is told where a rule was cited."))).to_be_visible()

    # Others see the post's place in the thread marked as removed under rule 1.
    page.goto(thread_url)
    removed = french("This post was removed by moderation (rule %(number)s).") % {"number": 1}
    expect(page.locator("#post-2")).to_contain_text(removed)

    # The author reads the statement of reasons and appeals.
    marc = signed_in_page(browser, base, "marc@example.com")
    marc.get_by_role("banner").get_by_role("link", name="1 décision de modération").click()
    marc.get_by_role("link", name=french("Statement of reasons")).click()
    expect(marc.get_by_role("heading", name=french("Statement of reasons"))).to_be_visible()
    expect(
        marc.get_by_text(
            french("Rule %(number)s: %(title)s") % {"number": 1, "title": "Respect et courtoisie"}
        )
    )
    expect(marc.get_by_text("Insulter un membre est contraire à la règle 1.")).to_be_visible()
    expect(marc.get_by_text(french("This decision comes with a warning."))).to_be_visible()
    field(marc, french("Why should the decision change?")).fill(
        "C'était une citation d'un film, pas une insulte."
    )
    marc.get_by_role("button", name=french("Send my appeal")).click()
    expect(marc.get_by_text(french("Your appeal is sent. You will be told the outcome."))).to_be_visible()

    # A second community manager takes the appeal and upholds it.
    camille = signed_in_page(browser, base, "camille@example.com")
    camille.goto(f"{base}/admin/moderation/case/")
    camille.get_by_role("button", name=french("Next case")).click()
    expect(camille.get_by_role("heading", name=french("Decide the appeal"))).to_be_visible()
    expect(camille.get_by_text("C'était une citation d'un film, pas une insulte.")).to_be_visible()
    camille.get_by_label(french("Uphold the appeal: restore the content, lift the sanction")).check()
    camille.get_by_label(french("Explanation for the author")).fill("Le contexte montre une citation.")
    camille.get_by_role("button", name=french("Decide"), exact=True).click()
    expect(camille.get_by_text(french("The appeal is decided; the author is told."))).to_be_visible()

    # The post is back, and the author is told.
    page.goto(thread_url)
    expect(page.locator("#post-2")).to_contain_text("espèce d'abruti")
    marc.reload()
    upheld = french(
        "Your appeal is upheld: the decision is reversed, your content is back and any sanction it carried "
        "is lifted."
    )
    expect(marc.get_by_text(upheld)).to_be_visible()
