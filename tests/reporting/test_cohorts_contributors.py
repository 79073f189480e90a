"""Onboarding funnel, retention cohorts and top contributors on small hand-made data sets whose right
answers are worked out here."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import AMBASSADORS, COMMUNITY_MANAGERS
from community.models import Post, PostState, Reaction, ReactionKind, Space, Thread
from community.services import forum
from moderation.models import NetiquetteAcceptance, NetiquetteVersion
from reporting.models import ContributorDay, MemberDay, OnboardingWeek, RetentionWeek
from reporting.services import kpi_rollup
from reporting.themes.retention import shade
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
COHORT = date(2026, 9, 7)  # a Monday
NEXT = date(2026, 9, 14)
LAST = date(2026, 11, 30)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def sept(day: int, hour: int, minute: int = 0) -> datetime:
    return at(date(2026, 9, day), hour, minute)


def dated_thread(thread: Thread, moment: datetime) -> Thread:
    Thread.objects.filter(pk=thread.pk).update(created_at=moment)
    Post.objects.filter(thread=thread, position=1).update(created_at=moment)
    return thread


def dated(post: Post, moment: datetime) -> Post:
    Post.objects.filter(pk=post.pk).update(created_at=moment)
    return post


def accepted(user, moment: datetime) -> None:
    NetiquetteAcceptance.objects.filter(user=user).update(accepted_at=moment)


@pytest.fixture
def cohort():
    """The week of Monday 7 September 2026 (Paris):

    - Ana joins Monday 10:00, accepts the netiquette at 12:00 (2 h), introduces herself at 16:00 (4 h),
      is welcomed by the team Tuesday 10:00 (18 h) and answers in her thread at 12:00 (2 h): her second
      post. She comes back on day 35 (12 October).
    - Ben joins Wednesday 8:00, accepts at 14:00 (6 h), introduces himself Thursday 14:00 (24 h), Ana
      welcomes him at 20:00 (6 h); his second post, a question, is on Saturday 20:00 (48 h). He comes
      back on day 20 only (29 September).
    - Chloé joins Sunday 23:30 (21:30 UTC: still that week here), never confirms her address and accepts
      the netiquette 70 days later (past the 60-day horizon: not counted); she comes back on day 45.
    - Dan joins Monday 14 September 0:30 and accepts at 1:00: the next cohort. The team's Théo, who
      joined that week too, is left out.
    """
    NetiquetteVersion.objects.get_or_create(number=1)
    intros = Space.objects.create(name="Présentations", slug="presentations", is_introductions=True)
    help_space = Space.objects.create(name="Entraide", slug="entraide")
    team = user_with_role(COMMUNITY_MANAGERS, handle="theo", date_joined=sept(8, 9))
    ana = UserFactory(handle="ana", date_joined=sept(7, 10))
    ben = UserFactory(handle="ben", date_joined=sept(9, 8))
    chloe = UserFactory(
        handle="chloe", date_joined=sept(13, 23, 30), verified_email=False, netiquette_accepted=False
    )
    dan = UserFactory(handle="dan", date_joined=sept(14, 0, 30))
    NetiquetteAcceptance.objects.create(user=chloe, version=NetiquetteVersion.objects.get(number=1))
    accepted(ana, sept(7, 12))
    accepted(ben, sept(9, 14))
    accepted(dan, sept(14, 1))
    accepted(chloe, sept(13, 23, 30) + timedelta(days=70))

    ana_intro = dated_thread(
        forum.thread_create(actor=ana, space=intros, title="Ana", body="Bonjour"), sept(7, 16)
    )
    dated(forum.thread_welcome(actor=team, thread=ana_intro), sept(8, 10))
    dated(forum.post_create(actor=ana, thread=ana_intro, body="Merci !"), sept(8, 12))
    ben_intro = dated_thread(
        forum.thread_create(actor=ben, space=intros, title="Ben", body="Salut"), sept(10, 14)
    )
    dated(forum.post_create(actor=ana, thread=ben_intro, body="Bienvenue Ben"), sept(10, 20))
    dated_thread(
        forum.thread_create(actor=ben, space=help_space, title="Quel vélo ?", body="?"), sept(12, 20)
    )

    MemberDay.objects.bulk_create(
        [
            MemberDay(member=ana, day=date(2026, 9, 7)),  # week 0
            MemberDay(member=ana, day=date(2026, 9, 15)),  # week 1
            MemberDay(member=ana, day=date(2026, 10, 12)),  # day 35, week 5
            MemberDay(member=ben, day=date(2026, 9, 9)),  # week 0
            MemberDay(member=ben, day=date(2026, 9, 29)),  # day 20, week 3 (Monday 28 September)
            MemberDay(member=chloe, day=date(2026, 10, 28)),  # day 45, week 7 (Monday 26 October)
            MemberDay(member=dan, day=date(2026, 9, 14)),  # the next cohort's week 0
            MemberDay(member=team, day=date(2026, 9, 15)),  # the team: left out
        ]
    )
    return {"ana": ana, "ben": ben, "chloe": chloe, "dan": dan, "team": team}


def rows(model, *fields) -> list[tuple]:
    return list(model.objects.order_by(*fields[:2]).values_list(*fields))


# Onboarding ---------------------------------------------------------------------------------------


def test_the_onboarding_funnel_counts_each_step_and_the_median_hours_between_them(cohort):
    kpi_rollup(first_day=COHORT, last_day=LAST, themes=["onboarding"])

    week = OnboardingWeek.objects.get(week=COHORT)
    # Ana, Ben and Chloé signed up; Chloé neither confirmed nor accepted in time nor posted.
    assert (week.signed_up, week.confirmed, week.netiquette) == (3, 2, 2)
    assert (week.introduced, week.welcomed, week.second_post) == (2, 2, 2)
    # All three are 30 days on; Ana (day 35) and Chloé (day 45) came back between days 30 and 59.
    assert (week.reached_30d, week.active_30d) == (3, 2)
    assert week.hours_netiquette == 4  # median of Ana's 2 h and Ben's 6 h
    assert week.hours_introduction == 14  # of 4 h and 24 h
    assert week.hours_welcome == 12  # of 18 h and 6 h
    assert week.hours_second_post == 25  # of 2 h and 48 h
    following = OnboardingWeek.objects.get(week=NEXT)
    assert (following.signed_up, following.netiquette, following.active_30d) == (1, 1, 0)  # Dan
    # Weeks from that of 60 days before the first day (Monday 6 July) to that of the last (Monday 30
    # November): 147 days apart, 21 weeks, 22 rows, empty weeks included.
    assert OnboardingWeek.objects.count() == 22
    assert OnboardingWeek.objects.first().week == date(2026, 7, 6)


def test_a_cohort_whose_thirtieth_day_has_not_come_has_no_active_figure():
    UserFactory(date_joined=timezone.now())
    today = timezone.localdate()
    kpi_rollup(first_day=today, last_day=today, themes=["onboarding"])

    week = OnboardingWeek.objects.get(week=today - timedelta(days=today.weekday()))
    assert (week.signed_up, week.reached_30d, week.active_30d) == (1, 0, None)


def test_rerunning_the_onboarding_rollup_leaves_the_same_rows(cohort):
    fields = ["week", "signed_up", "welcomed", "active_30d", "hours_welcome"]
    kpi_rollup(first_day=COHORT, last_day=LAST, themes=["onboarding"])
    first = rows(OnboardingWeek, *fields)
    kpi_rollup(first_day=COHORT, last_day=LAST, themes=["onboarding"])
    kpi_rollup(
        first_day=COHORT + timedelta(days=3), last_day=COHORT + timedelta(days=10), themes=["onboarding"]
    )

    assert rows(OnboardingWeek, *fields) == first


# Retention ----------------------------------------------------------------------------------------


def test_retention_counts_the_cohort_active_in_each_week_since_signing_up(cohort):
    kpi_rollup(first_day=COHORT, last_day=LAST, themes=["retention"])

    cells = dict(RetentionWeek.objects.filter(cohort_week=COHORT).values_list("week_number", "active"))
    # Week 0: Ana and Ben; 1: Ana; 3: Ben; 5: Ana; 7: Chloé; the other weeks nobody (Théo left out).
    assert cells == {0: 2, 1: 1, 2: 0, 3: 1, 4: 0, 5: 1, 6: 0, 7: 1, 8: 0, 9: 0, 10: 0, 11: 0, 12: 0}
    assert set(RetentionWeek.objects.filter(cohort_week=COHORT).values_list("cohort_size", flat=True)) == {3}
    assert RetentionWeek.objects.get(cohort_week=NEXT, week_number=0).active == 1  # Dan


def test_retention_keeps_no_row_for_the_weeks_not_begun():
    UserFactory(date_joined=timezone.now())
    today = timezone.localdate()
    kpi_rollup(first_day=today, last_day=today, themes=["retention"])

    # This week's cohort has only its week 0 (the member did not come: 0 of 1).
    assert rows(RetentionWeek, "cohort_week", "week_number", "cohort_size", "active") == [
        (today - timedelta(days=today.weekday()), 0, 1, 0)
    ]


def test_rerunning_the_retention_rollup_leaves_the_same_rows(cohort):
    fields = ["cohort_week", "week_number", "cohort_size", "active"]
    kpi_rollup(first_day=COHORT, last_day=LAST, themes=["retention"])
    first = rows(RetentionWeek, *fields)
    kpi_rollup(first_day=COHORT, last_day=LAST, themes=["retention"])
    kpi_rollup(first_day=date(2026, 10, 1), last_day=date(2026, 10, 31), themes=["retention"])

    assert rows(RetentionWeek, *fields) == first


def test_the_heat_map_shades_step_at_10_25_50_and_75_percent():
    assert [shade(p) for p in (0, 9.9, 10, 33.3, 50, 66.7, 75, 100)] == [0, 0, 1, 2, 3, 3, 4, 4]


# Contributors -------------------------------------------------------------------------------------

DAY = date(2026, 11, 2)


@pytest.fixture
def day_of_contributions():
    """On 2 November: Ben, a member, asks at 9:00; Ana, an ambassador, answers at 10:00 and Ben chooses
    it as the best answer and finds it helpful; Ana opens a thread at 11:00 (her own helpful mark on it,
    not possible through the site, is left out) and a held reply of hers waits for review. Théo, of the
    team, replies at 12:00. A post of Ben's the day before counts on that day."""
    NetiquetteVersion.objects.get_or_create(number=1)
    space = Space.objects.create(name="Entraide", slug="entraide")
    ana = user_with_role(AMBASSADORS, handle="ana")
    ben = UserFactory(handle="ben")
    team = user_with_role(COMMUNITY_MANAGERS, handle="theo")
    question = dated_thread(
        forum.thread_create(actor=ben, space=space, title="Quel vélo ?", body="?"), at(DAY, 9)
    )
    answer = dated(forum.post_create(actor=ana, thread=question, body="Un vélo de ville."), at(DAY, 10))
    forum.thread_mark_solution(actor=ben, thread=question, post=answer)
    forum.reaction_toggle(actor=ben, post=answer, kind=ReactionKind.HELPFUL)
    Reaction.objects.filter(post=answer).update(created_at=at(DAY, 10, 30))
    own = dated_thread(
        forum.thread_create(actor=ana, space=space, title="Sortie", body="Dimanche ?"), at(DAY, 11)
    )
    Reaction.objects.create(post=own.posts.get(), user=ana, kind=ReactionKind.HELPFUL)
    Reaction.objects.filter(post__thread=own).update(created_at=at(DAY, 11))
    held = forum.post_create(actor=ana, thread=own, body="Qui vient ?")
    Post.objects.filter(pk=held.pk).update(created_at=at(DAY, 11, 30), state=PostState.PENDING)
    dated(forum.post_create(actor=team, thread=question, body="Bonne question."), at(DAY, 12))
    dated(forum.post_create(actor=ben, thread=question, body="Merci !"), at(DAY - timedelta(days=1), 20))
    return {"ana": ana, "ben": ben, "team": team}


