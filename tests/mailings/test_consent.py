"""The newsletter's opt-in: never ticked in advance, at sign-up and in the settings; each choice kept
as a row with its wording's version and where it was made, and in the member's data export."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from community.models import MemberState
from mailings.models import Consent
from mailings.services import consent_given
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEWCOMER = {
    "display_name": "Nour Haddad",
    "email": "nour@example.com",
    "password1": "plenty-of-entropy-42",
    "password2": "plenty-of-entropy-42",
}


def test_the_sign_up_form_offers_the_newsletter_unticked_and_records_a_yes(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'name="newsletter"' in page and "checked" not in page.split('name="newsletter"')[1][:80]
    client.post(reverse("account_signup"), {**NEWCOMER, "newsletter": "on"})
    client.post(reverse("account_signup"), {**NEWCOMER, "email": "other@example.com"})
    rows = Consent.objects.values_list("member__email", "list_key", "given", "source", "wording_version")
    assert list(rows) == [("nour@example.com", "newsletter", True, "signup", "1")]


def settings_form(member, **changes) -> dict:
    data = {
        "display_name": member.display_name,
        "handle": member.handle,
        "bio": "",
        "language": "en",
        "time_zone": "",
        "email_on_mention": "on",
        "email_on_reply": "on",
        "digest": "weekly",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_settings_keep_each_change_of_mind_and_nothing_when_nothing_changed(client):
    member = UserFactory()
    client.force_login(member)
    page = client.get(reverse("community:settings")).content.decode()
    assert "Send me the community&#x27;s newsletter" in page or "Send me the community's newsletter" in page
    assert "not sent when you came to the site since the period began" in page
    client.post(reverse("community:settings"), settings_form(member, newsletter="on", digest="monthly"))
    assert consent_given(member.pk, "newsletter")
    assert MemberState.objects.get(user=member).digest == "monthly"
    client.post(reverse("community:settings"), settings_form(member, newsletter="on"))
    client.post(reverse("community:settings"), settings_form(member))
    assert not consent_given(member.pk, "newsletter")
    history = list(Consent.objects.order_by("pk").values_list("given", "source"))
    assert history == [(True, "settings"), (False, "settings")]
    export = json.loads(b"".join(client.get(reverse("community:data-export")).streaming_content))
    assert [(row["given"], row["source"]) for row in export["preferences"]["consent_history"]] == history
