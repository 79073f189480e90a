"""Invitation links and referrals (parrainage): create, share, join through, see whom you brought in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import COMMUNITY_MANAGERS
from community.models import Invitation, MemberState
from community.services.members import invitation_create, invitation_redeem, invitation_revoke
from core.branding import branding_update
from tests.concurrency import at_once
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

INVITATIONS = reverse("community:invitations")
NEWCOMER = {
    "display_name": "Nour Haddad",
    "email": "nour@example.com",
    "password1": "plenty-of-entropy-42",
    "password2": "plenty-of-entropy-42",
}


def sign_up(client: Client, **overrides):
    return client.post(reverse("account_signup"), {**NEWCOMER, **overrides})


def state_of(email: str) -> MemberState | None:
    return MemberState.objects.filter(user__email=email).select_related("invited_by").first()


# Creating and revoking links ------------------------------------------------------------------------


def test_a_member_creates_an_invitation_link_from_the_page(client, member):
    client.force_login(member)

    response = client.post(INVITATIONS, {"note": "For my sister", "max_uses": "3", "expires_in_days": "7"})

    assert response.status_code == 302
    invitation = Invitation.objects.get(inviter=member)
    assert (invitation.note, invitation.max_uses, invitation.use_count) == ("For my sister", 3, 0)
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    assert len(invitation.code) >= 20
    html = client.get(INVITATIONS).content.decode()
    assert f"http://testserver/invite/{invitation.code}/" in html
    assert "For my sister" in html
    assert "0 of 3" in html


def test_a_link_without_expiry_never_expires(member):
    invitation = invitation_create(actor=member, note="", max_uses=1, expires_in_days=None)

    assert invitation.expires_at is None


def test_each_link_gets_its_own_unguessable_code(member):
    codes = {
        invitation_create(actor=member, note="", max_uses=1, expires_in_days=None).code for _ in range(5)
    }

    assert len(codes) == 5


@pytest.mark.parametrize("max_uses", ["0", "101", "-3", "many"])
def test_a_number_of_uses_outside_1_to_100_is_refused(client, member, max_uses):
    client.force_login(member)

    response = client.post(INVITATIONS, {"note": "", "max_uses": max_uses})

    assert response.status_code == 200
    assert response.context["form"].errors["max_uses"]
    assert not Invitation.objects.exists()


def test_the_service_refuses_bad_numbers_too(member):
    with pytest.raises(ValidationError):
        invitation_create(actor=member, note="", max_uses=500, expires_in_days=None)
    with pytest.raises(ValidationError):
        invitation_create(actor=member, note="", max_uses=1, expires_in_days=0)


def test_a_member_has_at_most_twenty_active_links(client, member):
    for _ in range(20):
        invitation_create(actor=member, note="", max_uses=1, expires_in_days=None)
    client.force_login(member)

    response = client.post(INVITATIONS, {"note": "one more", "max_uses": "1"})

    assert (
        "You already have 20 active links: revoke one before you make another." in response.content.decode()
    )
    assert Invitation.objects.filter(inviter=member).count() == 20


def test_revoked_and_used_up_links_do_not_count_towards_the_limit(member):
    links = [invitation_create(actor=member, note="", max_uses=1, expires_in_days=None) for _ in range(20)]
    invitation_revoke(actor=member, invitation=links[0])
    invitation_redeem(user=UserFactory(), code=links[1].code)

    invitation_create(actor=member, note="", max_uses=1, expires_in_days=None)
    invitation_create(actor=member, note="", max_uses=1, expires_in_days=None)

    with pytest.raises(ValidationError):
        invitation_create(actor=member, note="", max_uses=1, expires_in_days=None)


def test_a_member_who_has_not_accepted_the_netiquette_cannot_invite(client):
    newcomer = UserFactory(netiquette_accepted=False)
    client.force_login(newcomer)

    with pytest.raises(PermissionDenied):
        invitation_create(actor=newcomer, note="", max_uses=1, expires_in_days=None)
    html = client.get(INVITATIONS).content.decode()
    assert "Accept the netiquette before you invite people." in html
    assert "Create the link" not in html


def test_a_community_manager_invites_even_without_accepting_the_netiquette():
    community_manager = user_with_role(COMMUNITY_MANAGERS, netiquette_accepted=False)

    invitation = invitation_create(actor=community_manager, note="Press", max_uses=100, expires_in_days=30)

    assert invitation.inviter == community_manager


def test_a_member_revokes_a_link_and_it_admits_nobody_else(client, member):
    invitation = invitation_create(actor=member, note="", max_uses=5, expires_in_days=None)
    client.force_login(member)

    response = client.post(reverse("community:invitation-revoke", args=[invitation.pk]), follow=True)

    assert "The link is revoked: nobody else can join with it." in response.content.decode()
    assert invitation_redeem(user=UserFactory(), code=invitation.code) is None
    assert Client().get(invitation.get_absolute_url()).status_code == 410


def test_a_member_cannot_revoke_someone_elses_link(client, member):
    invitation = invitation_create(actor=UserFactory(), note="", max_uses=5, expires_in_days=None)
    client.force_login(member)

    assert client.post(reverse("community:invitation-revoke", args=[invitation.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        invitation_revoke(actor=member, invitation=invitation)


def test_the_invitations_page_needs_a_signed_in_member(client):
    assert client.get(INVITATIONS).status_code == 302


# The landing page -----------------------------------------------------------------------------------


def test_the_link_shows_who_invites_and_the_welcome_text(client, member):
    branding_update(name="Vélo Club", tagline="", welcome="Ride with us.", brand_colour="#4f46e5")
    invitation = invitation_create(actor=member, note="", max_uses=2, expires_in_days=None)

    html = client.get(invitation.get_absolute_url()).content.decode()

    assert "<bdi>Camille Martin</bdi> invites you to join Vélo Club" in html
    assert "Ride with us." in html
    assert f'href="{reverse("account_signup")}">Join<' in html
    assert client.session["community:invitation-code"] == invitation.code


def test_an_unknown_code_is_a_404(client):
    assert client.get(reverse("community:invitation", args=["no-such-code"])).status_code == 404


def test_an_expired_link_says_so_and_is_not_remembered(client, member):
    invitation = invitation_create(actor=member, note="", max_uses=2, expires_in_days=1)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = client.get(invitation.get_absolute_url())

    assert response.status_code == 410
    html = response.content.decode()
    assert "This invitation can no longer be used" in html
    assert "The link has expired." in html
    assert "community:invitation-code" not in client.session


def test_a_used_up_link_says_so(client, member):
    invitation = invitation_create(actor=member, note="", max_uses=1, expires_in_days=None)
    invitation_redeem(user=UserFactory(), code=invitation.code)

    html = client.get(invitation.get_absolute_url()).content.decode()

    assert "Everyone this link was meant for has already joined." in html


# Signing up through a link --------------------------------------------------------------------------


def test_signing_up_through_a_link_attributes_the_newcomer_to_the_inviter(client, member):
    invitation = invitation_create(actor=member, note="", max_uses=2, expires_in_days=None)
    client.get(invitation.get_absolute_url())

    sign_up(client)

    state = state_of("nour@example.com")
    assert state.invited_by == member
    assert state.invitation == invitation
    invitation.refresh_from_db()
    assert invitation.use_count == 1
    assert "community:invitation-code" not in client.session


def test_signing_up_without_a_link_attributes_nothing(client):
    sign_up(client)

    state = state_of("nour@example.com")
    assert state is None or state.invited_by is None


def test_the_inviter_sees_the_people_they_brought_in(client, member):
    invitation = invitation_create(actor=member, note="", max_uses=2, expires_in_days=None)
    newcomer_client = Client(headers={"Accept-Language": "en"})
    newcomer_client.get(invitation.get_absolute_url())
    sign_up(newcomer_client)
    client.force_login(member)

    html = client.get(INVITATIONS).content.decode()

    assert "Nour Haddad" in html
    assert "1 person joined with your links." in html
    assert "1 of 2" in html


def test_the_last_seat_is_given_once_and_the_second_newcomer_still_signs_up(member):
    invitation = invitation_create(actor=member, note="", max_uses=1, expires_in_days=None)
    first, second = Client(), Client()
    first.get(invitation.get_absolute_url())
    second.get(invitation.get_absolute_url())

    sign_up(first)
    sign_up(second, email="late@example.com", display_name="Late Comer")

    assert state_of("nour@example.com").invited_by == member
    late = state_of("late@example.com")
    assert late is None or late.invited_by is None
    assert MemberState.objects.filter(invited_by=member).count() == 1
    invitation.refresh_from_db()
    assert invitation.use_count == 1


@pytest.mark.django_db(transaction=True)
def test_two_redemptions_racing_for_the_last_seat_give_it_once(member):
    invitation = invitation_create(actor=member, note="", max_uses=1, expires_in_days=None)
    newcomers = [UserFactory(), UserFactory()]
    results = at_once(lambda user: invitation_redeem(user=user, code=invitation.code), newcomers)

    assert sorted(result is not None for result in results) == [False, True]
    invitation.refresh_from_db()
    assert invitation.use_count == 1
    assert MemberState.objects.filter(invited_by=member).count() == 1


def test_an_inviter_cannot_redeem_their_own_link(member):
    invitation = invitation_create(actor=member, note="", max_uses=1, expires_in_days=None)

    assert invitation_redeem(user=member, code=invitation.code) is None


def test_the_invitations_page_costs_a_fixed_number_of_queries(client, member, django_assert_max_num_queries):
    for n in range(3):
        invitation = invitation_create(actor=member, note=f"n{n}", max_uses=5, expires_in_days=None)
        invitation_redeem(user=UserFactory(), code=invitation.code)
    client.force_login(member)
    client.get(INVITATIONS)

    # Session, user, groups, links, people brought in and their count.
    with django_assert_max_num_queries(6):
        assert client.get(INVITATIONS).status_code == 200
    for n in range(5):
        invitation = invitation_create(actor=member, note=f"m{n}", max_uses=5, expires_in_days=None)
        invitation_redeem(user=UserFactory(), code=invitation.code)
    with django_assert_max_num_queries(6):
        assert client.get(INVITATIONS).status_code == 200


def test_the_landing_page_costs_a_fixed_number_of_queries(client, member, django_assert_max_num_queries):
    invitation = invitation_create(actor=member, note="", max_uses=5, expires_in_days=None)
    client.get(invitation.get_absolute_url())

    # The session and the invitation with its inviter (the code is remembered already).
    with django_assert_max_num_queries(2):
        assert client.get(invitation.get_absolute_url()).status_code == 200