def test_contributors_count_posts_helpful_reactions_and_best_answers_per_member(day_of_contributions):
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["contributors"])

    ana, ben, team = (day_of_contributions[k] for k in ("ana", "ben", "team"))
    found = {
        (row.member_id, row.day): (row.posts, row.helpful, row.solutions)
        for row in ContributorDay.objects.all()
    }
    assert found == {
        (ana.pk, DAY): (2, 1, 1),  # the answer and her thread (the held reply aside); Ben's mark; best answer
        (ben.pk, DAY): (1, 0, 0),  # his question
        (team.pk, DAY): (1, 0, 0),
        # The day before is recomputed too (late best answers and removals are caught for 30 days).
        (ben.pk, DAY - timedelta(days=1)): (1, 0, 0),
    }


def test_rerunning_the_contributors_rollup_leaves_the_same_rows(day_of_contributions):
    fields = ["day", "member", "posts", "helpful", "solutions"]
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["contributors"])
    first = rows(ContributorDay, *fields)
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["contributors"])
    kpi_rollup(first_day=DAY - timedelta(days=5), last_day=DAY + timedelta(days=5), themes=["contributors"])

    assert rows(ContributorDay, *fields) == first


# The pages ----------------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, marketing):
    client.force_login(marketing)
    return client


def page(key: str) -> str:
    return reverse("reporting:report", args=[key])


