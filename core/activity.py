"""What happens on the site each day, counted in Redis on the page and moved to the database by a beat
task (reporting.services.activity): members who came (a set: one write per member and day however many
pages), page views, visitors (a HyperLogLog of a salted hash: no address is stored, and the salt changes
every day), page views per space, searches and their results. Nothing leaves the server.

Apps call these from their views (the forum counts its searches, and its spaces' views in the round
trip that counts the thread's); they cost one Redis round trip and no database write. With Redis
away the counts are lost, never the page.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date

import redis
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_redis import get_redis_connection

logger = logging.getLogger(__name__)

PREFIX = "activity"
# A day's keys live this long in Redis: the flush runs every few minutes; this only bounds a long outage.
KEEP_SECONDS = 3 * 24 * 3600


def today() -> date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


def key(name: str, day: date) -> str:
    return cache.make_key(f"{PREFIX}:{name}:{day.isoformat()}")


def _redis() -> redis.Redis:
    return get_redis_connection("default")


def visitor_token(address: str, user_agent: str, day: date) -> str:
    """A visitor's anonymous token for one day: a hash salted with the secret key and the day, so it
    cannot be turned back into an address nor followed from one day to the next."""
    salted = f"{settings.SECRET_KEY}:{day.isoformat()}:{address}:{user_agent}"
    return hashlib.blake2b(salted.encode(), digest_size=12).hexdigest()


def page_viewed(*, member_id: int | None, visitor: str | None) -> None:
    """One page view: counted, and the member added to the day's set or the visitor to its estimate."""
    day = today()
    try:
        pipe = _redis().pipeline(transaction=False)
        pipe.hincrby(key("counters", day), "views", 1)
        if member_id is not None:
            pipe.sadd(key("members", day), member_id)
        elif visitor is not None:
            pipe.pfadd(key("visitors", day), visitor)
        for name in ("counters", "members", "visitors"):
            pipe.expire(key(name, day), KEEP_SECONDS)
        pipe.execute()
    except redis.RedisError:
        logger.warning("Redis unreachable: a page view was not counted")


def counter_add(pipe: redis.client.Pipeline, name: str, field: str, amount: int = 1) -> None:
    """Add to one of the day's named counters in a pipeline the caller sends (with its own counts)."""
    day_key = key(name, today())
    pipe.hincrby(day_key, field[:200], amount)
    pipe.expire(day_key, KEEP_SECONDS)


def counted(name: str, field: str, amount: int = 1) -> None:
    """Add to one of the day's named counters (a search term), in one round trip."""
    try:
        pipe = _redis().pipeline(transaction=False)
        counter_add(pipe, name, field, amount)
        pipe.execute()
    except redis.RedisError:
        logger.warning("Redis unreachable: %s was not counted", name)


SPACE_VIEWS = "space_views"


def search_made(term: str, results: int) -> None:
    """A search and whether it found anything (the terms, lower-cased, for "top searches")."""
    term = " ".join(term.lower().split())
    if term:
        counted("searches", term)
        if not results:
            counted("searches_empty", term)


def so_far_today() -> dict[str, int] | None:
    """Today's page views, visitors' estimate and members who came, read in one round trip (None when
    Redis is unreachable: the page then shows what the database knows)."""
    day = today()
    try:
        pipe = _redis().pipeline(transaction=False)
        pipe.hget(key("counters", day), "views")
        pipe.pfcount(key("visitors", day))
        pipe.scard(key("members", day))
        views, visitors, members = pipe.execute()
    except redis.RedisError:
        logger.warning("Redis unreachable: today's activity is not shown")
        return None
    return {"views": int(views or 0), "visitors": visitors, "members": members}
