"""The home page: branding, the member count, and the way in for newcomers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.branding import branding_update
from tests.factories import UserFactory
from tests.pages import page_with_overlay

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def test_a_visitor_is_invited_to_join_or_sign_in(client):
    html = client.get(HOME).content.decode()

    assert f'href="{reverse("account_signup")}">Join the community</a>' in html
    assert f'href="{reverse("account_login")}">Sign in</a>' in html


def test_the_home_page_shows_how_many_members_the_community_has(client):
    UserFactory.create_batch(3)
    UserFactory(is_active=False)

    html = client.get(HOME).content.decode()

    assert "3 members" in html


def test_the_home_page_shows_the_branding_set_by_the_community_managers(client):
    branding_update(
        name="Vélo Club",
        tagline="Riders helping riders",
        welcome="Say hello <b>here</b>",
        brand_colour="#112233",
    )

    html = client.get(HOME).content.decode()

    assert "<h1>Vélo Club</h1>" in html
    assert "Riders helping riders" in html
    assert "Say hello &lt;b&gt;here&lt;/b&gt;" in html
    assert "--brand: #112233;" in html


def test_a_signed_in_member_is_greeted_by_name(client, member):
    client.force_login(member)

    page = client.get(HOME).content.decode()
    overlay = client.get(reverse("community:home-overlay")).content.decode()

    # The shared page invites visitors in; the member's overlay puts the greeting in its place.
    assert "Join the community" in page and 'id="home-reader"' in page
    assert 'id="home-reader" hx-swap-oob="true"' in overlay
    assert "Welcome back, <bdi>Camille Martin</bdi>." in overlay and "Join the community" not in overlay
    assert f'href="{reverse("community:settings")}"' in overlay


def test_a_display_name_with_markup_is_escaped_in_the_greeting(client):
    client.force_login(UserFactory(display_name="<img src=x onerror=alert(1)>"))

    html = page_with_overlay(client, HOME)

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_home_page_costs_a_few_queries_for_a_visitor_and_fewer_from_the_cache(
    client, django_assert_max_num_queries
):
    UserFactory.create_batch(20)

    # Branding and member count (then from Redis), spaces, the next events, featured and latest threads.
    with django_assert_max_num_queries(6):
        assert client.get(HOME).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(HOME).status_code == 200


@pytest.mark.parametrize("persona", ["member", "marketing", "community_manager"])
def test_the_home_page_costs_a_fixed_number_of_queries_when_signed_in(
    request, client, django_assert_max_num_queries, persona
):
    UserFactory.create_batch(20)
    client.force_login(request.getfixturevalue(persona))

    # Session, user and groups for the navigation; branding, count and unread notifications (cold cache);
    # spaces, featured and latest threads; the newcomer's checklist.
    with django_assert_max_num_queries(10):
        assert client.get(HOME).status_code == 200


def test_list_rows_write_dates_that_the_browser_makes_relative(client, db):
    """A list's HTML does not go stale as time passes: the date is written, agora.js says "3 min ago"."""
    from community.models import Space
    from community.services import forum
    from tests.factories import UserFactory

    author = UserFactory()
    space = Space.objects.create(name="Entraide", slug="entraide")
    thread = forum.thread_create(actor=author, space=space, title="Dated row", body="Some text.")
    page = client.get(space.get_absolute_url()).text
    from django.utils import timezone

    when = timezone.localtime(thread.last_activity_at).isoformat(timespec="seconds")[:16]
    assert "data-relative" in page and when in page
