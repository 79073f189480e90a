"""Notifications: mentions, replies, best answers and welcomes, their e-mails through mailings, the page."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core import mail
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.roles import COMMUNITY_MANAGERS
from community import tasks as community_tasks
from community.models import (
    MemberState,
    Notification,
    NotificationKind,
    Post,
    PostState,
    Space,
    Subscription,
    Thread,
    Visibility,
)
from community.services import forum, thread_views
from community.services.notifications import post_approved, post_published
from community.services.thread_views import thread_viewed
from mailings import tasks
from mailings.models import Delivery, DeliveryState
from moderation.models import NetiquetteAcceptance, NetiquetteVersion
from tests.factories import UserFactory, user_with_role
from tests.mail import make_due, send_due


def accept_netiquette(*users) -> None:
    version, _ = NetiquetteVersion.objects.get_or_create(number=1)
    for user in users:
        NetiquetteAcceptance.objects.get_or_create(user=user, version=version)


def poster(**fields):
    user = UserFactory(**fields)
    accept_netiquette(user)
    return user


@pytest.fixture(autouse=True)
def queued():
    """The after-commit dispatch, recorded instead of reaching the broker (no worker runs these tests)."""
    with mock.patch.object(tasks.deliveries_send, "delay") as delay:
        yield delay


@pytest.fixture
def space(db) -> Space:
    return Space.objects.create(name="Entraide", slug="entraide")


@pytest.fixture
def camille(db):
    return poster(display_name="Camille Martin", handle="camille")


@pytest.fixture
def dominique(db):
    return poster(display_name="Dominique Petit", handle="dominique")


@pytest.fixture
def thread(camille, space) -> Thread:
    return forum.thread_create(actor=camille, space=space, title="Choosing a tent", body="Which one?")


def notifications_of(user) -> list[tuple[str, int | None]]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", "post_id"))


# Who is notified -----------------------------------------------------------------------------------


def test_a_reply_subscribes_its_author_and_notifies_the_thread_author(
    camille, dominique, thread, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply = forum.post_create(actor=dominique, thread=thread, body="The green one.")
    assert Subscription.objects.filter(user=dominique, thread=thread).exists()
    assert notifications_of(camille) == [(NotificationKind.REPLY, reply.pk)]
    assert notifications_of(dominique) == []
    assert Notification.objects.get(recipient=camille).actor == dominique


def test_the_first_post_of_a_thread_subscribes_its_author_and_notifies_nobody(camille, thread):
    assert Subscription.objects.filter(user=camille, thread=thread).exists()
    assert Notification.objects.count() == 0


def test_a_mention_of_an_unknown_handle_does_nothing_and_raises_nothing(camille, dominique, thread):
    reply = forum.post_create(actor=dominique, thread=thread, body="Ask @nobody.here or @x, they know.")
    assert Post.objects.filter(pk=reply.pk).exists()
    assert not Notification.objects.filter(kind=NotificationKind.MENTION).exists()


def test_a_mention_notifies_the_member_once_as_a_mention_whatever_the_case_of_the_handle(
    camille, dominique, space
):
    sacha = poster(display_name="Sacha", handle="Sacha.B")
    thread = forum.thread_create(actor=dominique, space=space, title="Tents", body="Hi")
    forum.post_create(actor=camille, thread=thread, body="Subscribed")
    post = forum.post_create(actor=dominique, thread=thread, body="@CAMILLE and @sacha.b, see `@dominique`.")
    assert notifications_of(camille) == [(NotificationKind.MENTION, post.pk)]
    assert notifications_of(sacha) == [(NotificationKind.MENTION, post.pk)]
    assert notifications_of(dominique) == [(NotificationKind.REPLY, Post.objects.get(position=2).pk)]


def test_a_member_who_cannot_see_a_staff_only_space_is_not_notified_of_a_mention(camille):
    sacha = user_with_role(COMMUNITY_MANAGERS, display_name="Sacha", handle="sacha")
    alex = user_with_role(COMMUNITY_MANAGERS, display_name="Alex", handle="alex")
    accept_netiquette(sacha, alex)
    backstage = Space.objects.create(name="Backstage", slug="backstage", visibility=Visibility.STAFF)
    thread = forum.thread_create(actor=sacha, space=backstage, title="Team notes", body="@camille @alex look")
    first = thread.posts.get()
    assert notifications_of(camille) == []
    assert notifications_of(alex) == [(NotificationKind.MENTION, first.pk)]
    assert not Delivery.objects.filter(member=camille).exists()


def test_a_subscriber_who_cannot_see_the_space_any_more_gets_no_reply_notification(
    camille, dominique, thread
):
    forum.post_create(actor=dominique, thread=thread, body="Following")
    Space.objects.filter(pk=thread.space_id).update(visibility=Visibility.STAFF)
    sacha = user_with_role(COMMUNITY_MANAGERS, display_name="Sacha", handle="sacha")
    accept_netiquette(sacha)
    thread = Thread.objects.select_related("space").get(pk=thread.pk)
    moved = forum.post_create(actor=sacha, thread=thread, body="Moved to the team space.")
    assert not Notification.objects.filter(post=moved).exists()


def test_a_reply_notifies_subscribers_once_even_if_post_published_runs_twice(camille, dominique, thread):
    third = poster(handle="third")
    forum.post_create(actor=third, thread=thread, body="me too")
    reply = forum.post_create(actor=dominique, thread=thread, body="Hello @camille")
    before = (Notification.objects.count(), Delivery.objects.count())
    post_published(post=Post.objects.select_related("thread__space").get(pk=reply.pk))
    assert (Notification.objects.count(), Delivery.objects.count()) == before
    assert set(notifications_of(camille)) == {
        (NotificationKind.REPLY, Post.objects.get(thread=thread, position=2).pk),
        (NotificationKind.MENTION, reply.pk),
    }
    assert Notification.objects.filter(recipient=third, post=reply).count() == 1


def test_a_held_post_notifies_nobody_until_it_is_approved(camille, dominique, thread):
    held = Post.objects.create(
        thread=thread,
        position=2,
        author=dominique,
        body_md="@camille held",
        body_html="",
        state=PostState.PENDING,
    )
    post_published(post=held)
    assert Subscription.objects.filter(user=dominique, thread=thread).exists()
    assert Notification.objects.count() == 0
    held.state = PostState.VISIBLE
    held.save(update_fields=["state"])
    post_approved(post=held)
    assert notifications_of(camille) == [(NotificationKind.MENTION, held.pk)]


def test_a_post_restored_after_the_notification_logs_were_pruned_notifies_nobody_again(
    camille, dominique, thread, settings
):
    # Housekeeping prunes the rows that keep a post from notifying twice: past their retention, a post
    # restored on appeal (or approved very late) notifies nobody rather than notify a second time.
    settings.OUTBOX_RETENTION_DAYS = 30
    old = Post.objects.create(
        thread=thread, position=2, author=dominique, body_md="@camille old", body_html="",
        state=PostState.VISIBLE,
    )  # fmt: skip
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    old.refresh_from_db()

    post_approved(post=old)

    assert Notification.objects.count() == 0
    assert Subscription.objects.filter(user=dominique, thread=thread).exists()


def test_mentions_are_limited_to_twenty_per_post(camille, dominique, thread):
    people = [poster(handle=f"fan{n}") for n in range(25)]
    forum.post_create(actor=dominique, thread=thread, body=" ".join(f"@{p.handle}" for p in people))
    assert Notification.objects.filter(kind=NotificationKind.MENTION).count() == 20


# E-mails --------------------------------------------------------------------------------------------


def test_an_email_goes_out_once_even_when_dispatched_twice(
    camille, dominique, thread, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_create(actor=dominique, thread=thread, body="Try the **green** one, @camille.")
    message = Delivery.objects.get()
    queued.assert_called_once_with()
    assert send_due() == 1
    assert send_due() == 0  # a doubled message finds nothing left
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [camille.email]
    assert email.subject == "[Agora] Dominique Petit mentioned you in “Choosing a tent”"
    assert "Try the **green** one, @camille." in email.body
    link = f"http://127.0.0.1:8000{reverse('community:thread', args=[thread.pk])}#post-2"
    assert link in email.body
    assert "http://127.0.0.1:8000/me/settings/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and link in html and "/me/settings/" in html
    message.refresh_from_db()
    assert message.state == DeliveryState.SENT and message.attempts == 1
    assert email.extra_headers["Message-ID"] == f"<agora.{message.pk}@localhost>"


def test_with_the_broker_down_the_post_is_saved_and_the_next_run_sends_the_email_later(
    camille, dominique, thread, queued, django_capture_on_commit_callbacks
):
    queued.side_effect = OperationalError("Error 111 connecting to localhost:6379. Connection refused.")
    with django_capture_on_commit_callbacks(execute=True):
        reply = forum.post_create(actor=dominique, thread=thread, body="Still saved")
    assert Post.objects.filter(pk=reply.pk).exists()
    assert Delivery.objects.get().state == DeliveryState.PENDING
    assert tasks.deliveries_send() == 1  # the beat's run, once the broker is back
    assert tasks.deliveries_send() == 0
    assert [email.subject for email in mail.outbox] == [
        "[Agora] Dominique Petit replied in “Choosing a tent”"
    ]


def test_a_failed_send_is_recorded_and_the_next_attempt_sends_it(camille, dominique, thread):
    forum.post_create(actor=dominique, thread=thread, body="Hello")
    message = Delivery.objects.get()
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=SMTPException("mail server away")):
        assert send_due() == 0
    message.refresh_from_db()
    assert (message.state, message.sent_at, message.attempts) == (DeliveryState.PENDING, None, 1)
    assert "mail server away" in message.last_error
    assert message.not_before > timezone.now() + timedelta(seconds=50)  # tried again in a minute
    assert send_due() == 0
    make_due()
    assert send_due() == 1
    assert len(mail.outbox) == 1


def test_an_email_is_written_in_the_recipients_language_and_time_zone(dominique, space):
    amelie = poster(display_name="Amélie", handle="amelie", language="fr", time_zone="Pacific/Auckland")
    thread = forum.thread_create(actor=amelie, space=space, title="Quelle tente ?", body="Bonjour")
    reply = forum.post_create(actor=dominique, thread=thread, body="@amelie the green one")
    send_due()
    email = mail.outbox[0]
    assert email.subject == "[Agora] Dominique Petit vous a mentionné dans « Quelle tente ? »"
    assert "Bonjour Amélie," in email.body
    assert "Pour choisir les e-mails que vous recevez" in email.body
    local = timezone.localtime(reply.created_at, timezone=__import__("zoneinfo").ZoneInfo("Pacific/Auckland"))
    assert f"{local:%H:%M}" in email.body
    assert "vous a mentionné" in email.alternatives[0][0]


def test_members_who_turned_emails_off_get_notifications_but_no_email(camille, dominique, thread):
    MemberState.objects.filter(user=camille).update(email_on_reply=False, email_on_mention=False)
    forum.post_create(actor=dominique, thread=thread, body="@camille hello")
    forum.post_create(actor=dominique, thread=thread, body="again")
    assert Notification.objects.filter(recipient=camille).count() == 2
    assert not Delivery.objects.exists()


def test_a_member_without_community_state_gets_emails_by_default(dominique, space):
    newcomer = UserFactory(handle="newcomer")
    assert not MemberState.objects.filter(user=newcomer).exists()
    thread = forum.thread_create(actor=dominique, space=space, title="Hello all", body="@newcomer welcome")
    assert Delivery.objects.get().payload == {
        "kind": "mention",
        "recipient": newcomer.pk,
        "post": thread.posts.get().pk,
        "actor": dominique.pk,
    }


def test_a_deleted_post_sends_no_email(camille, dominique, thread):
    reply = forum.post_create(actor=dominique, thread=thread, body="oops @camille")
    Post.objects.filter(pk=reply.pk).update(state=PostState.DELETED)
    assert send_due() == 0
    assert mail.outbox == []
    assert Delivery.objects.get().state == DeliveryState.SKIPPED


def test_the_best_answer_notifies_its_author_in_app_and_by_email(camille, dominique, thread):
    answer = forum.post_create(actor=dominique, thread=thread, body="Take the green one.")
    forum.thread_mark_solution(actor=camille, thread=thread, post=answer)
    assert notifications_of(dominique) == [(NotificationKind.SOLUTION, answer.pk)]
    assert Delivery.objects.filter(kind="solution", ref=f"post:{answer.pk}", member=dominique).exists()
    Delivery.objects.exclude(kind="solution").delete()
    send_due()
    assert mail.outbox[0].subject == "[Agora] Your answer in “Choosing a tent” was marked as the best answer"


def test_confirming_an_email_address_welcomes_the_member_once(db):
    newcomer = UserFactory(display_name="Lou")
    address = EmailAddress.objects.get(user=newcomer)
    request = RequestFactory().get("/")
    email_confirmed.send(sender=EmailAddress, request=request, email_address=address)
    email_confirmed.send(sender=EmailAddress, request=request, email_address=address)
    assert notifications_of(newcomer) == [(NotificationKind.WELCOME, None)]
    assert Delivery.objects.get().kind == "welcome"
    send_due()
    assert mail.outbox[0].subject == "[Agora] Welcome to Agora!"
    assert "http://127.0.0.1:8000/" in mail.outbox[0].body


# The page -------------------------------------------------------------------------------------------


def notify(recipient, actor, thread, count: int) -> None:
    last = thread.last_position
    posts = Post.objects.bulk_create(
        Post(thread=thread, position=last + n, author=actor, body_md="x", body_html="<p>x</p>")
        for n in range(1, count + 1)
    )
    Thread.objects.filter(pk=thread.pk).update(last_position=last + count)
    thread.last_position = last + count
    Notification.objects.bulk_create(
        Notification(recipient=recipient, kind=NotificationKind.REPLY, actor=actor, thread=thread, post=post)
        for post in posts
    )


def test_the_notifications_page_lists_newest_first_with_what_happened(camille, dominique, thread, client):
    forum.post_create(actor=dominique, thread=thread, body="reply")
    forum.post_create(actor=dominique, thread=thread, body="@camille look")
    client.force_login(camille)
    response = client.get(reverse("community:notifications"))
    assert response.status_code == 200
    text = response.text
    mention = text.index("<bdi>Dominique Petit</bdi> mentioned you in “Choosing a tent”")
    reply = text.index("<bdi>Dominique Petit</bdi> replied in “Choosing a tent”")
    assert mention < reply
    assert text.count("notification-unread") == 2
    assert "now" in text  # naturaltime
    assert 'aria-label="2 unread notifications"' in text


def test_names_and_titles_are_escaped_on_the_page_and_plain_in_emails(camille, space, client):
    mallory = poster(display_name="<img src=x onerror=alert(1)>", handle="mallory")
    forum.thread_create(actor=mallory, space=space, title="<script>alert(1)</script> tents", body="@camille")
    client.force_login(camille)
    text = client.get(reverse("community:notifications")).text
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    name = "<bdi>&lt;img src=x onerror=alert(1)&gt;</bdi>"
    assert f"{name} mentioned you in “&lt;script&gt;alert(1)&lt;/script&gt; tents”" in text
    send_due()
    email = mail.outbox[0]
    assert (
        email.subject
        == "[Agora] <img src=x onerror=alert(1)> mentioned you in “<script>alert(1)</script> tents”"
    )
    assert "<script>alert(1)" not in email.alternatives[0][0]


def test_the_notifications_page_costs_the_same_queries_whatever_the_notifications(
    camille, dominique, thread, client, django_assert_max_num_queries
):
    client.force_login(camille)
    notify(camille, dominique, thread, 3)
    client.get(reverse("community:notifications"))  # Warm the cached branding.
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("community:notifications"))
    notify(camille, poster(handle="other"), thread, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("community:notifications"))
    assert response.text.count('class="notification ') == 30


def test_older_notifications_are_one_click_away(camille, dominique, thread, client):
    notify(camille, dominique, thread, 35)
    client.force_login(camille)
    first = client.get(reverse("community:notifications"))
    cursor = first.context["page"].older_cursor
    assert f"?before={cursor}" in first.text
    newest = {n.pk for n in first.context["page"].notifications}
    older = client.get(reverse("community:notifications"), {"before": cursor})
    rest = {n.pk for n in older.context["page"].notifications}
    assert len(newest) == 30 and len(rest) == 5 and not newest & rest
    assert older.context["page"].older_cursor is None
    assert client.get(reverse("community:notifications"), {"before": "garbage"}).status_code == 200


def test_opening_a_notification_marks_it_read_and_leads_to_the_post(
    camille, dominique, thread, client, django_capture_on_commit_callbacks
):
    reply = forum.post_create(actor=dominique, thread=thread, body="@camille here")
    notification = Notification.objects.get(recipient=camille)
    client.force_login(camille)
    assert client.get(reverse("community:notifications")).context["unread_notifications"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("community:notification-open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == reply.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None
    page = client.get(reverse("community:notifications"))
    assert page.context["unread_notifications"] == 0
    assert "notification-unread" not in page.text and "nav-badge" not in page.text


def test_a_member_cannot_open_someone_elses_notification(camille, dominique, thread, client):
    forum.post_create(actor=dominique, thread=thread, body="@camille here")
    notification = Notification.objects.get(recipient=camille)
    client.force_login(dominique)
    assert client.get(reverse("community:notification-open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_as_read_clears_the_badge(
    camille, dominique, thread, client, django_capture_on_commit_callbacks
):
    notify(camille, dominique, thread, 4)
    client.force_login(camille)
    assert client.get(reverse("community:home-overlay")).context["unread_notifications"] == 4  # Now cached.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("community:notifications-read-all"))
    assert response["Location"] == reverse("community:notifications")
    assert not Notification.objects.filter(recipient=camille, read_at__isnull=True).exists()
    page = client.get(response["Location"])
    assert "4 notifications marked as read." in page.text
    assert page.context["unread_notifications"] == 0
    assert "Mark all as read" not in page.text


def test_a_new_notification_shows_in_the_header_at_once(
    camille, dominique, thread, client, django_capture_on_commit_callbacks
):
    client.force_login(camille)
    assert client.get(reverse("community:home-overlay")).context["unread_notifications"] == 0  # Now cached.
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_create(actor=dominique, thread=thread, body="@camille hi")
    response = client.get(reverse("community:home-overlay"))
    assert 'aria-label="1 unread notification"' in response.text


def test_the_header_count_is_read_from_the_cache_after_the_first_page(camille, dominique, thread, client):
    notify(camille, dominique, thread, 2)
    client.force_login(camille)
    client.get(reverse("community:home-overlay"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("community:home-overlay"))
    assert response.context["unread_notifications"] == 2
    assert not [q for q in queries.captured_queries if "community_notification" in q["sql"]]


def test_the_notifications_page_asks_visitors_to_sign_in(client, db):
    response = client.get(reverse("community:notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Thread views ----------------------------------------------------------------------------------------


def make_threads(space, author, count: int) -> list[Thread]:
    now = timezone.now()
    return Thread.objects.bulk_create(
        Thread(space=space, author=author, title=f"T{n}", last_activity_at=now) for n in range(count)
    )


def test_thread_views_are_counted_in_redis_and_flushed_exactly(camille, space):
    first, second = make_threads(space, camille, 2)
    for _ in range(3):
        thread_viewed(first.pk)
    thread_viewed(second.pk)
    thread_viewed(999_999_999)  # A thread deleted since: ignored.
    assert Thread.objects.get(pk=first.pk).view_count == 0
    assert community_tasks.flush_thread_views() == 2
    thread_viewed(second.pk)
    assert community_tasks.flush_thread_views() == 1
    assert community_tasks.flush_thread_views() == 0
    counts = dict(Thread.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "view_count"))
    assert counts == {first.pk: 3, second.pk: 2}


def test_a_flush_that_died_half_way_is_finished_by_the_next_one(camille, space):
    (thread,) = make_threads(space, camille, 1)
    thread_views.thread_viewed(thread.pk)
    client = thread_views._redis()
    client.rename(thread_views._views_key(), f"{thread_views._views_key()}:flushing:dead-run")
    thread_views.thread_viewed(thread.pk)
    assert community_tasks.flush_thread_views() == 2  # The dead run's hash, then the new one.
    assert community_tasks.flush_thread_views() == 0
    assert Thread.objects.get(pk=thread.pk).view_count == 2


def test_views_are_applied_with_one_update_per_thousand_threads(camille, space):
    threads = make_threads(space, camille, 1001)
    for thread in threads:
        thread_viewed(thread.pk)
    version = Space.objects.get(pk=space.pk).version
    with CaptureQueriesContext(connection) as queries:
        assert community_tasks.flush_thread_views() == 1001
    assert sum("SET view_count" in query["sql"] for query in queries.captured_queries) == 2
    # The space's list shows view counts: its shared pages are rendered afresh.
    assert Space.objects.get(pk=space.pk).version == version + 2
    assert Thread.objects.filter(view_count=1).count() == 1001


def test_reading_a_thread_page_counts_a_view_without_writing_the_thread(thread, client):
    with CaptureQueriesContext(connection) as queries:
        client.get(thread.get_absolute_url())
    client.get(thread.get_absolute_url())
    assert not [
        q for q in queries.captured_queries if "UPDATE" in q["sql"] and "community_thread" in q["sql"]
    ]
    community_tasks.flush_thread_views()
    assert Thread.objects.get(pk=thread.pk).view_count == 2


def test_the_notification_list_does_not_name_a_thread_the_member_can_no_longer_see(client, member):
    from community.models import Notification, NotificationKind

    staff = Space.objects.create(name="Équipe", slug="equipe-x", visibility=Visibility.STAFF)
    secret = Thread.objects.create(space=staff, title="Secret plans", last_activity_at=timezone.now())
    Notification.objects.create(recipient=member, kind=NotificationKind.REPLY, thread=secret)
    client.force_login(member)
    page = client.get(reverse("community:notifications")).text
    assert "Secret plans" not in page and "a discussion you can no longer see" in page
