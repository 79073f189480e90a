"""French is the community's first language: pages follow the browser, the cookie, then the member."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.pages import page_with_overlay

pytestmark = pytest.mark.django_db


def french_browser() -> Client:
    return Client(headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})


def test_the_home_page_speaks_french_to_a_french_browser():
    response = french_browser().get(reverse("home"))

    html = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in html
    assert "Rejoindre la communauté" in html
    assert "Se connecter" in html
    assert "Join the community" not in html


def test_the_language_cookie_wins_over_the_browser(client):
    client.cookies["django_language"] = "fr"

    html = client.get(reverse("home")).content.decode()

    assert '<html lang="fr">' in html
    assert "Rejoindre la communauté" in html


def test_the_signup_page_speaks_french_including_allauths_own_words():
    html = french_browser().get(reverse("account_signup")).content.decode()

    assert '<html lang="fr">' in html
    # allauth's catalogue: the heading and button ("Sign Up"), the password fields.
    assert "Création de compte" in html
    assert "Mot de passe (confirmation)" in html
    # Ours: the navigation.
    assert "Se connecter" in html


def test_the_home_page_speaks_english_to_an_english_browser(client):
    html = client.get(reverse("home")).content.decode()

    assert '<html lang="en">' in html
    assert "Join the community" in html


def test_a_member_who_chose_english_reads_english_even_with_a_french_browser():
    browser = french_browser()
    browser.force_login(UserFactory(language="en", display_name="Robin"))

    html = page_with_overlay(browser, reverse("home"))

    assert '<html lang="en">' in html
    assert "Welcome back, <bdi>Robin</bdi>." in html
    assert "Sign out" in html


def test_a_member_who_chose_french_reads_french_even_with_an_english_browser(client):
    client.force_login(UserFactory(language="fr", display_name="Robin"))

    html = client.get(reverse("home")).content.decode()

    assert '<html lang="fr">' in html
    assert "Welcome back" not in html
    assert "Sign out" not in html


def test_a_member_without_a_language_follows_the_browser():
    browser = french_browser()
    browser.force_login(UserFactory(language=""))

    html = browser.get(reverse("home")).content.decode()

    assert '<html lang="fr">' in html
