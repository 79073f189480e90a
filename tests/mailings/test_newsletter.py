"""The community manager's newsletter: written, previewed, tested, scheduled or sent now through the one
delivery engine to the audience's members who opted in; its status, the click redirect, the archive."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.models import PostState, Space, Visibility
from community.services import forum
from community.services.visibility import thread_state_set
from mailings.forms import pick_token
from mailings.models import Consent, Delivery, DeliveryState, Newsletter, NewsletterClick, NewsletterState
from mailings.newsletter_emails import click_token
from mailings.services import consent_record, delivery_bounced
from mailings.services import newsletters as service
from tests.community.test_forum import accept_netiquette
from tests.concurrency import at_once
from tests.factories import UserFactory
from tests.mail import send_due

pytestmark = pytest.mark.django_db


def opted_in(*members, given: bool = True) -> None:
    for member in members:
        consent_record(member_id=member.pk, list_key="newsletter", given=given, source="test")


def issue_for(manager, **fields) -> Newsletter:
    picks = fields.pop("picks", [])
    issue = Newsletter(subject=fields.pop("subject", "Des nouvelles"), **fields)
    return service.newsletter_save(actor=manager, issue=issue, picks=picks)


def send_now(manager, issue: Newsletter) -> None:
    service.newsletter_send_now(actor=manager, issue=issue)
    service.newsletters_start()
    send_due()


@pytest.fixture
def thread(member):
    accept_netiquette(member)
    space = Space.objects.create(name="Entraide", slug="entraide")
    return forum.thread_create(
        actor=member,
        space=space,
        title="Réparer une pompe à chaleur",
        body="Voici comment purger le circuit.",
    )


def thread_pick(thread) -> dict:
    post = thread.posts.get(position=1)
    return {
        "source": "threads",
        "ref": str(post.pk),
        "title": thread.title,
        "excerpt": "Voici comment",
        "url": post.get_absolute_url(),
    }


# Audience and consent ---------------------------------------------------------------------------------


def test_only_members_who_opted_in_and_may_be_mailed_receive_the_issue(community_manager):
    keen = UserFactory(email="keen@example.com")
    UserFactory(email="never@example.com")  # never opted in
    left = UserFactory(email="left@example.com")
    opted_in(left)
    opted_in(left, given=False)
    inactive = UserFactory(email="inactive@example.com", is_active=False)
    unconfirmed = UserFactory(email="unconfirmed@example.com", verified_email=False)
    opted_in(keen, inactive, unconfirmed)
    issue = issue_for(community_manager, intro_md="Bonjour **à tous**")
    mail.outbox.clear()

    send_now(community_manager, issue)

    assert [email.to for email in mail.outbox] == [["keen@example.com"]]
    issue.refresh_from_db()
    assert issue.state == NewsletterState.SENDING and issue.recipient_count == 1
    service.newsletters_start()
    issue.refresh_from_db()
    assert issue.state == NewsletterState.SENT and issue.finished_at is not None


def test_a_group_a_language_and_a_space_address_their_members_only(community_manager, thread, member):
    vip = Group.objects.create(name="VIP")
    in_group, english, follower = UserFactory(), UserFactory(language="en"), UserFactory(language="fr")
    in_group.groups.add(vip)
    member.language = "fr"
    member.save(update_fields=["language"])
    accept_netiquette(follower)
    forum.post_create(actor=follower, thread=thread, body="Merci !")
    opted_in(in_group, english, follower, member)

    def recipients(audience: str, value: str) -> set[int]:
        issue = issue_for(community_manager, audience=audience, audience_value=value)
        return set(service.newsletter_recipients(issue).values_list("pk", flat=True))

    assert recipients("group", str(vip.pk)) == {in_group.pk}
    assert recipients("language", "en") == {english.pk, in_group.pk}
    assert recipients("space", str(thread.space_id)) == {member.pk, follower.pk}
    assert recipients("everyone", "") == {in_group.pk, english.pk, follower.pk, member.pk}


def test_a_member_who_leaves_after_the_rows_are_written_gets_nothing(community_manager):
    stays, leaves = UserFactory(email="stays@example.com"), UserFactory(email="leaves@example.com")
    opted_in(stays, leaves)
    issue = issue_for(community_manager)
    service.newsletter_send_now(actor=community_manager, issue=issue)
    service.newsletters_start()
    opted_in(leaves, given=False)
    mail.outbox.clear()
    send_due()
    assert [email.to for email in mail.outbox] == [["stays@example.com"]]
    skipped = Delivery.objects.get(member=leaves, kind="newsletter")
    assert skipped.state == DeliveryState.SKIPPED


# Scheduling, cancelling, starting ---------------------------------------------------------------------


def test_a_scheduled_issue_starts_once_due_and_a_cancelled_one_never(community_manager):
    opted_in(UserFactory())
    later, cancelled = issue_for(community_manager), issue_for(community_manager, subject="Annulé")
    when = timezone.now() + timedelta(hours=1)
    for issue in (later, cancelled):
        service.newsletter_schedule(actor=community_manager, issue=issue, when=when)
    service.newsletter_cancel(actor=community_manager, issue=cancelled)
    with pytest.raises(ValidationError):
        service.newsletter_cancel(actor=community_manager, issue=cancelled)

    assert service.newsletters_start() == 0
    assert service.newsletters_start(now=when + timedelta(seconds=1)) == 1
    later.refresh_from_db()
    cancelled.refresh_from_db()
    assert later.state == NewsletterState.SENDING and later.recipient_count == 1
    assert cancelled.state == NewsletterState.CANCELLED
    assert not Delivery.objects.filter(ref=str(cancelled.pk)).exists()
    with pytest.raises(ValidationError):
        service.newsletter_cancel(actor=community_manager, issue=later)


def test_a_moment_in_the_past_is_refused_and_an_issue_being_sent_cannot_be_changed(community_manager):
    issue = issue_for(community_manager)
    with pytest.raises(ValidationError):
        service.newsletter_schedule(
            actor=community_manager, issue=issue, when=timezone.now() - timedelta(minutes=1)
        )
    service.newsletter_send_now(actor=community_manager, issue=issue)
    issue.subject = "Autre chose"
    with pytest.raises(ValidationError):
        service.newsletter_save(actor=community_manager, issue=issue, picks=[])


def test_a_rerun_of_the_start_after_a_crash_doubles_nothing(community_manager, settings, monkeypatch):
    members = [UserFactory() for _ in range(5)]
    opted_in(*members)
    issue = issue_for(community_manager)
    monkeypatch.setattr(service, "QUEUE_BATCH", 2)
    service.newsletter_send_now(actor=community_manager, issue=issue)
    service.newsletters_start()
    # As if the worker had died before the issue left "queueing": the next minute continues.
    Newsletter.objects.filter(pk=issue.pk).update(state=NewsletterState.QUEUEING)
    Delivery.objects.filter(kind="newsletter", member=members[-1]).delete()
    service.newsletters_start()
    service.newsletters_start()
    assert Delivery.objects.filter(kind="newsletter", ref=str(issue.pk)).count() == 5
    mail.outbox.clear()
    send_due()
    assert len(mail.outbox) == 5
    issue.refresh_from_db()
    assert issue.recipient_count == 5


@pytest.mark.django_db(transaction=True)
def test_a_cancel_racing_the_start_is_settled_by_the_database():
    from accounts.roles import COMMUNITY_MANAGERS
    from tests.factories import user_with_role

    manager = user_with_role(COMMUNITY_MANAGERS)
    opted_in(*[UserFactory() for _ in range(3)])
    for _round in range(3):
        issue = issue_for(manager)
        service.newsletter_schedule(actor=manager, issue=issue, when=timezone.now() + timedelta(minutes=5))
        Newsletter.objects.filter(pk=issue.pk).update(scheduled_for=timezone.now() - timedelta(seconds=1))

        def act(what: str, issue_pk: int = issue.pk):
            if what == "cancel":
                return service.newsletter_cancel(actor=manager, issue=Newsletter.objects.get(pk=issue_pk))
            return service.newsletters_start()

        outcomes = at_once(act, ["cancel", "start"])
        issue.refresh_from_db()
        rows = Delivery.objects.filter(kind="newsletter", ref=str(issue.pk)).count()
        if issue.state == NewsletterState.CANCELLED:
            assert outcomes[0] is None and rows == 0
        else:
            assert isinstance(outcomes[0], ValidationError)
            assert issue.state == NewsletterState.SENDING and rows == 3


# What members receive ---------------------------------------------------------------------------------


def test_the_e_mail_holds_the_intro_and_the_picks_with_links_through_the_redirect(community_manager, thread):
    reader = UserFactory(email="reader@example.com")
    opted_in(reader)
    issue = issue_for(
        community_manager,
        intro_md="Lisez [notre guide](https://guide.example/start) <script>alert(1)</script>",
        preheader="Le meilleur du mois",
        picks=[thread_pick(thread)],
    )
    mail.outbox.clear()
    send_now(community_manager, issue)
    (email,) = mail.outbox
    html = email.alternatives[0][0]
    assert "<script>" not in html and "Le meilleur du mois" in html
    assert "Réparer une pompe à chaleur" in html and "Réparer une pompe à chaleur" in email.body
    assert "https://guide.example/start" not in html and "https://guide.example/start" not in email.body
    assert "/mailings/l/" in html and "/mailings/l/" in email.body
    assert f"?issue={issue.pk}" in email.extra_headers["List-Unsubscribe"]
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<img" not in html  # no tracking pixel


def test_a_thread_hidden_after_it_was_picked_is_left_out_at_send_time(community_manager, thread):
    opted_in(UserFactory())
    issue = issue_for(community_manager, intro_md="Bonjour", picks=[thread_pick(thread)])
    thread_state_set(thread_id=thread.pk, state=PostState.REMOVED)
    mail.outbox.clear()
    send_now(community_manager, issue)
    (email,) = mail.outbox
    assert thread.title not in email.alternatives[0][0] and thread.title not in email.body


def test_a_test_goes_to_the_manager_alone_marked_as_a_test(community_manager):
    opted_in(UserFactory())
    issue = issue_for(community_manager, subject="Numéro de mai")
    mail.outbox.clear()
    service.newsletter_test_send(actor=community_manager, issue=issue)
    send_due()
    (email,) = mail.outbox
    assert email.to == [community_manager.email] and email.subject == "[Test] Numéro de mai"
    with pytest.raises(PermissionDenied):
        service.newsletter_test_send(actor=UserFactory(), issue=issue)


# The status page, clicks and unsubscribes -------------------------------------------------------------


def test_the_status_page_counts_sent_failed_bounced_unsubscribed_and_clicks(
    client, community_manager, thread, django_assert_max_num_queries
):
    readers = [UserFactory() for _ in range(4)]
    opted_in(*readers)
    issue = issue_for(
        community_manager, intro_md="[Le guide](https://guide.example/)", picks=[thread_pick(thread)]
    )
    mail.outbox.clear()
    send_now(community_manager, issue)
    assert len(mail.outbox) == 4
    Delivery.objects.filter(member=readers[0], kind="newsletter").update(state=DeliveryState.FAILED)
    delivery_bounced(message_id=Delivery.objects.get(member=readers[1], kind="newsletter").message_id)
    # Readers 2 and 3 click the guide, reader 2 twice; reader 3 leaves from this issue's link.
    first = issue.links.order_by("position").first()
    anonymous = Client()
    for reader in (readers[2], readers[2], readers[3]):
        response = anonymous.get(reverse("mailings:click", args=[click_token(first.pk, reader.pk)]))
        assert response.status_code == 302 and response["Location"] == "https://guide.example/"
    email = next(email for email in mail.outbox if email.to == [readers[3].email])
    unsubscribe = re.search(r"<(https?://[^>]+)>", email.extra_headers["List-Unsubscribe"]).group(1)
    assert anonymous.post("/" + unsubscribe.split("/", 3)[3]).status_code == 200
    assert Consent.objects.filter(source=f"one-click:issue-{issue.pk}", given=False).count() == 1

    client.force_login(community_manager)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("mailings:newsletter", args=[issue.pk]))
    status = response.context["status"]
    assert (status.recipients, status.sent, status.failed, status.bounced, status.unsubscribed) == (
        4,
        3,
        1,
        1,
        1,
    )
    assert status.percent == 100
    guide = next(link for link in status.links if link.url == "https://guide.example/")
    assert (guide.click_count, guide.unique_clicks) == (3, 2)
    assert b"<progress" in response.content
    # Nothing left to send: the polling stops (htmx 286).
    partial = client.get(
        reverse("mailings:newsletter", args=[issue.pk]) + "?status=1", headers={"HX-Request": "true"}
    )
    assert partial.status_code == 286


def test_the_status_polls_while_the_send_runs(client, community_manager):
    opted_in(UserFactory())
    issue = issue_for(community_manager)
    service.newsletter_send_now(actor=community_manager, issue=issue)
    service.newsletters_start()
    client.force_login(community_manager)
    partial = client.get(
        reverse("mailings:newsletter", args=[issue.pk]) + "?status=1", headers={"HX-Request": "true"}
    )
    assert partial.status_code == 200 and b'hx-trigger="every 3s"' in partial.content


def test_the_click_redirect_refuses_a_forged_token_and_an_unknown_link(client, community_manager):
    reader = UserFactory()
    issue = issue_for(community_manager, intro_md="[x](https://guide.example/)")
    link = issue.links.get()
    token = click_token(link.pk, reader.pk)
    forged = token.replace(f"{link.pk}.{reader.pk}", f"{link.pk}.{reader.pk + 1}")
    assert client.get(reverse("mailings:click", args=[forged])).status_code == 404
    assert (
        client.get(reverse("mailings:click", args=[click_token(link.pk + 999, reader.pk)])).status_code == 404
    )
    assert client.get("/mailings/l/https:evil.example/").status_code == 404
    link.refresh_from_db()
    assert link.click_count == 0 and not NewsletterClick.objects.exists()


# Pages -------------------------------------------------------------------------------------------------


def test_a_member_gets_403_on_the_newsletter_pages_and_a_visitor_too(client, member, community_manager):
    issue = issue_for(community_manager)
    client.force_login(member)
    for name, args in [
        ("mailings:newsletters", []),
        ("mailings:newsletter-new", []),
        ("mailings:newsletter-picks", []),
        ("mailings:newsletter", [issue.pk]),
        ("mailings:newsletter-edit", [issue.pk]),
        ("mailings:newsletter-preview", [issue.pk]),
        ("mailings:newsletter-send", [issue.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    for name in ["mailings:newsletter-test", "mailings:newsletter-send", "mailings:newsletter-cancel"]:
        assert client.post(reverse(name, args=[issue.pk])).status_code == 403, name
    assert b"/mailings/newsletters/" not in client.get("/").content
    assert Client().get(reverse("mailings:newsletters")).status_code == 403


def test_the_manager_writes_an_issue_with_a_picked_thread_and_errors_stay_in_the_form(
    client, community_manager, thread
):
    client.force_login(community_manager)
    assert b"/mailings/newsletters/" in client.get("/").content
    found = client.get(reverse("mailings:newsletter-picks"), {"q": "pompe"})
    tokens = re.findall(r'name="picks" value="([^"]+)"', found.content.decode())
    assert thread.title in found.content.decode() and len(tokens) == 1

    bad = client.post(reverse("mailings:newsletter-new"), {"subject": "", "audience_choice": "everyone"})
    assert bad.status_code == 400 and not Newsletter.objects.exists()
    forged = client.post(
        reverse("mailings:newsletter-new"), {"subject": "Mai", "audience_choice": "everyone", "picks": ["x"]}
    )
    assert forged.status_code == 400 and not Newsletter.objects.exists()

    response = client.post(
        reverse("mailings:newsletter-new"),
        {"subject": "Mai", "intro_md": "# Bonjour", "audience_choice": "language:en", "picks": tokens},
    )
    issue = Newsletter.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "mailings:newsletter", args=[issue.pk]
    )
    assert issue.picks[0]["title"] == thread.title and issue.intro_html == "<h2>Bonjour</h2>\n"
    assert (issue.audience, issue.audience_value) == ("language", "en")


def test_the_preview_shows_the_e_mail_in_english_and_in_french(client, community_manager, thread):
    issue = issue_for(community_manager, subject="Mai", intro_md="Bonjour", picks=[thread_pick(thread)])
    client.force_login(community_manager)
    english = client.get(reverse("mailings:newsletter-preview", args=[issue.pk]), {"language": "en"})
    french = client.get(reverse("mailings:newsletter-preview", args=[issue.pk]), {"language": "fr"})
    assert english.status_code == french.status_code == 200
    assert "Unsubscribe from the newsletter" in english.context["html"]
    assert "From the community" in english.context["email"].body
    assert '<html lang="fr">' in french.context["html"] and "Tous mes réglages" in french.context["html"]
    assert "<iframe" in english.content.decode() and "sandbox" in english.content.decode()
    assert thread.title in french.context["email"].body


def test_the_archive_shows_public_issues_to_everyone_and_a_groups_issue_to_the_team_only(
    client, community_manager, member
):
    vip = Group.objects.create(name="VIP")
    public = issue_for(community_manager, subject="Pour tous", intro_md="Salut [tous](/)")
    private = issue_for(
        community_manager, subject="Pour les VIP", audience="group", audience_value=str(vip.pk)
    )
    draft = issue_for(community_manager, subject="Brouillon")
    for issue in (public, private):
        send_now(community_manager, issue)
        service.newsletters_start()
    visitor = Client()
    listed = visitor.get(reverse("mailings:archive")).content.decode()
    assert "Pour tous" in listed and "Pour les VIP" not in listed and "Brouillon" not in listed
    assert visitor.get(reverse("mailings:archive-issue", args=[public.pk])).status_code == 200
    assert visitor.get(reverse("mailings:archive-issue", args=[private.pk])).status_code == 404
    assert visitor.get(reverse("mailings:archive-issue", args=[draft.pk])).status_code == 404
    client.force_login(member)
    assert client.get(reverse("mailings:archive-issue", args=[private.pk])).status_code == 404
    client.force_login(community_manager)
    assert "Pour les VIP" in client.get(reverse("mailings:archive")).content.decode()


def test_the_privacy_notice_tells_about_click_counting(client):
    page = client.get(reverse("mailings:privacy")).content.decode()
    assert "no tracking pixel" in page.lower()


def test_pick_tokens_are_what_the_search_offered(community_manager, thread):
    from community.newsletter import picks_search

    (pick,) = picks_search(community_manager, "pompe")
    assert pick.title == thread.title and pick_token(pick)
    hidden = Space.objects.create(name="Équipe", slug="equipe", visibility=Visibility.STAFF)
    forum.thread_create(actor=community_manager, space=hidden, title="Pompe secrète", body="pompe")
    assert [found.title for found in picks_search(community_manager, "pompe")] == [thread.title]
