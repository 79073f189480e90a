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
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import team_q
from accounts.roles import AMBASSADORS
from community.models import Post, PostState, Reaction, ReactionKind, Thread
from reporting.models import ContributorDay
from reporting.reports import Column, Report, Table, report_register
from reporting.services.rollups import in_range, theme_register

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
    return len(found)


theme_register("contributors", contributors_rollup)


# The report ---------------------------------------------------------------------------------------


def _read(start: date, end: date, space: int | None) -> dict[date, dict]:
    rows = (
        ContributorDay.objects.filter(day__gte=start, day__lte=end)
        .values("day")
        .annotate(
            contributors=Count("pk", filter=Q(posts__gt=0)),
            posts=Sum("posts"),
            helpful=Sum("helpful"),
            solutions=Sum("solutions"),
        )
        .order_by("day")
    )
    return {row["day"]: {key: value for key, value in row.items() if key != "day"} for row in rows}


def _top(start: date, end: date, space: int | None) -> list[Table]:
    """The period's top contributors by posts and by helpful reactions, with their role now (handles
    only: never an e-mail address)."""
    users = get_user_model().objects
    members = (
        ContributorDay.objects.filter(day__gte=start, day__lte=end)
        .values("member_id", "member__handle")
        .annotate(
            posts=Sum("posts"),
            helpful=Sum("helpful"),
            solutions=Sum("solutions"),
            team=Exists(users.filter(team_q(), pk=OuterRef("member_id"))),
            ambassador=Exists(users.filter(pk=OuterRef("member_id"), groups__name=AMBASSADORS)),
        )
    )
    headers = [_("Member"), _("Role"), _("Posts"), _("Helpful reactions received"), _("Best answers")]

    def table(title: object, order: str) -> Table:
        top = members.filter(**{f"{order}__gt": 0}).order_by(f"-{order}", "member__handle")[:TOP]
        rows = [
            (
                f"@{row['member__handle']}",
                _("Team") if row["team"] else _("Ambassador") if row["ambassador"] else "",
                row["posts"],
                row["helpful"],
                row["solutions"],
            )
            for row in top
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
        read=_read,
        tables=_top,
    )
)
