"""The daily KPI rollup: members per day, counted in the community's time zone (Europe/Paris)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps

from reporting.models import DailyKPI
from reporting.services import kpi_rollup
from tests.concurrency import at_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def joined(day: date, hour: int, minute: int = 0):
    return UserFactory(date_joined=datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS))


def figures() -> dict[date, tuple[int, int]]:
    return {row.day: (row.members_total, row.members_new) for row in DailyKPI.objects.all()}


@pytest.fixture
def march_members():
    joined(date(2026, 3, 1), 12)  # before the period
    joined(date(2026, 3, 10), 9)
    joined(date(2026, 3, 10), 23, 30)  # still the 10th in Paris, 22:30 UTC
    joined(date(2026, 3, 11), 0, 30)  # the 11th in Paris although the 10th in UTC
    joined(date(2026, 3, 13), 8)  # after the period


def test_the_rollup_counts_new_and_total_members_per_paris_day(march_members):
    written = kpi_rollup(first_day=date(2026, 3, 9), last_day=date(2026, 3, 12), themes=["members"])

    assert written == 4
    assert figures() == {
        date(2026, 3, 9): (1, 0),
        date(2026, 3, 10): (3, 2),
        date(2026, 3, 11): (4, 1),
        date(2026, 3, 12): (4, 0),
    }


def test_running_the_rollup_twice_gives_the_same_rows(march_members):
    kpi_rollup(first_day=date(2026, 3, 9), last_day=date(2026, 3, 12))
    first = figures()

    kpi_rollup(first_day=date(2026, 3, 9), last_day=date(2026, 3, 12))

    assert figures() == first
    assert DailyKPI.objects.count() == 4


def test_a_later_run_corrects_a_day_in_place(march_members):
    kpi_rollup(first_day=date(2026, 3, 9), last_day=date(2026, 3, 12))
    joined(date(2026, 3, 12), 18)

    kpi_rollup(first_day=date(2026, 3, 12), last_day=date(2026, 3, 12))

    assert figures()[date(2026, 3, 12)] == (5, 1)
    assert DailyKPI.objects.count() == 4


def test_an_inverted_period_writes_nothing(march_members):
    assert kpi_rollup(first_day=date(2026, 3, 12), last_day=date(2026, 3, 9)) == 0
    assert not DailyKPI.objects.exists()


def _snapshot() -> dict[str, list]:
    """Every rollup table's rows, without ids or computing times."""
    tables = {}
    for model in apps.get_app_config("reporting").get_models():
        if model.__name__.endswith(("Day", "Week", "KPI")) and model.__name__ not in ("MemberDay",):
            fields = [f.attname for f in model._meta.fields if f.name not in ("id", "computed_at")]
            tables[model.__name__] = sorted(map(repr, model.objects.values_list(*fields)))
    return tables


@pytest.mark.django_db(transaction=True)
def test_two_rollups_of_every_theme_at_once_write_the_rows_of_one(march_members):
    kpi_rollup(first_day=date(2026, 3, 9), last_day=date(2026, 3, 12))
    alone = _snapshot()

    outcomes = at_once(
        lambda _n: kpi_rollup(first_day=date(2026, 3, 9), last_day=date(2026, 3, 12)), range(2)
    )

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert _snapshot() == alone
    assert alone["DailyKPI"] and alone["HealthDay"] and alone["SatisfactionDay"]
