"""The one way every e-mail is sent: each delivery row sent once, whatever workers, brokers and mail
servers do — two senders at once, a doubled Celery message, a worker killed mid-send, a stuck claim,
temporary and permanent SMTP errors, a rate per minute, and members who leave or are suspended
while a send runs."""

from __future__ import annotations

import signal
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from community.services.notifications import member_welcome
from mailings.messages import KINDS, MessageKind, kind_register
from mailings.models import Delivery, DeliveryState
from mailings.services import consent_record, deliveries_write
from mailings.services.delivery import deliveries_claim, deliveries_send
from mailings.tasks import deliveries_send as deliveries_send_task
from moderation.models import Sanction, SanctionKind
from tests.concurrency import at_once
from tests.conftest import running_worker
from tests.factories import UserFactory
from tests.mail import make_due, send_due
from tests.smtp_sink import SmtpServer


def welcomed(count: int) -> list:
    """Members each with a welcome e-mail waiting (a real kind, which a separate worker knows too)."""
    members = [UserFactory(email=f"member{n}@example.com") for n in range(count)]
    for member in members:
        member_welcome(user=member)
    return members


def states() -> dict[str, int]:
    found: dict[str, int] = {}
    for state in Delivery.objects.values_list("state", flat=True):
        found[state] = found.get(state, 0) + 1
    return found


@pytest.fixture
def bulk_kind():
    """A bulk e-mail that needs consent to the list "news" (like the newsletter), built in the test."""

    def build(rows):
        return {row.pk: EmailMessage(subject="News", body="Hello", to=[row.member.email]) for row in rows}

    kind_register(MessageKind(key="test_news", build=build, bulk=True, consent_list="news"))
    yield "test_news"
    KINDS.pop("test_news")


def bulk_rows(kind: str, members) -> None:
    deliveries_write([Delivery(kind=kind, ref="issue-1", member=member, priority=1) for member in members])


# In one process ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_three_senders_at_once_send_each_of_150_e_mails_once():
    welcomed(150)
    mail.outbox.clear()
    sent = at_once(lambda _n: deliveries_send(batch_size=7)[0], range(3))
    assert sum(sent) == 150 and all(isinstance(count, int) for count in sent)
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        f"member{n}@example.com" for n in range(150)
    )
    assert states() == {"sent": 150}


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_worker_is_taken_again_after_the_timeout_and_not_before(settings):
    settings.MAILINGS_CLAIM_TIMEOUT = 600
    welcomed(2)
    stuck, fresh = Delivery.objects.order_by("pk")
    Delivery.objects.filter(pk=stuck.pk).update(
        state="sending", claimed_at=timezone.now() - timedelta(hours=1)
    )
    Delivery.objects.filter(pk=fresh.pk).update(state="sending", claimed_at=timezone.now())
    mail.outbox.clear()
    assert send_due() == 1
    assert mail.outbox[0].to == [stuck.member.email]
    assert Delivery.objects.get(pk=fresh.pk).state == "sending"  # its worker may still be at it


