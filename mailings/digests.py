"""The digest: what a member missed, at the frequency they chose, at a sensible hour where they live.

Every quarter of an hour `digests_queue` looks, per time zone members live in, whether a period just
ended there (a day, a week from Monday, a month) and it is past DIGEST_HOUR locally; it then writes one
Delivery row per (member, period) for the members who chose that frequency, have a confirmed address
and have not come to the site since the period began — in batches, by member id, `ON CONFLICT DO
NOTHING`, so a rerun, two beats or a crash in the middle write each row once. The engine builds each
batch at send time (`digest_build`) with the blocks content apps registered: the shared parts once per
set of readable spaces, the member's own parts in a few queries for the whole batch. A member with
nothing new, or who came to the site since, is skipped then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.timezones import time_zone
from mailings.audiences import mailable_q
from mailings.blocks import Period, digest_blocks
from mailings.models import Delivery
from mailings.render import bulk_email
from mailings.services.delivery import deliveries_write

logger = logging.getLogger(__name__)

KIND = "digest"
LIST = "digest"
BATCH = 1000
# How long after the period's end a late beat still sends it (beyond that, the next period's digest).
WINDOW = timedelta(hours=16)

# Which members chose a frequency, as a filter on users: registered by community, which keeps the
# member's choice with their other e-mail preferences.
FREQUENCY: dict[str, Callable[[str], Q]] = {}


def frequency_register(members_q: Callable[[str], Q]) -> None:
    FREQUENCY["members_q"] = members_q


def period_ending(frequency: str, local_now: datetime) -> tuple[date, date] | None:
    """The local dates [start, end) of the last period of this frequency, if it ended today."""
    today = local_now.date()
    if frequency == "daily":
        return today - timedelta(days=1), today
    if frequency == "weekly" and today.weekday() == 0:
        return today - timedelta(days=7), today
    if frequency == "monthly" and today.day == 1:
        return (today - timedelta(days=1)).replace(day=1), today
    return None


def due_period(frequency: str, zone_name: str, now: datetime) -> Period | None:
    """The period whose digest is due now in this zone: ended today locally, and it is past the hour."""
    zone = time_zone(zone_name)
    local_now = now.astimezone(zone)
    dates = period_ending(frequency, local_now)
    if dates is None:
        return None
    start, end = (datetime.combine(day, datetime.min.time(), tzinfo=zone) for day in dates)
    send_from = end + timedelta(hours=settings.MAILINGS_DIGEST_HOUR)
    if not send_from <= local_now < send_from + WINDOW:
        return None
    return Period(start=start, end=end, frequency=frequency)


def period_ref(period: Period) -> str:
    return f"{period.frequency}:{period.start.date().isoformat()}"


def period_from_ref(ref: str, zone_name: str) -> Period:
    frequency, day = ref.split(":", 1)
    zone = time_zone(zone_name)
    start = datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=zone)
    if frequency == "daily":
        end = start + timedelta(days=1)
    elif frequency == "weekly":
        end = start + timedelta(days=7)
    else:
        following = (start.date().replace(day=28) + timedelta(days=4)).replace(day=1)
        end = datetime.combine(following, datetime.min.time(), tzinfo=zone)
    return Period(start=start, end=end, frequency=frequency)


def _zones() -> list[str]:
    from accounts.models import User

    return sorted(set(User.objects.filter(is_active=True).values_list("time_zone", flat=True).distinct()))


def digests_queue(*, now: datetime | None = None, batch_size: int = BATCH) -> int:
    """Write the rows of every digest due now; returns how many rows were given (existing ones are
    left as they are, so a rerun adds nothing)."""
    from accounts.models import User

    if "members_q" not in FREQUENCY:
        return 0
    now = now or timezone.now()
    written = 0
    for zone_name in _zones():
        for frequency in ("daily", "weekly", "monthly"):
            period = due_period(frequency, zone_name, now)
            if period is None:
                continue
            ref = period_ref(period)
            queued = Delivery.objects.filter(kind=KIND, ref=ref, member=OuterRef("pk"))
            members = (
                User.objects.filter(mailable_q(), FREQUENCY["members_q"](frequency), time_zone=zone_name)
                .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=period.start))
                .exclude(Exists(queued))
                .order_by("pk")
            )
            last = 0
            while True:
                ids = list(members.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size])
                if not ids:
                    break
                with transaction.atomic():
                    written += deliveries_write(
                        [Delivery(kind=KIND, ref=ref, member_id=pk, priority=1) for pk in ids]
                    )
                last = ids[-1]
    return written


def digest_build(rows: list[Delivery]) -> dict[int, EmailMessage | None]:
    """The digests of a batch of rows, as the engine asks: None for a member with nothing new, who came
    to the site since the period began, or who changed their frequency since."""
    from accounts.models import User

    members = {member.pk: member for member in User.objects.filter(pk__in=[row.member_id for row in rows])}
    built: dict[int, EmailMessage | None] = {row.pk: None for row in rows}
    # Rows of one period in zones of the same offset (Paris and Berlin) share their blocks' queries.
    by_period: dict[tuple[str, datetime, datetime], tuple[Period, list[Delivery]]] = {}
    for row in rows:
        member = members.get(row.member_id)
        if member is not None:
            period = period_from_ref(row.ref, member.time_zone)
            key = (row.ref, period.start, period.end)
            by_period.setdefault(key, (period, []))[1].append(row)
    blocks = digest_blocks()
    for period, of_period in by_period.values():
        still = set(
            User.objects.filter(
                FREQUENCY["members_q"](period.frequency), pk__in=[row.member_id for row in of_period]
            )
            .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=period.start))
            .values_list("pk", flat=True)
        )
        batch = [members[row.member_id] for row in of_period if row.member_id in still]
        contents = {block.key: block.build(batch, period) for block in blocks}
        for row in of_period:
            member = members[row.member_id]
            if member.pk not in still:
                continue
            parts = [
                (block, contents[block.key][member.pk])
                for block in blocks
                if member.pk in contents[block.key]
            ]
            if not any(block.news for block, _context in parts):
                continue  # nothing new: no digest this time
            context = {
                "period": period,
                "blocks": [
                    {"html": f"{block.template}.html", "text": f"{block.template}.txt", **context}
                    for block, context in parts
                ],
            }
            built[row.pk] = bulk_email(member, "mailings/email/digest", context, list_key=LIST)
    return built
