"""The digest: due at the member's local hour after their period, once per member and period, and showing
exactly what that member could see on the site — nothing held, removed, archived or in a space they
cannot read."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import COMMUNITY_MANAGERS
from community.digest import _threads_of_period
from community.models import MemberState, Notification, PostState, Space, Thread, Visibility
from community.services import forum
from events.digest import _open_events
from mailings import digests
from mailings.models import Delivery
from tests.factories import UserFactory, user_with_role
from tests.mail import send_due

PARIS = ZoneInfo("Europe/Paris")
LONG_AGO = timezone.now() - timedelta(days=60)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_shared_parts():
    """The shared parts live for a whole send in a worker; each test is a send of its own."""
    _threads_of_period.cache_clear()
    _open_events.cache_clear()
    yield
    _threads_of_period.cache_clear()
    _open_events.cache_clear()


def reader(frequency: str = "daily", **fields):
    """A member who chose this frequency and has not visited for a while."""
    fields.setdefault("time_zone", "Europe/Paris")
    member = UserFactory(last_seen_at=LONG_AGO, **fields)
    MemberState.objects.update_or_create(user=member, defaults={"digest": frequency})
    return member


def tomorrow_at(hour: int, zone: ZoneInfo = PARIS) -> datetime:
    day = timezone.now().astimezone(zone).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone)


def next_monday_at(hour: int, zone: ZoneInfo = PARIS) -> datetime:
    today = timezone.now().astimezone(zone).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime(monday.year, monday.month, monday.day, hour, tzinfo=zone)


def digest_of(member):
    """The member's digest, as sent (the notifications' own e-mails are not this file's subject)."""
    Delivery.objects.exclude(kind="digest").update(state="skipped")
    mail.outbox.clear()
    send_due()
    mine = [email for email in mail.outbox if email.to == [member.email]]
    return mine[0] if mine else None


# When and to whom ----------------------------------------------------------------------------------


def test_a_daily_digest_is_due_from_eight_in_the_morning_where_the_member_lives():
    paris = reader("daily")
    assert digests.digests_queue(now=tomorrow_at(7)) == 0
    assert digests.digests_queue(now=tomorrow_at(8)) == 1
    assert list(Delivery.objects.values_list("member_id", flat=True)) == [paris.pk]
    # In Auckland, 8 o'clock comes at another moment (the evening before, in Paris).
    auckland = reader("daily", time_zone="Pacific/Auckland")
    assert digests.digests_queue(now=tomorrow_at(7, ZoneInfo("Pacific/Auckland"))) == 0
    assert digests.digests_queue(now=tomorrow_at(8, ZoneInfo("Pacific/Auckland"))) == 1
    assert Delivery.objects.filter(member=auckland).count() == 1


def test_a_rerun_or_a_second_beat_writes_no_second_row():
    reader("daily")
    assert digests.digests_queue(now=tomorrow_at(9)) == 1
    digests.digests_queue(now=tomorrow_at(10))
    assert Delivery.objects.count() == 1


def test_weekly_on_monday_monthly_on_the_first_and_never_not_at_all():
    weekly, monthly, _never = reader("weekly"), reader("monthly"), reader("never")
    monday = next_monday_at(9)
    digests.digests_queue(now=monday)
    assert list(Delivery.objects.values_list("member_id", "ref")) == [
        (weekly.pk, f"weekly:{(monday.date() - timedelta(days=7)).isoformat()}")
    ]
    first = datetime(2027, 1, 1, 9, tzinfo=PARIS)
    digests.digests_queue(now=first)
    assert Delivery.objects.filter(member=monthly, ref="monthly:2026-12-01").exists()


def test_no_digest_for_a_visitor_of_the_period_an_unconfirmed_address_or_a_closed_account():
    visited = reader("daily")
    visited.last_seen_at = timezone.now()
    visited.save(update_fields=["last_seen_at"])
    reader("daily", verified_email=False)
    reader("daily", is_active=False)
    assert digests.digests_queue(now=tomorrow_at(9)) == 0


# What it shows --------------------------------------------------------------------------------------


