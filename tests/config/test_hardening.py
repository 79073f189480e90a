"""What an outside tester found (issue 15): error pages render with no middleware state, signed-in
pages and exports are kept by no cache, and names never carry a right-to-left override."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import profile_update

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
