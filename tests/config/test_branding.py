"""The community's branding is cached in Redis and refreshed as soon as a manager changes it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.branding import branding_update

pytestmark = pytest.mark.django_db

BRANDING = {"name": "Vélo Club", "tagline": "", "welcome": "", "brand_colour": "#112233"}


def test_a_new_name_shows_on_the_next_page_once_the_change_is_committed(
    client, django_capture_on_commit_callbacks
):
    assert "<h1>Agora</h1>" in client.get(reverse("home")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        branding_update(**BRANDING)

    assert "<h1>Vélo Club</h1>" in client.get(reverse("home")).content.decode()


def test_a_brand_colour_that_is_not_a_hex_colour_is_refused(client):
    with pytest.raises(ValidationError) as refused:
        branding_update(**{**BRANDING, "brand_colour": "red; background: url(x)"})

    assert "brand_colour" in refused.value.message_dict
    assert "<h1>Agora</h1>" in client.get(reverse("home")).content.decode()


def test_a_community_manager_changes_the_branding_in_the_admin(
    client, community_manager, django_capture_on_commit_callbacks
):
    client.force_login(community_manager)
    client.get(reverse("home"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:core_sitebranding_add"),
            {**BRANDING, "tagline": "Riders helping riders"},
        )

    assert response.status_code == 302
    assert "Riders helping riders" in client.get(reverse("home")).content.decode()
