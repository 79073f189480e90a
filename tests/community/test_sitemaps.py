"""The sitemap (config/urls.py, community/sitemaps.py, events/sitemaps.py, core/sitemaps.py): it names
exactly what a signed-out visitor may read, in pages that cost the same whichever page is asked."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from community.models import PostState, Space, Visibility
from community.services import forum, visibility
from community.sitemaps import ThreadSitemap
from events.models import Audience, EventState
from tests.community.test_forum import accept_netiquette
from tests.events.helpers import published_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOC = re.compile(r"<loc>([^<]+)</loc>")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://community.example"


@pytest.fixture
def space(db) -> Space:
    return Space.objects.create(name="Entraide", slug="entraide")


@pytest.fixture
def inside(db) -> Space:
    return Space.objects.create(name="Inside", slug="inside", visibility=Visibility.MEMBERS)


@pytest.fixture
def author(db):
    user = UserFactory(display_name="Alice Aubert")
    accept_netiquette(user)
    return user


def section(client, name: str, page: int | None = None) -> list[str]:
    url = reverse("sitemap-section", args=[name])
    response = client.get(url, {"p": page} if page else {})
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    urlset = ElementTree.fromstring(response.content)  # Well-formed XML, in the sitemaps' namespace.
    assert urlset.tag == f"{SITEMAP}urlset"
    return [loc.text for loc in urlset.iter(f"{SITEMAP}loc")]


def thread_loc(thread) -> str:
    return f"https://community.example{thread.get_absolute_url()}"


def test_the_index_names_each_section_and_robots_txt_names_the_index(client):
    index = client.get(reverse("sitemap"))

    assert index.status_code == 200 and index["Cache-Control"] == "public, max-age=3600"
    locations = LOC.findall(index.content.decode())
    assert [loc.rsplit("/", 1)[1] for loc in locations] == [
        "sitemap-spaces.xml",
        "sitemap-threads.xml",
        "sitemap-events.xml",
        "sitemap-members.xml",
    ]
    assert all(loc.startswith("https://community.example/") for loc in locations)
    assert "Sitemap: https://community.example/sitemap.xml" in client.get("/robots.txt").text.splitlines()


def test_the_index_read_on_another_allowed_host_points_to_the_canonical_sections(client, settings):
    settings.ALLOWED_HOSTS = ["community.example", "www.community.example"]

    index = client.get(reverse("sitemap"), HTTP_HOST="www.community.example", secure=True)

    locations = LOC.findall(index.content.decode())
    assert locations and all(loc.startswith("https://community.example/sitemap-") for loc in locations)


def test_threads_are_listed_when_a_visitor_may_read_them_and_never_otherwise(
    client, author, space, inside, community_manager
):
    public = forum.thread_create(actor=author, space=space, title="Public", body="Hello")
    archived = forum.thread_create(actor=author, space=space, title="Archived", body="Old")
    archived.archived_at = archived.created_at
    archived.save(update_fields=["archived_at"])
    members_only = forum.thread_create(actor=author, space=inside, title="Inside", body="Members")
    held = forum.thread_create(actor=author, space=space, title="Held", body="Waiting")
    visibility.thread_state_set(thread_id=held.pk, state=PostState.PENDING)
    removed = forum.thread_create(actor=author, space=space, title="Removed", body="Spam")
    visibility.thread_state_set(thread_id=removed.pk, state=PostState.REMOVED)
    accept_netiquette(community_manager)
    staff = forum.thread_create(
        actor=community_manager,
        space=Space.objects.create(name="Team", slug="team", visibility=Visibility.STAFF),
        title="Team",
        body="Staff",
    )

    listed = section(client, "threads")

    assert listed == [thread_loc(public), thread_loc(archived)]
    assert not {thread_loc(t) for t in (members_only, held, removed, staff)} & set(listed)
    # The same for a member (the sitemap is no one's own) and for the other sections.
    client.force_login(author)
    assert section(client, "threads") == listed
    assert section(client, "spaces") == ["https://community.example/spaces/entraide/"]


def test_thread_pages_are_ranges_of_ids_that_cost_two_queries_whichever_page(
    client, author, space, inside, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(ThreadSitemap, "limit", 2)
    threads = [
        forum.thread_create(actor=author, space=space, title=f"Thread {n}", body=f"Body {n}")
        for n in range(5)
    ]
    hidden = forum.thread_create(actor=author, space=inside, title="Inside", body="Inside")
    last = forum.thread_create(actor=author, space=space, title="Last", body="Last")

    index = LOC.findall(client.get(reverse("sitemap")).content.decode())
    assert [loc for loc in index if "threads" in loc] == [
        "https://community.example/sitemap-threads.xml",
        "https://community.example/sitemap-threads.xml?p=2",
        "https://community.example/sitemap-threads.xml?p=3",
        "https://community.example/sitemap-threads.xml?p=4",
    ]
    pages = []
    for page in (1, 2, 3, 4):
        with django_assert_num_queries(2):  # The table's smallest and largest ids; the page's rows.
            pages.append(section(client, "threads", page))
    # Two ids a page: the thread of the members-only space leaves its page with one address.
    assert pages == [
        [thread_loc(threads[0]), thread_loc(threads[1])],
        [thread_loc(threads[2]), thread_loc(threads[3])],
        [thread_loc(threads[4])],
        [thread_loc(last)],
    ]
    assert thread_loc(hidden) not in sum(pages, [])
    url = reverse("sitemap-section", args=["threads"])
    assert client.get(url, {"p": 5}).status_code == 404
    assert client.get(url, {"p": "x"}).status_code == 404


def test_the_index_costs_a_fixed_number_of_queries(client, author, space, django_assert_max_num_queries):
    for n in range(3):
        forum.thread_create(actor=author, space=space, title=f"Thread {n}", body=f"Body {n}")
    published_event(audience=Audience.PUBLIC)
    client.get(reverse("sitemap"))  # The branding (templates' context) is read once, then kept.
    # Spaces; the threads' latest activity and ids; the events' ids; the members' ids.
    with django_assert_max_num_queries(5):
        assert client.get(reverse("sitemap")).status_code == 200


def test_thread_lastmod_is_its_last_activity(client, author, space):
    thread = forum.thread_create(actor=author, space=space, title="Dated", body="b")
    page = client.get(reverse("sitemap-section", args=["threads"])).content.decode()
    thread.refresh_from_db()
    assert f"<lastmod>{thread.last_activity_at.isoformat(timespec='seconds')}</lastmod>" in page


def test_members_who_posted_are_listed_and_inactive_ones_never(client, author, space):
    silent = UserFactory(display_name="Silent")
    gone = UserFactory(display_name="Gone")
    accept_netiquette(gone)
    forum.thread_create(actor=author, space=space, title="Hello", body="b")
    forum.thread_create(actor=gone, space=space, title="Bye", body="b")
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    listed = section(client, "members")

    assert listed == [f"https://community.example/members/{author.handle}/"]
    assert not any(silent.handle in loc or gone.handle in loc for loc in listed)


def test_only_events_a_visitor_may_see_are_listed(client, inside):
    public = published_event(title="Open day", audience=Audience.PUBLIC)
    cancelled = published_event(title="Called off", audience=Audience.PUBLIC, state=EventState.CANCELLED)
    members = published_event(title="Members", audience=Audience.MEMBERS)
    draft = published_event(title="Draft", audience=Audience.PUBLIC, state=EventState.DRAFT)
    in_private_space = published_event(title="Inside", audience=Audience.PUBLIC, space=inside)

    listed = section(client, "events")

    # A cancelled event keeps its page (it says so), as the events' lists show it.
    assert listed == [f"https://community.example{event.get_absolute_url()}" for event in (public, cancelled)]
    for hidden in (members, draft, in_private_space):
        assert f"https://community.example{hidden.get_absolute_url()}" not in listed
