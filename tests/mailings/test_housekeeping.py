"""The e-mail log's housekeeping: delivery rows done and older than OUTBOX_RETENTION_DAYS go, in
batches; rows still to send, recent rows and the welcome's row stay; what the newsletter's status and
the e-mail report read from old rows stays the same once they are gone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from mailings.models import Delivery, DeliveryState, Newsletter, NewsletterState
from mailings.selectors import newsletter_status
from mailings.services import deliveries_prune
from mailings.services.newsletters import KIND as NEWSLETTER_KIND
from reporting.models import EmailDay
from reporting.services.rollups import email_rollup
from tests.concurrency import at_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def delivery(member, *, state: str, age_days: float, kind: str = "reply", ref: str = "", **moments):
    """A delivery row written age_days ago (and sent then, when it was sent)."""
    at = timezone.now() - timedelta(days=age_days)
    row = Delivery.objects.create(
        kind=kind, ref=ref or f"post:{Delivery.objects.count() + 1}", member=member, state=state
    )
    fields = {"created_at": at, "sent_at": at if state == DeliveryState.SENT else None, **moments}
    Delivery.objects.filter(pk=row.pk).update(**fields)
    return row


@pytest.fixture
def old() -> float:
    return settings.OUTBOX_RETENTION_DAYS + 1


def test_old_rows_done_go_and_recent_or_unsent_rows_stay(member, old):
    gone = [
        delivery(member, state=DeliveryState.SENT, age_days=old),
        delivery(member, state=DeliveryState.SKIPPED, age_days=old),
        delivery(member, state=DeliveryState.FAILED, age_days=old),
    ]
    kept = [
        delivery(member, state=DeliveryState.SENT, age_days=1),
        # Never sent yet, or waiting to be retried after a temporary failure, or being sent.
        delivery(member, state=DeliveryState.PENDING, age_days=old),
        delivery(member, state=DeliveryState.PENDING, age_days=old, last_error="SMTPServerDisconnected"),
        delivery(member, state=DeliveryState.SENDING, age_days=old),
        # Written long ago but sent, or bounced, within the retention.
        delivery(member, state=DeliveryState.SENT, age_days=old, sent_at=timezone.now() - timedelta(days=2)),
        delivery(member, state=DeliveryState.SENT, age_days=old, bounced_at=timezone.now()),
    ]

    assert deliveries_prune() == 3

    assert not Delivery.objects.filter(pk__in=[row.pk for row in gone]).exists()
    assert Delivery.objects.filter(pk__in=[row.pk for row in kept]).count() == len(kept)
    assert deliveries_prune() == 0
    assert Delivery.objects.count() == len(kept)


def test_the_welcome_row_is_kept_so_a_member_is_welcomed_once(member, old):
    welcome = delivery(member, kind="welcome", ref="welcome", state=DeliveryState.SENT, age_days=old)

    assert deliveries_prune() == 0
    assert Delivery.objects.filter(pk=welcome.pk).exists()


def test_a_batch_smaller_than_the_rows_still_prunes_them_all(member, old):
    for _n in range(7):
        delivery(member, state=DeliveryState.SENT, age_days=old)

    assert deliveries_prune(batch_size=2) == 7
    assert not Delivery.objects.exists()


def test_the_retention_follows_the_setting(member, settings):
    settings.OUTBOX_RETENTION_DAYS = 5
    delivery(member, state=DeliveryState.SENT, age_days=6)
    delivery(member, state=DeliveryState.SENT, age_days=4)

    assert deliveries_prune() == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_delete_each_row_once(old):
    member = UserFactory()
    for _n in range(40):
        delivery(member, state=DeliveryState.SENT, age_days=old)

    outcomes = at_once(lambda _run: deliveries_prune(batch_size=3), range(2))

    assert all(isinstance(n, int) for n in outcomes), outcomes
    assert sum(outcomes) == 40
    assert not Delivery.objects.exists()


def test_an_issue_keeps_its_figures_once_its_rows_are_pruned(community_manager, old):
    issue = Newsletter.objects.create(
        subject="Spring news", state=NewsletterState.SENT, recipient_count=5, created_by=community_manager
    )
    members = UserFactory.create_batch(5)
    states = [DeliveryState.SENT, DeliveryState.SENT, DeliveryState.SENT, DeliveryState.FAILED]
    for person, state in zip(members, states, strict=False):
        delivery(person, kind=NEWSLETTER_KIND, ref=str(issue.pk), state=state, age_days=old)
    Delivery.objects.filter(member=members[0]).update(bounced_at=timezone.now() - timedelta(days=old))
    delivery(members[4], kind=NEWSLETTER_KIND, ref=str(issue.pk), state=DeliveryState.SKIPPED, age_days=old)
    before = newsletter_status(issue)

    assert deliveries_prune(batch_size=2) == 5
    issue.refresh_from_db()

    after = newsletter_status(issue)
    assert (after.recipients, after.sent, after.failed, after.skipped, after.bounced, after.percent) == (
        5, 3, 1, 1, 1, 100
    )  # fmt: skip
    assert after == before
    assert deliveries_prune() == 0
    issue.refresh_from_db()
    assert newsletter_status(issue) == before


def test_the_email_report_keeps_the_figures_of_days_whose_rows_were_pruned(member, old):
    zone = timezone.get_default_timezone()
    old_day = timezone.localdate(timezone.now() - timedelta(days=old + 1), zone)
    recent_day = timezone.localdate(timezone.now() - timedelta(days=2), zone)
    for age in (old + 1, old + 1, 2):
        delivery(member, state=DeliveryState.SENT, age_days=age)
    email_rollup(old_day, recent_day)
    rolled = dict(EmailDay.objects.values_list("day", "sent"))
    assert rolled[old_day] == 2 and rolled[recent_day] == 1

    deliveries_prune()
    # A backfill over the whole range, as `kpi_backfill` does.
    email_rollup(old_day, recent_day)

    assert dict(EmailDay.objects.values_list("day", "sent")) == rolled


def test_a_day_never_rolled_up_is_rolled_up_from_the_rows_still_there(member, old):
    """Installing on a community whose log was never pruned: old days are rolled up all the same."""
    zone = timezone.get_default_timezone()
    old_day = timezone.localdate(timezone.now() - timedelta(days=old + 1), zone)
    delivery(member, state=DeliveryState.SENT, age_days=old + 1)

    email_rollup(old_day, old_day)

    assert EmailDay.objects.get(day=old_day).sent == 1
