"""Signed-out visitors share a copy of public lists for a few seconds (core/pagecache.py); thread
pages have their shared copies of their own (tests/community/test_shared_pages.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import Space
from community.services import forum
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(member):
    space = Space.objects.create(name="Entraide", slug="entraide")
    return forum.thread_create(actor=member, space=space, title="Shared copy", body="first version")


@pytest.fixture
def shared(settings):
    settings.ANONYMOUS_PAGE_SECONDS = 10


def test_a_visitor_gets_a_copy_of_the_page_without_a_query_and_without_a_csrf_token(
    shared, thread, client, django_assert_num_queries
):
    first = client.get(reverse("community:profile", args=[thread.author.handle]))
    assert "Shared copy" in first.text and "csrfmiddlewaretoken" not in first.text
    assert "csrftoken" not in first.cookies
    with django_assert_num_queries(0):
        again = client.get(reverse("community:profile", args=[thread.author.handle]))
    assert again.content == first.content
    assert "Cookie" in again["Vary"]


def test_members_and_visitors_with_a_message_always_get_a_fresh_page(
    shared, thread, client, member, django_capture_on_commit_callbacks
):
    from core.branding import branding_update

    url = reverse("community:profile", args=[thread.author.handle])
    assert "Agora" in client.get(url).text
    with django_capture_on_commit_callbacks(execute=True):
        branding_update(name="Renamed", tagline="", welcome="", brand_colour="#123456")
    assert "Renamed" not in client.get(url).text  # The visitors' copy.
    client.cookies["messages"] = "x"
    assert "Renamed" in client.get(url).text
    client.cookies.pop("messages")
    client.force_login(UserFactory())
    assert "Renamed" in client.get(url).text


def test_a_visitor_switches_language_with_a_link(client):
    page = client.get("/", headers={"Accept-Language": "fr"})
    assert f'href="{reverse("accounts:language")}?language=en&amp;next=/"' in page.text
    response = client.get(reverse("accounts:language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    assert client.get(reverse("accounts:language"), {"language": "xx"}).status_code == 400


def test_a_link_cannot_change_a_members_saved_language(client, member):
    member.language = "fr"
    member.save()
    client.force_login(member)
    client.get(reverse("accounts:language"), {"language": "en", "next": "/"})
    member.refresh_from_db()
    assert member.language == "fr"


def test_visitors_share_a_copy_of_a_search_and_members_search_afresh(
    shared, thread, client, member, django_assert_num_queries
):
    url = reverse("community:search") + "?q=shared"
    assert "Shared copy" in client.get(url).text
    with django_assert_num_queries(0):
        assert "Shared copy" in client.get(url).text
    forum.thread_create(actor=member, space=thread.space, title="Another shared idea", body="shared again")
    assert "Another shared idea" not in client.get(url).text  # the visitors' copy, for a few seconds
    client.force_login(member)
    assert "Another shared idea" in client.get(url).text


def test_a_query_string_the_page_does_not_read_gets_the_page_rendered_not_kept(
    shared, thread, client, member
):
    url = thread.get_absolute_url()
    client.get(url, {"utm_source": "newsletter"})
    forum.post_edit(actor=member, post=thread.posts.get(), body="second version")
    assert "second version" in client.get(url, {"utm_source": "newsletter"}).text  # rendered again
    assert "second version" in client.get(url, {"page": 1}).text  # no copy of page 1 was kept yet
