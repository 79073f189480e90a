"""A member accepts the netiquette before posting: after sign-in, in posting views, after a new version."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from moderation import services
from moderation.models import NetiquetteAcceptance
from moderation.navigation import LOGIN_CHECK_FLAG
from tests.factories import PASSWORD
from tests.pages import page_with_overlay

pytestmark = pytest.mark.django_db

BANNER = "Please read and accept the netiquette to take part."


def sign_in_seen(client, user) -> None:
    """Signed in, with the one-off redirect after sign-in already used up."""
    client.force_login(user)
    session = client.session
    session.pop(LOGIN_CHECK_FLAG, None)
    session.save()


def sign_in(client, user, next_url: str = ""):
    data = {"login": user.email, "password": PASSWORD}
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data, follow=True)


def test_the_first_page_after_sign_in_is_the_netiquette_and_accepting_returns_to_it(
    client, newcomer, django_capture_on_commit_callbacks
):
    response = sign_in(client, newcomer, next_url="/%3Ffrom%3Dinvite")
    assert response.redirect_chain[-2][0] == "/?from=invite"
    assert response.redirect_chain[-1][0] == "/netiquette/?next=%2F%3Ffrom%3Dinvite"
    assert "I accept the netiquette" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("moderation:netiquette-accept"), {"next": response.context["next_url"]}
        )
    assert response["Location"] == "/?from=invite"
    page = client.get(response["Location"]).content.decode()
    assert "Thank you for accepting the netiquette." in page
    assert BANNER not in page
    assert NetiquetteAcceptance.objects.filter(user=newcomer).count() == 1


def test_the_netiquette_is_shown_once_after_sign_in_then_a_banner_reminds_the_member(client, newcomer):
    sign_in(client, newcomer)
    response = client.get("/")
    assert response.status_code == 200
    assert BANNER in response.content.decode()
    assert "Our netiquette has changed." not in response.content.decode()
    assert LOGIN_CHECK_FLAG not in client.session


def test_account_and_settings_pages_stay_reachable_right_after_sign_in(client, newcomer):
    client.post(reverse("account_login"), {"login": newcomer.email, "password": PASSWORD})
    assert client.get(reverse("community:settings")).status_code == 200
    assert client.get(reverse("moderation:netiquette")).status_code == 200
    # The check waits for the first ordinary page.
    assert client.session[LOGIN_CHECK_FLAG]
    assert client.get("/")["Location"] == "/netiquette/?next=%2F"


def test_a_member_who_accepted_goes_straight_to_the_page_after_sign_in(client, member):
    response = sign_in(client, member)
    assert response.redirect_chain == [("/", 302)]
    assert BANNER not in response.content.decode()


def test_confirming_the_email_address_leads_to_the_netiquette(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "lou@example.com",
            "display_name": "Lou",
            "password1": "a-long-password-for-tests",
            "password2": "a-long-password-for-tests",
        },
    )
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    response = client.post(link, follow=True)
    assert response.redirect_chain[-1][0].startswith("/netiquette/?next=")
    assert "I accept the netiquette" in response.content.decode()


def test_publishing_a_new_version_shows_the_changed_banner(
    client, member, community_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.netiquette_publish(actor=community_manager, note="Rule 6 covers screenshots.")
    client.force_login(member)
    assert client.get("/")["Location"] == "/netiquette/?next=%2F"
    page = page_with_overlay(client, "/")
    assert "Our netiquette has changed." in page
    assert BANNER in page
    assert 'href="/netiquette/?next=/"' in page


# netiquette_required ------------------------------------------------------------------------------


@pytest.mark.urls("tests.moderation.urls")
def test_a_posting_view_sends_a_member_who_has_not_accepted_to_the_netiquette(client, newcomer):
    sign_in_seen(client, newcomer)
    response = client.get("/test/reply/?quote=3")
    assert response.status_code == 302
    assert response["Location"] == "/netiquette/?next=%2Ftest%2Freply%2F%3Fquote%3D3"
    page = client.get(response["Location"]).content.decode()
    assert "Please accept the netiquette before posting." in page


@pytest.mark.urls("tests.moderation.urls")
def test_a_refused_post_returns_to_the_page_the_form_was_on(client, newcomer):
    sign_in_seen(client, newcomer)
    response = client.post(
        "/test/reply/", {"body": "Hello"}, headers={"Referer": "http://testserver/?page=2"}
    )
    assert response["Location"] == "/netiquette/?next=%2F%3Fpage%3D2"
    response = client.post("/test/reply/", {"body": "Hello"}, headers={"Referer": "https://evil.example/"})
    assert response["Location"] == "/netiquette/?next=%2F"


@pytest.mark.urls("tests.moderation.urls")
def test_an_htmx_post_is_redirected_by_htmx_to_the_netiquette(client, newcomer):
    sign_in_seen(client, newcomer)
    response = client.post(
        "/test/reply/",
        {"body": "Hello"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/?page=3"},
    )
    assert response["HX-Redirect"] == "/netiquette/?next=%2F%3Fpage%3D3"


@pytest.mark.urls("tests.moderation.urls")
def test_a_posting_view_opens_for_a_member_who_accepted(client, member):
    client.force_login(member)
    response = client.get("/test/reply/")
    assert response.status_code == 200
    assert response.content == b"reply form"


@pytest.mark.urls("tests.moderation.urls")
def test_a_posting_view_asks_a_visitor_to_sign_in(client):
    response = client.get("/test/reply/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.urls("tests.moderation.urls")
def test_a_posting_view_closes_again_after_a_new_version(
    client, member, community_manager, django_capture_on_commit_callbacks
):
    client.force_login(member)
    assert client.get("/test/reply/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.netiquette_publish(actor=community_manager, note="Rule 4 covers referral links.")
    assert client.get("/test/reply/").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("moderation:netiquette-accept"))
    assert client.get("/test/reply/").status_code == 200
