"""Every e-mail the platform sends goes this one way: a Delivery row, claimed, built, sent, marked.

Rows are written in the transaction of what causes them (a reply, a decision, a digest period, an issue
of the newsletter), unique per (kind, ref, member), and a send is queued after commit. Workers claim
pending rows with SKIP LOCKED and mark them "sending" with the claim's time, commit, send over one SMTP
connection, and mark each row sent right after the server accepted it. So:

- two workers, or a Celery message delivered twice, claim disjoint rows: nothing is sent twice;
- a lost message or a broker that was down: the beat's run every minute finds the rows still pending;
- a worker killed mid-send leaves its rows "sending": they are claimed again once CLAIM_TIMEOUT has
  passed (the row being sent at the kill is the only one that might have reached the server; its fixed
  Message-ID lets the receiving side recognise a repeat);
- a temporary SMTP error puts the row back with a growing delay; a permanent one fails it.

Suppression (bounces, complaints), consent (the newsletter's opt-in) and standing (bulk mail only) are
checked at send time, on the batch, so a member who leaves a list or is suspended mid-send gets nothing
from the rows not yet sent. The send rate is kept under MAILINGS_RATE_PER_MINUTE across all workers.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from anymail.exceptions import AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.tasks import DISPATCH_ERRORS
from mailings.audiences import members_excluded
from mailings.messages import KINDS
from mailings.models import TODO, Delivery, DeliveryState
from mailings.services.consent import members_consenting
from mailings.services.suppression import suppressed_addresses

logger = logging.getLogger(__name__)

BATCH = 100
MAX_ATTEMPTS = 8
# An advisory lock's key: claims are made one at a time when a send rate is set.
RATE_LOCK = 0x6D61696C
SMTP_ERRORS = (OSError, smtplib.SMTPException, AnymailError)


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.MAILINGS_CLAIM_TIMEOUT)


# Writing ------------------------------------------------------------------------------------------


def deliveries_write(rows: list[Delivery]) -> int:
    """Store e-mails to send, in the caller's transaction (a row already there is not written again),
    and queue a send right after commit. Returns how many rows were given."""
    if not rows:
        return 0
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    send_after_commit()
    return len(rows)


def send_after_commit() -> None:
    """Queue a send once the caller's transaction commits; with the broker down the beat sends later."""

    def dispatch() -> None:
        from mailings.tasks import deliveries_send  # The tasks module imports this one.

        try:
            deliveries_send.delay()
        except DISPATCH_ERRORS:
            logger.warning("Broker unreachable: e-mails left to the next minute's run", exc_info=True)

    transaction.on_commit(dispatch, robust=True)


# Claiming -----------------------------------------------------------------------------------------


def _todo_q(now) -> Q:
    stuck = Q(state=DeliveryState.SENDING, claimed_at__lt=now - claim_timeout())
    return (Q(state=DeliveryState.PENDING) | stuck) & Q(state__in=TODO, not_before__lte=now)


def _rate_allowance(now, wanted: int) -> int:
    """How many more may be claimed now without passing the per-minute rate (all workers together)."""
    rate = settings.MAILINGS_RATE_PER_MINUTE
    if not rate:
        return wanted
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RATE_LOCK])
    minute_ago = now - timedelta(minutes=1)
    recent = Delivery.objects.filter(
        Q(sent_at__gte=minute_ago) | Q(state=DeliveryState.SENDING, claimed_at__gte=minute_ago)
    ).count()
    return max(0, min(wanted, rate - recent))


def deliveries_claim(batch_size: int = BATCH) -> list[Delivery]:
    """Take up to batch_size rows due now (pending, or stuck in "sending" past the timeout), mark them
    "sending" with this claim's time, and commit: other workers skip them."""
    now = timezone.now()
    with transaction.atomic():
        allowed = _rate_allowance(now, batch_size)
        if not allowed:
            return []
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(_todo_q(now))
            .order_by("priority", "not_before", "id")
            .values_list("pk", flat=True)[:allowed]
        )
        if not ids:
            return []
        # A row whose worker died at each of its attempts (it may be what kills it) is given up.
        Delivery.objects.filter(pk__in=ids, attempts__gte=MAX_ATTEMPTS).update(
            state=DeliveryState.FAILED, last_error="failed: its worker died at every attempt"
        )
        Delivery.objects.filter(pk__in=ids, attempts__lt=MAX_ATTEMPTS).update(
            state=DeliveryState.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        claimed = Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENDING, claimed_at=now)
        return list(claimed.order_by("priority", "not_before", "id"))


# Sending ------------------------------------------------------------------------------------------


def _mark(row: Delivery, state: str, **fields) -> bool:
    """Record the outcome, if this claim still holds the row (a worker thought dead may come back)."""
    return bool(
        Delivery.objects.filter(pk=row.pk, state=DeliveryState.SENDING, claimed_at=row.claimed_at).update(
            state=state, **fields
        )
    )


def _skip(rows: Iterable[Delivery], reason: str) -> None:
    for row in rows:
        _mark(row, DeliveryState.SKIPPED, last_error=reason)


def _temporary(exc: Exception) -> bool:
    if isinstance(exc, AnymailRecipientsRefused | smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code < 500
    return isinstance(exc, SMTP_ERRORS)


def _failed(row: Delivery, exc: Exception, *, temporary: bool | None = None) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if (_temporary(exc) if temporary is None else temporary) and row.attempts < MAX_ATTEMPTS:
        # 1, 2, 4 … minutes, at most an hour: the provider or the network gets time to recover.
        delay = timedelta(minutes=min(60, 2 ** (row.attempts - 1)))
        _mark(row, DeliveryState.PENDING, last_error=error, not_before=timezone.now() + delay)
    else:
        _mark(row, DeliveryState.FAILED, last_error=error)
    logger.warning("E-mail %s failed (attempt %d): %s", row, row.attempts, error)


def _message_id(row: Delivery) -> str:
    # The same on every attempt, so a message repeated after a crash can be recognised downstream.
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">") or "localhost"
    return f"<agora.{row.pk}@{domain}>"


