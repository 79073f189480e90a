"""The KPI e-mail to the marketing group: the headline figures of the week (or month) that just ended
beside the period before, sent once per period and member (mailings.Delivery is unique per kind, period
and member: a second run, or two at once, write nothing more), from MAILINGS_DIGEST_HOUR on the first day
of the next period in the community's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import MARKETING
from mailings.audiences import mailable_q
from mailings.models import Delivery
from mailings.services import deliveries_write
from reporting.reports import REPORTS, change, period_figure, report_days

EMAIL_KIND = "kpi_report"
lazy_number = lazy(number_format, str)
LIST_KEY = "kpi_report"

# The figures of the e-mail: (report, column or derived key, label).
HEADLINES = [
    ("members", "members_total", _("Members")),
    ("members", "members_new", _("New members")),
    ("members", "active", _("Active members a day")),
    ("content", "posts", _("Posts")),
    ("content", "threads", _("New threads")),
    ("responses", "answered_share", _("Threads answered (%)")),
    ("responses", "first_median", _("Median minutes to a first reply")),
    ("audience", "views", _("Page views")),
    ("audience", "visitors", _("Visitors")),
    ("satisfaction", "nps", _("Net Promoter Score")),
    ("satisfaction", "csat_mean", _("Mean satisfaction (1–5)")),
    ("health", "index", _("Health index")),
]


@dataclass(frozen=True)
class KpiPeriod:
    frequency: str
    start: date
    end: date  # inclusive

    @property
    def ref(self) -> str:
        return f"{self.frequency}:{self.start.isoformat()}"

    @classmethod
    def from_ref(cls, ref: str) -> KpiPeriod:
        frequency, start = ref.split(":", 1)
        first = date.fromisoformat(start)
        if frequency == "weekly":
            return cls(frequency, first, first + timedelta(days=6))
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return cls(frequency, first, following - timedelta(days=1))


def due_period(now: datetime, frequency: str) -> KpiPeriod | None:
    """The period that ended yesterday, when today is the first day of the next one and it is past the
    sending hour (community time); None otherwise."""
    local = timezone.localtime(now, timezone.get_default_timezone())
    today = local.date()
    if local.hour < settings.MAILINGS_DIGEST_HOUR:
        return None
    if frequency == "weekly" and today.weekday() == 0:
        return KpiPeriod.from_ref(f"weekly:{(today - timedelta(days=7)).isoformat()}")
    if frequency == "monthly" and today.day == 1:
        return KpiPeriod.from_ref(f"monthly:{(today - timedelta(days=1)).replace(day=1).isoformat()}")
    return None


def kpi_mail_queue(now: datetime | None = None) -> int:
    """Beat, every hour: write the period's KPI e-mail for every member of the marketing group."""
    frequency = settings.REPORTING_KPI_MAIL
    period = due_period(now or timezone.now(), frequency) if frequency else None
    if period is None:
        return 0
    members = User.objects.filter(mailable_q(), groups__name=MARKETING).values_list("pk", flat=True)
    return deliveries_write([Delivery(kind=EMAIL_KIND, ref=period.ref, member_id=pk) for pk in members])


def headlines(period: KpiPeriod, only: set[tuple[str, str]] | None = None) -> list[dict]:
    """Each headline figure of the period (or those of `only`, as (report, column) pairs), the one
    before and the change in percent: one query a report."""
    wanted = [line for line in HEADLINES if only is None or line[:2] in only]
    figures: dict[str, tuple[dict, dict]] = {}
    for key in {report for report, _key, _label in wanted if report in REPORTS}:
        report = REPORTS[key]
        days, previous = report_days(report, period.start, period.end, None)
        totals = [{c.key: period_figure(c, rows) for c in report.columns} for rows in (days, previous)]
        for rows in totals:
            rows.update({name: derive(rows) for name, _label, derive in report.derived})
        figures[key] = (totals[0], totals[1])
    lines = []
    for key, column, label in wanted:
        if key not in figures:
            continue
        now, before = figures[key][0].get(column), figures[key][1].get(column)
        if now is None and before is None:
            continue
        lines.append({"label": label, "value": now, "before": before, "change": change(now, before)})
    return lines


# The newsletter's "figures of the month": those a community is glad to show its members.
NEWSLETTER_FIGURES = [
    ("members", "members_total", _("Members")),
    ("members", "members_new", _("New members")),
    ("content", "posts", _("Posts")),
    ("responses", "answered_share", _("Threads answered (%)")),
]


def newsletter_figures(month: datetime) -> list[tuple[Any, str]]:
    """The month's figures for the newsletter (mailings.blocks.FIGURES): labels and numbers stay lazy,
    so each member reads them in their language ("12,345" or "12 345")."""
    period = KpiPeriod.from_ref(f"monthly:{month.date().replace(day=1).isoformat()}")
    shown = {(report, column) for report, column, _label in NEWSLETTER_FIGURES}
    found = {line["label"]: line["value"] for line in headlines(period, only=shown)}
    return [
        (label, lazy_number(round(found[label]), 0, None, True))
        for _report, _column, label in NEWSLETTER_FIGURES
        if found.get(label) is not None
    ]
