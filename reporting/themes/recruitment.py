"""Recruitment: invitation links created, and the members who joined each day by where they came from —
invited by the community team, referred by another member, or on their own — with the referrers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from community.models import Invitation
from reporting.models import RecruitmentDay, ReferrerDay
from reporting.reports import Column, Report, Table, by_day, ratio, report_register
from reporting.services.rollups import count_by_day, days, team_ids, theme_register

FIGURES = ["links", "signups", "invited", "from_team", "referral", "direct"]


def recruitment_rollup(first_day: date, last_day: date) -> int:
    """Per day: invitation links created; members who joined (accounts created), by source: "invitation"
    (the inviter is in the community team), "referral" (any other member invited them), "direct" (no
    inviter: an inviter whose account was deleted leaves the member counted here); sign-ups through an
    invitation are the first two. Per referrer outside the team: the sign-ups they brought. The team is
    the team when the day is rolled up (roles keep no history)."""
    links = count_by_day(Invitation.objects.all(), "created_at", first_day, last_day)
    joined = count_by_day(
        get_user_model().objects.all(), "date_joined", first_day, last_day, "community_state__invited_by_id"
    )
    team = team_ids()
    figures = {day: dict.fromkeys(FIGURES, 0) for day in days(first_day, last_day)}
    referrers: dict[tuple[date, int], int] = defaultdict(int)
    for (day, inviter), n in joined.items():
        source = "direct" if inviter is None else "from_team" if inviter in team else "referral"
        figures[day][source] += n
        figures[day]["signups"] += n
        if source == "referral":
            referrers[(day, inviter)] += n
    for day, counts in figures.items():
        counts["links"] = links.get(day, 0)
        counts["invited"] = counts["from_team"] + counts["referral"]
    RecruitmentDay.objects.bulk_create(
        [RecruitmentDay(day=day, **counts) for day, counts in figures.items()],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=FIGURES,
    )
    ReferrerDay.objects.filter(day__gte=first_day, day__lte=last_day).delete()
    ReferrerDay.objects.bulk_create(
        [ReferrerDay(day=day, referrer_id=referrer, signups=n) for (day, referrer), n in referrers.items()]
    )
    return len(figures) + len(referrers)


theme_register("recruitment", recruitment_rollup)


# The report ---------------------------------------------------------------------------------------

TOP = 10


def _tables(start: date, end: date, space: int | None) -> list[Table]:
    """The period's top referrers by handle, and the mean sign-ups per referrer: two queries."""
    period = ReferrerDay.objects.filter(day__gte=start, day__lte=end)
    top = (
        period.values("referrer__handle").annotate(n=Sum("signups")).order_by("-n", "referrer__handle")[:TOP]
    )
    overall = period.aggregate(signups=Sum("signups"), referrers=Count("referrer", distinct=True))
    mean = round(overall["signups"] / overall["referrers"], 1) if overall["referrers"] else "—"
    return [
        Table(
            _("Top referrers"),
            [_("Member"), _("Sign-ups they brought")],
            [(f"@{row['referrer__handle']}", row["n"]) for row in top],
        ),
        Table(
            _("Referrals per referrer"),
            [_("Members who referred at least one"), _("Sign-ups they brought"), _("Mean per referrer")],
            [(overall["referrers"], overall["signups"] or 0, mean)] if overall["referrers"] else [],
        ),
    ]


report_register(
    Report(
        key="recruitment",
        title=_("Recruitment"),
        definition=_(
            "Invitation links: links created that day, by members or the team. Sign-ups: accounts created "
            "that day, by source: invited by the community team (its link), referred by another member, or "
            "direct (no inviter; also when the inviter's account was deleted). Sign-ups through an "
            "invitation are the first two. Top referrers: members outside the team, by the sign-ups their "
            "links brought in the period; the mean is those sign-ups divided by the members who brought at "
            "least one. The team is the team when the day was rolled up."
        ),
        columns=[
            Column("links", _("Invitation links created")),
            Column("signups", _("Sign-ups")),
            Column("invited", _("Sign-ups through an invitation")),
            Column("from_team", _("Invited by the team"), chart=False),
            Column("referral", _("Referred by a member")),
            Column("direct", _("Direct")),
        ],
        read=by_day(RecruitmentDay, FIGURES),
        tables=_tables,
        derived=[("invited_share", _("Share through an invitation (%)"), ratio("invited", "signups", 100))],
    )
)
