"""`seed_demo`: the demo logins `make run` prints, created once."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from accounts.permissions import can_use_admin, can_view_reporting, is_ambassador
from config.management.commands.seed_demo import DEMO_PASSWORD
from core.models import SiteBranding
from reporting.models import DailyKPI

pytestmark = pytest.mark.django_db

DEMO_EMAILS = {"member@example.com", "cm@example.com", "marketing@example.com", "ambassador@example.com"}


def test_seeding_twice_creates_the_four_demo_logins_once():
    call_command("seed_demo")
    count = get_user_model().objects.count()
    call_command("seed_demo")

    users = get_user_model().objects.all()
    # The four logins `make run` prints, beside the members of the demo community.
    assert set(users.values_list("email", flat=True)) >= DEMO_EMAILS
    assert users.count() == count
    assert SiteBranding.objects.count() == 1
    assert DailyKPI.objects.filter(members_total=count).exists()


def test_each_demo_account_has_its_role():
    call_command("seed_demo")
    people = {user.email: user for user in get_user_model().objects.all()}

    assert can_use_admin(people["cm@example.com"])
    assert can_view_reporting(people["marketing@example.com"])
    assert not can_use_admin(people["marketing@example.com"])
    assert is_ambassador(people["ambassador@example.com"])
    member = people["member@example.com"]
    assert not (can_use_admin(member) or can_view_reporting(member) or is_ambassador(member))


def test_every_demo_address_is_verified_so_the_demo_logins_work(client):
    call_command("seed_demo")

    addresses = EmailAddress.objects.filter(email__in=DEMO_EMAILS)
    assert set(addresses.values_list("email", flat=True)) == DEMO_EMAILS
    assert all(address.verified and address.primary for address in EmailAddress.objects.all())
    response = client.post(reverse("account_login"), {"login": "cm@example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