@pytest.mark.django_db
def test_a_worker_thought_dead_that_comes_back_does_not_overwrite_the_new_claim():
    welcomed(1)
    [first] = deliveries_claim()
    Delivery.objects.filter(pk=first.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    [again] = deliveries_claim()  # taken again as stuck
    assert again.attempts == 2
    from mailings.services.delivery import _mark

    assert not _mark(first, DeliveryState.SENT)  # the first claim no longer holds the row
    assert _mark(again, DeliveryState.SENT)


@pytest.mark.django_db
def test_a_temporary_error_is_retried_later_and_a_refused_recipient_fails_at_once():
    welcomed(2)
    first, second = Delivery.objects.order_by("pk")
    errors = {
        first.member.email: smtplib.SMTPResponseException(421, b"Too busy, come back later"),
        second.member.email: smtplib.SMTPRecipientsRefused({second.member.email: (550, b"No such user")}),
    }

    def refuse(email):
        raise errors[email.to[0]]

    with mock.patch("django.core.mail.EmailMessage.send", refuse):
        assert send_due() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == "pending" and first.not_before > timezone.now() and "Too busy" in first.last_error
    assert second.state == "failed" and "No such user" in second.last_error
    make_due()
    mail.outbox.clear()
    assert send_due() == 1 and mail.outbox[0].to == [first.member.email]


@pytest.mark.django_db
def test_the_rate_per_minute_holds_across_runs(settings):
    settings.MAILINGS_RATE_PER_MINUTE = 5
    welcomed(12)
    assert deliveries_send(budget_seconds=1.5) == (5, True)
    assert deliveries_send(budget_seconds=0) == (0, True)
    assert states() == {"sent": 5, "pending": 7}
    Delivery.objects.filter(state="sent").update(sent_at=timezone.now() - timedelta(minutes=2))
    assert deliveries_send(budget_seconds=1.5)[0] == 5


@pytest.mark.django_db
def test_notifications_go_before_a_newsletter_being_sent(bulk_kind):
    readers = [UserFactory() for _ in range(3)]
    for reader in readers:
        consent_record(member_id=reader.pk, list_key="news", given=True, source="test")
    bulk_rows(bulk_kind, readers)
    welcomed(1)
    claimed = deliveries_claim(batch_size=2)
    assert [row.kind for row in claimed] == ["welcome", bulk_kind]


@pytest.mark.django_db
def test_members_who_leave_the_list_or_are_suspended_mid_send_get_nothing_more(bulk_kind):
    readers = [UserFactory() for _ in range(4)]
    for reader in readers:
        consent_record(member_id=reader.pk, list_key="news", given=True, source="signup")
    bulk_rows(bulk_kind, readers)
    leaving, suspended, closed = readers[1], readers[2], readers[3]
    consent_record(member_id=leaving.pk, list_key="news", given=False, source="one-click")
    Sanction.objects.create(
        user=suspended,
        kind=SanctionKind.SUSPENSION,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(days=3),
    )
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    mail.outbox.clear()
    assert send_due() == 1
    assert [email.to for email in mail.outbox] == [[readers[0].email]]
    skipped = dict(Delivery.objects.filter(state="skipped").values_list("member_id", "last_error"))
    assert "consent" in skipped[leaving.pk]
    assert "bulk" in skipped[suspended.pk] and "bulk" in skipped[closed.pk]


# With a real worker and a real SMTP server ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_loses_nothing_and_doubles_nothing(tmp_path):
    members = welcomed(6)
    victim = members[2]
    with SmtpServer() as smtp:
        smtp.sink.hold.add(victim.email)
        with running_worker(tmp_path, **smtp.env()) as worker:
            deliveries_send_task.apply_async(queue=worker.queue)
            assert smtp.sink.holding.wait(30), worker.output()
            worker.process.send_signal(signal.SIGKILL)  # in the middle of the third message
            worker.process.wait(10)
        smtp.sink.release.set()
        assert sorted(smtp.sink.recipients()) == sorted(m.email for m in members[:2])
        assert states() == {"sent": 2, "sending": 4}  # claimed by the dead worker
        # As if the claim timeout (MAILINGS_CLAIM_TIMEOUT) had passed since.
        Delivery.objects.filter(state="sending").update(claimed_at=F("claimed_at") - timedelta(hours=1))
        with running_worker(tmp_path, **smtp.env()) as worker:
            # The beat's next run, and the same message delivered twice.
            deliveries_send_task.apply_async(queue=worker.queue)
            deliveries_send_task.apply_async(queue=worker.queue)
            worker.wait_for(lambda: states() == {"sent": 6}, timeout=30, what="send the rest")
        assert sorted(smtp.sink.recipients()) == sorted(m.email for m in members)
        assert Delivery.objects.get(member=victim).attempts == 2


@pytest.mark.django_db(transaction=True)
def test_with_the_server_refusing_for_a_while_the_worker_sends_once_it_is_back(tmp_path):
    members = welcomed(3)
    with SmtpServer() as smtp:
        environment = {**smtp.env(), "EMAIL_PORT": "1"}  # nothing listens there: connection refused
        with running_worker(tmp_path, **environment) as worker:
            deliveries_send_task.apply_async(queue=worker.queue)
            worker.wait_for(
                lambda: not Delivery.objects.filter(attempts=0).exists(), what="try once and give up"
            )
        assert states() == {"pending": 3} and smtp.sink.recipients() == []
        make_due()
        with running_worker(tmp_path, **smtp.env()) as worker:
            deliveries_send_task.apply_async(queue=worker.queue)
            worker.wait_for(lambda: states() == {"sent": 3}, what="send them")
        assert sorted(smtp.sink.recipients()) == sorted(m.email for m in members)


@pytest.mark.django_db
def test_a_builder_that_fails_delays_its_kind_and_the_others_go_out(bulk_kind):
    def broken(rows):
        raise RuntimeError("the database went away")

    kind_register(MessageKind(key="test_broken", build=broken))
    try:
        [member] = welcomed(1)
        deliveries_write([Delivery(kind="test_broken", ref="x", member=member)])
        mail.outbox.clear()
        assert send_due() == 1  # the welcome
        broken_row = Delivery.objects.get(kind="test_broken")
        assert broken_row.state == "pending" and "went away" in broken_row.last_error
        assert broken_row.not_before > timezone.now()
    finally:
        KINDS.pop("test_broken")


@pytest.mark.django_db
def test_a_row_whose_worker_died_at_every_attempt_is_given_up():
    from mailings.services.delivery import MAX_ATTEMPTS

    welcomed(2)
    doomed, other = Delivery.objects.order_by("pk")
    stuck = timezone.now() - timedelta(hours=1)
    Delivery.objects.filter(pk=doomed.pk).update(state="sending", claimed_at=stuck, attempts=MAX_ATTEMPTS)
    assert send_due() == 1
    assert Delivery.objects.get(pk=doomed.pk).state == "failed"
    assert Delivery.objects.get(pk=other.pk).state == "sent"
