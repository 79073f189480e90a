"""Top contributors and ambassadors: per day and member, visible posts, helpful reactions received and
best answers.

- posts: the member's posts published that day and still visible (in a visible thread);
- helpful: "helpful" reactions given that day by someone else to the member's visible posts;
- solutions: the member's visible replies written that day that are now the best answer of a visible
  thread someone else started (a best answer keeps no time of marking: it counts on the answer's day).

A best answer may be marked, and a post removed, days after it was written: the rollup of days
[first_day, last_day] recomputes the days from first_day - 30 days (LATE) to last_day, so such changes
are caught for a month. The community team's posts are counted (the report shows who is in the team).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import team_q
from accounts.roles import AMBASSADORS
from community.models import Post, PostState, Reaction, ReactionKind, Thread
from reporting.models import ContributionDay, ContributorDay
from reporting.reports import Column, Report, Table, by_day, report_register
from reporting.services.rollups import days, in_range, theme_register

LATE = timedelta(days=30)
TOP = 20
COUNTS = ["posts", "helpful", "solutions"]


def contributors_rollup(first_day: date, last_day: date) -> int:
    """Per day and member with any: visible posts, helpful reactions received from others, best answers
    (see the module's docstring). Recomputes the days from first_day - 30 days to last_day."""
    tz = timezone.get_default_timezone()
    first_day -= LATE
    span = in_range("created_at", first_day, last_day)
    visible = Q(state=PostState.VISIBLE, thread__state=PostState.VISIBLE)
    posts = (
        Post.objects.filter(visible, span, author__isnull=False)
        .annotate(day=TruncDate("created_at", tzinfo=tz), member=F("author_id"))
        .values_list("day", "member")
        .annotate(n=Count("pk"))
    )
    helpful = (
        Reaction.objects.filter(
            span,
            kind=ReactionKind.HELPFUL,
            post__state=PostState.VISIBLE,
            post__thread__state=PostState.VISIBLE,
            post__author__isnull=False,
        )
        .exclude(user_id=F("post__author_id"))
        .annotate(day=TruncDate("created_at", tzinfo=tz), member=F("post__author_id"))
        .values_list("day", "member")
        .annotate(n=Count("pk"))
    )
    solutions = (
        Thread.objects.filter(
            in_range("solution__created_at", first_day, last_day),
            state=PostState.VISIBLE,
            solution__state=PostState.VISIBLE,
            solution__author__isnull=False,
        )
        .exclude(author_id=F("solution__author_id"))
        .annotate(day=TruncDate("solution__created_at", tzinfo=tz), member=F("solution__author_id"))
        .values_list("day", "member")
        .annotate(n=Count("pk"))
    )
    found: dict[tuple[date, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for field, rows in (("posts", posts), ("helpful", helpful), ("solutions", solutions)):
        for day, member, n in rows:
            found[(day, member)][field] = n
    ContributorDay.objects.filter(day__gte=first_day, day__lte=last_day).delete()
    ContributorDay.objects.bulk_create(
        [ContributorDay(day=day, member_id=member, **counts) for (day, member), counts in found.items()],
        batch_size=1000,
    )
    totals: dict[date, dict[str, int]] = {
        day: dict.fromkeys(["contributors", *COUNTS], 0) for day in days(first_day, last_day)
    }
    for (day, _member), counts in found.items():
        totals[day]["contributors"] += 1 if counts["posts"] else 0
        for field in COUNTS:
            totals[day][field] += counts[field]
    ContributionDay.objects.bulk_create(
        [ContributionDay(day=day, **counts) for day, counts in totals.items()],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["contributors", *COUNTS],
    )
    return len(found) + len(totals)


theme_register("contributors", contributors_rollup)


# The report ---------------------------------------------------------------------------------------


TOP_SQL = """
    WITH totals AS MATERIALIZED (
        SELECT member_id, sum(posts) AS posts, sum(helpful) AS helpful, sum(solutions) AS solutions
        FROM reporting_contributorday WHERE day BETWEEN %(start)s AND %(end)s GROUP BY member_id
    ), top AS (
        (SELECT 'posts' AS by, * FROM totals WHERE posts > 0 ORDER BY posts DESC, member_id LIMIT %(top)s)
        UNION ALL
        (SELECT 'helpful', * FROM totals WHERE helpful > 0 ORDER BY helpful DESC, member_id LIMIT %(top)s)
    )
    SELECT top.by, top.member_id, u.handle, top.posts, top.helpful, top.solutions
    FROM top JOIN accounts_user u ON u.id = top.member_id
    ORDER BY top.by, CASE WHEN top.by = 'posts' THEN top.posts ELSE top.helpful END DESC, top.member_id
"""


def _top(start: date, end: date, space: int | None) -> list[Table]:
    """The period's top contributors by posts and by helpful reactions, with their role now (handles
    only: never an e-mail address). The members' sums are made once for both lists (one scan of the
    period's rows; equal totals by seniority), then the handles and roles of the 40 at most are read."""
    with connection.cursor() as cursor:
        cursor.execute(TOP_SQL, {"start": start, "end": end, "top": TOP})
        found = cursor.fetchall()
    ids = {row[1] for row in found}
    users = get_user_model().objects
    team = set(users.filter(team_q(), pk__in=ids).values_list("pk", flat=True))
    ambassadors = set(users.filter(groups__name=AMBASSADORS, pk__in=ids).values_list("pk", flat=True))
    headers = [_("Member"), _("Role"), _("Posts"), _("Helpful reactions received"), _("Best answers")]

    def table(title: object, order: str) -> Table:
        rows = [
            (
                f"@{handle}",
                _("Team") if member in team else _("Ambassador") if member in ambassadors else "",
                posts,
                helpful,
                solutions,
            )
            for by, member, handle, posts, helpful, solutions in found
            if by == order
        ]
        return Table(title, headers, rows)

    return [
        table(_("Top contributors by posts"), "posts"),
        table(_("Top contributors by helpful reactions"), "helpful"),
    ]


report_register(
    Report(
        key="contributors",
        title=_("Contributors"),
        definition=_(
            "Contributors: members who published at least one post that day that is still visible (the "
            "community team included); for the period, the mean per day. Helpful reactions: those given "
            "that day by someone else to a member's visible posts. Best answers: visible replies written "
            "that day and now chosen as the best answer of a thread someone else started (the time of the "
            "choice is not kept: it counts on the answer's day; choices and removals are caught for 30 "
            "days). The top 20 of the period by posts and by helpful reactions, by their handle, show "
            "whether each is in the community team or an ambassador today."
        ),
        columns=[
            Column("contributors", _("Contributors"), total="mean"),
            Column("posts", _("Posts"), chart=False),
            Column("helpful", _("Helpful reactions received"), chart=False),
            Column("solutions", _("Best answers"), chart=False),
        ],
        read=by_day(ContributionDay, ["contributors", *COUNTS]),
        tables=_top,
    )
)
