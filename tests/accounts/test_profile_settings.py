"""The member's settings page: profile, preferences and picture."""

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


def test_the_settings_page_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get(SETTINGS)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={SETTINGS}"


def test_the_settings_page_shows_the_members_profile(signed_in, member):
    html = signed_in.get(SETTINGS).content.decode()

    assert "Profile and preferences" in html
    assert 'value="Camille Martin"' in html
    assert f"You sign in with {member.email}." in html


def test_a_member_updates_name_bio_language_and_time_zone(signed_in, member):
    response = signed_in.post(
        SETTINGS,
        {**PROFILE, "display_name": "  Camille M.  ", "language": "fr", "time_zone": "America/Montreal"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == SETTINGS
    member.refresh_from_db()
    assert (member.display_name, member.bio, member.language, member.time_zone) == (
        "Camille M.",
        "I fix bikes.",
        "fr",
        "America/Montreal",
    )
    html = response.content.decode()
    assert '<html lang="fr">' in html  # the page follows the new language at once
    assert "Camille M." in html


def test_saving_the_profile_confirms_it(signed_in):
    response = signed_in.post(SETTINGS, PROFILE, follow=True)

    assert "Your profile and preferences are saved." in response.content.decode()


def test_an_empty_display_name_is_refused_and_nothing_is_saved(signed_in, member):
    response = signed_in.post(SETTINGS, {**PROFILE, "display_name": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    member.refresh_from_db()
    assert member.display_name == "Camille Martin"
    assert member.bio == ""


def test_an_unknown_time_zone_is_refused(signed_in, member):
    response = signed_in.post(SETTINGS, {**PROFILE, "time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    member.refresh_from_db()
    assert member.time_zone == ""


def test_a_bio_with_markup_is_shown_as_text(signed_in, member):
    signed_in.post(SETTINGS, {**PROFILE, "bio": "<script>alert('hi')</script> & <b>bold</b>"})

    html = signed_in.get(SETTINGS).content.decode()

    assert "<script>alert" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_an_uploaded_picture_is_stored_as_a_square_256_pixel_webp(signed_in, member):
    signed_in.post(SETTINGS, {**PROFILE, "avatar": png(400, 300)})

    avatar = Avatar.objects.get(user=member)
    stored = Image.open(io.BytesIO(bytes(avatar.image)))
    assert stored.format == "WEBP"
    assert stored.size == (256, 256)
    assert avatar.get_absolute_url() in signed_in.get(SETTINGS).content.decode()


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


def test_a_member_removes_the_picture(signed_in, member):
    signed_in.post(SETTINGS, {**PROFILE, "avatar": png()})

    signed_in.post(SETTINGS, {**PROFILE, "remove_avatar": "on"})

    assert not Avatar.objects.filter(user=member).exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("notes.txt", b"just some text", content_type="text/plain"),
        SimpleUploadedFile("holiday.png", b"not a picture at all, only text", content_type="image/png"),
    ],
    ids=["text-file", "text-file-renamed-png"],
)
def test_a_file_that_is_not_a_picture_gets_an_error_and_nothing_is_saved(signed_in, member, upload):
    response = signed_in.post(SETTINGS, {**PROFILE, "display_name": "Changed", "avatar": upload})

    assert response.status_code == 200
    assert response.context["form"].errors["avatar"]
    assert 'class="field-error"' in response.content.decode()
    assert not Avatar.objects.filter(user=member).exists()
    member.refresh_from_db()
    assert member.display_name == "Camille Martin"


def test_a_picture_in_an_unsupported_format_gets_an_error_and_nothing_is_saved(signed_in, member):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buffer, "BMP")
    upload = SimpleUploadedFile("me.bmp", buffer.getvalue(), content_type="image/bmp")

    response = signed_in.post(SETTINGS, {**PROFILE, "display_name": "Changed", "avatar": upload})

    assert response.status_code == 200
    assert "Use a JPEG, PNG, WebP or GIF picture." in response.context["form"].errors["avatar"]
    assert not Avatar.objects.filter(user=member).exists()
    member.refresh_from_db()
    assert member.display_name == "Camille Martin"


def test_the_settings_page_costs_a_fixed_number_of_queries(signed_in, member, django_assert_max_num_queries):
    signed_in.post(SETTINGS, {**PROFILE, "avatar": png()})

    # Session, user, avatar, the user's groups and permissions (2) for the navigation, branding (cold cache).
    with django_assert_max_num_queries(7):
        response = signed_in.get(SETTINGS)

    assert response.status_code == 200
