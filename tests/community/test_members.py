"""Public profiles and the member's one settings page (profile, picture and community preferences)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from PIL import Image

from accounts.models import Avatar
from community.models import DigestFrequency, MemberState, Space, Visibility
from community.selectors.members import member_state_get
from community.services.forum import post_create, thread_create
from community.services.members import member_preferences_update, member_state_for
from tests.factories import UserFactory
from tests.pages import page_with_overlay

pytestmark = pytest.mark.django_db

SETTINGS = reverse("community:settings")
PROFILE = {
    "display_name": "Camille M.",
    "handle": "camille",
    "bio": "I fix bikes.",
    "language": "en",
    "time_zone": "",
    "email_on_mention": "on",
    "email_on_reply": "on",
    "digest": "weekly",
}


def png(width: int = 400, height: int = 300, colour: str = "crimson") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def space(slug: str, visibility: str = Visibility.PUBLIC) -> Space:
    return Space.objects.create(name=slug.title(), slug=slug, visibility=visibility)


def profile_url(user) -> str:
    return reverse("community:profile", args=[user.handle])


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


# Member state ---------------------------------------------------------------------------------------


def test_member_state_for_makes_the_state_once_with_the_defaults(member):
    first = member_state_for(member)
    second = member_state_for(member)

    assert first.pk == second.pk == member.pk
    assert MemberState.objects.filter(user=member).count() == 1
    assert (first.email_on_mention, first.email_on_reply, first.digest) == (True, True, "weekly")


def test_selectors_read_the_defaults_without_writing_a_state(member):
    state = member_state_get(member)

    assert state.digest == DigestFrequency.WEEKLY
    assert not MemberState.objects.filter(user=member).exists()


def test_a_member_cannot_change_someone_elses_preferences(member):
    other = UserFactory()

    with pytest.raises(Exception, match="another member"):
        member_preferences_update(
            actor=other, user=member, email_on_mention=False, email_on_reply=False, digest="never"
        )

    assert member_state_get(member).digest == "weekly"


# Public profile -------------------------------------------------------------------------------------


def test_a_profile_shows_name_handle_bio_join_date_and_post_count_to_anyone(client, member):
    member.bio = "Cyclist <script>alert(1)</script>\nand baker"
    member.save()
    thread = thread_create(actor=member, space=space("general"), title="Tubeless tyres", body="Worth it?")
    post_create(actor=member, thread=thread, body="Answering myself")

    html = client.get(profile_url(member)).content.decode()

    assert "Camille Martin" in html
    assert f"@{member.handle}" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>and baker" in html
    assert "<script>alert(1)" not in html
    joined = date_format(timezone.localtime(member.date_joined), "DATE_FORMAT")
    assert f"Member since {joined}" in html
    assert "2 posts" in html
    assert "Tubeless tyres" in html
    assert "Answering myself" in html
    assert "Edit my profile" not in html


def test_a_profile_is_found_whatever_the_case_of_the_handle(client, member):
    response = client.get(reverse("community:profile", args=[member.handle.upper()]))

    assert response.status_code == 301
    assert response["Location"] == profile_url(member)


@pytest.mark.parametrize("handle", ["nobody-here", "gone"])
def test_unknown_and_deactivated_members_have_no_profile(client, handle):
    UserFactory(handle="gone", is_active=False)

    assert client.get(reverse("community:profile", args=[handle])).status_code == 404


def test_a_profile_shows_the_picture_or_an_initial(client, member):
    assert 'avatar-initial" aria-hidden="true">C<' in client.get(profile_url(member)).content.decode()

    member.avatar_version = "abc123"
    member.save()

    assert f'src="{member.avatar_url}"' in client.get(profile_url(member)).content.decode()


def test_a_profile_shows_the_role_badges(client, community_manager, ambassador, member):
    assert "Community manager" in client.get(profile_url(community_manager)).content.decode()
    assert "Ambassador" in client.get(profile_url(ambassador)).content.decode()
    html = client.get(profile_url(member)).content.decode()
    assert "Community manager" not in html
    assert "Ambassador" not in html


def test_the_member_sees_a_link_to_edit_their_own_profile(signed_in, member):
    html = signed_in.get(profile_url(member)).content.decode()

    assert "Edit my profile" in html
    assert f'href="{SETTINGS}"' in html


def test_a_profile_lists_only_what_the_viewer_may_read(client, member, community_manager):
    thread_create(actor=member, space=space("open"), title="Open thread", body="Hello")
    thread_create(actor=member, space=space("inside", Visibility.MEMBERS), title="Members thread", body="Hi")
    staff = space("staff", Visibility.STAFF)
    staff_thread = thread_create(actor=community_manager, space=staff, title="Team room", body="Team")
    post_create(actor=community_manager, thread=staff_thread, body="Staff only words")

    anonymous = client.get(profile_url(member)).content.decode()
    assert "Open thread" in anonymous
    assert "Members thread" not in anonymous

    client.force_login(member)
    signed = client.get(profile_url(member)).content.decode()
    assert "Members thread" in signed

    cm_profile = client.get(profile_url(community_manager)).content.decode()
    assert "Team room" not in cm_profile
    assert "Staff only words" not in cm_profile


def test_a_profile_shows_the_ten_latest_threads_only(client, member):
    general = space("general")
    for n in range(12):
        thread_create(actor=member, space=general, title=f"Thread number {n:02d}", body=f"Body {n}")

    html = client.get(profile_url(member)).content.decode()

    assert "Thread number 11" in html
    assert "Thread number 02" in html
    assert "Thread number 01" not in html


def test_the_profile_costs_a_fixed_number_of_queries(
    client, member, ambassador, django_assert_max_num_queries
):
    general, inside = space("general"), space("inside", Visibility.MEMBERS)
    for n in range(3):
        thread = thread_create(
            actor=ambassador, space=general if n % 2 else inside, title=f"Thread {n}", body=f"b {n}"
        )
        post_create(actor=ambassador, thread=thread, body=f"reply {n}")
    client.force_login(member)
    client.get(profile_url(ambassador))  # warm the branding cache

    # Session, user, the viewer's groups, the member (badges and count in it), threads, posts.
    with django_assert_max_num_queries(6):
        response = client.get(profile_url(ambassador))
    assert response.status_code == 200

    for n in range(10):
        thread = thread_create(actor=ambassador, space=general, title=f"More {n}", body=f"more {n}")
        post_create(actor=ambassador, thread=thread, body=f"more replies {n}")
    with django_assert_max_num_queries(6):
        assert client.get(profile_url(ambassador)).status_code == 200


def test_the_profile_costs_three_queries_for_an_anonymous_visitor(
    client, member, django_assert_max_num_queries
):
    thread_create(actor=member, space=space("general"), title="Hello", body="b")
    client.get(profile_url(member))

    with django_assert_max_num_queries(3):
        assert client.get(profile_url(member)).status_code == 200


# Settings page --------------------------------------------------------------------------------------


def test_the_settings_page_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get(SETTINGS)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={SETTINGS}"


def test_the_settings_page_lives_at_the_old_address():
    assert SETTINGS == "/me/settings/"


def test_the_settings_page_shows_the_profile_and_the_preferences(signed_in, member):
    member_preferences_update(
        actor=member, user=member, email_on_mention=False, email_on_reply=True, digest="daily"
    )

    html = signed_in.get(SETTINGS).content.decode()

    assert "Profile and preferences" in html
    assert 'value="Camille Martin"' in html
    assert f'value="{member.handle}"' in html
    assert f"You sign in with {member.email}." in html
    assert 'name="email_on_mention" id="id_email_on_mention"' in html
    assert 'name="email_on_reply" id="id_email_on_reply" checked' in html
    assert 'value="daily" id="id_digest_1" required checked' in html
    for label in ("E-mail addresses", "Password", "Invitations", "My data"):
        assert label in html


def test_the_header_and_the_home_page_link_to_the_settings(signed_in):
    html = page_with_overlay(signed_in, reverse("home"))

    assert f'href="{SETTINGS}"' in html


def test_a_member_saves_profile_and_preferences_in_one_go(signed_in, member):
    response = signed_in.post(
        SETTINGS,
        {
            **PROFILE,
            "display_name": "  Camille M.  ",
            "handle": "Camille.M",
            "language": "fr",
            "time_zone": "America/Montreal",
            "email_on_mention": "",
            "digest": "never",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == SETTINGS
    member.refresh_from_db()
    assert (member.display_name, member.handle, member.bio, member.language, member.time_zone) == (
        "Camille M.",
        "Camille.M",
        "I fix bikes.",
        "fr",
        "America/Montreal",
    )
    state = MemberState.objects.get(user=member)
    assert (state.email_on_mention, state.email_on_reply, state.digest) == (False, True, "never")
    html = response.content.decode()
    assert '<html lang="fr">' in html  # the page follows the new language at once
    assert "Camille M." in html


def test_saving_confirms_it(signed_in):
    response = signed_in.post(SETTINGS, PROFILE, follow=True)

    assert "Your profile and preferences are saved." in response.content.decode()


def test_a_handle_taken_in_another_case_is_refused_clearly(signed_in, member):
    UserFactory(handle="Dominique")

    response = signed_in.post(SETTINGS, {**PROFILE, "handle": "dominique", "digest": "never"})

    assert response.status_code == 200
    assert response.context["form"].errors["handle"] == ["The handle @dominique is taken."]
    member.refresh_from_db()
    assert member.display_name == "Camille Martin"
    assert member_state_get(member).digest == "weekly"


def test_a_handle_with_spaces_or_symbols_is_refused(signed_in, member):
    response = signed_in.post(SETTINGS, {**PROFILE, "handle": "camille martin!"})

    assert response.context["form"].errors["handle"]
    member.refresh_from_db()
    assert member.handle != "camille martin!"


def test_an_empty_display_name_is_refused_and_nothing_is_saved(signed_in, member):
    response = signed_in.post(SETTINGS, {**PROFILE, "display_name": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    member.refresh_from_db()
    assert member.display_name == "Camille Martin"
    assert member.bio == ""


def test_an_unknown_time_zone_or_digest_is_refused(signed_in, member):
    response = signed_in.post(SETTINGS, {**PROFILE, "time_zone": "Mars/Olympus_Mons", "digest": "hourly"})

    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    assert response.context["form"].errors["digest"]
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
    assert (stored.format, stored.size) == ("WEBP", (256, 256))
    assert avatar.get_absolute_url() in signed_in.get(SETTINGS).content.decode()


def test_a_member_removes_the_picture(signed_in, member):
    signed_in.post(SETTINGS, {**PROFILE, "avatar": png()})

    signed_in.post(SETTINGS, {**PROFILE, "remove_avatar": "on"})

    assert not Avatar.objects.filter(user=member).exists()
    member.refresh_from_db()
    assert member.avatar_version == ""


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("notes.txt", b"just some text", content_type="text/plain"),
        SimpleUploadedFile("holiday.png", b"not a picture at all, only text", content_type="image/png"),
    ],
    ids=["text-file", "text-file-renamed-png"],
)
def test_a_file_that_is_not_a_picture_gets_an_error_and_nothing_is_saved(signed_in, member, upload):
    response = signed_in.post(
        SETTINGS, {**PROFILE, "display_name": "Changed", "digest": "never", "avatar": upload}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["avatar"]
    assert 'class="field-error"' in response.content.decode()
    assert not Avatar.objects.filter(user=member).exists()
    member.refresh_from_db()
    assert member.display_name == "Camille Martin"
    assert member_state_get(member).digest == "weekly"


def test_a_picture_in_an_unsupported_format_rolls_back_the_whole_page(signed_in, member):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buffer, "BMP")
    upload = SimpleUploadedFile("me.bmp", buffer.getvalue(), content_type="image/bmp")
    handle = member.handle

    response = signed_in.post(
        SETTINGS,
        {**PROFILE, "display_name": "Changed", "handle": "changed", "digest": "never", "avatar": upload},
    )

    assert response.status_code == 200
    assert "Use a JPEG, PNG, WebP or GIF picture." in response.context["form"].errors["avatar"]
    # The page shows the saved name, not the one that was rolled back.
    assert 'class="nav-user"><bdi>Camille Martin</bdi><' in response.content.decode()
    member.refresh_from_db()
    assert (member.display_name, member.handle) == ("Camille Martin", handle)
    assert member_state_get(member).digest == "weekly"


def test_the_old_accounts_settings_page_is_gone():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("accounts:settings")


def test_the_settings_page_costs_a_fixed_number_of_queries(signed_in, member, django_assert_max_num_queries):
    signed_in.post(SETTINGS, {**PROFILE, "avatar": png()})

    # Session, user, the member's state, groups for the navigation, branding (cold cache), and the
    # header's unread-notification count (cold cache).
    with django_assert_max_num_queries(6):
        response = signed_in.get(SETTINGS)

    assert response.status_code == 200


def test_the_email_and_password_pages_keep_the_settings_navigation(signed_in):
    html = signed_in.get(reverse("account_email")).content.decode()

    assert f'href="{SETTINGS}"' in html
    assert f'href="{reverse("community:invitations")}"' in html
    assert f'href="{reverse("community:account-delete")}"' in html