@pytest.fixture
def scene():
    """A public space and the team's, with threads of every kind that must or must not appear."""
    public = Space.objects.create(name="Entraide", slug="entraide")
    staff = Space.objects.create(name="Coulisses", slug="coulisses", visibility=Visibility.STAFF)
    author, replier = UserFactory(handle="auteur"), UserFactory(display_name="Lou Garnier", handle="lou")
    member = reader("daily", display_name="Camille Martin", handle="camille")
    lively = forum.thread_create(actor=author, space=public, title="Quelle tente choisir ?", body="Hello")
    for n in range(3):
        forum.post_create(actor=replier, thread=lively, body=f"Réponse {n}")
    mine = forum.thread_create(actor=member, space=public, title="Mon vélo grince", body="Help")
    forum.post_create(actor=replier, thread=mine, body="Un peu d'huile, @camille.")
    held = forum.thread_create(actor=author, space=public, title="Sujet retenu", body="Held")
    Thread.objects.filter(pk=held.pk).update(state=PostState.PENDING)
    removed = forum.thread_create(actor=author, space=public, title="Sujet retiré", body="Removed")
    Thread.objects.filter(pk=removed.pk).update(state=PostState.REMOVED)
    archived = forum.thread_create(actor=author, space=public, title="Sujet archivé", body="Old")
    Thread.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    team = user_with_role(COMMUNITY_MANAGERS)
    forum.thread_create(actor=team, space=staff, title="Budget de l'équipe", body="Secret")
    return {"member": member, "lively": lively, "mine": mine}


def test_the_digest_shows_what_the_member_may_see_and_nothing_else(scene):
    member = scene["member"]
    digests.digests_queue(now=tomorrow_at(9))
    email = digest_of(member)
    assert email is not None
    assert email.subject == "Agora: what you missed yesterday"
    text, html = email.body, email.alternatives[0][0]
    for part in (text, html):
        assert "Quelle tente choisir ?" in part and "Mon vélo grince" in part
        assert "Lou Garnier mentioned you in “Mon vélo grince”" in part
        for hidden in ("Sujet retenu", "Sujet retiré", "Sujet archivé", "Budget de l'équipe"):
            assert hidden not in part
    assert f"http://127.0.0.1:8000{scene['lively'].get_absolute_url()}" in text
    assert 'style="' in html and "<h2" in html  # CSS inlined for mail clients
    assert "4 new posts" in text  # the first post and three replies, yesterday
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/mailings/unsubscribe/digest/" in email.extra_headers["List-Unsubscribe"]


def test_the_team_sees_its_own_space_and_newcomers_waiting_for_a_welcome(scene):
    manager = user_with_role(COMMUNITY_MANAGERS, last_seen_at=LONG_AGO, time_zone="Europe/Paris")
    MemberState.objects.update_or_create(user=manager, defaults={"digest": "daily"})
    intro = Space.objects.create(name="Présentations", slug="presentations", is_introductions=True)
    forum.thread_create(actor=UserFactory(display_name="Noa Petit"), space=intro, title="Bonjour", body="Hi")
    digests.digests_queue(now=tomorrow_at(9))
    text = digest_of(manager).body
    assert "Budget de l'équipe" in text
    assert "1 introduction is waiting for a welcome: Noa Petit" in text


def test_a_mention_already_read_is_not_news_and_nothing_new_sends_nothing(scene):
    quiet = reader("daily")
    Notification.objects.update(read_at=timezone.now())
    Thread.objects.update(last_activity_at=LONG_AGO)  # nothing happened yesterday
    digests.digests_queue(now=tomorrow_at(9))
    assert digest_of(quiet) is None
    assert set(Delivery.objects.values_list("state", flat=True)) == {"skipped"}


def test_a_thread_removed_after_the_digest_was_prepared_is_not_in_the_next_batch(scene):
    first, second = scene["member"], reader("daily")
    digests.digests_queue(now=tomorrow_at(9))
    digest_of(first)
    Thread.objects.filter(pk=scene["lively"].pk).update(state=PostState.REMOVED)
    Delivery.objects.filter(member=second).update(state="pending")
    assert "Quelle tente choisir ?" not in digest_of(second).body


def test_a_member_who_came_to_the_site_after_the_rows_were_written_gets_nothing(scene):
    member = scene["member"]
    digests.digests_queue(now=tomorrow_at(9))
    member.last_seen_at = timezone.now() + timedelta(seconds=1)
    member.save(update_fields=["last_seen_at"])
    assert digest_of(member) is None


def test_the_digest_is_written_in_the_members_language_and_time_zone(scene):
    member = scene["member"]
    member.language = "fr"
    member.save(update_fields=["language"])
    digests.digests_queue(now=tomorrow_at(9))
    email = digest_of(member)
    assert email.subject == "Agora : ce que vous avez manqué hier"
    assert "Lou Garnier vous a mentionné dans « Mon vélo grince »" in email.body
    assert "Bonjour Camille Martin" in email.body


