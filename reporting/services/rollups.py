"""Daily rollups, one family per theme, computed from the live tables for a range of days at once.

Each theme recomputes its days whole inside one transaction, under an advisory lock of its own, and
upserts them: a rerun, or two runs at once, leave the same rows. Days are the community's (TIME_ZONE).
Beat rolls up today and yesterday every hour (late changes settle on the next run); the
`kpi_backfill` command rolls up any range, e.g. after installing on an existing community.
"""

from __future__ import annotations

import statistics
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.permissions import team_q
from accounts.roles import AMBASSADORS
from community.models import Post, PostState, PurgedSignupDay, Reaction, ReactionKind, Thread
from mailings.models import Consent, Delivery, DeliveryState
from mailings.services import deliveries_kept_since
from reporting.models import ContentDay, DailyKPI, EmailDay, ResponseDay


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def days(first_day: date, last_day: date) -> list[date]:
    return [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]


def _locked(name: str) -> None:
    """Serialise the runs of one theme (held until the transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"reporting:{name}".encode())])


def in_range(field: str, first_day: date, last_day: date) -> Q:
    return Q(**{f"{field}__gte": start_of(first_day), f"{field}__lt": start_of(last_day + timedelta(days=1))})


def count_by_day(queryset: QuerySet, field: str, first_day: date, last_day: date, *keys: str) -> dict:
    """How many rows of the queryset have `field` in each day of the range, by day (and by `keys`):
    {day: n}, or {(day, key…): n} when keys are given. One query."""
    rows = (
        queryset.filter(in_range(field, first_day, last_day))
        .annotate(day=TruncDate(field, tzinfo=timezone.get_default_timezone()))
        .values("day", *keys)
        .annotate(n=Count("pk"))
        .order_by()
    )
    if not keys:
        return {row["day"]: row["n"] for row in rows}
    return {(row["day"], *(row[key] for key in keys)): row["n"] for row in rows}


def team_ids() -> set[int]:
    return set(get_user_model().objects.filter(team_q()).values_list("pk", flat=True))


def week_of(day: date) -> date:
    """The Monday of the day's week: a cohort's key."""
    return day - timedelta(days=day.weekday())


def cohort_members(first_week: date, last_week: date) -> QuerySet:
    """The members who joined from Monday first_week to the Sunday after last_week, the community
    team left out (its accounts are not onboarded), with the day they joined (the community's)."""
    return (
        get_user_model()
        .objects.filter(in_range("date_joined", first_week, last_week + timedelta(days=6)))
        .exclude(pk__in=team_ids())
        .annotate(joined_day=TruncDate("date_joined", tzinfo=timezone.get_default_timezone()))
    )


def purged_signups(first_week: date, last_week: date) -> dict[date, int]:
    """The accounts of the cohorts from first_week to last_week deleted by housekeeping because their
    address was never confirmed (community.PurgedSignupDay), by day of joining: a cohort counts them
    as it did before they went (they never came to the site: none counts as active)."""
    rows = PurgedSignupDay.objects.filter(day__gte=first_week, day__lte=last_week + timedelta(days=6))
    return dict(rows.values_list("day", "count"))


# Members ------------------------------------------------------------------------------------------


def _active(first_day: date, last_day: date) -> dict[date, tuple[int, int, int]]:
    """Per day: members who came that day, in the 7 days and in the 30 days ending that day."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d::date,
                   count(DISTINCT m.member_id) FILTER (WHERE m.day = d::date),
                   count(DISTINCT m.member_id) FILTER (WHERE m.day > d::date - 7),
                   count(DISTINCT m.member_id)
            FROM generate_series(%s::date, %s::date, interval '1 day') AS d
            LEFT JOIN reporting_memberday m ON m.day > d::date - 30 AND m.day <= d::date
            GROUP BY d
            """,
            [first_day, last_day],
        )
        return {day: (dau, wau, mau) for day, dau, wau, mau in cursor.fetchall()}