def test_the_onboarding_page_shows_the_cohorts_steps_rates_and_times(
    signed_in, cohort, django_assert_max_num_queries
):
    kpi_rollup(first_day=COHORT, last_day=LAST, themes=["onboarding"])

    with django_assert_max_num_queries(10):
        response = signed_in.get(page("onboarding"), {"start": "2026-09-01", "end": "2026-09-13"})

    html = response.content.decode()
    assert [row["day"] for row in response.context["days"]] == [COHORT]  # the week that begins in it
    assert "Sign-up week" in html and "Week by week" in html
    figures = {str(f["label"]): f["value"] for f in response.context["figures"]}
    assert figures["Signed up"] == 3
    assert figures["E-mail confirmed, share of sign-ups (%)"] == pytest.approx(200 / 3)
    assert figures["Still active after 30 days (%)"] == pytest.approx(200 / 3)
    times = response.context["tables"][0]
    # The week of 7 September, then the period (the same week alone).
    assert times.rows == [(COHORT, 4.0, 14.0, 12.0, 25.0), ("The period", 4.0, 14.0, 12.0, 25.0)]
    assert "<td>25.0</td>" in html


def test_the_onboarding_csv_holds_one_row_per_cohort(signed_in, cohort):
    kpi_rollup(first_day=COHORT, last_day=LAST, themes=["onboarding"])

    response = signed_in.get(
        reverse("reporting:report-csv", args=["onboarding"]), {"start": "2026-09-01", "end": "2026-09-20"}
    )

    lines = list(csv.reader(b"".join(response.streaming_content).decode().splitlines()))
    assert lines[0][:3] == ["\ufeffSign-up week", "Signed up", "E-mail confirmed"]
    assert [line[:8] for line in lines[1:]] == [
        ["2026-09-07", "3", "2", "2", "2", "2", "2", "2"],
        ["2026-09-14", "1", "1", "1", "0", "0", "0", "0"],
    ]


