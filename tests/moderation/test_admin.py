import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from moderation.models import NetiquetteAcceptance, NetiquetteVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLISH = "admin:moderation_netiquetteversion_publish"
VERSIONS = "admin:moderation_netiquetteversion_changelist"


def test_a_community_manager_publishes_a_new_version_from_the_admin(
    client, community_manager, member, django_capture_on_commit_callbacks
):
    client.force_login(community_manager)
    versions = client.get(reverse(VERSIONS)).content.decode()
    assert "Publish a new version (members accept again)" in versions
    form = client.get(reverse(PUBLISH))
    assert form.status_code == 200
    assert "The current version is 1." in form.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(PUBLISH), {"note": "Rule 4 now covers referral links."}, follow=True)
    assert response.redirect_chain == [(reverse(VERSIONS), 302)]
    assert "Version 2 is published" in response.content.decode()
    version = NetiquetteVersion.objects.get(number=2)
    assert (version.note, version.published_by) == ("Rule 4 now covers referral links.", community_manager)


def test_publishing_from_the_admin_needs_a_note(client, community_manager):
    client.force_login(community_manager)
    response = client.post(reverse(PUBLISH), {"note": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert NetiquetteVersion.objects.count() == 1


def test_members_and_marketing_are_refused_the_publish_page(client, member, marketing):
    for person in (member, marketing):
        client.force_login(person)
        assert client.get(reverse(PUBLISH)).status_code == 403
        assert client.post(reverse(PUBLISH), {"note": "Sneaky change."}).status_code == 403
    assert NetiquetteVersion.objects.count() == 1


def test_the_publish_view_itself_refuses_staff_who_are_not_community_managers(rf, marketing):
    """Even past the admin site's door (e.g. a staff account with model permissions), the view refuses."""
    marketing.is_staff = True
    request = rf.post("/admin/moderation/netiquetteversion/publish/", {"note": "Sneaky change."})
    request.user = marketing
    with pytest.raises(PermissionDenied):
        admin.site._registry[NetiquetteVersion].publish_view(request)
    assert NetiquetteVersion.objects.count() == 1


def test_the_version_list_counts_acceptances_and_versions_cannot_be_edited(client, community_manager):
    UserFactory.create_batch(3)  # each accepts version 1
    UserFactory(netiquette_accepted=False)
    client.force_login(community_manager)
    response = client.get(reverse(VERSIONS))
    row = response.context["cl"].result_list[0]
    assert row.acceptance_total == NetiquetteAcceptance.objects.filter(version=row).count() == 4
    version = NetiquetteVersion.objects.get()
    change = client.post(
        reverse("admin:moderation_netiquetteversion_change", args=[version.pk]), {"note": "x"}
    )
    assert change.status_code == 403
    assert client.get(reverse("admin:moderation_netiquetteversion_add")).status_code == 403
    assert NetiquetteVersion.objects.get().note == "Initial netiquette"


def test_acceptances_are_readable_but_never_written_in_the_admin(client, community_manager):
    client.force_login(community_manager)
    acceptance = NetiquetteAcceptance.objects.get(user=community_manager)
    assert client.get(reverse("admin:moderation_netiquetteacceptance_changelist")).status_code == 200
    assert client.get(reverse("admin:moderation_netiquetteacceptance_add")).status_code == 403
    delete = reverse("admin:moderation_netiquetteacceptance_delete", args=[acceptance.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert NetiquetteAcceptance.objects.filter(pk=acceptance.pk).exists()


def test_community_managers_switch_rules_off_from_the_rule_list(client, community_manager):
    client.force_login(community_manager)
    response = client.get(reverse("admin:moderation_netiquetterule_changelist"), {"q": "spam"})
    page = response.content.decode()
    assert "No spam or advertising" in page
    assert "Respect and courtesy" not in page
