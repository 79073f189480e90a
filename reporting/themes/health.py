"""The community health index: one figure from 0 to 100, in the spirit of Khoros' Community Health
Index, made of six factors, each the community compared with itself.

For each factor, a daily raw figure: growth (new members), content (posts published), traffic (page
views), responsiveness (share of the threads started that got a reply from someone else within 24 h),
interaction (distinct participants per thread that had posts that day) and liveliness (members active
that day). A factor's score compares the mean of the last 7 days (r = recent ÷ usual) with its usual
level, the daily mean of the 90 days before those 7: score = 100 × r ÷ (1 + r). So 50 is "as usual",
67 twice as much, 33 half as much, 0 nothing at all; it never exceeds 100. The index is the mean of the
factors that have a usual level: a factor whose 90 usual days reach before the rolled-up history
begins is left out, and shown empty (a new community has no index for its first 97 days).
Computed from the other themes' rollups (so after them) and the posts, for any range of days.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from community.models import PostState
from reporting.models import ContentDay, DailyKPI, HealthDay, ResponseDay, TrafficDay
from reporting.reports import Column, Report, by_day, report_register
from reporting.services.rollups import days, start_of, theme_register

RECENT = 7
USUAL = 90
FACTORS = ["growth", "content", "traffic", "responsiveness", "interaction", "liveliness"]


def _participants(first_day: date, last_day: date) -> dict[date, float]:
    """Per day: distinct (thread, author) pairs among the day's visible posts ÷ threads with posts."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT day, count(*)::float / count(DISTINCT thread_id)
            FROM (SELECT DISTINCT (p.created_at AT TIME ZONE %s)::date AS day, p.thread_id, p.author_id
                  FROM community_post p JOIN community_thread t ON t.id = p.thread_id
                  WHERE p.state = %s AND t.state = %s AND p.created_at >= %s AND p.created_at < %s) pairs
            GROUP BY day
            """,
            [
                settings.TIME_ZONE, PostState.VISIBLE, PostState.VISIBLE,
                start_of(first_day), start_of(last_day + timedelta(days=1)),
            ],
        )  # fmt: skip
        return dict(cursor.fetchall())


def _raw(first_day: date, last_day: date) -> dict[str, dict[date, float]]:
    """Each factor's daily raw figure over the days, from the rollups (and the posts for interaction)."""
    between = {"day__gte": first_day, "day__lte": last_day}
    kpis = DailyKPI.objects.filter(**between).values_list("day", "members_new", "active")
    responses = ResponseDay.objects.filter(space=None, threads__gt=0, **between).values_list(
        "day", "threads", "unanswered_24h"
    )
    raw: dict[str, dict[date, float]] = {
        "growth": {day: new for day, new, _active in kpis},
        "liveliness": {day: active for day, _new, active in kpis},
        "content": dict(ContentDay.objects.filter(space=None, **between).values_list("day", "posts")),
        "traffic": dict(TrafficDay.objects.filter(**between).values_list("day", "views")),
        "responsiveness": {day: (threads - late) / threads for day, threads, late in responses},
        "interaction": _participants(first_day, last_day),
    }
    return raw


def _mean(values: dict[date, float], first_day: date, length: int, *, missing: float | None) -> float | None:
    """Mean over `length` days from first_day; a day with no row counts as `missing` (None: left out)."""
    found = [values.get(first_day + timedelta(days=n), missing) for n in range(length)]
    present = [value for value in found if value is not None]
    return sum(present) / len(present) if present else None


def score(recent: float | None, usual: float | None) -> float | None:
    """100 × r ÷ (1 + r), r = recent ÷ usual: 50 as usual, towards 100 above, towards 0 below."""
    if recent is None or not usual:
        return None
    ratio = recent / usual
    return 100 * ratio / (1 + ratio)


# Counts are 0 on a day with no row; rates (a share, a mean per thread) are unknown there.
MISSING: dict[str, float | None] = {
    "growth": 0, "content": 0, "traffic": 0, "liveliness": 0, "responsiveness": None, "interaction": None,
}  # fmt: skip


def health_rollup(first_day: date, last_day: date) -> int:
    """The index and its factors for each day, from the 97 days that end with it."""
    raw = _raw(first_day - timedelta(days=RECENT + USUAL - 1), last_day)
    # Where the rolled-up history begins (page views are counted from the day Agora first counted
    # them): a factor whose 90 usual days reach before it has no usual level yet, and is left out.
    history = DailyKPI.objects.aggregate(first=Min("day"))["first"]
    began = dict.fromkeys(FACTORS, history)
    began["traffic"] = TrafficDay.objects.aggregate(first=Min("day"))["first"]
    rows = []
    for day in days(first_day, last_day):
        recent_start = day - timedelta(days=RECENT - 1)
        usual_start = recent_start - timedelta(days=USUAL)
        factors = {
            name: score(
                _mean(raw[name], recent_start, RECENT, missing=MISSING[name]),
                _mean(raw[name], usual_start, USUAL, missing=MISSING[name]),
            )
            if began[name] is not None and began[name] <= usual_start
            else None
            for name in FACTORS
        }
        known = [value for value in factors.values() if value is not None]
        rows.append(
            HealthDay(
                day=day,
                index=sum(known) / len(known) if known else None,
                participants_per_thread=raw["interaction"].get(day),
                **factors,
            )
        )
    fields = ["index", "participants_per_thread", *FACTORS]
    HealthDay.objects.bulk_create(rows, update_conflicts=True, unique_fields=["day"], update_fields=fields)
    return len(rows)


theme_register("health", health_rollup)


def _factor(key: str, label: object) -> Column:
    return Column(key, label, total="mean", chart=False)


report_register(
    Report(
        key="health",
        title=_("Health index"),
        definition=_(
            "One figure from 0 to 100 made of six factors, each the community compared with itself: "
            "growth (new members), content (posts), traffic (page views), responsiveness (share of the "
            "threads started that got a reply from someone else within 24 hours), interaction (distinct "
            "participants per thread with posts that day) and liveliness (members active that day). A "
            "factor compares the mean of the last 7 days with the daily mean of the 90 days before them "
            "(r = recent ÷ usual) and scores 100 × r ÷ (1 + r): 50 is as usual, 67 twice as much, 33 half "
            "as much. The index is the mean of the factors; a factor without 90 days of history is left "
            "out. For the period, each figure is the mean of its days."
        ),
        columns=[
            Column("index", _("Health index"), total="mean"),
            _factor("growth", _("Growth")),
            _factor("content", _("Content")),
            _factor("traffic", _("Traffic")),
            _factor("responsiveness", _("Responsiveness")),
            _factor("interaction", _("Interaction")),
            _factor("liveliness", _("Liveliness")),
            Column("participants_per_thread", _("Participants per thread"), total="mean", chart=False),
        ],
        read=by_day(HealthDay, ["index", *FACTORS, "participants_per_thread"]),
    )
)