def test_one_click_leaves_the_digest(scene, client):
    member = scene["member"]
    digests.digests_queue(now=tomorrow_at(9))
    email = digest_of(member)
    url = re.search(r"<(https?://[^>]+)>", email.extra_headers["List-Unsubscribe"]).group(1)
    assert client.post(url.removeprefix("http://127.0.0.1:8000")).status_code == 200
    assert MemberState.objects.get(user=member).digest == "never"


def test_a_batch_costs_the_same_queries_for_ten_members_or_forty(scene):
    def queries_for(count: int) -> int:
        members = [reader("daily") for _ in range(count)]
        for member in members:
            forum.post_create(actor=member, thread=scene["lively"], body="Me too")
        Delivery.objects.all().delete()
        digests.digests_queue(now=tomorrow_at(9))
        rows = list(Delivery.objects.filter(member__in=members))
        _threads_of_period.cache_clear()
        with CaptureQueriesContext(connection) as queries:
            built = digests.digest_build(rows)
        assert sum(email is not None for email in built.values()) == count
        return len(queries)

    queries_for(3)  # what is read once per process (the branding) is read
    assert queries_for(10) == queries_for(40)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_queues_and_sends_a_digest_once_even_when_the_beat_message_is_doubled(celery_worker):
    from mailings.tasks import deliveries_send, digests_queue

    # A zone where it is now past the morning hour: its daily digest of yesterday is due.
    zones = ("Europe/Paris", "America/New_York", "Asia/Tokyo", "Pacific/Auckland", "America/Los_Angeles")
    zone = next(z for z in zones if 9 <= timezone.now().astimezone(ZoneInfo(z)).hour <= 22)
    yesterday = timezone.now().astimezone(ZoneInfo(zone)) - timedelta(days=1)
    member = reader("daily", time_zone=zone, display_name="Camille Martin", handle="camille")
    space = Space.objects.create(name="Entraide", slug="entraide")
    thread = forum.thread_create(actor=UserFactory(), space=space, title="Quelle tente ?", body="@camille ?")
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=yesterday)
    thread.posts.update(created_at=yesterday)
    Notification.objects.update(created_at=yesterday)
    Delivery.objects.all().delete()  # the mention's own e-mail is not this test's
    digests_queue.apply_async(queue=celery_worker.queue)
    digests_queue.apply_async(queue=celery_worker.queue)  # a doubled beat message
    celery_worker.wait_for(lambda: Delivery.objects.filter(kind="digest").exists(), what="queue the digest")
    deliveries_send.apply_async(queue=celery_worker.queue)
    celery_worker.wait_for(
        lambda: Delivery.objects.filter(kind="digest", state="sent").exists(), what="send the digest"
    )
    assert list(Delivery.objects.values_list("kind", "member_id")) == [("digest", member.pk)]


def test_upcoming_events_show_as_the_site_shows_them_to_each_member(scene):
    from events.models import Audience, EventState
    from tests.events.helpers import published_event

    member, other = scene["member"], reader("daily")
    published_event(title="Apéro des membres", audience=Audience.MEMBERS)
    invitation = published_event(title="Dîner des ambassadeurs", audience=Audience.INVITED)
    invitation.invitees.add(member)
    published_event(title="Atelier annulé", state=EventState.CANCELLED)
    later = timezone.now() + timedelta(days=60)
    published_event(title="Dans deux mois", starts_at=later, ends_at=later + timedelta(hours=2))
    digests.digests_queue(now=tomorrow_at(9))
    Delivery.objects.exclude(kind="digest").update(state="skipped")
    mail.outbox.clear()
    send_due()
    sent = {email.to[0]: email.body for email in mail.outbox}
    mine, theirs = sent[member.email], sent[other.email]
    assert "Apéro des membres" in mine and "Dîner des ambassadeurs" in mine
    assert "Apéro des membres" in theirs and "Dîner des ambassadeurs" not in theirs
    for body in (mine, theirs):
        assert "Atelier annulé" not in body and "Dans deux mois" not in body


def test_an_event_narrowed_to_its_invitees_after_a_batch_leaves_the_next_batch(scene):
    from events.models import Audience, Event
    from tests.events.helpers import published_event

    first, second = scene["member"], reader("daily")
    event = published_event(title="Apéro des membres", audience=Audience.MEMBERS)
    digests.digests_queue(now=tomorrow_at(9))
    Delivery.objects.filter(member=second).update(state="skipped")
    assert "Apéro des membres" in digest_of(first).body
    Event.objects.filter(pk=event.pk).update(audience=Audience.INVITED)
    Delivery.objects.filter(member=second).update(state="pending")
    assert "Apéro des membres" not in digest_of(second).body
