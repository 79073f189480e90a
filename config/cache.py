"""Django's Redis cache, keeping one client object per connection pool.

Django builds a new `redis.Redis` for every cache call; building one copies redis-py's table of
response callbacks, about 0.2 ms — several times per page. The client is thread-safe and its pool
already holds the connections (and reopens them after a fork), so one client per pool is enough.
`get_many_piped` sends other commands in the round trip of a get_many (a hot page's counters). These
methods take keys built by the project's code, never from input: they skip Django's check of each
character of each key (a Python loop, 3 % of a kept thread page).
"""

import logging
import uuid
from collections.abc import Callable

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction
from redis.client import Pipeline
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class _ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options) -> None:
        super().__init__(servers, **options)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


# Reads a key it is not given (the prefix and the reference's value): fine on one Redis, not on a cluster.
_GET_WITH_REFERENCE = """
local first = redis.call('GET', KEYS[1])
local reference = redis.call('GET', KEYS[2])
local second = false
if reference then second = redis.call('GET', ARGV[1] .. reference) end
return {first, reference, second}
"""


class AgoraRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _ReusedClientRedisCacheClient
        self._scripts: dict = {}

    def get_many_piped(self, keys: list[str], also: Callable[[Pipeline], None]) -> dict:
        """get_many(), with the commands `also(pipeline)` queues sent in the same round trip."""
        made = {self.make_key(key): key for key in keys}
        pipeline = self._cache.get_client(write=True).pipeline(transaction=False)
        also(pipeline)
        pipeline.mget(list(made))
        values = pipeline.execute()[-1]
        loads = self._cache._serializer.loads
        return {made[key]: loads(value) for key, value in zip(made, values, strict=True) if value is not None}

    def get_with_reference(self, key: str, reference: str, prefix: str) -> tuple:
        """The values under `key` and `reference`, and the value under `prefix` followed by the
        reference's value: one round trip (a Lua script) for what would take two."""
        client = self._cache.get_client()
        script = self._script(client, _GET_WITH_REFERENCE)
        made = [self.make_key(name) for name in (key, reference, prefix)]
        loads = self._cache._serializer.loads
        values = script(keys=made[:2], args=[made[2]])
        return tuple(None if value is None else loads(value) for value in values)

    def _script(self, client, source: str):
        script = self._scripts.get((id(client), source))
        if script is None:
            script = self._scripts[id(client), source] = client.register_script(source)
        return script

    def set_if_unchanged(self, key: str, seen: object, value: object, timeout: int) -> bool:
        """Set `key` if it still holds `seen` (None: nothing), atomically (a Lua script)."""
        client = self._cache.get_client(write=True)
        script = self._script(client, _KEEP_IF_UNCHANGED)
        dumps = self._cache._serializer.dumps
        expected = b"" if seen is None else dumps(seen)
        return bool(script(keys=[self.make_key(key)], args=[expected, dumps(value), timeout]))


# Read-through copies of database rows, kept in Redis for the hottest signed-in page (a kept thread page
# costs no SQL). A write replaces the copy by a new mark, before and again after its commit; a reader keeps
# what it read from the database only if the key still holds what the reader saw there (nothing, or the
# same mark). A reader that read the row before a commit therefore cannot put it back after the commit's
# mark, and a copy is kept again on the first read after it.
CHANGED = "changed:"
MARK_SECONDS = 3600
# How long a copy lives, changed or not.
COPY_SECONDS = 600
_KEEP_IF_UNCHANGED = """
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  return redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return false
"""


def copy_changed(*keys: str) -> None:
    """Mark copies changed now and again once the caller's transaction commits."""
    from django.core.cache import cache

    if not keys:
        return

    def mark() -> None:
        try:
            cache.set_many({key: CHANGED + uuid.uuid4().hex for key in keys}, timeout=MARK_SECONDS)
        except RedisError:  # Redis is down: its copies went with it.
            logger.warning("Redis unreachable: copies %s not marked changed", keys)

    mark()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(mark)


def copy_found(value: object) -> bool:
    """Whether a value read from the cache is a usable copy (not missing, not marked changed)."""
    return value is not None and not (isinstance(value, str) and value.startswith(CHANGED))


def copy_read(found: dict, key: str, load: Callable[[], object], *, usable=None) -> object:
    """The copy under `key` in `found` (values the caller read in its own round trip), if usable; else
    `load()` from the database, kept unless None (nothing is kept for a row that does not exist yet)."""
    seen = found.get(key)
    if copy_found(seen) and (usable is None or usable(seen)):
        return seen
    value = load()
    if value is not None:
        copy_keep(key, seen, value, COPY_SECONDS)
    return value


def copy_keep(key: str, seen: object, value: object, timeout: int) -> None:
    """Keep a copy read from the database, if the key still holds what the reader `seen` there before."""
    from django.core.cache import cache

    cache.set_if_unchanged(key, seen, value, timeout)
