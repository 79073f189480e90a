"""The health index on 97 hand-made days of rollups, its factors worked out here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Space
from community.services import forum
from reporting.models import ContentDay, DailyKPI, HealthDay, ResponseDay, TrafficDay
from reporting.services import kpi_rollup
from reporting.themes.health import score
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 30)


@pytest.fixture
def usual_then_a_busy_week():
    """90 usual days: 2 new members, 10 posts, 100 page views, 20 active members, 4 threads of which 1
    unanswered after 24 h. Then 7 days: 6 new members, 10 posts, 50 views, 20 active, all 4 answered."""
    for n in range(97):
        day = DAY - timedelta(days=96 - n)
        recent = n >= 90
        DailyKPI.objects.create(day=day, members_new=6 if recent else 2, active=20)
        ContentDay.objects.create(day=day, space=None, posts=10)
        TrafficDay.objects.create(day=day, views=50 if recent else 100)
        ResponseDay.objects.create(
            day=day, space=None, threads=4, answered=4, unanswered_24h=0 if recent else 1
        )


def test_the_score_is_fifty_as_usual_and_bounded():
    assert score(10, 10) == 50
    assert score(20, 10) == pytest.approx(66.667, abs=0.001)
    assert score(0, 10) == 0
    assert score(10, 0) is None and score(None, 10) is None


def test_health_index_of_a_hand_made_day(usual_then_a_busy_week):
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["health"])
    row = HealthDay.objects.get(day=DAY)
    # Growth r = 6 / 2 = 3: 100 × 3 / 4 = 75. Content r = 1: 50. Traffic r = 0.5: 33.33. Liveliness: 50.
    assert row.growth == pytest.approx(75)
    assert row.content == pytest.approx(50) and row.liveliness == pytest.approx(50)
    assert row.traffic == pytest.approx(100 / 3)
    # Responsiveness: answered within 24 h 4/4 = 1 against 3/4: r = 4/3, 100 × (4/3) / (7/3) = 57.14.
    assert row.responsiveness == pytest.approx(400 / 7)
    # No posts at all: no interaction figure, left out of the index.
    assert row.interaction is None
    assert row.index == pytest.approx((75 + 50 + 100 / 3 + 400 / 7 + 50) / 5)
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["health"])
    assert HealthDay.objects.count() == 1


def test_interaction_counts_distinct_participants_per_thread():
    space = Space.objects.create(name="Entraide", slug="entraide")
    lea, noe = UserFactory(), UserFactory()
    thread = forum.thread_create(actor=lea, space=space, title="Une question", body="Comment faire ?")
    forum.post_create(actor=noe, thread=thread, body="Comme ceci.")
    forum.post_create(actor=lea, thread=thread, body="Merci !")
    other = forum.thread_create(actor=noe, space=space, title="Une autre", body="Et ceci ?")
    today = timezone.localdate(other.created_at)
    kpi_rollup(first_day=today, last_day=today, themes=["health"])
    # Two threads: Léa and Noé in the first, Noé alone in the second: (2 + 1) / 2.
    assert HealthDay.objects.get(day=today).participants_per_thread == 1.5


def test_marketing_reads_the_index_and_its_formula(client, marketing, usual_then_a_busy_week):
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["health"])
    client.force_login(marketing)
    page = client.get(
        reverse("reporting:report", args=["health"]), {"start": DAY, "end": DAY}
    ).content.decode()
    assert "100 × r ÷ (1 + r)" in page and "Responsiveness" in page
    assert "53.1" in page


def test_a_community_with_weeks_of_history_has_no_index_yet():
    """17 steady days: no factor has 90 usual days behind its last 7, so none is scored (not 90 for a
    steady community, as days before the history would be zeros)."""
    for n in range(17):
        day = DAY - timedelta(days=16 - n)
        DailyKPI.objects.create(day=day, members_new=2, active=20)
        ContentDay.objects.create(day=day, space=None, posts=10)
        TrafficDay.objects.create(day=day, views=100)
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["health"])
    row = HealthDay.objects.get(day=DAY)
    assert row.index is None and row.growth is None and row.traffic is None
