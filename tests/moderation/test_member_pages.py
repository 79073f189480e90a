"""The member's side of moderation: flagging, the statement of reasons, appealing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import COMMUNITY_MANAGERS
from moderation import services
from moderation.models import Appeal, Case, Flag, Notice
from moderation.selectors import notice_token
from tests.factories import UserFactory, user_with_role
from tests.pages import page_with_overlay

pytestmark = pytest.mark.django_db


def flag_url(item_type, item_id):
    return reverse("moderation:flag", args=[item_type, item_id])


def test_a_member_flags_a_post_citing_a_rule_and_then_sees_they_flagged_it(client, member, reply, rules):
    client.force_login(member)
    thread_page = client.get(reply.thread.get_absolute_url()).content.decode()
    assert flag_url("post", reply.pk) in thread_page
    form = client.get(flag_url("post", reply.pk))
    assert "Which rule of the netiquette does it break?" in form.content.decode()
    response = client.post(flag_url("post", reply.pk), {"rule": rules[1].pk, "comment": "Rude."}, follow=True)
    assert "the community team will review" in response.content.decode()
    assert Flag.objects.get(flagger=member).comment == "Rude."
    assert "You flagged this" in client.get(reply.thread.get_absolute_url()).content.decode()
    again = client.get(flag_url("post", reply.pk)).content.decode()
    assert "You flagged this on" in again


def test_threads_and_profiles_can_be_flagged_too(client, member, thread, author, rules):
    client.force_login(member)
    client.post(flag_url("thread", thread.pk), {"rule": rules[5].pk})
    client.post(flag_url("profile", author.pk), {"rule": rules[1].pk})
    assert set(Case.objects.values_list("item_type", flat=True)) == {"thread", "profile"}


def test_flagging_without_a_rule_or_something_unknown_is_refused(client, member, reply):
    client.force_login(member)
    response = client.post(flag_url("post", reply.pk), {"rule": ""})
    assert response.status_code == 400
    assert client.get(flag_url("post", 999_999)).status_code == 404
    assert client.get(flag_url("event", reply.pk)).status_code == 404
    assert not Flag.objects.exists()


def test_visitors_are_asked_to_sign_in_to_flag(client, reply):
    response = client.get(flag_url("post", reply.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.fixture
def decision(reply, rules):
    services.flag_create(actor=UserFactory(), item_type="post", item_id=reply.pk, rule=rules[1])
    return services.case_decide(
        actor=user_with_role(COMMUNITY_MANAGERS),
        case=Case.objects.get(),
        action="remove",
        rule=rules[1],
        explanation="Personal attack on another member.",
        sanction="warning",
    )


def test_the_author_reads_the_statement_of_reasons_and_appeals_once(client, author, decision):
    client.force_login(author)
    home = page_with_overlay(client, "/")
    assert "1 moderation decision" in home
    notice = Notice.objects.get(recipient=author)
    page = client.get(reverse("moderation:notice", args=[notice.pk])).content.decode()
    for expected in (
        "Statement of reasons", "Rule 1: Respect and courtesy", "Treat other members", "Personal attack on",
        "Incompatible with the terms of use", "reported by members; the decision was taken by a person",
        "This decision comes with a warning.", "You may appeal this decision once",
    ):  # fmt: skip
        assert expected in page, expected
    response = client.post(
        reverse("moderation:appeal", args=[notice.pk]), {"text": "I was quoting."}, follow=True
    )
    assert "Your appeal is sent." in response.content.decode()
    assert "being reviewed by another member" in response.content.decode()
    assert Appeal.objects.get().text == "I was quoting."
    again = client.post(reverse("moderation:appeal", args=[notice.pk]), {"text": "Again."})
    assert again.status_code == 400
    assert Appeal.objects.count() == 1


def test_another_member_cannot_read_or_appeal_a_statement(client, member, decision):
    notice = Notice.objects.get()
    client.force_login(member)
    assert client.get(reverse("moderation:notice", args=[notice.pk])).status_code == 404
    assert client.post(reverse("moderation:appeal", args=[notice.pk]), {"text": "x"}).status_code == 404


def test_a_banned_author_reads_and_appeals_through_the_signed_link(client, reply, rules, author):
    services.flag_create(actor=UserFactory(), item_type="post", item_id=reply.pk, rule=rules[3])
    decision = services.case_decide(
        actor=user_with_role(COMMUNITY_MANAGERS), case=Case.objects.get(), action="remove", rule=rules[3],
        explanation="Explicit material.", sanction="ban", override_reason="Severe.",
    )  # fmt: skip
    notice = Notice.objects.get(decision=decision)
    token = notice_token(notice)
    url = reverse("moderation:notice", args=[notice.pk])
    assert "Your account is closed." in client.get(url, {"t": token}).content.decode()
    assert client.get(url, {"t": "forged"}).status_code == 404
    client.post(reverse("moderation:appeal", args=[notice.pk]), {"t": token, "text": "Please reconsider."})
    assert Appeal.objects.get().appellant == author
