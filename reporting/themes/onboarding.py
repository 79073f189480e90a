"""Onboarding funnel: how far the members who joined in a week went in their first 60 days.

A cohort is the members who joined in a week (Monday to Sunday, the community's days), the community
team left out; accounts deleted by housekeeping because their address was never confirmed are still
counted as signed up (community.PurgedSignupDay), so a cohort does not shrink when they go. The steps,
each counted whether or not the member took the ones before (they need not come in order):

1. signed up: the account was created that week;
2. e-mail confirmed: the address is verified now (allauth keeps no time of confirmation, so the step
   has no time and the next step's time is measured from signing up);
3. netiquette accepted: the first acceptance of any version;
4. introduced themselves: their introduction thread (MemberState.introduction), still visible;
5. welcomed: the first visible reply by someone else in that thread;
6. second post: their second visible post, anywhere;
7. still active after 30 days: came to the site (reporting.MemberDay) on one of days 30 to 59 after
   joining (day 0 is the day they joined), among the members whose 30th day has come.

A timed step counts when it happened within HORIZON (60 days) of joining, so that an old cohort's figures
stop changing and cohorts are compared over the same time. Hence the rollup of days [first_day,
last_day] recomputes the cohorts of the weeks from that of first_day - 60 days to that of last_day:
every cohort a change in those days can reach.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Post, PostState, Thread
from moderation.models import NetiquetteAcceptance
from reporting.models import MemberDay, OnboardingWeek
from reporting.reports import Column, Report, Table, period_figure, ratio, report_register, rollup_rows
from reporting.services.rollups import cohort_members, purged_signups, quantile, theme_register, week_of

HORIZON = timedelta(days=60)
ACTIVE_AFTER = timedelta(days=30)

STEPS = ["signed_up", "confirmed", "netiquette", "introduced", "welcomed", "second_post", "active_30d"]
# Each median's moments (earlier, later), and the count that weighs it over several cohorts.
TIMES = {
    "hours_netiquette": ("date_joined", "netiquette_at", "netiquette"),
    "hours_introduction": ("netiquette_at", "introduced_at", "introduced"),
    "hours_welcome": ("introduced_at", "welcomed_at", "welcomed"),
    "hours_second_post": ("welcomed_at", "second_post_at", "second_post"),
}


def _members_steps(first_week: date, last_week: date) -> list[dict]:
    """Each member of the cohorts with the moment of each step (None when not taken)."""
    visible = {"state": PostState.VISIBLE, "thread__state": PostState.VISIBLE}
    welcome = (
        Post.objects.filter(thread=OuterRef("intro"), position__gt=1, **visible)
        .exclude(author=OuterRef("pk"))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    second = Post.objects.filter(author=OuterRef("pk"), **visible).order_by("created_at", "pk")
    # Day 0 is the day of joining: days 30 to 59 come from that day on, in the community's days.
    later_visit = MemberDay.objects.filter(
        member=OuterRef("pk"),
        day__gte=OuterRef("joined_day") + ACTIVE_AFTER,
        day__lt=OuterRef("joined_day") + HORIZON,
    )
    return list(
        cohort_members(first_week, last_week)
        .annotate(intro=F("community_state__introduction"))
        .annotate(
            confirmed=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
            netiquette_at=Subquery(
                NetiquetteAcceptance.objects.filter(user=OuterRef("pk"))
                .order_by("accepted_at")
                .values("accepted_at")[:1]
            ),
            introduced_at=Subquery(
                Thread.objects.filter(pk=OuterRef("intro"), state=PostState.VISIBLE).values("created_at")
            ),
            welcomed_at=Subquery(welcome),
            second_post_at=Subquery(second.values("created_at")[1:2]),
            active_later=Exists(later_visit),
        )
        .values(
            "joined_day", "date_joined", "confirmed", "netiquette_at", "introduced_at", "welcomed_at",
            "second_post_at", "active_later",
        )
    )  # fmt: skip


def _hours(earlier: datetime, later: datetime) -> float:
    return (later - earlier).total_seconds() / 3600


def _cohort_row(week: date, members: list[dict], today: date, purged: dict[date, int]) -> OnboardingWeek:
    """The cohort's row; `purged` holds its accounts deleted unconfirmed, by day of joining, which
    count as signed up (and 30 days on, when their 30th day has come) and nothing else."""
    for member in members:
        # A step taken after the horizon is not counted (nor timed).
        limit = member["date_joined"] + HORIZON
        for moment in ("netiquette_at", "introduced_at", "welcomed_at", "second_post_at"):
            if member[moment] is not None and member[moment] >= limit:
                member[moment] = None
    reached = [m for m in members if m["joined_day"] + ACTIVE_AFTER <= today]
    week_days = [week + timedelta(days=n) for n in range(7)]
    purged_reached = sum(purged.get(day, 0) for day in week_days if day + ACTIVE_AFTER <= today)
    row = OnboardingWeek(
        week=week,
        signed_up=len(members) + sum(purged.get(day, 0) for day in week_days),
        confirmed=sum(1 for m in members if m["confirmed"]),
        netiquette=sum(1 for m in members if m["netiquette_at"]),
        introduced=sum(1 for m in members if m["introduced_at"]),
        welcomed=sum(1 for m in members if m["welcomed_at"]),
        second_post=sum(1 for m in members if m["second_post_at"]),
        reached_30d=len(reached) + purged_reached,
        active_30d=sum(1 for m in reached if m["active_later"]) if reached or purged_reached else None,
    )
    for field, (earlier, later, _weight) in TIMES.items():
        hours = sorted(_hours(m[earlier], m[later]) for m in members if m[earlier] and m[later])
        setattr(row, field, quantile(hours, 0.5))
    return row


def onboarding_rollup(first_day: date, last_day: date) -> int:
    """Per weekly cohort of sign-ups: how many members took each onboarding step, and the median hours
    between consecutive steps (see the module's docstring for the steps and the 60-day horizon). The
    cohorts of the weeks from that of first_day - 60 days to that of last_day are recomputed."""
    first_week, last_week = week_of(first_day - HORIZON), week_of(last_day)
    cohorts: dict[date, list[dict]] = defaultdict(list)
    for member in _members_steps(first_week, last_week):
        cohorts[week_of(member["joined_day"])].append(member)
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    weeks = [first_week + timedelta(weeks=n) for n in range((last_week - first_week).days // 7 + 1)]
    purged = purged_signups(first_week, last_week)
    rows = [_cohort_row(week, cohorts.get(week, []), today, purged) for week in weeks]
    OnboardingWeek.objects.filter(week__gte=first_week, week__lte=last_week).delete()
    OnboardingWeek.objects.bulk_create(rows)
    return len(rows)


theme_register("onboarding", onboarding_rollup)


# The report ---------------------------------------------------------------------------------------

STEP_LABELS = {
    "signed_up": _("Signed up"),
    "confirmed": _("E-mail confirmed"),
    "netiquette": _("Netiquette accepted"),
    "introduced": _("Introduced themselves"),
    "welcomed": _("Welcomed"),
    "second_post": _("Second post"),
    "active_30d": _("Still active after 30 days"),
}
TIME_LABELS = {
    "hours_netiquette": _("Signing up → netiquette"),
    "hours_introduction": _("Netiquette → introduction"),
    "hours_welcome": _("Introduction → welcome"),
    "hours_second_post": _("Welcome → second post"),
}
FIELDS = [*STEPS, "reached_30d", *TIMES]


def _read(start: date, end: date, space: int | None) -> dict[date, dict]:
    return rollup_rows(OnboardingWeek.objects.all(), start, end, FIELDS, key="week")


COLUMNS = [
    *[Column(step, STEP_LABELS[step]) for step in STEPS],
    Column("reached_30d", _("Members 30 days on"), chart=False),
]


TIME_COLUMNS = [
    Column(field, TIME_LABELS[field], total="weighted", weight=TIMES[field][2]) for field in TIMES
]


def _hours_cell(hours: float | None) -> object:
    return "—" if hours is None else round(hours, 1)


def _times_table(start: date, end: date, space: int | None) -> list[Table]:
    """The median hours between steps, week by week, and over the period: each week's median weighted by
    the members who took the later step."""
    cohorts = _read(start, end, space)
    rows: list[tuple] = [
        (week, *[_hours_cell(cohort[column.key]) for column in TIME_COLUMNS])
        for week, cohort in cohorts.items()
    ]
    period = [period_figure(column, list(cohorts.values())) for column in TIME_COLUMNS]
    rows.append((_("The period"), *[_hours_cell(hours) for hours in period]))
    headers = [_("Sign-up week"), *[column.label for column in TIME_COLUMNS]]
    return [Table(_("Median hours between steps"), headers, rows)]


report_register(
    Report(
        key="onboarding",
        title=_("Onboarding"),
        definition=_(
            "Members who joined in each week (Monday to Sunday; the community team left out), and how many "
            "of them took each step within 60 days of joining, whether or not they took the steps before: "
            "e-mail address confirmed (as it stands now: no time is kept for it), netiquette accepted, "
            "introduced themselves in the introductions space (the thread still visible), welcomed there "
            "by a visible reply from someone else, a second visible post anywhere, and still active after "
            "30 days: came to the site between the 30th and the 59th day after joining, among the members "
            "whose 30th day has come. The period shows the weeks that begin in it; recent weeks are still "
            "filling. Rates are each step divided by the members who signed up (the last one by those 30 "
            "days on). Median hours between steps are measured for the members who took both, from signing "
            "up for the netiquette; the welcome → second post one is negative when the second post came "
            "first. For several weeks, the medians are the weeks' medians weighted by the members who took "
            "the later step: an approximation."
        ),
        columns=COLUMNS,
        read=_read,
        tables=_times_table,
        derived=[
            (
                "confirmed_rate",
                _("E-mail confirmed, share of sign-ups (%)"),
                ratio("confirmed", "signed_up", 100),
            ),
            (
                "netiquette_rate",
                _("Netiquette accepted, share of sign-ups (%)"),
                ratio("netiquette", "signed_up", 100),
            ),
            (
                "introduced_rate",
                _("Introduced themselves, share of sign-ups (%)"),
                ratio("introduced", "signed_up", 100),
            ),
            ("welcomed_rate", _("Welcomed, share of sign-ups (%)"), ratio("welcomed", "signed_up", 100)),
            (
                "second_post_rate",
                _("Second post, share of sign-ups (%)"),
                ratio("second_post", "signed_up", 100),
            ),
            ("active_30d_rate", _("Still active after 30 days (%)"), ratio("active_30d", "reached_30d", 100)),
        ],
        row_label=_("Sign-up week"),
        rows_title=_("Week by week"),
    )
)