def members_rollup(first_day: date, last_day: date) -> int:
    """Members in all (joined by the end of the day), new, active (DAU, WAU, MAU), and by role."""
    users = get_user_model().objects.all()
    tz = timezone.get_default_timezone()
    before = users.filter(date_joined__lt=start_of(first_day)).count()
    joined = dict(
        users.filter(in_range("date_joined", first_day, last_day))
        .annotate(day=TruncDate("date_joined", tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    active = _active(first_day, last_day)
    ambassadors = users.filter(groups__name=AMBASSADORS, is_active=True).count()
    team = len(team_ids())
    rows, running = [], before
    for day in days(first_day, last_day):
        running += joined.get(day, 0)
        dau, wau, mau = active.get(day, (0, 0, 0))
        rows.append(
            DailyKPI(
                day=day, members_total=running, members_new=joined.get(day, 0), active=dau,
                active_week=wau, active_month=mau, ambassadors=ambassadors, team=team,
            )
        )  # fmt: skip
    fields = ["members_total", "members_new", "active", "active_week", "active_month", "ambassadors", "team"]
    DailyKPI.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["day"], update_fields=[*fields, "computed_at"]
    )
    return len(rows)


# Content ------------------------------------------------------------------------------------------


def _per_day_and_space(rows: Iterable[dict], fields: list[str]) -> dict[tuple[date, int | None], dict]:
    """Rows of (day, space, counts) with the all-spaces total (space None) added."""
    found: dict[tuple[date, int | None], dict] = defaultdict(lambda: dict.fromkeys(fields, 0))
    for row in rows:
        for space in (row["space_key"], None):
            for field in fields:
                found[(row["day"], space)][field] += row.get(field) or 0
    return found


CONTENT = [
    "threads", "posts", "replies", "new_contributors", "posts_team", "posts_newcomers", "posts_returning",
    "reactions", "helpful",
]  # fmt: skip


def content_rollup(first_day: date, last_day: date) -> int:
    """Threads and posts published in the days (and still visible), replies, members' first posts, posts
    by the team, by members who joined in the 30 days before, by the others; reactions given."""
    tz = timezone.get_default_timezone()
    team = team_ids()
    visible = Q(state=PostState.VISIBLE, thread__state=PostState.VISIBLE)
    newcomer = Q(author__date_joined__gt=F("created_at") - timedelta(days=30)) & ~Q(author_id__in=team)
    posts = (
        Post.objects.filter(visible, in_range("created_at", first_day, last_day))
        .annotate(day=TruncDate("created_at", tzinfo=tz), space_key=F("thread__space_id"))
        .values("day", "space_key")
        .annotate(
            posts=Count("pk"),
            replies=Count("pk", filter=Q(position__gt=1)),
            new_contributors=Count("pk", filter=Q(is_first_of_member=True)),
            posts_team=Count("pk", filter=Q(author_id__in=team)),
            posts_newcomers=Count("pk", filter=newcomer),
        )
    )
    threads = (
        Thread.objects.filter(in_range("created_at", first_day, last_day), state=PostState.VISIBLE)
        .annotate(day=TruncDate("created_at", tzinfo=tz), space_key=F("space_id"))
        .values("day", "space_key")
        .annotate(threads=Count("pk"))
    )
    reactions = (
        Reaction.objects.filter(
            in_range("created_at", first_day, last_day),
            post__state=PostState.VISIBLE,
            post__thread__state=PostState.VISIBLE,
        )
        .annotate(day=TruncDate("created_at", tzinfo=tz), space_key=F("post__thread__space_id"))
        .values("day", "space_key")
        .annotate(reactions=Count("pk"), helpful=Count("pk", filter=Q(kind=ReactionKind.HELPFUL)))
    )
    rows: list[Any] = [*posts, *threads, *reactions]
    found = _per_day_and_space(rows, CONTENT)
    for counts in found.values():
        counts["posts_returning"] = counts["posts"] - counts["posts_team"] - counts["posts_newcomers"]
    ContentDay.objects.filter(day__gte=first_day, day__lte=last_day).delete()
    ContentDay.objects.bulk_create(
        [ContentDay(day=day, space_id=space, **counts) for (day, space), counts in found.items()],
        batch_size=1000,
    )
    return len(found)


# Answers ------------------------------------------------------------------------------------------


def quantile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def responses_rollup(first_day: date, last_day: date) -> int:
    """For the threads started each day: how many got a reply from someone else than their author, the
    median and 90th percentile of the minutes to that first reply (and to a first reply by a member,
    the team's left out), how many had none after 24 and 48 hours, how many have a best answer."""
    tz = timezone.get_default_timezone()
    team = list(team_ids())
    replies = Post.objects.filter(thread=OuterRef("pk"), position__gt=1, state=PostState.VISIBLE).exclude(
        author_id=OuterRef("author_id")
    )
    first = replies.order_by("position").values("created_at")[:1]
    first_member = replies.exclude(author_id__in=team).order_by("position").values("created_at")[:1]
    threads = (
        Thread.objects.filter(in_range("created_at", first_day, last_day), state=PostState.VISIBLE)
        .annotate(
            day=TruncDate("created_at", tzinfo=tz), first=Subquery(first), first_member=Subquery(first_member)
        )
        .values("day", "space_id", "created_at", "first", "first_member", "solution_id")
    )
    now = timezone.now()
    groups: dict[tuple[date, int | None], list[Any]] = defaultdict(list)
    for thread in threads:
        for space in (thread["space_id"], None):
            groups[(thread["day"], space)].append(thread)

    def unanswered(started: list[dict], hours: int) -> int:
        """Threads old enough whose first reply came later than that, or never."""
        limit = timedelta(hours=hours)
        return sum(
            1
            for t in started
            if now - t["created_at"] >= limit and (t["first"] is None or t["first"] - t["created_at"] > limit)
        )

    rows = []
    for (day, space), started in groups.items():
        waits = [(t["first"] - t["created_at"]).total_seconds() / 60 for t in started if t["first"]]
        member_waits = [
            (t["first_member"] - t["created_at"]).total_seconds() / 60 for t in started if t["first_member"]
        ]

        rows.append(
            ResponseDay(
                day=day, space_id=space, threads=len(started), answered=len(waits),
                first_median=quantile(sorted(waits), 0.5), first_p90=quantile(sorted(waits), 0.9),
                member_median=quantile(sorted(member_waits), 0.5), unanswered_24h=unanswered(started, 24),
                unanswered_48h=unanswered(started, 48), solved=sum(1 for t in started if t["solution_id"]),
            )
        )  # fmt: skip
    ResponseDay.objects.filter(day__gte=first_day, day__lte=last_day).delete()
    ResponseDay.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# E-mail -------------------------------------------------------------------------------------------

# Which kind of e-mail a list's unsubscribes count against.
LIST_KINDS = {"newsletter": "newsletter", "digest": "digest", "replies": "reply", "mentions": "mention"}


def _email_days_frozen(first_day: date, last_day: date) -> set[date]:
    """The days of the range already rolled up whose delivery rows housekeeping may have pruned
    (mailings.services.deliveries_kept_since): they keep the figures they were given when complete."""
    tz = timezone.get_default_timezone()
    last_complete = timezone.localdate(deliveries_kept_since(), tz)  # partly pruned, perhaps
    return set(
        EmailDay.objects.filter(day__gte=first_day, day__lte=min(last_day, last_complete)).values_list(
            "day", flat=True
        )
    )


def email_rollup(first_day: date, last_day: date) -> int:
    """E-mails sent, failed and bounced each day by kind, and the unsubscribes from each list. A day
    past the e-mail log's retention (OUTBOX_RETENTION_DAYS) that has figures already keeps them: its
    rows may be gone."""
    tz = timezone.get_default_timezone()
    frozen = _email_days_frozen(first_day, last_day)
    counts: dict[tuple[date, str], dict[str, int]] = defaultdict(
        lambda: {"sent": 0, "failed": 0, "bounced": 0, "unsubscribed": 0}
    )

    def add(rows, field: str) -> None:
        for row in rows:
            counts[(row["day"], row["kind"])][field] += row["n"]

    def by_day(queryset, moment: str):
        return (
            queryset.annotate(day=TruncDate(moment, tzinfo=tz)).values("day", "kind").annotate(n=Count("pk"))
        )

    deliveries = Delivery.objects
    add(by_day(deliveries.filter(in_range("sent_at", first_day, last_day)), "sent_at"), "sent")
    failed = deliveries.filter(in_range("created_at", first_day, last_day), state=DeliveryState.FAILED)
    add(by_day(failed, "created_at"), "failed")
    add(by_day(deliveries.filter(in_range("bounced_at", first_day, last_day)), "bounced_at"), "bounced")
    withdrawals = (
        Consent.objects.filter(in_range("created_at", first_day, last_day), given=False)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day", "list_key")
        .annotate(n=Count("pk"))
    )
    add(
        [
            {"day": row["day"], "kind": LIST_KINDS.get(row["list_key"], row["list_key"]), "n": row["n"]}
            for row in withdrawals
        ],
        "unsubscribed",
    )
    EmailDay.objects.filter(day__gte=first_day, day__lte=last_day).exclude(day__in=frozen).delete()
    rows = [EmailDay(day=day, kind=kind, **n) for (day, kind), n in counts.items() if day not in frozen]
    EmailDay.objects.bulk_create(rows)
    return len(rows)


# All themes ---------------------------------------------------------------------------------------

THEMES: dict[str, Callable[[date, date], int]] = {
    "members": members_rollup,
    "content": content_rollup,
    "responses": responses_rollup,
    "email": email_rollup,
}


def theme_register(name: str, rollup: Callable[[date, date], int]) -> None:
    THEMES[name] = rollup


def kpi_rollup(*, first_day: date, last_day: date, themes: Iterable[str] | None = None) -> int:
    """Recompute every theme for the days from first_day to last_day (inclusive); returns the rows."""
    if first_day > last_day:
        return 0
    written = 0
    for name in themes or THEMES:
        with transaction.atomic():
            _locked(name)
            written += THEMES[name](first_day, last_day)
    return written


def kpi_rollup_recent(*, days: int = 2) -> int:
    """Today and the days before it: late events (a deleted account) settle on the next run."""
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    return kpi_rollup(first_day=today - timedelta(days=days - 1), last_day=today)
