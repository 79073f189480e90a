from __future__ import annotations

from django.db.models import QuerySet

from reporting.models import DailyKPI


def kpi_days(queryset: QuerySet[DailyKPI]) -> list[DailyKPI]:
    return list(queryset.order_by("day").only("day", "members_total", "members_new"))


def kpi_summary(days: list[DailyKPI]) -> dict:
    """Figures for the cards, from the rows already loaded for the chart."""
    if not days:
        return {"members_total": None, "members_new": 0}
    return {"members_total": days[-1].members_total, "members_new": sum(d.members_new for d in days)}
