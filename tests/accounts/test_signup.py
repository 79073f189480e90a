"""Signing up with a mandatory e-mail verification, then signing in (allauth)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEWCOMER = {
    "display_name": "Nour Haddad",
    "email": "nour@example.com",
    "password1": "plenty-of-entropy-42",
    "password2": "plenty-of-entropy-42",
}
CONFIRM_LINK = re.compile(r"https?://testserver(/accounts/confirm-email/[^/\s]+/)")


def sign_up(client: Client, **overrides):
    return client.post(reverse("account_signup"), {**NEWCOMER, **overrides})


def confirmation_path(message) -> str:
    found = CONFIRM_LINK.search(message.body)
    assert found, f"no confirmation link in the e-mail:\n{message.body}"
    return found.group(1)


def signed_in_user(client: Client):
    return client.get(reverse("home")).wsgi_request.user


def test_signup_sends_a_verification_email_with_a_link_and_asks_to_verify(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nour@example.com"]
    confirmation_path(message)
    page = client.get(response["Location"])
    assert "Verify Your Email Address" in page.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_signup_saves_the_display_name_and_the_language_of_the_pages(client):
    sign_up(client, email="english@example.com")
    sign_up(Client(headers={"Accept-Language": "fr"}), email="francais@example.com")

    users = get_user_model().objects.filter(display_name="Nour Haddad")
    assert dict(users.values_list("email", "language")) == {
        "english@example.com": "en",
        "francais@example.com": "fr",
    }


def test_signup_without_a_display_name_is_refused_with_a_message(client):
    response = sign_up(client, display_name="   ")

    assert response.status_code == 200
    assert response.context["form"].errors["display_name"] == ["This field is required."]
    assert not get_user_model().objects.filter(email="nour@example.com").exists()
    assert mail.outbox == []


def test_signing_in_before_verifying_the_address_is_refused(client):
    sign_up(client)

    response = Client().post(
        reverse("account_login"), {"login": NEWCOMER["email"], "password": NEWCOMER["password1"]}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")


def test_confirming_the_link_signs_the_newcomer_in(client):
    sign_up(client)
    path = confirmation_path(mail.outbox[0])

    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm Email Address" in page.content.decode()
    assert not signed_in_user(client).is_authenticated

    response = client.post(path)

    assert response.status_code == 302
    user = signed_in_user(client)
    assert user.is_authenticated
    assert user.email == "nour@example.com"
    home = client.get(reverse("home"))
    assert "Welcome back, <bdi>Nour Haddad</bdi>." in home.content.decode()


def test_after_verification_the_member_can_sign_in_with_the_password(client):
    sign_up(client)
    client.post(confirmation_path(mail.outbox[0]))

    other_browser = Client(headers={"Accept-Language": "en"})
    response = other_browser.post(
        reverse("account_login"), {"login": "NOUR@example.com", "password": NEWCOMER["password1"]}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user(other_browser).email == "nour@example.com"


def test_signing_in_with_a_wrong_password_shows_an_error(client):
    UserFactory(email="lea@example.com")

    response = client.post(reverse("account_login"), {"login": "lea@example.com", "password": "wrong"})

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_a_verified_member_signs_in_and_lands_on_the_home_page(client):
    UserFactory(email="lea@example.com", display_name="Léa")

    response = client.post(
        reverse("account_login"), {"login": "lea@example.com", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Welcome back, <bdi>Léa</bdi>." in response.content.decode()
