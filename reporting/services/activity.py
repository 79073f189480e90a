"""The day's activity counted in Redis (core/activity.py), written to the database every few minutes.

Redis holds each day's running totals (views, visitors' estimate, space views, searches) and the set of
members who came; the flush writes the absolute values of today and yesterday with upserts and inserts
the members' days with ON CONFLICT DO NOTHING. So a flush run twice, two at once or after a crash
writes the same rows, and nothing counted is applied twice. Keys expire after three days.
"""

from __future__ import annotations

from datetime import date, timedelta

import redis
from django.db import transaction
from django_redis import get_redis_connection

from accounts.models import User
from community.models import Space
from core import activity
from reporting.models import MemberDay, SearchDay, SpaceDay, TrafficDay

BATCH = 1000


def _ints(mapping: dict) -> dict[str, int]:
    return {
        (field.decode() if isinstance(field, bytes) else field): int(value)
        for field, value in mapping.items()
    }


def _day_flush(client: redis.Redis, day: date) -> int:
    counters = _ints(client.hgetall(activity.key("counters", day)))
    visitors = client.pfcount(activity.key("visitors", day))
    written = 0
    with transaction.atomic():
        if counters or visitors:
            TrafficDay.objects.update_or_create(
                day=day, defaults={"views": counters.get("views", 0), "visitors": visitors}
            )
            written += 1
        spaces = {
            int(k): v for k, v in _ints(client.hgetall(activity.key(activity.SPACE_VIEWS, day))).items()
        }
        existing = set(Space.objects.filter(pk__in=spaces).values_list("pk", flat=True))
        SpaceDay.objects.bulk_create(
            [SpaceDay(day=day, space_id=pk, views=views) for pk, views in spaces.items() if pk in existing],
            update_conflicts=True,
            unique_fields=["day", "space"],
            update_fields=["views"],
        )
        searches = _ints(client.hgetall(activity.key("searches", day)))
        empty = _ints(client.hgetall(activity.key("searches_empty", day)))
        SearchDay.objects.bulk_create(
            [
                SearchDay(day=day, term=term, searches=n, empty=empty.get(term, 0))
                for term, n in searches.items()
            ],
            update_conflicts=True,
            unique_fields=["day", "term"],
            update_fields=["searches", "empty"],
            batch_size=BATCH,
        )
    members = [int(m) for m in client.sscan_iter(activity.key("members", day), count=BATCH)]
    for start in range(0, len(members), BATCH):
        # A member who deleted their account since is left out (the row would point nowhere).
        still = User.objects.filter(pk__in=members[start : start + BATCH]).values_list("pk", flat=True)
        MemberDay.objects.bulk_create(
            [MemberDay(day=day, member_id=pk) for pk in still], ignore_conflicts=True
        )
    return written + len(members)


def activity_flush() -> int:
    """Write yesterday's and today's activity (yesterday's last minutes arrive after midnight)."""
    client = get_redis_connection("default")
    today = activity.today()
    return sum(_day_flush(client, day) for day in (today - timedelta(days=1), today))


# Members' days are kept for 13 months (a year's retention and the same month a year before), no longer.
MEMBER_DAYS_KEPT = timedelta(days=400)


def activity_purge() -> int:
    """Forget the members' days older than MEMBER_DAYS_KEPT (the privacy notice says so); the day's
    totals rolled up from them stay, and name no one."""
    deleted, _by_model = MemberDay.objects.filter(day__lt=activity.today() - MEMBER_DAYS_KEPT).delete()
    return deleted
