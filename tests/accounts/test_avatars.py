"""Members' pictures, served from the database at versioned, long-cached URLs."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Avatar

pytestmark = pytest.mark.django_db

SETTINGS = reverse("community:settings")
PROFILE = {
    "display_name": "Camille M.",
    "handle": "camille.m",
    "bio": "I fix bikes.",
    "language": "en",
    "time_zone": "",
    "digest": "weekly",
}


def png(width: int = 400, height: int = 300, colour: str = "crimson") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def test_the_picture_is_served_at_its_versioned_url_with_a_long_cache(signed_in, member, client):
    signed_in.post(SETTINGS, {**PROFILE, "avatar": png()})
    url = Avatar.objects.get(user=member).get_absolute_url()
    signed_in.logout()

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "max-age=31536000" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert Image.open(io.BytesIO(response.content)).size == (256, 256)


def test_a_new_picture_gets_a_new_url_and_the_old_one_is_gone(signed_in, member, client):
    signed_in.post(SETTINGS, {**PROFILE, "avatar": png()})
    old_url = Avatar.objects.get(user=member).get_absolute_url()

    signed_in.post(SETTINGS, {**PROFILE, "avatar": png(300, 500, colour="teal")})

    new_url = Avatar.objects.get(user=member).get_absolute_url()
    assert new_url != old_url
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200
