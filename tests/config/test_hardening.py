"""What an outside tester found (issue 15): error pages render with no middleware state, signed-in
pages and exports are kept by no cache, names never carry a right-to-left override, and the same text
posted twice in a moment is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import profile_update
from community.models import Post, Space
from community.services import forum
from tests.concurrency import at_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_bogus_host_header_gets_400_not_500(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["agora.example"]
    client = Client(raise_request_exception=False)

    response = client.get("/", HTTP_HOST="evil.example", secure=True)

    assert response.status_code == 400
    assert "<html" in response.content.decode()


def test_signed_in_pages_and_exports_are_kept_by_no_cache(client, member, marketing):
    client.force_login(member)
    for name in ("home", "community:settings"):
        assert client.get(reverse(name))["Cache-Control"] == "private, no-store"
    client.force_login(marketing)
    assert client.get(reverse("reporting:export-csv"))["Cache-Control"] == "private, no-store"
    client.logout()
    assert "no-store" not in client.get(reverse("home")).get("Cache-Control", "")


RTL_OVERRIDE = "\u202e"


def test_a_right_to_left_override_never_reaches_a_name(client, member):
    name = f"Eve{RTL_OVERRIDE}lived \u2066x\u2069"
    profile_update(actor=member, user=member, display_name=name, bio="", language="en", time_zone="")
    member.refresh_from_db()
    assert member.display_name == "Evelived x"

    response = client.post(
        reverse("account_signup"),
        {"email": "mallory@example.com", "password1": "a-long-password-for-tests",
         "password2": "a-long-password-for-tests", "display_name": f"Mal{RTL_OVERRIDE}lory"},
    )  # fmt: skip
    assert response.status_code == 302
    assert User.objects.get(email="mallory@example.com").display_name == "Mallory"


def test_the_same_text_posted_twice_in_a_few_minutes_is_refused_with_a_clear_message(member):
    space = Space.objects.create(name="Entraide", slug="entraide")
    thread = forum.thread_create(actor=member, space=space, title="Une question", body="Comment faire ?")
    forum.post_create(actor=member, thread=thread, body="Je précise : sur Linux.")

    with pytest.raises(ValidationError, match="same text a moment ago"):
        forum.post_create(actor=member, thread=thread, body="  Je précise : sur Linux.  ")
    with pytest.raises(ValidationError, match="same text a moment ago"):
        forum.thread_create(actor=member, space=space, title="Encore", body="Comment faire ?")
    assert Post.objects.filter(author=member).count() == 2
    # Minutes later, or with other words, it is a new post.
    Post.objects.filter(author=member).update(created_at=timezone.now() - timedelta(minutes=6))
    forum.post_create(actor=member, thread=thread, body="Je précise : sur Linux.")
    forum.post_create(actor=member, thread=thread, body="Et sous Windows ?")


@pytest.mark.django_db(transaction=True)
def test_ten_people_signing_up_at_once_with_one_name_all_get_in_with_distinct_handles():
    def sign_up(n: int) -> int:
        data = {"email": f"camille{n}@example.com", "password1": "a-long-password-for-tests",
                "password2": "a-long-password-for-tests", "display_name": "Camille Martin"}  # fmt: skip
        return Client().post(reverse("account_signup"), data).status_code

    statuses = at_once(sign_up, range(10))

    assert statuses == [302] * 10
    handles = list(User.objects.filter(display_name="Camille Martin").values_list("handle", flat=True))
    assert len(handles) == 10 == len({handle.lower() for handle in handles})


def test_each_post_carries_the_language_it_was_written_in(client, member):
    english = UserFactory(language="en")
    space = Space.objects.create(name="Entraide", slug="entraide")
    thread = forum.thread_create(actor=member, space=space, title="Une question", body="Bonjour à tous")
    forum.post_create(actor=english, thread=thread, body="Hello everyone")
    Post.objects.filter(author=member).update(language="fr")

    page = client.get(thread.get_absolute_url()).content.decode()

    assert '<div class="prose" lang="fr"><p>Bonjour à tous</p>' in page
    assert '<div class="prose" lang="en"><p>Hello everyone</p>' in page


def test_names_and_titles_written_right_to_left_are_isolated_from_the_text_around_them(client, member):
    arabic = UserFactory(display_name="سارة", handle="sara")
    space = Space.objects.create(name="Entraide", slug="entraide")
    thread = forum.thread_create(actor=arabic, space=space, title="سؤال عن الفاتورة", body="مرحبا")
    forum.post_create(actor=member, thread=thread, body="Bonjour Sara")
    client.force_login(member)

    page = client.get(thread.get_absolute_url()).content.decode()
    space_page = client.get(space.get_absolute_url()).content.decode()
    client.force_login(arabic)
    notifications = client.get(reverse("community:notifications")).content.decode()

    # The "@" of the handle stays after the name instead of being pulled into its direction.
    assert '<a href="/members/sara/"><bdi>سارة</bdi></a> <span class="muted">@sara</span>' in page
    assert '<h1 dir="auto">سؤال عن الفاتورة</h1>' in page
    assert 'dir="auto">سؤال عن الفاتورة</a>' in space_page
    assert f"<bdi>{member.public_name}</bdi>" in notifications


def test_robots_txt_keeps_crawlers_out_of_private_pages_and_lets_them_read_the_forum(client, settings):
    settings.SITE_URL = "https://community.example"
    response = client.get("/robots.txt")

    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    rules = response.content.decode().splitlines()
    assert rules[0] == "User-agent: *"
    for private in ("/admin/", "/me/", "/reporting/", "/mailings/", "/accounts/", "/search"):
        assert f"Disallow: {private}" in rules
    assert "Disallow: /" not in rules
    # The sitemap index, absolute on the site's address.
    assert rules[-1] == "Sitemap: https://community.example/sitemap.xml"


def test_an_isolated_empty_name_stays_empty_so_that_a_fallback_shows():
    from django.template import engines

    template = engines["django"].from_string(
        '{% firstof name|bdi "A former member" as who %}{{ who }} replied'
    )

    assert template.render({"name": ""}) == "A former member replied"
    assert template.render({"name": "سارة"}) == "<bdi>سارة</bdi> replied"
