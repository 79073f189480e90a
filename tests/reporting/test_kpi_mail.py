"""The weekly KPI e-mail to the marketing group: once per week and member, the week beside the one before."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from mailings.models import Delivery
from mailings.services.consent import consent_record
from reporting.models import DailyKPI
from reporting.services.kpi_mail import LIST_KEY, KpiPeriod, due_period, kpi_mail_queue, newsletter_figures
from tests.concurrency import at_once
from tests.mail import send_due

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2026, 11, 30, 9, tzinfo=PARIS)


def test_the_week_is_due_on_monday_morning_and_the_month_on_the_first():
    assert due_period(MONDAY, "weekly") == KpiPeriod("weekly", date(2026, 11, 23), date(2026, 11, 29))
    assert due_period(MONDAY.replace(hour=7), "weekly") is None  # before the sending hour
    assert due_period(MONDAY + timedelta(days=1), "weekly") is None
    first = datetime(2026, 12, 1, 9, tzinfo=PARIS)
    assert due_period(first, "monthly") == KpiPeriod("monthly", date(2026, 11, 1), date(2026, 11, 30))
    assert KpiPeriod.from_ref("monthly:2026-02-01").end == date(2026, 2, 28)


@pytest.fixture
def two_weeks():
    """Members: 100 at the end of the week before, 120 at the end of last week; 14 then 21 new."""
    for n in range(14):
        day = date(2026, 11, 16) + timedelta(days=n)
        DailyKPI.objects.create(day=day, members_total=100 if n < 7 else 120, members_new=2 if n < 7 else 3)


def test_marketing_gets_the_weeks_figures_once_beside_the_week_before(
    marketing, member, community_manager, two_weeks
):
    assert kpi_mail_queue(MONDAY) == 1
    assert kpi_mail_queue(MONDAY + timedelta(hours=1)) == 1  # the same row again: written once
    assert Delivery.objects.filter(kind="kpi_report").count() == 1

    assert send_due() == 1
    email = mail.outbox[0]
    assert email.to == [marketing.email]
    assert "week of 11/23/2026" in email.subject
    # Members 120 (before: 100, +20 %); new members 21 (before: 14, +50 %).
    assert "Members: 120 (20.0 % (before: 100))" in email.body
    assert "New members: 21 (50.0 % (before: 14))" in email.body
    assert "start=2026-11-23&end=2026-11-29" in email.body


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_queue_one_email(marketing):
    at_once(lambda _n: kpi_mail_queue(MONDAY), range(2))
    assert Delivery.objects.filter(kind="kpi_report", member=marketing).count() == 1


def test_a_member_who_stopped_the_report_gets_nothing(marketing, two_weeks):
    kpi_mail_queue(MONDAY)
    consent_record(member_id=marketing.pk, list_key=LIST_KEY, given=False, source="one-click")
    assert send_due() == 0 and not mail.outbox


def test_no_report_when_it_is_switched_off(settings, marketing):
    settings.REPORTING_KPI_MAIL = ""
    assert kpi_mail_queue(MONDAY) == 0


def test_the_newsletter_shows_the_figures_of_the_month(two_weeks):
    figures = [
        (str(label), value) for label, value in newsletter_figures(datetime(2026, 11, 1, tzinfo=PARIS))
    ]
    # November so far: 120 members at the end, 7 × 2 + 7 × 3 = 35 new; no content rolled up.
    assert figures == [("Members", "120"), ("New members", "35")]
