"""What thread, space and profile pages tell search engines and link previews (core/head.py):
a page a visitor may read describes itself; one only some may see says nothing and asks
not to be indexed."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from community.models import POSTS_PER_PAGE, PostState, Space, Visibility
from community.services import forum, visibility
from tests.community.test_forum import accept_netiquette
from tests.factories import UserFactory

SITE = "https://community.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://community.example"


@pytest.fixture
def space(db) -> Space:
    return Space.objects.create(
        name="Entraide", slug="entraide", description='Ask "anything" & <help>', objective="Help."
    )


@pytest.fixture
def inside(db) -> Space:
    return Space.objects.create(name="Inside", slug="inside", visibility=Visibility.MEMBERS)


@pytest.fixture
def alice(db):
    user = UserFactory(display_name="Alice Aubert", bio="I fix heat pumps.")
    accept_netiquette(user)
    return user


def head(page: str) -> str:
    return page.split("</head>", 1)[0]


def meta(page: str, attribute: str, name: str) -> str | None:
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', head(page))
    return html.unescape(found.group(1)) if found else None


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'<link rel="{rel}"[^>]* href="([^"]*)"', head(page))
    return html.unescape(found.group(1)) if found else None


def test_a_public_thread_describes_itself_from_its_opening_post(client, alice, space):
    body = 'It **hums** at night, "loudly" & <script>alert(1)</script>.\n\n' + "More words. " * 30
    thread = forum.thread_create(actor=alice, space=space, title='Heat pump "noise" & <hum>', body=body)
    url = f"{SITE}{thread.get_absolute_url()}"

    page = client.get(thread.get_absolute_url()).content.decode()

    assert link(page, "canonical") == url
    description = meta(page, "name", "description")
    assert description.startswith('It hums at night, "loudly" & <script>alert(1)</script>. More words.')
    assert len(description) <= 160 and description.endswith("…")
    assert "<script>" not in head(page)  # Escaped in the attribute.
    assert meta(page, "property", "og:title") == 'Heat pump "noise" & <hum>'
    assert meta(page, "property", "og:description") == description
    assert meta(page, "property", "og:url") == url
    assert meta(page, "property", "og:type") == "article"
    assert meta(page, "property", "og:site_name") == "Agora"
    assert meta(page, "property", "og:locale") == "en_GB"
    assert meta(page, "property", "og:image").startswith(f"{SITE}/icon-512.png?v=")
    assert meta(page, "name", "twitter:card") == "summary"
    assert link(page, "alternate") == f"{SITE}{reverse('community:thread-feed', args=[thread.pk])}"
    assert meta(page, "name", "robots") is None
    assert 'type="application/atom+xml">Atom feed</a>' in page


def test_a_later_page_of_a_thread_is_its_own_canonical_page(client, alice, space):
    thread = forum.thread_create(actor=alice, space=space, title="Long one", body="Opening words")
    for n in range(POSTS_PER_PAGE + 1):
        forum.post_create(actor=alice, thread=thread, body=f"Reply number {n}")

    page = client.get(thread.get_absolute_url(), {"page": 2}).content.decode()

    assert link(page, "canonical") == f"{SITE}{thread.get_absolute_url()}?page=2"
    assert meta(page, "name", "description") == f"Reply number {POSTS_PER_PAGE - 1}"


def test_a_members_only_thread_says_nothing_and_is_not_indexed(client, alice, inside):
    thread = forum.thread_create(actor=alice, space=inside, title="Secret plans", body="Members only words")
    client.force_login(alice)

    page = client.get(thread.get_absolute_url()).content.decode()

    assert "Members only words" in page
    assert meta(page, "name", "robots") == "noindex"
    for tag in ("description", "twitter:card"):
        assert meta(page, "name", tag) is None
    assert "og:" not in head(page) and "Members only words" not in head(page)
    assert link(page, "canonical") is None and link(page, "alternate") is None
    assert "Atom feed" not in page


def test_a_held_thread_seen_by_its_author_says_nothing_and_is_not_indexed(client, alice, space):
    thread = forum.thread_create(actor=alice, space=space, title="Held one", body="Waiting words")
    visibility.thread_state_set(thread_id=thread.pk, state=PostState.PENDING)
    client.force_login(alice)

    page = client.get(thread.get_absolute_url()).content.decode()

    assert "Waiting words" in page and meta(page, "name", "robots") == "noindex"
    assert "Waiting words" not in head(page) and "og:" not in head(page)


def test_a_removed_opening_post_is_not_the_description(client, alice, space):
    thread = forum.thread_create(actor=alice, space=space, title="Rude one", body="Rude words")
    reply = forum.post_create(actor=alice, thread=thread, body="Kind words")
    visibility.post_state_set(post_id=thread.posts.get(position=1).pk, state=PostState.REMOVED)

    page = client.get(thread.get_absolute_url()).content.decode()

    assert meta(page, "name", "description") == "Kind words" and reply.pk
    assert "Rude words" not in page


def test_a_public_space_describes_itself_and_a_members_only_one_does_not(client, alice, space, inside):
    page = client.get(space.get_absolute_url()).content.decode()
    assert link(page, "canonical") == f"{SITE}/spaces/entraide/"
    assert meta(page, "name", "description") == 'Ask "anything" & <help>'
    assert meta(page, "property", "og:title") == "Entraide"
    assert link(page, "alternate") == f"{SITE}/spaces/entraide/feed/"
    assert "<help>" not in head(page)
    # A filtered list points to the space itself.
    filtered = client.get(space.get_absolute_url(), {"show": "unanswered"}).content.decode()
    assert link(filtered, "canonical") == f"{SITE}/spaces/entraide/"

    client.force_login(alice)
    private = client.get(inside.get_absolute_url()).content.decode()
    assert meta(private, "name", "robots") == "noindex" and "og:" not in head(private)
    assert link(private, "alternate") is None and "Atom feed" not in private


def test_a_profile_describes_itself_with_its_published_bio_only(client, alice, space):
    forum.thread_create(actor=alice, space=space, title="Hello all", body="Hi")
    url = reverse("community:profile", args=[alice.handle])

    page = client.get(url).content.decode()

    assert link(page, "canonical") == f"{SITE}{url}"
    assert meta(page, "name", "description") == "I fix heat pumps."
    assert meta(page, "property", "og:type") == "profile"
    assert meta(page, "property", "og:title") == f"Alice Aubert (@{alice.handle})"
    assert alice.email not in page

    # A bio held by moderation is shown to its author only, never described.
    alice.community_state.bio_state = PostState.PENDING
    alice.community_state.save(update_fields=["bio_state"])
    client.force_login(alice)
    own = client.get(url).content.decode()
    assert "I fix heat pumps." in own and meta(own, "name", "description") is None


def test_pages_without_a_head_say_nothing_of_themselves(client, db):
    page = client.get(reverse("community:search")).content.decode()
    assert link(page, "canonical") is None and meta(page, "name", "robots") is None


def test_a_space_closed_to_visitors_stops_describing_its_threads_at_once(client, alice, space):
    thread = forum.thread_create(actor=alice, space=space, title="Was public", body="Open words")
    assert meta(client.get(thread.get_absolute_url()).content.decode(), "name", "description")

    # As the admin saves it (community/admin.py): the space's row, then its version.
    Space.objects.filter(pk=space.pk).update(visibility=Visibility.MEMBERS)
    visibility.space_touch(space.pk)
    client.force_login(alice)
    page = client.get(thread.get_absolute_url()).content.decode()

    assert meta(page, "name", "robots") == "noindex" and "Open words" not in head(page)


def test_the_home_page_introduces_the_community_by_its_name_and_tagline(client, db):
    from core.branding import branding_update

    branding_update(name="Vélo Club", tagline="Ceux qui roulent", welcome="", brand_colour="#112233")

    page = client.get("/").content.decode()

    assert link(page, "canonical") == f"{SITE}/"
    assert meta(page, "property", "og:title") == "Vélo Club"
    assert meta(page, "name", "description") == "Ceux qui roulent"


def test_a_public_event_describes_itself_and_a_members_only_one_says_nothing(client, space, inside):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Audience, Event, EventFormat, EventKind, EventState

    start = timezone.now() + timedelta(days=3)

    def event(title: str, where: Space, audience: str) -> Event:
        return Event.objects.create(
            title=title, kind=EventKind.MEETUP, format=EventFormat.OFFLINE, venue_name="La Halle",
            starts_at=start, ends_at=start + timedelta(hours=2), time_zone="Europe/Paris", space=where,
            audience=audience, state=EventState.PUBLISHED, description_html="<p>Bring your bike.</p>",
        )  # fmt: skip

    public = client.get(event("Apéro vélo", space, Audience.PUBLIC).get_absolute_url()).content.decode()
    client.force_login(UserFactory())
    closed = event("Réunion interne", inside, Audience.MEMBERS)
    private = client.get(closed.get_absolute_url()).content.decode()

    assert meta(public, "property", "og:title") == "Apéro vélo"
    assert meta(public, "name", "description") == "Bring your bike."
    assert "Réunion interne" in private and meta(private, "name", "robots") == "noindex"
    assert "og:" not in head(private) and "Bring your bike" not in head(private)
