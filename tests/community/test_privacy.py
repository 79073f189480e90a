"""Privacy: a member downloads their data and deletes their account; their posts stay, unsigned."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Avatar
from community.models import (
    Invitation,
    MemberState,
    Notification,
    NotificationKind,
    Post,
    Reaction,
    Space,
    Subscription,
    Thread,
)
from community.selectors import members as selectors
from community.services.forum import post_create, reaction_toggle, thread_create
from community.services.members import (
    invitation_create,
    invitation_redeem,
    member_delete,
    member_preferences_update,
)
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("community:data-export")
DELETE = reverse("community:account-delete")
User = get_user_model()


@pytest.fixture
def general(db) -> Space:
    return Space.objects.create(name="General", slug="general")


@pytest.fixture
def active_member(member, general):
    """A member with a thread, a reply, reactions given, a subscription, a notification and a link."""
    other = UserFactory(display_name="Dominique")
    thread = thread_create(actor=member, space=general, title="Chain lube", body="Wax or **oil**?")
    theirs = thread_create(actor=other, space=general, title="Saddles", body="Which one?")
    reply = post_create(actor=member, thread=theirs, body="A Brooks, @dominique")
    reaction_toggle(actor=member, post=theirs.posts.get(position=1), kind="like")
    reaction_toggle(actor=member, post=theirs.posts.get(position=1), kind="helpful")
    Subscription.objects.get_or_create(user=member, thread=theirs)  # Replying subscribed them already.
    Notification.objects.create(recipient=member, kind=NotificationKind.REPLY, actor=other, thread=thread)
    invitation_create(actor=member, note="For Léa", max_uses=3, expires_in_days=None)
    member_preferences_update(
        actor=member, user=member, email_on_mention=False, email_on_reply=True, digest="daily"
    )
    member.thread, member.reply, member.other, member.their_thread = thread, reply, other, theirs
    return member


def export(client: Client) -> dict:
    response = client.get(EXPORT)
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


# Download my data -----------------------------------------------------------------------------------


def test_the_export_needs_a_signed_in_member(client):
    assert client.get(EXPORT).status_code == 302


def test_the_export_is_a_json_attachment(client, member):
    client.force_login(member)

    response = client.get(EXPORT)

    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]


def test_the_export_holds_the_account_preferences_and_the_members_posts(client, active_member):
    client.force_login(active_member)

    data = export(client)

    assert data["account"]["email"] == active_member.email
    assert data["account"]["display_name"] == "Camille Martin"
    assert data["account"]["handle"] == active_member.handle
    assert data["preferences"] == {
        "email_on_mention": False, "email_on_reply": True, "digest": "daily", "consent_history": []
    }  # fmt: skip
    assert [t["title"] for t in data["threads"]] == ["Chain lube"]
    assert data["threads"][0]["url"] == f"http://testserver/threads/{active_member.thread.pk}/"
    assert [p["markdown"] for p in data["posts"]] == ["Wax or **oil**?", "A Brooks, @dominique"]
    assert data["posts"][1]["url"].startswith(f"http://testserver/threads/{active_member.their_thread.pk}/")
    assert data["posts"][0]["created_at"]
    assert sorted(r["kind"] for r in data["reactions"]) == ["helpful", "like"]
    assert data["invitations"][0]["note"] == "For Léa"
    assert data["invitations"][0]["url"].startswith("http://testserver/invite/")
    assert [n["kind"] for n in data["notifications"]] == ["reply"]
    assert len(data["subscriptions"]) == 2  # Their own thread and the one they replied in.


def test_the_export_holds_nobody_elses_posts(client, active_member):
    client.force_login(active_member.other)

    data = export(client)

    assert "Wax or **oil**?" not in json.dumps(data)
    assert [t["title"] for t in data["threads"]] == ["Saddles"]


def test_the_export_reads_the_posts_in_bounded_batches(client, member, general, monkeypatch):
    thread = thread_create(actor=member, space=general, title="Long one", body="first")
    for n in range(7):
        post_create(actor=member, thread=thread, body=f"post {n}")
    client.force_login(member)
    monkeypatch.setattr(selectors, "EXPORT_BATCH", 3)

    with CaptureQueriesContext(connection) as queries:
        data = export(client)

    assert [p["markdown"] for p in data["posts"]] == ["first"] + [f"post {n}" for n in range(7)]
    post_reads = [q for q in queries if q["sql"].startswith('SELECT "community_post"."id"')]
    assert len(post_reads) == 3  # 3 + 3 + 2 rows


# Delete my account ----------------------------------------------------------------------------------


def test_the_delete_page_explains_and_asks_for_the_password(client, member):
    client.force_login(member)

    html = client.get(DELETE).content.decode()

    assert "Delete my account" in html
    assert 'type="password"' in html
    assert f'href="{EXPORT}"' in html


def test_a_wrong_password_deletes_nothing(client, member):
    client.force_login(member)

    response = client.post(DELETE, {"password": "not-my-password"})

    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["This password is not right."]
    assert User.objects.filter(pk=member.pk).exists()


def test_deleting_the_account_keeps_the_posts_unsigned_and_signs_out(client, active_member):
    client.force_login(active_member)
    thread, reply = active_member.thread, active_member.reply

    response = client.post(DELETE, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    html = response.content.decode()
    assert "Your account is deleted. Your posts stay, shown as from a deleted member." in html
    assert not response.wsgi_request.user.is_authenticated
    assert not User.objects.filter(pk=active_member.pk).exists()
    thread.refresh_from_db()
    reply.refresh_from_db()
    assert thread.author is None
    assert reply.author is None
    assert Post.objects.get(thread=thread, position=1).body_md == "Wax or **oil**?"


def test_deleting_the_account_removes_what_belonged_to_the_member(active_member):
    pk = active_member.pk
    active_member.avatar_version = "v1"
    active_member.save()
    Avatar.objects.create(user=active_member, image=b"x", version="v1")

    member_delete(actor=active_member, user=active_member, password=PASSWORD)

    assert not Avatar.objects.filter(user_id=pk).exists()
    assert not Notification.objects.filter(recipient_id=pk).exists()
    assert not Subscription.objects.filter(user_id=pk).exists()
    assert not Reaction.objects.filter(user_id=pk).exists()
    assert not EmailAddress.objects.filter(user_id=pk).exists()
    assert not Invitation.objects.filter(inviter_id=pk).exists()
    assert not MemberState.objects.filter(user_id=pk).exists()
    assert Thread.objects.filter(title="Chain lube", author=None).exists()


def test_deleting_the_account_takes_back_the_reactions_from_the_counters(active_member):
    liked = active_member.their_thread.posts.get(position=1)
    reaction_toggle(actor=UserFactory(), post=liked, kind="like")
    liked.refresh_from_db()
    assert (liked.like_count, liked.helpful_count) == (2, 1)

    member_delete(actor=active_member, user=active_member, password=PASSWORD)

    liked.refresh_from_db()
    assert (liked.like_count, liked.helpful_count) == (1, 0)


def test_the_email_can_sign_up_again_after_deletion(active_member):
    email = active_member.email
    member_delete(actor=active_member, user=active_member, password=PASSWORD)

    client = Client(headers={"Accept-Language": "en"})
    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "Back again",
            "email": email,
            "password1": "fresh-start-42!",
            "password2": "fresh-start-42!",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email=email).display_name == "Back again"


def test_people_brought_in_stay_members_when_their_inviter_leaves(member):
    invitation = invitation_create(actor=member, note="", max_uses=1, expires_in_days=None)
    newcomer = UserFactory()
    invitation_redeem(user=newcomer, code=invitation.code)

    member_delete(actor=member, user=member, password=PASSWORD)

    state = MemberState.objects.get(user=newcomer)
    assert (state.invited_by_id, state.invitation_id) == (None, None)


def test_a_community_manager_cannot_delete_their_account_here(client, community_manager):
    client.force_login(community_manager)

    html = client.get(DELETE).content.decode()
    assert "Community managers cannot delete their account here" in html
    assert 'type="password"' not in html

    response = client.post(DELETE, {"password": PASSWORD})
    assert "Community managers cannot delete their account here" in response.content.decode()
    assert User.objects.filter(pk=community_manager.pk).exists()


def test_nobody_deletes_someone_elses_account(member):
    with pytest.raises(PermissionDenied):
        member_delete(actor=UserFactory(), user=member, password=PASSWORD)
    with pytest.raises(ValidationError):
        member_delete(actor=member, user=member, password="")
    assert User.objects.filter(pk=member.pk).exists()


def test_the_my_data_page_costs_a_fixed_number_of_queries(client, member, django_assert_max_num_queries):
    client.force_login(member)
    client.get(DELETE)

    # Session, user, groups.
    with django_assert_max_num_queries(3):
        assert client.get(DELETE).status_code == 200