def test_the_retention_page_shows_the_heat_map_with_empty_cells_for_weeks_not_begun(
    signed_in, cohort, django_assert_max_num_queries
):
    UserFactory(date_joined=timezone.now())
    today = timezone.localdate()
    kpi_rollup(first_day=COHORT, last_day=today, themes=["retention"])

    with django_assert_max_num_queries(10):
        response = signed_in.get(page("retention"), {"start": "2026-09-01", "end": today.isoformat()})

    html = response.content.decode()
    assert '<th scope="row">' in html and '<th scope="col">Week 12</th>' in html
    # 7 September: week 0 is 2 of 3 (67 %, shade 3), week 1 is 1 of 3 (33 %, shade 2), week 2 is 0 %.
    assert '<td class="heat-3">67 %</td><td class="heat-2">33 %</td><td class="heat-0">0 %</td>' in html
    # This week's cohort: week 0 only, the twelve weeks after left empty.
    assert html.count('<td class="heat-none"><span class="visually-hidden">not begun</span></td>') >= 12
    figures = {str(f["label"]): f["value"] for f in response.context["figures"]}
    assert figures["Members who joined"] == 6  # Ana, Ben, Chloé; Dan; this week: the new member and Alex
    # The chart: week-1 and week-4 retention per cohort (7 September: 1 of 3, then nobody).
    chart = response.context["chart"]["datasets"]
    assert [(d["label"], d["data"][0]) for d in chart] == [("Week 1", 33.3), ("Week 4", 0)]


def csv_lines(client, key: str, start: date, end: date) -> list[list[str]]:
    url = reverse("reporting:report-csv", args=[key])
    response = client.get(url, {"start": start.isoformat(), "end": end.isoformat()})
    return list(csv.reader(b"".join(response.streaming_content).decode().splitlines()))


def test_the_retention_csv_holds_each_cohorts_shares(signed_in, cohort):
    kpi_rollup(first_day=COHORT, last_day=LAST, themes=["retention"])

    lines = csv_lines(signed_in, "retention", COHORT, COHORT)

    assert lines[0][:4] == ["\ufeffSign-up week", "Members who joined", "Week 0", "Week 1"]
    assert lines[1][:4] == ["2026-09-07", "3", "66.7", "33.3"]  # 2 of 3, 1 of 3, to a tenth


def test_the_contributors_csv_holds_the_days_figures(signed_in, day_of_contributions):
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["contributors"])

    # Three contributors; posts: Ana 2, Ben 1, Théo 1; Ben's helpful mark and best answer for Ana.
    assert csv_lines(signed_in, "contributors", DAY, DAY) == [
        ["\ufeffday", "Contributors", "Posts", "Helpful reactions received", "Best answers"],
        ["2026-11-02", "3", "4", "1", "1"],
    ]


def test_the_contributors_page_shows_the_top_members_by_handle_with_their_role(
    signed_in, day_of_contributions, django_assert_max_num_queries
):
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["contributors"])

    with django_assert_max_num_queries(10):
        response = signed_in.get(page("contributors"), {"start": DAY.isoformat(), "end": DAY.isoformat()})

    by_posts, by_helpful = response.context["tables"]
    assert by_posts.rows == [
        ("@ana", "Ambassador", 2, 1, 1),
        ("@ben", "", 1, 0, 0),
        ("@theo", "Team", 1, 0, 0),
    ]
    assert by_helpful.rows == [("@ana", "Ambassador", 2, 1, 1)]
    assert response.context["days"][0]["contributors"] == 3
    html = response.content.decode()
    assert "@ana" in html and "@example.com" not in html
