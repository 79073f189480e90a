"""Daily KPI rollups. Idempotent: a day is recomputed from the source tables and upserted."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from reporting.models import DailyKPI


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def kpi_rollup(*, first_day: date, last_day: date) -> int:
    """Recompute every day from first_day to last_day (inclusive) in two queries and upsert them."""
    if first_day > last_day:
        return 0
    users = get_user_model().objects.all()
    tz = timezone.get_default_timezone()
    before = users.filter(date_joined__lt=_start_of(first_day)).count()
    joined = dict(
        users.filter(
            date_joined__gte=_start_of(first_day), date_joined__lt=_start_of(last_day + timedelta(days=1))
        )
        .annotate(day=TruncDate("date_joined", tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    rows, running, day = [], before, first_day
    while day <= last_day:
        running += joined.get(day, 0)
        rows.append(DailyKPI(day=day, members_total=running, members_new=joined.get(day, 0)))
        day += timedelta(days=1)
    with transaction.atomic():
        DailyKPI.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["members_total", "members_new", "computed_at"],
        )
    return len(rows)


def kpi_rollup_recent(*, days: int = 2) -> int:
    """Today and the days before it: late events (a deleted account) settle on the next run."""
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    return kpi_rollup(first_day=today - timedelta(days=days - 1), last_day=today)
