"""Shared pages (a thread, a space, the home page) in a real browser: the overlay makes each one its
reader's own, exactly as a page rendered for them alone; members react, edit and reply on a thread
page; without JavaScript it still reads and replies."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.roles import AMBASSADORS, COMMUNITY_MANAGERS
from community.models import ReactionKind, Space
from community.services import forum
from community.services.moderation import post_moderate
from moderation import services as moderation
from moderation.models import NetiquetteRule
from moderation.services.sanctions import sanction_apply
from tests.community.test_forum import accept_netiquette
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.e2e

# What a reader can see and do on a page: the text, and each visible link or button.
READ_PAGE = """() => {
  // Relative times move on between two loads: compare the dates they stand for.
  document.querySelectorAll("time[data-relative]").forEach((time) => { time.textContent = time.title; });
  const shown = (element) => element.getClientRects().length > 0;
  const controls = [...document.querySelectorAll("main a, main button, #site-nav a, #site-nav button")]
    .filter(shown)
    .map((e) => [
      e.tagName, e.innerText.trim(),
      e.getAttribute("href") || (e.form && e.form.getAttribute("action")) || "",
      e.getAttribute("aria-pressed") || "",
    ]);
  const text = (selector) => document.querySelector(selector).innerText;
  return {text: text("main"), nav: text("#site-nav"), controls};
}"""


def session_cookie(live_server, user) -> dict:
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": live_server.url}


def read_as(browser: Browser, live_server, url: str, user=None) -> dict:
    context = browser.new_context(locale="fr-FR")
    if user is not None:
        context.add_cookies([session_cookie(live_server, user)])
    page = context.new_page()
    page.goto(live_server.url + url)
    page.wait_for_load_state("networkidle")
    if user is not None and "/threads/" in url:  # The overlay has come (or the page was the member's).
        expect(page.locator("#reader")).to_have_class("is-member")
    seen = page.evaluate(READ_PAGE)
    context.close()
    return seen


@pytest.fixture
def thread_of_every_state(transactional_db):
    # The readers follow their browser's language: French.
    alice, bruno, carol, dan = (
        UserFactory(display_name=name, language="") for name in ("Alice", "Bruno", "Carol", "Dan")
    )
    reader = UserFactory(display_name="Rémi Lecteur", language="")
    suspended = UserFactory(display_name="Sam Suspendu", language="")
    ambassador = user_with_role(AMBASSADORS, display_name="Inès Relais", language="")
    manager = user_with_role(COMMUNITY_MANAGERS, display_name="Sacha Équipe", language="")
    accept_netiquette(alice, bruno, carol, dan, reader, suspended, ambassador, manager)
    space = Space.objects.create(name="Entraide", slug="entraide")
    thread = forum.thread_create(actor=alice, space=space, title="Pompe à chaleur", body="Elle ronronne.")
    forum.post_edit(actor=alice, post=thread.posts.get(position=1), body="Elle ronronne la nuit.")
    liked = forum.post_create(actor=bruno, thread=thread, body="Vérifiez les supports.")
    forum.reaction_toggle(actor=reader, post=liked, kind=ReactionKind.LIKE)
    held = forum.post_create(actor=carol, thread=thread, body="Un avis en attente.")
    post_moderate(post_id=held.pk, visibility="held")
    removed = forum.post_create(actor=dan, thread=thread, body="Un message retiré.")
    post_moderate(post_id=removed.pk, visibility="removed", rule_number=2)
    flagged = forum.post_create(actor=bruno, thread=thread, body="Un message signalé.")
    rule = NetiquetteRule.objects.order_by("number").first()
    moderation.flag_create(actor=reader, item_type="post", item_id=flagged.pk, rule=rule)
    sanction_apply(
        actor=None, decision=None, user_id=suspended.pk, kind="suspension", days=2, now=timezone.now()
    )
    readers = {
        "visitor": None, "member": reader, "held post's author": carol, "suspended": suspended,
        "ambassador": ambassador, "community manager": manager, "thread's author": alice,
    }  # fmt: skip
    return thread, readers


def test_the_shared_page_and_its_overlay_show_each_reader_what_a_page_of_their_own_shows(
    browser: Browser, live_server, settings, thread_of_every_state
):
    thread, readers = thread_of_every_state
    for url in (thread.get_absolute_url(), thread.space.get_absolute_url(), "/"):
        for kind, user in readers.items():
            settings.SHARED_PAGE_SECONDS = 600
            shared = read_as(browser, live_server, url, user)
            settings.SHARED_PAGE_SECONDS = 0
            own = read_as(browser, live_server, url, user)
            assert shared == own, (url, kind)
    # The held post is its author's and the team's only; the flag is the flagger's only.
    assert (
        "Un avis en attente."
        in read_as(browser, live_server, thread.get_absolute_url(), readers["held post's author"])["text"]
    )
    assert (
        "Un avis en attente."
        not in read_as(browser, live_server, thread.get_absolute_url(), readers["member"])["text"]
    )


def test_a_member_reacts_edits_and_replies_on_the_shared_page(
    page: Page, browser: Browser, live_server, french, thread_of_every_state
):
    thread, readers = thread_of_every_state
    url = live_server.url + thread.get_absolute_url()
    page.goto(url)  # A visitor first: the page is now shared.
    page.context.add_cookies([session_cookie(live_server, readers["ambassador"])])
    page.goto(url)
    nav = page.locator("#site-nav")
    expect(nav.get_by_role("link", name="Inès Relais")).to_be_visible()

    liked = page.locator("#post-2")
    expect(page.locator("#reader")).to_have_class("is-member")
    liked.get_by_role("button", name=f"♥ {french('Likes')} 1").click()
    expect(liked.get_by_role("button", name=f"♥ {french('Likes')} 2")).to_have_attribute(
        "aria-pressed", "true"
    )

    page.locator("#reply").get_by_role("textbox").fill("Merci, c'était bien les supports.")
    page.get_by_role("button", name=french("Post my reply")).click()
    mine = page.locator("li.post", has_text="Merci, c'était bien les supports.")
    expect(mine).to_be_visible()
    mine.get_by_role("link", name=french("Edit")).click()
    page.get_by_role("textbox", name=french("Message")).fill("Merci : c'était bien les supports.")
    page.get_by_role("button", name=french("Save")).click()
    expect(page.get_by_text("Merci : c'était bien les supports.")).to_be_visible()
    # Still the reader's own state after the edit: the like stays pressed.
    expect(page.locator("#post-2").get_by_role("button", name=f"♥ {french('Likes')} 2")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_without_javascript_a_member_reads_and_replies(
    browser: Browser, live_server, french, thread_of_every_state
):
    thread, readers = thread_of_every_state
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    context.add_cookies([session_cookie(live_server, readers["member"])])
    page = context.new_page()
    page.goto(live_server.url + thread.get_absolute_url())
    expect(page.get_by_text("Vérifiez les supports.")).to_be_visible()
    page.locator("#reply").get_by_role("link", name=french("Write a reply")).click()
    page.get_by_role("textbox").fill("Réponse sans JavaScript.")
    page.get_by_role("button", name=french("Post my reply")).click()
    expect(page.get_by_text("Réponse sans JavaScript.")).to_be_visible()
    context.close()


def test_a_list_shows_times_relative_to_now_with_the_date_as_a_tooltip(
    page: Page, live_server, thread_of_every_state
):
    thread, _readers = thread_of_every_state
    page.goto(live_server.url + thread.space.get_absolute_url())
    time = page.locator("time[data-relative]").first
    expect(time).to_have_text(re.compile(r"^il y a|maintenant"))
    assert time.get_attribute("title")  # The date the server wrote.
