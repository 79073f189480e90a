"""Who can open what: the home page, the administration and the dashboards, for each role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import MARKETING
from reporting.reports import REPORTS
from tests.pages import page_with_overlay

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
ADMIN = reverse("admin:index")
DASHBOARD = reverse("reporting:dashboard")
EXPORT = reverse("reporting:export-csv")


@pytest.fixture
def browse_as(request, client):
    """A client signed in as the named fixture's person (or left anonymous)."""

    def sign_in(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return sign_in


@pytest.mark.parametrize("persona", ["anonymous", "member", "ambassador", "marketing", "community_manager"])
def test_everyone_can_open_the_home_page(browse_as, persona):
    response = browse_as(persona).get(reverse("home"))

    assert response.status_code == 200


# Administration -----------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_from_the_admin_to_the_sign_in_page(browse_as):
    response = browse_as("anonymous").get(ADMIN, follow=True)

    assert response.status_code == 200
    final_url = response.redirect_chain[-1][0]
    assert final_url == f"{LOGIN}?next=%2Fadmin%2F"
    assert response.templates[0].name == "account/login.html"


@pytest.mark.parametrize("persona", ["member", "ambassador", "marketing"])
def test_a_signed_in_person_without_the_manager_role_gets_403_on_the_admin(browse_as, persona):
    client = browse_as(persona)

    for path in (ADMIN, reverse("admin:login"), reverse("admin:accounts_user_changelist")):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Your account does not give access to this page." in response.content.decode()


def test_a_community_manager_opens_the_admin(browse_as):
    response = browse_as("community_manager").get(ADMIN)

    assert response.status_code == 200
    assert "Community management" in response.content.decode()


def test_a_community_manager_can_list_the_members_in_the_admin(browse_as, member):
    response = browse_as("community_manager").get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 200
    assert member.email in response.content.decode()


# Dashboards ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [DASHBOARD, EXPORT])
def test_an_anonymous_visitor_is_sent_from_the_dashboards_to_the_sign_in_page(browse_as, path):
    response = browse_as("anonymous").get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={path}"


@pytest.mark.parametrize("persona", ["member", "ambassador"])
@pytest.mark.parametrize("path", [DASHBOARD, EXPORT])
def test_a_member_gets_403_on_the_dashboards_and_the_export(browse_as, persona, path):
    response = browse_as(persona).get(path)

    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["marketing", "community_manager"])
def test_marketing_and_community_managers_open_the_dashboards(browse_as, persona):
    response = browse_as(persona).get(DASHBOARD)

    assert response.status_code == 200
    assert "<h1>Members</h1>" in response.content.decode()


@pytest.mark.parametrize("persona", ["marketing", "community_manager"])
def test_marketing_and_community_managers_download_the_csv_export(browse_as, persona):
    response = browse_as(persona).get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="agora-members.csv"'
    first_line = b"".join(response.streaming_content).decode().splitlines()[0]
    assert first_line.startswith("\ufeffday,Members,New members,Active that day")


REPORT_KEYS = sorted(REPORTS)


@pytest.mark.parametrize("key", REPORT_KEYS)
def test_every_report_and_its_csv_is_marketings_and_nobody_elses(client, member, marketing, key):
    page, export = reverse("reporting:report", args=[key]), reverse("reporting:report-csv", args=[key])
    for path in (page, export):
        client.logout()
        assert client.get(path)["Location"] == f"{LOGIN}?next={path}"
        client.force_login(member)
        assert client.get(path).status_code == 403
    client.force_login(marketing)
    assert client.get(page).status_code == 200
    assert client.get(export)["Content-Type"] == "text/csv; charset=utf-8"


# Navigation ---------------------------------------------------------------------------------------

DASHBOARDS_LINK = f'<a href="{DASHBOARD}">Dashboards</a>'
ADMIN_LINK = f'<a href="{ADMIN}">Administration</a>'


@pytest.mark.parametrize(
    ("persona", "sees_dashboards", "sees_administration"),
    [
        ("anonymous", False, False),
        ("member", False, False),
        ("ambassador", False, False),
        ("marketing", True, False),
        ("community_manager", True, True),
    ],
)
def test_the_navigation_offers_only_the_areas_the_person_can_open(
    browse_as, persona, sees_dashboards, sees_administration
):
    html = page_with_overlay(browse_as(persona), reverse("home"))

    assert (DASHBOARDS_LINK in html) is sees_dashboards
    assert (ADMIN_LINK in html) is sees_administration


def test_a_signed_in_members_new_role_and_deactivation_apply_on_their_next_request(client, member):
    """Members are kept in Redis between requests (accounts.backends): a change must not wait for it."""
    client.force_login(member)
    assert client.get(DASHBOARD).status_code == 403  # the member is now kept, without the role
    Group.objects.get(name=MARKETING).user_set.add(member)
    assert client.get(DASHBOARD).status_code == 200
    member.groups.clear()
    assert client.get(DASHBOARD).status_code == 403
    member.is_active = False
    member.save(update_fields=["is_active"])
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
