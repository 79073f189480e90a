"""The language switch in the header: POST /me/language/."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

SWITCH = reverse("accounts:language")


def test_switching_to_french_sets_the_cookie_and_returns_to_the_page(client):
    response = client.post(SWITCH, {"language": "fr", "next": "/reporting/?start=2026-01-01"})

    assert response.status_code == 302
    assert response["Location"] == "/reporting/?start=2026-01-01"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "fr"
    assert cookie["samesite"] == "Lax"
    assert '<html lang="fr">' in client.get(reverse("home")).content.decode()


def test_switching_language_remembers_it_on_the_member(client, member):
    client.force_login(member)

    client.post(SWITCH, {"language": "fr", "next": "/"})

    member.refresh_from_db()
    assert member.language == "fr"
    assert '<html lang="fr">' in client.get(reverse("home")).content.decode()


def test_the_remembered_language_follows_the_member_to_another_browser(client, member):
    client.force_login(member)
    client.post(SWITCH, {"language": "fr", "next": "/"})

    other_browser = type(client)(headers={"Accept-Language": "en"})
    other_browser.force_login(member)

    assert '<html lang="fr">' in other_browser.get(reverse("home")).content.decode()


def test_an_unknown_language_gets_400_and_changes_nothing(client, member):
    client.force_login(member)

    response = client.post(SWITCH, {"language": "de", "next": "/"})

    assert response.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    member.refresh_from_db()
    assert member.language == "en"


def test_the_switch_never_redirects_to_another_site(client):
    response = client.post(SWITCH, {"language": "en", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_the_switch_refuses_other_methods_and_a_missing_language(client):
    # GET is the signed-out visitor's link (cookie only); other methods are refused.
    assert client.put(SWITCH).status_code == 405
    assert client.get(SWITCH).status_code == 400
