"""Each theme's figures on a small hand-made day whose right answers are worked out here."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.roles import COMMUNITY_MANAGERS
from community.models import Post, PostState, Space, Thread
from community.services import forum
from reporting.models import ContentDay, DailyKPI, MemberDay, ResponseDay
from reporting.services import kpi_rollup
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 11, 2)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=PARIS)


def dated(post: Post, moment: datetime) -> None:
    Post.objects.filter(pk=post.pk).update(created_at=moment)


@pytest.fixture
def day_of_answers():
    """Léa asks at 10:00 and adds a word at 10:30 (not an answer); the team answers at 11:00, Noé, a
    member, at 12:00. Noé's own question at 9:00 gets no reply. A held reply does not count."""
    space = Space.objects.create(name="Entraide", slug="entraide")
    lea, noe = (
        UserFactory(date_joined=at(8) - timedelta(days=400)),
        UserFactory(date_joined=at(8) - timedelta(days=3)),
    )
    team = user_with_role(COMMUNITY_MANAGERS)
    question = forum.thread_create(actor=lea, space=space, title="Quel vélo ?", body="Bonjour")
    lonely = forum.thread_create(actor=noe, space=space, title="Quelle selle ?", body="Bonjour")
    Thread.objects.filter(pk=question.pk).update(created_at=at(10))
    Thread.objects.filter(pk=lonely.pk).update(created_at=at(9))
    dated(question.posts.get(), at(10))
    dated(lonely.posts.get(), at(9))
    dated(forum.post_create(actor=lea, thread=question, body="Plutôt pour la ville."), at(10, 30))
    dated(forum.post_create(actor=team, thread=question, body="Un vélo de ville."), at(11))
    dated(forum.post_create(actor=noe, thread=question, body="Un vélo d'occasion."), at(12))
    held = forum.post_create(actor=noe, thread=question, body="Encore moi.")
    Post.objects.filter(pk=held.pk).update(created_at=at(13), state=PostState.PENDING)
    return space


def test_answers_count_the_first_reply_by_someone_else_and_the_threads_left_without(day_of_answers):
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["responses"])
    row = ResponseDay.objects.get(day=DAY, space=None)
    assert (row.threads, row.answered, row.solved) == (2, 1, 0)
    assert row.first_median == 60  # the team's reply at 11:00, an hour after the question
    assert row.member_median == 120  # Noé's at 12:00, the team's left out
    assert (row.unanswered_24h, row.unanswered_48h) == (1, 1)  # the saddle question
    assert ResponseDay.objects.get(day=DAY, space=day_of_answers).threads == 2


def test_content_counts_visible_posts_by_who_wrote_them(day_of_answers):
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["content"])
    row = ContentDay.objects.get(day=DAY, space=None)
    # Five visible posts: two first posts, Léa's word, the team's and Noé's replies (the held one aside).
    assert (row.threads, row.posts, row.replies) == (2, 5, 3)
    assert (row.posts_team, row.posts_newcomers, row.posts_returning) == (1, 2, 2)


def test_active_members_over_one_seven_and_thirty_days():
    members = [UserFactory() for _ in range(3)]
    MemberDay.objects.bulk_create(
        [
            MemberDay(member=members[0], day=DAY),
            MemberDay(member=members[1], day=DAY - timedelta(days=3)),
            MemberDay(member=members[2], day=DAY - timedelta(days=20)),
            MemberDay(member=members[2], day=DAY - timedelta(days=40)),
        ]
    )
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["members"])
    row = DailyKPI.objects.get(day=DAY)
    assert (row.active, row.active_week, row.active_month) == (1, 2, 3)


def test_the_backfill_command_rolls_up_a_range_with_its_progress_and_refuses_bad_dates(day_of_answers):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("kpi_backfill", "--from", "2026-10-01", "--to", "2026-11-30", stdout=out)
    assert "61/61 days" in out.getvalue() and "61 days rolled up." in out.getvalue()
    assert DailyKPI.objects.filter(day__gte=date(2026, 10, 1), day__lte=date(2026, 11, 30)).count() == 61
    assert ResponseDay.objects.get(day=DAY, space=None).answered == 1
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("kpi_backfill", "--from", "yesterday")
    with pytest.raises(CommandError, match="comes after"):
        call_command("kpi_backfill", "--from", "2026-11-30", "--to", "2026-11-01")
