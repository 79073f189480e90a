"""Handing out roles: superusers give any role, community managers only make ambassadors."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.permissions import can_use_admin, can_view_reporting, is_ambassador
from accounts.roles import AMBASSADORS, COMMUNITY_MANAGERS, MARKETING
from accounts.services import role_grant, role_revoke
from tests.factories import UserFactory, platform_owner

pytestmark = pytest.mark.django_db


def reloaded(user):
    return type(user).objects.get(pk=user.pk)


def test_a_community_manager_makes_a_member_an_ambassador(community_manager, member):
    role_grant(actor=community_manager, user=member, role=AMBASSADORS)

    assert is_ambassador(reloaded(member))


def test_a_community_manager_removes_the_ambassador_role(community_manager, ambassador):
    role_revoke(actor=community_manager, user=ambassador, role=AMBASSADORS)

    assert not is_ambassador(reloaded(ambassador))


@pytest.mark.parametrize("role", [COMMUNITY_MANAGERS, MARKETING])
def test_a_community_manager_cannot_grant_the_roles_that_open_the_admin_or_dashboards(
    community_manager, member, role
):
    with pytest.raises(PermissionDenied):
        role_grant(actor=community_manager, user=member, role=role)

    member = reloaded(member)
    assert not member.groups.exists()
    assert not member.is_staff
    assert not can_use_admin(member)
    assert not can_view_reporting(member)


@pytest.mark.parametrize("actor", ["member", "marketing", "ambassador"])
def test_only_managers_hand_out_the_ambassador_role(request, actor):
    newcomer = UserFactory()

    with pytest.raises(PermissionDenied):
        role_grant(actor=request.getfixturevalue(actor), user=newcomer, role=AMBASSADORS)

    assert not is_ambassador(reloaded(newcomer))


def test_a_superuser_makes_a_community_manager_who_can_open_the_admin(member):
    role_grant(actor=platform_owner(), user=member, role=COMMUNITY_MANAGERS)

    member = reloaded(member)
    assert member.is_staff
    assert can_use_admin(member)
    assert can_view_reporting(member)


def test_removing_the_manager_role_closes_the_admin(community_manager):
    role_revoke(actor=platform_owner(), user=community_manager, role=COMMUNITY_MANAGERS)

    community_manager = reloaded(community_manager)
    assert not community_manager.is_staff
    assert not can_use_admin(community_manager)


def test_an_unknown_role_is_refused(community_manager, member):
    with pytest.raises(ValidationError):
        role_grant(actor=community_manager, user=member, role="Moderators")


def test_a_community_manager_makes_ambassadors_from_the_admin_member_list(client, community_manager, member):
    client.force_login(community_manager)

    response = client.post(
        "/admin/accounts/user/",
        {"action": "make_ambassadors", "_selected_action": [member.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "The members are now ambassadors." in response.content.decode()
    assert is_ambassador(reloaded(member))
