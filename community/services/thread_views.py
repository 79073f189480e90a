"""Thread view counts: counted in Redis on the page, written to the database by a Celery beat task."""

from __future__ import annotations

import logging
import uuid

import redis
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django_redis import get_redis_connection

from community.models import Space, Thread
from core import activity

logger = logging.getLogger(__name__)

VIEWS_KEY = "community:thread-views"
VIEWS_BATCH = 1000


def _views_key() -> str:
    return cache.make_key(VIEWS_KEY)


def _redis() -> redis.Redis:
    """The cache's Redis connection (django-redis's public API): counters need HINCRBY and RENAME."""
    return get_redis_connection("default")


def thread_viewed(thread_id: int, space_id: int | None = None) -> None:
    """Count one view of the thread, and of its space for the day's audience (core.activity), in one
    Redis round trip; no database write on the page. A Redis outage loses the view, not the page."""
    try:
        pipe = _redis().pipeline(transaction=False)
        pipe.hincrby(_views_key(), str(thread_id), 1)
        if space_id is not None:
            activity.counter_add(pipe, activity.SPACE_VIEWS, str(space_id))
        pipe.execute()
    except redis.RedisError:
        logger.warning("Redis unreachable: a thread view was not counted")


def thread_views_flush() -> int:
    """Move the counted views into Thread.view_count; returns how many threads were updated.

    The hash is first RENAMEd to a key of this run, atomically: views counted meanwhile go to a fresh hash
    for the next run, so none is lost or applied twice. A run that died leaves its key behind; the next run
    claims it (again by RENAME, so only one run does) and applies it. Each batch of 1,000 threads is one
    UPDATE … FROM (VALUES …), and its fields leave the claimed hash right after it commits (a worker killed
    between that commit and that HDEL, one Redis round trip, would apply that one batch again).
    """
    client = _redis()
    base = _views_key()
    claimed = []
    for leftover in client.scan_iter(match=f"{base}:flushing:*", count=100):
        claimed.append(_claim(client, leftover))
    claimed.append(_claim(client, base))
    updated = 0
    for key in filter(None, claimed):
        counts = [
            (int(field), int(value))
            for field, value in client.hgetall(key).items()
            if field.isdigit() and int(value) > 0
        ]
        for start in range(0, len(counts), VIEWS_BATCH):
            batch = counts[start : start + VIEWS_BATCH]
            with transaction.atomic():
                updated += _add_views(batch)
            client.hdel(key, *[str(thread_id) for thread_id, _ in batch])
        client.delete(key)
    return updated


def _claim(client: redis.Redis, key: str | bytes) -> str | None:
    target = f"{_views_key()}:flushing:{uuid.uuid4().hex}"
    try:
        client.rename(key, target)
    except redis.ResponseError:  # No such key: nothing counted, or another run claimed it first.
        return None
    return target


def _add_views(batch: list[tuple[int, int]]) -> int:
    values = ", ".join(["(%s::bigint, %s::bigint)"] * len(batch))
    params = [number for pair in batch for number in pair]
    table = Thread._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET view_count = t.view_count + v.views "  # noqa: S608 - no user input
            f"FROM (VALUES {values}) AS v(id, views) WHERE t.id = v.id",
            params,
        )
        updated = cursor.rowcount
    # Lists show the view counts: their spaces' shared pages are rendered afresh (once a minute at most).
    threads = [thread_id for thread_id, _views in batch]
    Space.objects.filter(threads__pk__in=threads).update(version=F("version") + 1)
    return updated
