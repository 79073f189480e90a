"""The archive pages' reads: every published thread, archived or not, by the month it was started (the
community's history), in the community's time zone (settings.TIME_ZONE).

Years and months are counted from SpaceMonth (kept by services.visibility): a few rows per space and
month, whatever the size of the archive. A month's threads are keyset pages along the index
community_thread_started, so a late page costs what the first does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from accounts.permissions import Actor
from community.models import Space, SpaceMonth, Thread
from community.permissions import visible_spaces_q
from community.selectors.forum import published_threads

ARCHIVE_PAGE = 50


@dataclass(frozen=True)
class Period:
    """A year or a month of the archive (`start`: its first day) and how many threads began in it."""

    start: date
    count: int


@dataclass(frozen=True)
class ArchivePage:
    threads: list[Thread]
    next_cursor: str | None


def _months(user: Actor, space: Space | None) -> QuerySet[SpaceMonth]:
    """The months of a space the caller has checked access to (access_space), or of every space the
    reader may read."""
    months = SpaceMonth.objects.filter(thread_count__gt=0)
    return months.filter(space=space) if space else months.filter(visible_spaces_q(user, prefix="space__"))


def archive_years(user: Actor, space: Space | None = None) -> list[Period]:
    """The years holding threads, latest first, with their counts. One query."""
    rows = (
        _months(user, space)
        .annotate(year=ExtractYear("month"))
        .values("year")
        .annotate(count=Sum("thread_count"))
        .order_by("-year")
    )
    return [Period(start=date(row["year"], 1, 1), count=row["count"]) for row in rows]


def archive_months(user: Actor, space: Space | None, year: int) -> list[Period]:
    """The months of a year holding threads, in order, with their counts. One query."""
    rows = (
        _months(user, space)
        .filter(month__year=year)
        .values("month")
        .annotate(count=Sum("thread_count"))
        .order_by("month")
    )
    return [Period(start=row["month"], count=row["count"]) for row in rows]


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The first moment of the month and of the next, in the community's time zone."""
    zone = timezone.get_default_timezone()
    return (
        datetime(year, month, 1, tzinfo=zone),
        datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone),
    )


def _parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """A cursor is "iso-date|id" of the last thread shown; anything else reads as the first page."""
    if not cursor:
        return None
    try:
        when, pk = cursor.split("|")
        parsed = datetime.fromisoformat(when), int(pk)
    except ValueError:
        return None
    return parsed if parsed[0].tzinfo is not None else None


def archive_threads(
    user: Actor, space: Space | None, year: int, month: int, cursor: str | None = None
) -> ArchivePage:
    """A page of the threads started in a month, in the order they were started. One query for a
    space, two for the whole community."""
    start, end = month_bounds(year, month)
    threads = published_threads().filter(created_at__gte=start, created_at__lt=end)
    if space is not None:
        threads = threads.filter(space=space)
    else:
        # The spaces' ids, not a join: the index is then read in its order and the scan stops at the
        # page's end (a join reads and sorts the whole month: 6 ms instead of 0.3 for 3,400 threads).
        readable = Space.objects.filter(visible_spaces_q(user)).values_list("pk", flat=True)
        threads = threads.filter(space_id__in=list(readable))
    after = _parse_cursor(cursor)
    if after is not None:
        when, pk = after
        threads = threads.filter(Q(created_at__gt=when) | Q(created_at=when, id__gt=pk))
    rows = list(threads.order_by("created_at", "id")[: ARCHIVE_PAGE + 1])
    next_cursor = None
    if len(rows) > ARCHIVE_PAGE:
        rows = rows[:ARCHIVE_PAGE]
        next_cursor = f"{rows[-1].created_at.isoformat()}|{rows[-1].pk}"
    return ArchivePage(threads=rows, next_cursor=next_cursor)
