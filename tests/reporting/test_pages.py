"""The pages beside the reports: "so far today" on every report, and the team's list of threads still
waiting for an answer."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Space, Thread
from community.services import forum
from core import activity
from mailings.models import Newsletter, NewsletterClick, NewsletterLink
from reporting.models import DailyKPI, EmailDay, MemberDay
from reporting.services import activity_purge
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WAITING = reverse("reporting:threads-waiting")


def aged(thread: Thread, hours: int) -> Thread:
    Thread.objects.filter(pk=thread.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    return thread


@pytest.fixture
def threads():
    space = Space.objects.create(name="Entraide", slug="entraide")
    lea, noe = UserFactory(handle="lea"), UserFactory(handle="noe")
    alone = aged(forum.thread_create(actor=lea, space=space, title="Only my own words", body="Anyone?"), 30)
    forum.post_create(actor=lea, thread=alone, body="Still here, anyone?")
    answered = aged(forum.thread_create(actor=lea, space=space, title="Answered one", body="How?"), 30)
    forum.post_create(actor=noe, thread=answered, body="Like this.")
    aged(forum.thread_create(actor=noe, space=space, title="Fresh question", body="Hm?"), 2)
    aged(forum.thread_create(actor=noe, space=space, title="Older question", body="Hm, again?"), 50)
    return space


def test_the_team_sees_threads_no_one_else_answered_oldest_first(client, community_manager, threads):
    client.force_login(community_manager)
    page = client.get(WAITING).content.decode()
    # The author's own reply is not an answer; a thread of two hours is not late yet.
    assert page.index("Older question") < page.index("Only my own words")
    assert "Answered one" not in page and "Fresh question" not in page
    after_48 = client.get(WAITING, {"hours": "48"}).content.decode()
    assert "Older question" in after_48 and "Only my own words" not in after_48


def test_the_waiting_list_is_the_teams_and_linked_from_the_answers_report(
    client, community_manager, marketing
):
    client.force_login(marketing)
    assert client.get(WAITING).status_code == 403
    assert WAITING not in client.get(reverse("reporting:report", args=["responses"])).content.decode()
    client.force_login(community_manager)
    assert WAITING in client.get(reverse("reporting:report", args=["responses"])).content.decode()


def test_reports_show_what_happened_so_far_today(client, marketing, threads):
    for member_id in (1, 2, 2):
        activity.page_viewed(member_id=member_id, visitor=None)
    activity.page_viewed(member_id=None, visitor="token")
    client.force_login(marketing)
    page = client.get(reverse("reporting:dashboard")).content.decode()
    today = page[page.index("So far today") :]
    # 4 views, 1 visitor, 2 members; 2 new members (Léa and Noé; marketing joined today too: 3).
    assert "<dt>Page views</dt><dd>4</dd>" in today
    assert "<dt>Visitors</dt><dd>1</dd>" in today
    assert "<dt>Members who came</dt><dd>2</dd>" in today
    assert "<dt>New members</dt><dd>3</dd>" in today
    # Six posts published today: four threads' first posts (the threads were back-dated, not their
    # posts) and two replies.
    assert "<dt>Posts</dt><dd>6</dd>" in today


def test_anyone_reads_what_is_recorded_and_old_member_days_are_forgotten(client, member):
    page = client.get(reverse("privacy")).content.decode()
    assert "kept 400 days" in page and "never stored" in page
    today = activity.today()
    MemberDay.objects.create(member=member, day=today - timedelta(days=401))
    MemberDay.objects.create(member=member, day=today - timedelta(days=399))
    assert activity_purge() == 1
    assert list(MemberDay.objects.values_list("day", flat=True)) == [today - timedelta(days=399)]


def test_the_email_report_lists_the_newsletters_with_their_clicks(client, marketing):
    issue = Newsletter.objects.create(
        subject="Novembre", state="sent", started_at=timezone.now(), recipient_count=4
    )
    first, second = (
        NewsletterLink.objects.create(issue=issue, url=f"https://example.com/{n}") for n in (1, 2)
    )
    lea, noe = UserFactory(), UserFactory()
    for link, member in ((first, lea), (first, noe), (second, lea)):
        NewsletterClick.objects.create(link=link, member=member)
    EmailDay.objects.create(day=activity.today(), kind="newsletter", sent=4)
    client.force_login(marketing)
    page = client.get(reverse("reporting:report", args=["email"])).content.decode()
    # Four recipients, two of whom clicked (50 %), three clicks in all.
    row = page[page.index("Novembre") :]
    assert "<td>4</td><td>2</td><td>50.0 %</td><td>3</td>" in row


def test_a_long_period_is_shown_by_week_and_its_csv_keeps_every_day(client, marketing):
    """Two new members every day for 120 days from Monday 2026-03-02: the page shows weeks of 14 new
    members each, the members at the end of each week, and the CSV the 120 days."""
    first = date(2026, 3, 2)
    for n in range(120):
        DailyKPI.objects.create(day=first + timedelta(days=n), members_new=2, members_total=100 + 2 * n)
    client.force_login(marketing)
    period = {"start": first.isoformat(), "end": (first + timedelta(days=119)).isoformat()}
    page = client.get(reverse("reporting:dashboard"), period).content.decode()
    assert "Week by week" in page
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    # 120 days from a Monday: 17 whole weeks and one of 1 day.
    assert table.count("<tr>") == 18
    assert "<td>03/02/2026</td><td>112</td><td>14</td>" in table  # members on Sunday 8 March: 100 + 2 × 6
    export = client.get(reverse("reporting:export-csv"), period)
    rows = list(csv.reader(b"".join(export.streaming_content).decode().splitlines()))
    assert len(rows) == 1 + 120


def test_a_date_near_year_one_gets_a_clear_message_not_an_error(client, marketing):
    client.force_login(marketing)
    response = client.get(reverse("reporting:dashboard"), {"start": "0001-01-01", "end": "0001-01-02"})
    assert response.status_code == 200 and "from the year 2000 on" in response.content.decode()
    export = client.get(reverse("reporting:export-csv"), {"start": "0001-01-01", "end": "0001-01-02"})
    assert export.status_code == 200