def _blocked(rows: list[Delivery]) -> dict[int, str]:
    """Rows that must not be sent now, and why: standing (bulk mail) and consent, in a few queries."""
    blocked: dict[int, str] = {}
    bulk = [row for row in rows if KINDS[row.kind].bulk]
    excluded = members_excluded({row.member_id for row in bulk})
    for row in bulk:
        if row.member_id in excluded:
            blocked[row.pk] = "skipped: the member may not receive bulk e-mail now"
    by_list: dict[str, list[Delivery]] = defaultdict(list)
    for row in rows:
        consent_list = KINDS[row.kind].consent_list
        if consent_list and row.pk not in blocked:
            by_list[consent_list].append(row)
    for list_key, listed in by_list.items():
        consenting = members_consenting(list_key, {row.member_id for row in listed})
        for row in listed:
            if row.member_id not in consenting:
                blocked[row.pk] = "skipped: no consent to this list"
    return blocked


def _build(rows: list[Delivery]) -> tuple[dict[int, EmailMessage | None], set[int]]:
    """Each kind's e-mails; a kind whose builder fails (the database away, a bug) is tried again later
    with the usual backoff, and the other kinds of the batch go out."""
    built: dict[int, EmailMessage | None] = {}
    failed: set[int] = set()
    by_kind: dict[str, list[Delivery]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    for kind, of_kind in by_kind.items():
        try:
            with transaction.atomic():  # a failed query must not spoil the marks that follow
                built.update(KINDS[kind].build(of_kind))
        except Exception as exc:  # noqa: BLE001 - recorded on the rows and retried
            for row in of_kind:
                _failed(row, exc, temporary=True)
                failed.add(row.pk)
    return built, failed


def deliveries_send_batch(rows: list[Delivery]) -> int:
    """Build and send claimed rows over one connection; returns how many were sent."""
    unknown = [row for row in rows if row.kind not in KINDS]
    _skip(unknown, "skipped: no e-mail of this kind is registered")
    rows = [row for row in rows if row.kind in KINDS]
    blocked = _blocked(rows)
    for row in rows:
        if row.pk in blocked:
            _mark(row, DeliveryState.SKIPPED, last_error=blocked[row.pk])
    rows = [row for row in rows if row.pk not in blocked]
    built, failed = _build(rows)
    rows = [row for row in rows if row.pk not in failed]
    suppressed = suppressed_addresses([address for email in built.values() if email for address in email.to])
    sent = 0
    mail = get_connection()
    try:
        # One connection for the batch; a message whose send fails opens it afresh.
        mail.open()
    except SMTP_ERRORS as exc:
        for row in rows:
            _failed(row, exc)
        return 0
    started = time.monotonic()
    try:
        for index, row in enumerate(rows):
            if time.monotonic() - started > claim_timeout().total_seconds() / 2:
                # A slow server: the rest goes back before another worker could take it as stuck.
                for rest in rows[index:]:
                    _mark(rest, DeliveryState.PENDING, attempts=F("attempts") - 1)
                break
            email = built.get(row.pk)
            if email is None:
                _mark(row, DeliveryState.SKIPPED, last_error="skipped: nothing left to tell the recipient")
                continue
            if any(address.strip().lower() in suppressed for address in email.to):
                _mark(row, DeliveryState.SKIPPED, last_error="skipped: the address is suppressed")
                continue
            email.extra_headers.setdefault("Message-ID", _message_id(row))
            email.connection = mail
            try:
                email.send()
            except Exception as exc:  # noqa: BLE001 - whatever the server says is recorded and retried
                _failed(row, exc)
                mail.close()  # a broken connection is opened afresh for the next message
                with contextlib.suppress(*SMTP_ERRORS):
                    mail.open()
                continue
            status = getattr(email, "anymail_status", None)
            provider_id = getattr(status, "message_id", None) if status is not None else None
            _mark(
                row,
                DeliveryState.SENT,
                sent_at=timezone.now(),
                last_error="",
                message_id=str(provider_id or email.extra_headers["Message-ID"])[:200],
            )
            sent += 1
    finally:
        mail.close()
    return sent


def deliveries_send(*, budget_seconds: float = 50, batch_size: int = BATCH) -> tuple[int, bool]:
    """Send what is due, batch after batch, for at most budget_seconds. Returns how many were sent and
    whether work was left (the task then queues its successor instead of waiting for the beat)."""
    started, sent = time.monotonic(), 0
    while time.monotonic() - started < budget_seconds:
        rows = deliveries_claim(batch_size)
        if not rows:
            if not settings.MAILINGS_RATE_PER_MINUTE or not _due_exists():
                return sent, False
            time.sleep(1)  # the rate is reached for this minute: wait for room
            continue
        sent += deliveries_send_batch(rows)
    return sent, _due_exists()


def _due_exists() -> bool:
    return Delivery.objects.filter(_todo_q(timezone.now())).exists()


def delivery_bounced(*, message_id: str) -> None:
    """A provider reported a bounce or complaint for one message: counted on its issue's status."""
    if message_id:
        Delivery.objects.filter(message_id=message_id, bounced_at__isnull=True).update(
            bounced_at=timezone.now()
        )
