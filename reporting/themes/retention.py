"""Retention cohorts: of the members who joined in a week, the share who came back in each week since.

A cohort is the members who joined in a week (Monday to Sunday, the community's days), the community
team left out; accounts deleted by housekeeping because their address was never confirmed stay in its
size (community.PurgedSignupDay). Week n since signing up is the calendar week n weeks after the
cohort's (week 0 is the week of joining itself); a member is active in it when they came to the site
(reporting.MemberDay) on one of its days. Weeks 0 to 12 are kept; a week not begun yet has no row (shown
empty, not 0 %), and the current week counts its days so far.

Activity on a day changes the cohorts of the 12 weeks before it, so the rollup of days [first_day,
last_day] recomputes the cohorts of the weeks from that of first_day - 12 weeks to that of last_day.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reporting.models import MemberDay, RetentionWeek
from reporting.reports import Column, Report, Table, report_register
from reporting.services.rollups import cohort_members, purged_signups, theme_register, week_of

WEEKS = 12
# Lower bounds (%) of the heat-map's shades 1 to 4 (below the first: shade 0).
SHADES = (10, 25, 50, 75)


def retention_rollup(first_day: date, last_day: date) -> int:
    """Per weekly cohort of sign-ups and week since (0 to 12, the weeks begun): the cohort's size and
    its members who came to the site in that week. Recomputes the cohorts of the weeks from that of
    first_day - 12 weeks to that of last_day."""
    tz = timezone.get_default_timezone()
    first_week, last_week = week_of(first_day) - timedelta(weeks=WEEKS), week_of(last_day)
    members = cohort_members(first_week, last_week)
    sizes = dict(
        members.annotate(cohort=TruncWeek("joined_day")).values_list("cohort").annotate(n=Count("pk"))
        .values_list("cohort", "n")
    )  # fmt: skip
    # Accounts deleted unconfirmed stay in their cohort's size (they never came back).
    for day, count in purged_signups(first_week, last_week).items():
        sizes[week_of(day)] = sizes.get(week_of(day), 0) + count
    visits = (
        MemberDay.objects.filter(
            member__in=members.values("pk"),
            day__gte=first_week,
            day__lt=last_week + timedelta(weeks=WEEKS + 1),
        )
        .annotate(cohort=TruncWeek(TruncDate("member__date_joined", tzinfo=tz)), week=TruncWeek("day"))
        .values_list("cohort", "week")
        .annotate(n=Count("member_id", distinct=True))
    )
    active = {(cohort, (week - cohort).days // 7): n for cohort, week, n in visits}
    this_week = week_of(timezone.localdate(timezone=tz))
    rows = [
        RetentionWeek(cohort_week=cohort, week_number=k, cohort_size=size, active=active.get((cohort, k), 0))
        for cohort, size in sizes.items()
        for k in range(WEEKS + 1)
        if cohort + timedelta(weeks=k) <= this_week
    ]
    RetentionWeek.objects.filter(cohort_week__gte=first_week, cohort_week__lte=last_week).delete()
    RetentionWeek.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


theme_register("retention", retention_rollup)


# The report ---------------------------------------------------------------------------------------


def _week_label(number: int) -> str:
    return gettext("Week %(number)d") % {"number": number}


week_label = lazy(_week_label, str)


def _read(start: date, end: date, space: int | None) -> dict[date, dict]:
    """{cohort week: {"cohort_size": n, "week_0": % active, …}}, the weeks not begun left out."""
    cohorts: dict[date, dict] = {}
    rows = (
        RetentionWeek.objects.filter(cohort_week__gte=start, cohort_week__lte=end)
        .order_by("cohort_week", "week_number")
        .values_list("cohort_week", "week_number", "cohort_size", "active")
    )
    for week, number, size, active in rows:
        cohort = cohorts.setdefault(week, {"cohort_size": size})
        cohort[f"week_{number}"] = round(active / size * 100, 1) if size else None
    return cohorts


def shade(percent: float) -> int:
    return sum(1 for bound in SHADES if percent >= bound)


def _heatmap(start: date, end: date, space: int | None) -> list[Table]:
    rows = []
    for week, cohort in _read(start, end, space).items():
        cells = [cohort.get(f"week_{k}") for k in range(WEEKS + 1)]
        # Whole percents, written here once rather than by a template filter in each of the cells.
        shown = [(None, None) if p is None else (f"{p:.0f} %", shade(p)) for p in cells]
        rows.append((week, cohort["cohort_size"], shown))
    headers = [_("Sign-up week"), _("Members"), *[week_label(k) for k in range(WEEKS + 1)]]
    return [
        Table(
            _("Share of each cohort active, week by week"), headers, rows, partial="reporting/_heatmap.html"
        )
    ]


report_register(
    Report(
        key="retention",
        title=_("Retention"),
        definition=_(
            "Members who joined in each week (Monday to Sunday; the community team left out), and the share "
            "of them who came to the site at least once in each of the 12 weeks after (week 0: the week "
            "they joined; week 1: the calendar week after, and so on). A week that has not begun is left "
            "empty, not counted as zero; the current week counts its days so far. The period shows the "
            "weeks that begin in it; for several weeks, each share is that of all their members together."
        ),
        columns=[
            # Shares only on the chart: a count would not share their axis.
            Column("cohort_size", _("Members who joined"), chart=False),
            *[
                Column(f"week_{k}", week_label(k), total="weighted", weight="cohort_size", chart=k in (1, 4))
                for k in range(WEEKS + 1)
            ],
        ],
        read=_read,
        tables=_heatmap,
        row_label=_("Sign-up week"),
        rows_title=_("Week by week"),
    )
)
