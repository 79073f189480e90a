"""One-click unsubscribe (RFC 8058) from the forum's e-mails: a POST with no session leaves the list at
once, a GET changes nothing, a token works for its member and list only, and the withdrawal is kept."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.test import Client

from community.models import MemberState
from community.services import forum
from mailings.lists import unsubscribe_token
from tests.community.test_forum import accept_netiquette
from tests.factories import UserFactory
from tests.mail import send_due

pytestmark = pytest.mark.django_db


def reply_email(space_factory=None):
    from community.models import Space

    space = Space.objects.create(name="Entraide", slug="entraide")
    author, replier = UserFactory(), UserFactory()
    accept_netiquette(author, replier)
    thread = forum.thread_create(actor=author, space=space, title="Une question", body="Bonjour ?")
    forum.post_create(actor=replier, thread=thread, body="Voici ma réponse.")
    mail.outbox.clear()
    send_due()
    return author, mail.outbox[-1]


def test_a_reply_e_mail_carries_the_rfc_8058_headers_and_a_post_without_session_unsubscribes():
    author, email = reply_email()
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.search(r"<(https?://[^>]+)>", email.extra_headers["List-Unsubscribe"]).group(1)
    path = "/" + url.split("/", 3)[3]
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.get(path).status_code == 200  # a mail scanner's GET changes nothing
    assert MemberState.objects.get(user=author).email_on_reply is True
    assert anonymous.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    state = MemberState.objects.get(user=author)
    assert state.email_on_reply is False and state.email_on_mention is True
    assert "Unsubscribe from these e-mails" in email.body


def test_a_token_works_for_its_member_and_list_only(client):
    member, other = UserFactory(), UserFactory()
    token = unsubscribe_token(member.pk, "replies")
    assert client.post(f"/mailings/unsubscribe/mentions/{token}/").status_code == 404
    forged = token.rsplit(":", 1)[0].replace(str(member.pk), str(other.pk)) + ":" + token.rsplit(":", 1)[1]
    assert client.post(f"/mailings/unsubscribe/replies/{forged}/").status_code == 404
    assert not MemberState.objects.filter(email_on_reply=False).exists()


def test_the_withdrawal_is_in_the_members_data_export(client):
    member = UserFactory()
    client.post(f"/mailings/unsubscribe/mentions/{unsubscribe_token(member.pk, 'mentions')}/")
    client.force_login(member)
    data = json.loads(b"".join(client.get("/me/data.json").streaming_content))
    history = data["preferences"]["consent_history"]
    assert [(row["list_key"], row["given"], row["source"]) for row in history] == [
        ("mentions", False, "one-click")
    ]


def test_the_confirmation_page_is_in_french_for_a_french_reader():
    member = UserFactory()
    page = Client(headers={"Accept-Language": "fr"}).get(
        f"/mailings/unsubscribe/replies/{unsubscribe_token(member.pk, 'replies')}/"
    )
    assert "Se désabonner" in page.content.decode()


def test_the_link_of_a_deleted_account_leads_nowhere_and_breaks_nothing(client):
    from mailings.lists import unsubscribe_url

    member = UserFactory()
    url = unsubscribe_url(member.pk, "replies").removeprefix("http://127.0.0.1:8000")
    member.delete()
    assert client.post(url).status_code == 404
