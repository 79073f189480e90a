"""The dashboards marketing reads, and their CSV export."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from reporting.services import kpi_rollup
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reporting:dashboard")
EXPORT = reverse("reporting:export-csv")
PERIOD = {"start": "2026-03-09", "end": "2026-03-11"}


@pytest.fixture
def signed_in(client, marketing):
    client.force_login(marketing)
    return client


@pytest.fixture
def march_figures(marketing):
    paris = ZoneInfo("Europe/Paris")
    marketing.date_joined = datetime(2026, 1, 5, tzinfo=paris)
    marketing.save(update_fields=["date_joined"])
    newcomers = [
        UserFactory.build(date_joined=datetime(2026, 3, day, 10, tzinfo=paris))
        for day, count in ((9, 1), (10, 1234), (11, 3))
        for _ in range(count)
    ]
    get_user_model().objects.bulk_create(newcomers)
    kpi_rollup(first_day=date(2026, 3, 1), last_day=date(2026, 3, 31))


def test_the_dashboard_shows_the_figures_of_the_period(signed_in, march_figures):
    response = signed_in.get(DASHBOARD, PERIOD)

    html = response.content.decode()
    assert response.status_code == 200
    # Cards: members at the end of the period, and newcomers during it.
    days = [(row["day"], row["members_total"], row["members_new"]) for row in response.context["days"]]
    assert days == [(date(2026, 3, 9), 2, 1), (date(2026, 3, 10), 1236, 1234), (date(2026, 3, 11), 1239, 3)]
    assert '<p class="stat-value">1,239</p>' in html  # members at the end of the period
    assert '<p class="stat-value">1,238</p>' in html  # new members in it
    assert '<canvas id="kpi-chart"' in html
    assert "<td>1,236</td><td>1,234</td>" in html


def test_the_chart_data_is_embedded_as_json(signed_in, march_figures):
    response = signed_in.get(DASHBOARD, PERIOD)

    assert response.context["chart"]["labels"] == ["2026-03-09", "2026-03-10", "2026-03-11"]
    assert response.context["chart"]["datasets"][1]["data"] == [1, 1234, 3]
    assert 'id="kpi-data"' in response.content.decode()


def test_the_dashboard_shows_the_last_thirty_days_by_default(signed_in, marketing):
    today = timezone.localdate()
    kpi_rollup(first_day=today - timedelta(days=59), last_day=today)

    days = signed_in.get(DASHBOARD).context["days"]

    assert len(days) == 30
    assert days[-1]["day"] == today


def test_a_period_without_figures_says_so(signed_in):
    html = signed_in.get(DASHBOARD, PERIOD).content.decode()

    assert "No figures for this period yet" in html
    assert "<canvas" not in html


def test_an_end_date_before_the_start_date_shows_a_form_error(signed_in, march_figures):
    response = signed_in.get(DASHBOARD, {"start": "2026-03-11", "end": "2026-03-09"})

    assert response.status_code == 200
    assert "The end date comes before the start date." in response.content.decode()
    assert response.context["days"] == []


def test_an_unreadable_date_shows_a_form_error(signed_in, march_figures):
    response = signed_in.get(DASHBOARD, {"start": "yesterday", "end": "2026-03-09"})

    assert response.status_code == 200
    assert response.context["filter"].errors["start"]
    assert response.context["days"] == []


def test_the_dashboard_costs_a_fixed_number_of_queries(signed_in, django_assert_max_num_queries):
    today = timezone.localdate()
    UserFactory.create_batch(30)
    kpi_rollup(first_day=today - timedelta(days=365), last_day=today)

    # Session, user, permissions (2), the period's rows, groups for the navigation, branding (cold cache).
    with django_assert_max_num_queries(10):
        response = signed_in.get(DASHBOARD, {"start": (today - timedelta(days=365)).isoformat()})

    assert len(response.context["days"]) == 366


def test_the_csv_export_holds_the_figures_of_the_period(signed_in, march_figures):
    response = signed_in.get(EXPORT, PERIOD)

    rows = list(csv.reader(b"".join(response.streaming_content).decode().splitlines()))
    assert [row[:3] for row in rows] == [
        ["\ufeffday", "Members", "New members"],
        ["2026-03-09", "2", "1"],
        ["2026-03-10", "1236", "1234"],
        ["2026-03-11", "1239", "3"],
    ]


def test_the_csv_export_follows_the_period_chosen_on_the_dashboard(signed_in, march_figures):
    html = signed_in.get(DASHBOARD, PERIOD).content.decode()

    assert 'href="/reporting/members/export.csv?start=2026-03-09&amp;end=2026-03-11"' in html


def test_the_csv_export_costs_a_fixed_number_of_queries(
    signed_in, march_figures, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        signed_in.get(EXPORT, {"start": "2026-03-01", "end": "2026-03-31"})
