"""Atom feeds of a space's new threads and of a thread's posts (community/feeds.py): what a signed-out
visitor reads, the same for everyone who asks, never a member's own view."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from community.models import PostState, Space, Visibility
from community.services import forum, visibility
from tests.community.test_forum import accept_netiquette
from tests.factories import UserFactory

ATOM = "{http://www.w3.org/2005/Atom}"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://community.example"


@pytest.fixture
def space(db) -> Space:
    return Space.objects.create(name="Entraide", slug="entraide", description="Ask & help")


@pytest.fixture
def inside(db) -> Space:
    return Space.objects.create(name="Inside", slug="inside", visibility=Visibility.MEMBERS)


@pytest.fixture
def people(db):
    alice = UserFactory(display_name="Alice Aubert", email="alice@example.com")
    bruno = UserFactory(display_name="Bruno Bernard", email="bruno@example.com")
    accept_netiquette(alice, bruno)
    return alice, bruno


def space_feed(space) -> str:
    return reverse("community:space-feed", args=[space.slug])


def thread_feed(thread) -> str:
    return reverse("community:thread-feed", args=[thread.pk])


def entries(response) -> list[ElementTree.Element]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ElementTree.fromstring(response.content).findall(f"{ATOM}entry")


def text(entry: ElementTree.Element, name: str) -> str:
    found = entry.find(f"{ATOM}{name}")
    return "" if found is None or found.text is None else found.text


def test_a_public_space_feed_has_its_new_threads_with_their_opening_posts(client, people, space, inside):
    alice, bruno = people
    older = forum.thread_create(actor=alice, space=space, title="Heat pump noise", body="It **hums**.")
    newer = forum.thread_create(actor=bruno, space=space, title="Filters & seasons", body="When?")
    forum.thread_create(actor=bruno, space=inside, title="Members only", body="Inside talk")

    response = client.get(space_feed(space))
    found = entries(response)

    assert [text(entry, "title") for entry in found] == ["Filters & seasons", "Heat pump noise"]
    first = found[1]
    assert text(first, "content") == older.posts.get().body_html and "<strong>hums</strong>" in text(
        first, "content"
    )
    assert first.find(f"{ATOM}author/{ATOM}name").text == "Alice Aubert"
    assert first.find(f"{ATOM}link").get("href") == f"https://community.example{older.get_absolute_url()}"
    assert text(first, "id") == f"tag:community.example,{older.created_at:%Y-%m-%d}:thread/{older.pk}"
    assert text(found[0], "published") and text(found[0], "updated")
    assert "Members only" not in response.content.decode() and newer.pk
    assert response["Cache-Control"] == "public, max-age=300"


def test_a_members_only_space_has_no_feed_even_for_a_member(client, people, inside):
    alice, _bruno = people
    forum.thread_create(actor=alice, space=inside, title="Members only", body="Inside talk")

    assert client.get(space_feed(inside)).status_code == 404
    client.force_login(alice)
    assert client.get(reverse("community:space", args=[inside.slug])).status_code == 200
    assert client.get(space_feed(inside)).status_code == 404


def test_a_thread_feed_leaves_out_held_removed_and_deleted_posts(client, people, space):
    alice, bruno = people
    thread = forum.thread_create(actor=alice, space=space, title="Heat pump", body="It hums.")
    shown = forum.post_create(actor=bruno, thread=thread, body="Check the brackets.")
    held = forum.post_create(actor=bruno, thread=thread, body="A held reply")
    visibility.post_state_set(post_id=held.pk, state=PostState.PENDING)
    removed = forum.post_create(actor=bruno, thread=thread, body="A removed reply")
    visibility.post_state_set(post_id=removed.pk, state=PostState.REMOVED)
    deleted = forum.post_create(actor=alice, thread=thread, body="A deleted reply")
    forum.post_delete(actor=alice, post=deleted)

    # Signed in as the held post's author: the feed is still the visitors' one.
    client.force_login(bruno)
    response = client.get(thread_feed(thread))
    found = entries(response)

    assert [text(entry, "id").rsplit("/", 1)[1] for entry in found] == [str(shown.pk), str(shown.pk - 1)]
    body = response.content.decode()
    assert "Check the brackets." in body and "It hums." in body
    assert "held reply" not in body and "removed reply" not in body and "deleted reply" not in body
    assert text(found[0], "title") == "Post #2 by Bruno Bernard"
    assert found[0].find(f"{ATOM}link").get("href").endswith(f"/threads/{thread.pk}/#post-2")
    assert response["Cache-Control"] == "public, max-age=300"


def test_held_removed_and_members_only_threads_have_no_feed(client, people, space, inside):
    alice, _bruno = people
    held = forum.thread_create(actor=alice, space=space, title="Held thread", body="Waiting")
    visibility.thread_state_set(thread_id=held.pk, state=PostState.PENDING)
    removed = forum.thread_create(actor=alice, space=space, title="Removed thread", body="Spam")
    visibility.thread_state_set(thread_id=removed.pk, state=PostState.REMOVED)
    inner = forum.thread_create(actor=alice, space=inside, title="Inside thread", body="Inside")

    client.force_login(alice)  # Their author, who may read each of them on the site.
    for thread in (held, inner):
        assert client.get(thread.get_absolute_url()).status_code == 200
    for thread in (held, removed, inner):
        assert client.get(thread_feed(thread)).status_code == 404
    assert "Held thread" not in client.get(space_feed(space)).content.decode()


def test_no_feed_names_an_email_address(client, space):
    # A member without a display name is shown by handle, never by the e-mail they signed up with.
    nameless = UserFactory(display_name="", email="nameless.person@example.com")
    accept_netiquette(nameless)
    thread = forum.thread_create(actor=nameless, space=space, title="No name", body="Hello there")
    forum.post_create(actor=nameless, thread=thread, body="More")

    for url in (space_feed(space), thread_feed(thread)):
        body = client.get(url).content.decode()
        assert nameless.handle in body
        assert not EMAIL.search(body), EMAIL.search(body)


def test_an_edit_of_the_opening_post_shows_in_the_space_feed_at_once(client, people, space):
    alice, _bruno = people
    thread = forum.thread_create(actor=alice, space=space, title="Heat pump", body="First words")
    assert "First words" in client.get(space_feed(space)).content.decode()

    # Without a title (the edit page always sends one, which bumped the space's version already).
    forum.post_edit(actor=alice, post=thread.posts.get(), body="Second thoughts")

    assert "Second thoughts" in client.get(space_feed(space)).content.decode()


def test_feeds_cost_a_fixed_number_of_queries(client, people, space, django_assert_num_queries):
    alice, bruno = people
    for n in range(3):
        thread = forum.thread_create(actor=alice, space=space, title=f"Thread {n}", body=f"Opening {n}")
    for n in range(60):
        forum.post_create(actor=(alice, bruno)[n % 2], thread=thread, body=f"Reply {n}")
    client.get("/")  # The branding is read once, then kept.

    with django_assert_num_queries(2):  # The space (access); its threads with their opening posts.
        assert len(entries(client.get(space_feed(space)))) == 3
    with django_assert_num_queries(2):  # The thread (access); its latest posts with their authors.
        assert len(entries(client.get(thread_feed(thread)))) == 50
    with django_assert_num_queries(1):  # A shared copy: only the access check.
        assert len(entries(client.get(thread_feed(thread)))) == 50
