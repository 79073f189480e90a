"""The reports marketing and the community team read: each a title, what its figures mean (shown on the
page), its columns, and how to read its days from the rollup tables — never from the live tables, so a
report costs the same few queries for a week or two years.

A column says how the period's figure is made from its days: "sum" (posts), "last" (members at the
end), "mean" (daily active members) or "weighted" (a median per day, averaged over the days weighted by
the rows they stand for: an approximation said on the page). The previous period, of the same length,
is read in the same query and compared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_community_manager
from mailings.models import Newsletter
from reporting.models import ContentDay, DailyKPI, EmailDay, ResponseDay, SpaceDay, TrafficDay
from reporting.services.rollups import in_range


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    total: str = "sum"
    # For "weighted": the column whose daily values weigh the days.
    weight: str = ""
    chart: bool = True


@dataclass(frozen=True)
class Table:
    """A list beside the chart (top spaces, top searches…), already read from the rollups."""

    title: object
    headers: list
    rows: list
    # A template of its own for a table that is more than rows of text (a heat-map).
    partial: str = ""


@dataclass(frozen=True)
class Report:
    key: str
    title: object
    definition: object
    columns: list[Column]
    # Days of [start, end] (and the space, for reports by space): {day: {column: value}} in one query.
    read: Callable[[date, date, int | None], dict[date, dict]]
    by_space: bool = False
    tables: Callable[[date, date, int | None], list[Table]] | None = None
    derived: list[tuple[str, object, Callable[[dict], float | None]]] = field(default_factory=list)
    # Pages of the community team beside the report: (label, URL name, who may open it).
    links: list[tuple[object, str, Callable[[Any], bool]]] = field(default_factory=list)
    # Reports whose rows are not days (cohorts keyed by their week's Monday) name them.
    row_label: object = None
    rows_title: object = None


def period_figure(column: Column, days: list[dict]) -> float | None:
    values: list[float] = [day[column.key] for day in days if day.get(column.key) is not None]
    if not values:
        return None
    if column.total == "last":
        return values[-1]
    if column.total == "mean":
        return sum(values) / len(values)
    if column.total == "weighted":
        weighted = [
            (day[column.key], day.get(column.weight) or 0) for day in days if day.get(column.key) is not None
        ]
        weight = sum(w for _value, w in weighted)
        return sum(value * w for value, w in weighted) / weight if weight else None
    return sum(values)


def change(now: float | None, before: float | None) -> float | None:
    """The change from the previous period, in percent (None when there is nothing to compare)."""
    if now is None or before in (None, 0):
        return None
    return (now - before) / before * 100


# Reading the rollups ------------------------------------------------------------------------------


def rollup_rows(queryset, start: date, end: date, fields: list[str], key: str = "day") -> dict[date, dict]:
    """The rollup rows of [start, end] by their date (a day, or a cohort's week)."""
    rows = queryset.filter(**{f"{key}__gte": start, f"{key}__lte": end}).order_by(key).values(key, *fields)
    return {row.pop(key): row for row in rows}


def _members(start: date, end: date, space: int | None) -> dict[date, dict]:
    fields = ["members_total", "members_new", "active", "active_week", "active_month", "ambassadors", "team"]
    return rollup_rows(DailyKPI.objects.all(), start, end, fields)


def _by_space(model) -> Callable[[date, date, int | None], dict[date, dict]]:
    def read(start: date, end: date, space: int | None) -> dict[date, dict]:
        fields = [f.name for f in model._meta.fields if f.name not in ("id", "day", "space")]
        return rollup_rows(model.objects.filter(space_id=space), start, end, fields)

    return read


def by_day(model, fields: list[str], **filters) -> Callable[[date, date, int | None], dict[date, dict]]:
    """The read of a rollup keyed by day (its rows narrowed by `filters`): the fields, in one query."""

    def read(start: date, end: date, space: int | None) -> dict[date, dict]:
        return rollup_rows(model.objects.filter(**filters), start, end, fields)

    return read


def _email(start: date, end: date, space: int | None) -> dict[date, dict]:
    rows = (
        EmailDay.objects.filter(day__gte=start, day__lte=end)
        .values("day")
        .annotate(
            # Before "sent" is named for the total, so that these read the rows' column.
            digests=Sum("sent", filter=Q(kind="digest")),
            newsletters=Sum("sent", filter=Q(kind="newsletter")),
            sent=Sum("sent"),
            failed=Sum("failed"),
            bounced=Sum("bounced"),
            unsubscribed=Sum("unsubscribed"),
        )
        .order_by("day")
    )
    return {row["day"]: {key: value for key, value in row.items() if key != "day"} for row in rows}


def _audience(start: date, end: date, space: int | None) -> dict[date, dict]:
    return rollup_rows(TrafficDay.objects.all(), start, end, ["views", "visitors"])


SEARCHES_SQL = """
    WITH terms AS MATERIALIZED (
        SELECT term, sum(searches) AS searches, sum(empty) AS empty FROM reporting_searchday
        WHERE day BETWEEN %(start)s AND %(end)s GROUP BY term
    )
    (SELECT 'top', term, searches FROM terms ORDER BY searches DESC, term LIMIT 10)
    UNION ALL
    (SELECT 'empty', term, empty FROM terms WHERE empty > 0 ORDER BY empty DESC, term LIMIT 10)
"""


def _audience_tables(start: date, end: date, space: int | None) -> list[Table]:
    spaces = (
        SpaceDay.objects.filter(day__gte=start, day__lte=end)
        .values("space__name")
        .annotate(views=Sum("views"))
        .order_by("-views")[:10]
    )
    # The terms' sums are made once for both lists (one scan of the period's rows).
    with connection.cursor() as cursor:
        cursor.execute(SEARCHES_SQL, {"start": start, "end": end})
        searches = cursor.fetchall()
    top = [{"term": term, "n": n} for by, term, n in searches if by == "top"]
    empty = [{"term": term, "n": n} for by, term, n in searches if by == "empty"]
    return [
        Table(
            _("Most read spaces"),
            [_("Space"), _("Page views")],
            [(r["space__name"], r["views"]) for r in spaces],
        ),
        Table(_("Top searches"), [_("Search"), _("Times")], [(r["term"], r["n"]) for r in top]),
        Table(
            _("Searches that found nothing"), [_("Search"), _("Times")], [(r["term"], r["n"]) for r in empty]
        ),
    ]


def _issues(start: date, end: date, space: int | None) -> list[Table]:
    """The newsletters started in the period (the community's days), with the members who followed at
    least one of their links (clicks are counted once per member and link: mailings.NewsletterClick).
    Read from the issues themselves, not a rollup: a handful of rows a period."""
    issues = (
        Newsletter.objects.filter(in_range("started_at", start, end))
        .annotate(
            clickers=Count("links__clicks__member", distinct=True),
            clicks=Count("links__clicks"),
        )
        .order_by("-started_at")
        .values_list("subject", "started_at", "recipient_count", "clickers", "clicks")
    )
    rows = [
        (
            subject,
            started,
            recipients,
            clickers,
            f"{number_format(clickers / recipients * 100, 1)} %" if recipients else "—",
            clicks,
        )
        for subject, started, recipients, clickers, clicks in issues
    ]
    headers = [
        _("Issue"),
        _("Sent on"),
        _("Recipients"),
        _("Members who clicked"),
        _("Click rate"),
        _("Clicks"),
    ]
    return [Table(_("Newsletters of the period"), headers, rows)]


def ratio(numerator: str, denominator: str, scale: float = 1) -> Callable[[dict], float | None]:
    """A derived figure: one column's period figure divided by another's (None without a divisor)."""

    def divided(figures: dict) -> float | None:
        top, bottom = figures.get(numerator), figures.get(denominator)
        return top / bottom * scale if top is not None and bottom else None

    return divided


def _minutes(key: str, label: object, *, chart: bool = True) -> Column:
    """A daily median (or percentile) of minutes: the period's is weighted by the threads answered."""
    return Column(key, label, total="weighted", weight="answered", chart=chart)


# The reports --------------------------------------------------------------------------------------

REPORTS: dict[str, Report] = {}


def report_register(report: Report) -> None:
    REPORTS[report.key] = report


report_register(
    Report(
        key="members",
        title=_("Members"),
        definition=_(
            "Members: accounts created by the end of each day. New: accounts created that day. Active: "
            "members who opened at least one page that day (at most one record per member and day); over 7 "
            "and 30 days, those who came at least once in the 7 or 30 days ending that day. Stickiness is "
            "daily active members divided by those active in 30 days. Ambassadors and the team are counted "
            "when the day is rolled up. For the period: members and 7- or 30-day figures are those of its "
            "last day, daily active members its mean."
        ),
        columns=[
            Column("members_total", _("Members"), total="last"),
            Column("members_new", _("New members")),
            Column("active", _("Active that day"), total="mean"),
            Column("active_week", _("Active in 7 days"), total="last", chart=False),
            Column("active_month", _("Active in 30 days"), total="last"),
            Column("ambassadors", _("Ambassadors"), total="last", chart=False),
            Column("team", _("Community team"), total="last", chart=False),
        ],
        read=_members,
        derived=[
            (
                "stickiness",
                _("Stickiness (active that day ÷ in 30 days)"),
                ratio("active", "active_month", 100),
            )
        ],
    )
)
report_register(
    Report(
        key="content",
        title=_("Content"),
        definition=_(
            "Threads and posts published each day that are still visible (held, removed and deleted ones are "
            "not counted). Replies: posts after a thread's first. New contributors: members whose first post "
            "it was. Posts by the team (community managers), by new members (joined in the 30 days before "
            "the post) and by returning members (the others). Reactions given that day to visible posts."
        ),
        columns=[
            Column("threads", _("New threads")),
            Column("posts", _("Posts")),
            Column("replies", _("Replies")),
            Column("new_contributors", _("New contributors")),
            Column("posts_team", _("Posts by the team"), chart=False),
            Column("posts_newcomers", _("Posts by new members"), chart=False),
            Column("posts_returning", _("Posts by returning members"), chart=False),
            Column("reactions", _("Reactions"), chart=False),
            Column("helpful", _("Helpful reactions"), chart=False),
        ],
        read=_by_space(ContentDay),
        by_space=True,
        derived=[
            ("replies_per_thread", _("Replies per new thread"), ratio("replies", "threads")),
            ("helpful_per_post", _("Helpful reactions per 100 posts"), ratio("helpful", "posts", 100)),
        ],
    )
)
report_register(
    Report(
        key="responses",
        title=_("Answers"),
        definition=_(
            "For the threads started each day: those that got a reply from someone other than their author, "
            "the median and 90th percentile of the minutes to that first reply (the author's own replies "
            "are not replies), the median when the team's replies are left out too, the threads with no "
            "reply after 24 and 48 hours (counted once that much time has passed), and those with a best "
            "answer. For the period, the medians are the days' medians averaged, weighted by the threads "
            "they answered: an approximation of the period's median."
        ),
        columns=[
            Column("threads", _("Threads started")),
            Column("answered", _("Answered")),
            _minutes("first_median", _("Median minutes to a first reply")),
            _minutes("first_p90", _("90% answered within (minutes)"), chart=False),
            _minutes("member_median", _("Median minutes to a member's reply"), chart=False),
            Column("unanswered_24h", _("No reply after 24 h")),
            Column("unanswered_48h", _("No reply after 48 h"), chart=False),
            Column("solved", _("With a best answer"), chart=False),
        ],
        read=_by_space(ResponseDay),
        by_space=True,
        links=[(_("Threads waiting for an answer"), "reporting:threads-waiting", is_community_manager)],
        derived=[
            ("answered_share", _("Share answered (%)"), ratio("answered", "threads", 100)),
            ("solved_share", _("Share with a best answer (%)"), ratio("solved", "threads", 100)),
        ],
    )
)
report_register(
    Report(
        key="audience",
        title=_("Audience"),
        definition=_(
            "Page views: full pages opened on the site each day, known crawlers left out. Visitors: distinct "
            "signed-out visitors of the day, estimated from a hash salted with the day (no address is "
            "kept), so a visitor cannot be followed from one day to the next; the period's figure is the "
            "sum of the days'. Spaces by their threads' page views; searches as typed, lower-cased."
        ),
        columns=[Column("views", _("Page views")), Column("visitors", _("Visitors"))],
        read=_audience,
        tables=_audience_tables,
    )
)
report_register(
    Report(
        key="email",
        title=_("E-mail"),
        definition=_(
            "E-mails the platform sent each day (notifications, event news, statements of reasons, digests, "
            "newsletters), those that failed for good, those the provider reported bounced or marked as "
            "spam, and members who left a list that day (the newsletter, the digest, replies, mentions). "
            "Below, the newsletters started in the period, with the members who followed at least one of "
            "their links (a member's clicks on one link count once)."
        ),
        columns=[
            Column("sent", _("Sent")),
            Column("digests", _("Digests sent"), chart=False),
            Column("newsletters", _("Newsletters sent"), chart=False),
            Column("failed", _("Failed")),
            Column("bounced", _("Bounced")),
            Column("unsubscribed", _("Unsubscribed")),
        ],
        read=_email,
        tables=_issues,
    )
)


# Beyond this many days a page shows weeks, beyond a year months: a chart and table of 730 days are
# unreadable and cost more to render than the whole read (docs/benchmarks.md, "Reporting").
DAYS_SHOWN = 92


def grained(report: Report, days: list[dict]) -> tuple[list[dict], str]:
    """The period's rows as the page shows them: days, or weeks (from Monday) or months for a long
    period, each figure made from its days as the period's is (sums, last, means, weighted means).
    Reports whose rows are cohorts already are left as they are."""
    if report.row_label or len(days) <= DAYS_SHOWN:
        return days, "day"
    grain = "week" if len(days) <= 366 else "month"
    buckets: dict[date, list[dict]] = {}
    for day in days:
        moment = day["day"]
        start = moment - timedelta(days=moment.weekday()) if grain == "week" else moment.replace(day=1)
        buckets.setdefault(start, []).append(day)
    rows = [
        {"day": start, **{column.key: period_figure(column, members) for column in report.columns}}
        for start, members in buckets.items()
    ]
    return rows, grain


def report_days(report: Report, start: date, end: date, space: int | None) -> tuple[list[dict], list[dict]]:
    """The period's days and the previous period's (same length, just before), in one read."""
    length = (end - start).days + 1
    before = start - timedelta(days=length)
    rows = report.read(before, end, space)
    current = [{"day": day, **values} for day, values in rows.items() if day >= start]
    previous = [{"day": day, **values} for day, values in rows.items() if day < start]
    return current, previous
