"""The site's icons and web manifest, drawn from its branding (core/icons.py, config/views.py)."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from PIL import Image

from core.branding import branding_update

pytestmark = pytest.mark.django_db

BRANDING = {"name": "Vélo Club", "tagline": "Riders helping riders", "welcome": "", "brand_colour": "#112233"}


def image(response) -> Image.Image:
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.content))


def test_browsers_asking_for_favicon_ico_get_an_icon(client):
    response = client.get("/favicon.ico")

    assert response["Content-Type"] == "image/x-icon"
    icon = image(response)
    assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]
    assert response["Cache-Control"] == "max-age=86400, public"


def test_the_touch_icon_is_a_180_pixel_png_in_the_brand_colour(client):
    touch = image(client.get("/apple-touch-icon.png"))

    assert touch.format == "PNG" and touch.size == (180, 180)
    assert touch.convert("RGB").getpixel((2, 2)) == (0x4F, 0x46, 0xE5)
    assert client.get("/icon-64.png").status_code == 404


def test_the_manifest_names_the_site_and_its_icons(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        branding_update(**BRANDING)

    response = client.get("/site.webmanifest")

    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Vélo Club" and manifest["theme_color"] == "#112233"
    sizes = {icon["sizes"]: icon["src"] for icon in manifest["icons"]}
    assert set(sizes) == {"192x192", "512x512", "any"}
    assert image(client.get(sizes["512x512"])).size == (512, 512)
    assert client.get(sizes["any"])["Content-Type"] == "image/svg+xml"


def test_a_new_branding_draws_new_icons_and_pages_link_to_them(client, django_capture_on_commit_callbacks):
    before = {url: client.get(url).content for url in ("/favicon.ico", "/apple-touch-icon.png", "/icon.svg")}
    home = client.get(reverse("home")).content.decode()
    assert '<link rel="icon" href="/favicon.ico?v=' in home and 'rel="manifest"' in home

    with django_capture_on_commit_callbacks(execute=True):
        branding_update(**BRANDING)

    after = {url: client.get(url).content for url in before}
    assert all(after[url] != before[url] for url in before)
    assert image(client.get("/apple-touch-icon.png")).convert("RGB").getpixel((2, 2)) == (0x11, 0x22, 0x33)
    svg = after["/icon.svg"].decode()
    assert 'fill="#112233"' in svg and ">V</text>" in svg
    new_home = client.get(reverse("home")).content.decode()
    version = new_home.split("/favicon.ico?v=", 1)[1].split('"', 1)[0]
    assert version not in home and '<meta name="theme-color" content="#112233">' in new_home


def test_a_light_brand_colour_gets_a_dark_letter(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        branding_update(**{**BRANDING, "brand_colour": "#fde047"})

    assert 'fill="#111827">V</text>' in client.get("/icon.svg").content.decode()
